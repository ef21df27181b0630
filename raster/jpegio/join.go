package jpegio

import (
	"fmt"
	"sync"
)

// Joining bands decoded from restart intervals. When chroma is upsampled
// down (4:2:0, 4:4:0), the first row of a band is a blend of the band's
// first chroma row and the last chroma row of the band before. A band
// decoded from restart intervals would have to decode the MCU row above
// it for that one row, and with intervals of two MCU rows the one above
// that too, from the start of its interval: Huffman decoding done twice
// on a band of four MCU rows in seven. A Reader told JoinBands instead
// leaves each band's first row (but the first band's) to JoinBand, which
// the scheduler calls in band order once the band and the band before
// are decoded: each band keeps its first row of every component and its
// last row of every component upsampled down, a few tens of kilobytes,
// and JoinBand blends them. A band still decodes the MCU row below it
// for its last row, so that it is whole when JoinBand is not called
// before the next band is decoded (the scheduler hands it on at once).

// joints holds the edges of the bands decoded and not yet joined, by the
// MCU row where two bands meet.
type joints struct {
	mu    sync.Mutex
	at    map[int]*joint
	undec int      // MCU row after the last band released undecoded, or -1
	last  bool     // bands leave their last row too
	rows  [][]byte // JoinBand's upsampled rows, one per component
	free  []*joint // joints JoinBand is done with, their rows kept
}

// joint is where two bands meet: the last rows of the band above of the
// components upsampled down, and the first row of each component of the
// band below, when it left its first image row to JoinBand.
type joint struct {
	above    [][]byte // when hasAbove, the band above was decoded
	below    [][]byte // when hasBelow, the band below was decoded
	hasAbove bool
	hasBelow bool
	left     bool // the band below left its first row
	// The band above left its last row: above then holds the last row
	// of every component.
	leftLast bool
}

// JoinBands makes the bands of a file decoded by restart intervals (see
// ReaderOptions.At) leave their first row to JoinBand, so that no MCU row
// above a band is decoded for it; with last, their last row too, so that
// no MCU row below is decoded either, and each MCU row is Huffman decoded
// once. Call it before the first NextBand; it does nothing for other
// files. The caller must then call JoinBand for every band but the first
// that it decodes, in order, after that band and the band before were
// decoded or released, and release a band it does not decode before it
// asks NextBand for the next. With last, it must decode every band after
// the first it decodes: a band's last row needs the next band. Joined
// bands need no MCU rows of others, so their height is the usual one
// (SerialBands), not the taller one of bands that decode the rows above
// and below theirs; it may be called again, before the first NextBand, to
// change last.
func (r *Reader) JoinBands(last bool) {
	d := r.d
	if d.halo && d.nextMCU == 0 && d.canSegment() {
		d.join = &joints{at: map[int]*joint{}, undec: -1, last: last}
	}
}

// JoinBand writes the first row of band k (a band NextBand returned and
// whose Decode ran) into row, and the last row of band k-1 into above,
// each RowBytes long, when the bands left them (see JoinBands); otherwise
// it does nothing. above may be nil when JoinBands was not given last.
// Call it from one goroutine, in band order.
func (r *Reader) JoinBand(k int, above, row []byte) error {
	d := r.d
	js := d.join
	if js == nil || k <= 0 {
		return nil
	}
	m := k * d.bandMCU
	js.mu.Lock()
	j := js.at[m]
	delete(js.at, m)
	js.mu.Unlock()
	if j == nil {
		return nil
	}
	defer func() {
		js.mu.Lock()
		js.put(j)
		js.mu.Unlock()
	}()
	if !j.left && !j.leftLast {
		return nil
	}
	if !j.hasAbove || !j.hasBelow {
		return fmt.Errorf("jpeg: band %d joined before it and the band above it were decoded", k)
	}
	f := &d.seg.snap.f
	n := f.sc.width * d.h.Pixel.BytesPerPixel()
	if len(row) < n || j.leftLast && len(above) < n {
		return fmt.Errorf("jpeg: rows of %d and %d bytes given to JoinBand, want %d", len(above), len(row), n)
	}
	if len(js.rows) != len(f.comps) {
		js.rows = make([][]byte, len(f.comps))
		for ci := range js.rows {
			js.rows[ci] = make([]byte, max(f.sc.width, f.sc.dw[ci]*f.sc.hr[ci]))
		}
	}
	var src [4][]byte
	y := m * f.mcuH
	if j.leftLast {
		for ci := range f.comps {
			src[ci] = upsampleRow(f, ci, y-1, j.above[ci], j.below[ci], js.rows[ci])
		}
		convertRow(f.color, above, src[:len(f.comps)])
	}
	if j.left {
		for ci := range f.comps {
			src[ci] = upsampleRow(f, ci, y, j.below[ci], j.above[ci], js.rows[ci])
		}
		convertRow(f.color, row, src[:len(f.comps)])
	}
	return nil
}

// get returns the joint at MCU row m, making it from one on the free
// list if it can; js.mu is held.
func (js *joints) get(m int) *joint {
	j := js.at[m]
	if j == nil {
		if n := len(js.free); n > 0 {
			j = js.free[n-1]
			js.free = js.free[:n-1]
		} else {
			j = new(joint)
		}
		js.at[m] = j
	}
	return j
}

// put hands j, which JoinBand is done with, to the free list; js.mu is
// held. The list holds no more joints than were at once in use.
func (js *joints) put(j *joint) {
	j.hasAbove, j.hasBelow, j.left, j.leftLast = false, false, false, false
	js.free = append(js.free, j)
}

// keepEdges saves, while Decode runs, what JoinBand needs of band b: its
// first row of each component when it leaves its first image row, and
// its last row of each component upsampled down (of every component when
// it leaves its last image row) when a band follows. The rows go into
// buffers of joints JoinBand is done with.
func (b *Band) keepEdges(js *joints) {
	f := b.f
	sc := &f.sc
	keep := func(dst [][]byte, ci, cy int) [][]byte {
		if len(dst) != len(f.comps) {
			dst = make([][]byte, len(f.comps))
		}
		dst[ci] = append(dst[ci][:0], b.planeRow(ci, cy)...)
		return dst
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	if b.left {
		j := js.get(b.m0)
		for ci := range f.comps {
			j.below = keep(j.below, ci, b.m0*f.comps[ci].v*sc.nv[ci])
		}
		j.left, j.hasBelow = true, true
	}
	if b.m1 < f.mcusY {
		j := js.get(b.m1)
		for ci := range f.comps {
			if sc.vr[ci] == 2 || b.leftLast {
				j.above = keep(j.above, ci, b.m1*f.comps[ci].v*sc.nv[ci]-1)
			}
		}
		j.leftLast, j.hasAbove = b.leftLast, true
	}
}

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
	rows  [][]byte // JoinBand's upsampled rows, one per component
}

// joint is where two bands meet: the last rows of the band above of the
// components upsampled down, and the first row of each component of the
// band below, when it left its first image row to JoinBand.
type joint struct {
	above [][]byte // nil until the band above is decoded
	below [][]byte // nil until the band below is decoded
	left  bool     // the band below left its first row
}

// JoinBands makes the bands of a file decoded by restart intervals (see
// ReaderOptions.At) leave their first row to JoinBand, so that no MCU row
// above a band is decoded for it: a 10,000² JPEG of ours with restart
// intervals decodes on two goroutines in about the CPU time of one
// goroutine's Huffman decoding feeding the other. Call it before the first
// NextBand; it does nothing for other files. The caller must then call
// JoinBand for every band but the first that it decodes, in order, after
// the band before was decoded or released, and release a band it does not
// decode before it asks NextBand for the next.
func (r *Reader) JoinBands() {
	d := r.d
	if d.halo && d.nextMCU == 0 && d.canSegment() {
		d.join = &joints{at: map[int]*joint{}, undec: -1}
	}
}

// JoinBand writes the first row of band k (a band NextBand returned and
// whose Decode ran) into row, RowBytes long, when the band left it (see
// JoinBands); otherwise it does nothing. Call it from one goroutine, in
// band order.
func (r *Reader) JoinBand(k int, row []byte) error {
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
	if j == nil || !j.left {
		return nil
	}
	if j.above == nil || j.below == nil {
		return fmt.Errorf("jpeg: band %d joined before it and the band above it were decoded", k)
	}
	f := &d.seg.snap.f
	if n := f.sc.width * d.h.Pixel.BytesPerPixel(); len(row) < n {
		return fmt.Errorf("jpeg: row of %d bytes given to JoinBand, want %d", len(row), n)
	}
	if len(js.rows) != len(f.comps) {
		js.rows = make([][]byte, len(f.comps))
		for ci := range js.rows {
			js.rows[ci] = make([]byte, max(f.sc.width, f.sc.dw[ci]*f.sc.hr[ci]))
		}
	}
	var src [4][]byte
	y := m * f.mcuH
	for ci := range f.comps {
		src[ci] = upsampleRow(f, ci, y, j.below[ci], j.above[ci], js.rows[ci])
	}
	convertRow(f.color, row, src[:len(f.comps)])
	return nil
}

// get returns the joint at MCU row m, making it; js.mu is held.
func (js *joints) get(m int) *joint {
	j := js.at[m]
	if j == nil {
		j = new(joint)
		js.at[m] = j
	}
	return j
}

// keepEdges saves, while Decode runs, what JoinBand needs of band b: its
// first row of each component when it leaves its first image row, and
// its last row of each component upsampled down when a band follows.
func (b *Band) keepEdges(js *joints) {
	f := b.f
	sc := &f.sc
	copyRow := func(ci, cy int) []byte {
		src := b.planeRow(ci, cy)
		return append([]byte(nil), src...)
	}
	var below, above [][]byte
	if b.left {
		below = make([][]byte, len(f.comps))
		for ci := range f.comps {
			below[ci] = copyRow(ci, b.m0*f.comps[ci].v*sc.nv[ci])
		}
	}
	if b.m1 < f.mcusY {
		above = make([][]byte, len(f.comps))
		for ci := range f.comps {
			if sc.vr[ci] == 2 {
				above[ci] = copyRow(ci, b.m1*f.comps[ci].v*sc.nv[ci]-1)
			}
		}
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	if b.left {
		j := js.get(b.m0)
		j.below, j.left = below, true
	}
	if above != nil {
		js.get(b.m1).above = above
	}
}

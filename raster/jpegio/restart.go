package jpegio

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
)

// Restart intervals in parallel. A baseline file with restart markers
// can be decoded from any interval on: the DC predictions start again at
// each. When the Reader can read the file at an offset
// (ReaderOptions.At), its serial step only finds where the intervals of a
// band start, a scan for markers that costs a few microseconds a band,
// and the band's Decode does the Huffman decoding itself, reading the
// intervals through At. A band then holds its offsets, not its
// coefficients: the coefficients are the decoding goroutine's scratch.
//
// A band whose chroma is upsampled down also decodes the MCU row above and
// below it for its halo, so the Huffman decoding of those rows is done
// twice; bands of several MCU rows keep that share small. Joined bands
// (join.go) decode neither.

// segmentable reports whether the file's restart intervals start whole
// MCU rows often enough to decode bands from them: an interval is a
// whole number of rows, at most 8, or a row a whole number of intervals.
func (f *frame) segmentable() bool {
	r := f.restart
	return !f.progressive && r > 0 && (r%f.mcusX == 0 && r <= 8*f.mcusX || f.mcusX%r == 0)
}

// segBandMCU is the band height when decoding by restart intervals: the
// usual one rounded up to whole intervals, so that a band starts where
// an interval does. With a halo, unless the bands are joined (join.go),
// the default is at least 4 MCU rows, so that the 2 MCU rows decoded
// again for it are not as many as its own.
func (d *Decoder) segBandMCU() int {
	m := d.bandMCU
	if d.halo && d.o.BandRows <= 0 && d.join == nil {
		m = max(m, 4)
	}
	k := max(1, d.f.restart/d.f.mcusX)
	return (m + k - 1) / k * k
}

// segments is the serial state of a decode by restart intervals.
type segments struct {
	at    io.ReaderAt
	snap  *Decoder // the decoder after the headers, read-only, for Decode
	n     int      // intervals in the scan
	base  int      // interval of start[0] and end[0]
	start []int64  // offset of each interval's first byte, from base on
	end   []int64  // offset of the marker after each, for those scanned

	cont atomic.Int64 // bands decoded on from the band before (tests)
}

// segBand is what a band decoded from restart intervals holds: the
// offsets of the intervals that cover its MCU rows and halo.
type segBand struct {
	first    int   // first interval
	off, end int64 // its first byte, and the marker after the last
	skip     int   // MCU rows of the first interval before the band's rows
}

// segOffsets is what a band's offsets hold, for SerialBands.
const segOffsets = 256

// startSegments sets the decoder up to decode by restart intervals
// through at, before the first byte of the scan is read.
func (d *Decoder) startSegments(at io.ReaderAt) {
	f := &d.f
	snap := new(Decoder)
	*snap = *d
	snap.src, snap.store, snap.prev = nil, nil, nil
	d.bandMCU = d.segBandMCU()
	d.seg = &segments{
		at:    at,
		snap:  snap,
		n:     (f.mcusX*f.mcusY + f.restart - 1) / f.restart,
		start: []int64{d.src.offset()},
	}
}

// scanSegments finds the end of every interval up to iv (the marker after
// it) and the start of the next, reading the scan's bytes in order.
func (d *Decoder) scanSegments(iv int) error {
	sg := d.seg
	s := d.src
	for sg.base+len(sg.end) <= iv {
		k := sg.base + len(sg.end) // the interval being scanned
		at, m, err := d.nextScanMarker()
		if err != nil {
			return err
		}
		sg.end = append(sg.end, at)
		if k == sg.n-1 {
			// The last interval: the marker ends the scan, and the
			// headers that follow are read from it on.
			return nil
		}
		if m != mRST0+byte(k&7) {
			return s.errorAt("found marker 0x%02x where RST%d was due", m, k&7)
		}
		s.skip(2)
		sg.start = append(sg.start, s.offset())
	}
	return nil
}

// nextScanMarker skips entropy-coded bytes up to the next marker, and
// returns its offset and code, leaving the source at its 0xff.
func (d *Decoder) nextScanMarker() (int64, byte, error) {
	s := d.src
	for {
		if s.j-s.i < 2 {
			s.fill(2)
			if s.j-s.i < 2 {
				return 0, 0, s.truncated("inside a restart interval")
			}
		}
		k := bytes.IndexByte(s.buf[s.i:s.j-1], 0xff)
		if k < 0 {
			s.i = s.j - 1
			continue
		}
		s.i += k
		switch m := s.buf[s.i+1]; m {
		case 0:
			s.i += 2 // a stuffed zero
		case 0xff:
			s.i++ // fill: the next 0xff may start the marker
		default:
			return s.offset(), m, nil
		}
	}
}

// segBand lays out band b (MCU rows lo..hi) by the intervals that cover
// it, scanning for them as needed, and drops the offsets of intervals
// that no later band needs.
func (d *Decoder) segBand(lo, hi, nextLo int) (segBand, error) {
	f := &d.f
	sg := d.seg
	r := f.restart
	first := lo * f.mcusX / r
	last := (hi*f.mcusX - 1) / r
	if err := d.scanSegments(last); err != nil {
		return segBand{}, err
	}
	sb := segBand{
		first: first,
		off:   sg.start[first-sg.base],
		end:   sg.end[last-sg.base],
		skip:  (lo*f.mcusX - first*r) / f.mcusX,
	}
	// The next band starts at nextLo: keep its intervals only.
	if keep := nextLo * f.mcusX / r; keep > sg.base {
		k := min(keep-sg.base, len(sg.end))
		sg.start = append(sg.start[:0], sg.start[k:]...)
		sg.end = append(sg.end[:0], sg.end[k:]...)
		sg.base += k
	}
	return sb, nil
}

// nextSegBand is NextBand when decoding by restart intervals: it lays
// out band b, MCU rows m0..m1 holding lo..hi, by the offsets of its
// intervals.
func (d *Decoder) nextSegBand(b *Band, m0, m1, lo, hi int) (*Band, error) {
	f := &d.f
	nextLo := m1
	if d.halo {
		nextLo = max(m1-1, 0)
	}
	left := false // see join.go
	if d.join != nil && m0 > 0 {
		d.join.mu.Lock()
		left = d.join.undec != m0
		d.join.mu.Unlock()
	}
	if left {
		lo = m0 // no MCU row above: JoinBand writes the first row
	}
	leftLast := d.join != nil && d.join.last && m1 < f.mcusY
	if leftLast {
		hi = m1 // nor below: JoinBand writes the last row too
	}
	sb, err := d.segBand(lo, hi, nextLo)
	if err != nil {
		d.fail(err)
		return nil, err
	}
	b.f, b.pixel = &d.seg.snap.f, d.h.Pixel
	b.m0, b.m1, b.lo, b.hi = m0, m1, lo, hi
	b.segs, b.seg = d.seg, sb
	b.join, b.left, b.leftLast = d.join, left, leftLast
	d.nextMCU = m1
	if m1 >= f.mcusY && !d.allDecoded {
		d.allDecoded = true
		if err := d.finishScan(); err != nil {
			d.fail(err)
			return nil, err
		}
	}
	return b, nil
}

// segScratch is a decoding goroutine's scratch for bands decoded from
// restart intervals: a decoder, a source and the coefficients of a band.
// It remembers where its decoder stands after a band, so that when the
// same goroutine decodes the next band of the file (as the engine does
// with the reader's bands of one of its own) it goes on from there: the
// rows the two share and the rows before them in their interval are not
// decoded again.
type segScratch struct {
	d    Decoder
	src  source
	coef [][]int16
	skip [][]int16

	// After a band: its segments, the MCU rows lo..hi its coefficients
	// hold (hi the next row the decoder reads), and the end of the bytes
	// its source was given.
	segs   *segments
	lo, hi int
	end    int64
}

var segPool sync.Pool // *segScratch

// decodeSegments decodes band b, laid out by sb, into dst: the Huffman
// decoding of its intervals, then Band.Decode.
func (sg *segments) decodeSegments(b *Band, sb segBand, dst []byte) error {
	sc, _ := segPool.Get().(*segScratch)
	if sc == nil {
		sc = &segScratch{src: source{buf: make([]byte, 32<<10)}}
	}
	defer segPool.Put(sc)
	x := &sc.d
	f := &x.f
	b.coef, sc.coef = sc.coef, nil
	// Whatever happens below, the scratch holds no decoder state for the
	// next band unless the band decodes whole.
	cont := sc.segs == sg && sc.lo <= b.lo && b.lo <= sc.hi && sc.hi <= b.hi && sb.end >= sc.end
	sc.segs = nil
	defer func() { sc.coef, b.coef = b.coef, nil }()
	from := b.lo
	if cont {
		// Go on from the band before: keep the coefficients of the rows
		// the two share, and give the source the bytes up to this band's
		// last interval.
		keep := sc.hi - b.lo
		for i, c := range f.comps {
			n := c.v * c.bw * 64
			if keep > 0 {
				copy(b.coef[i], b.coef[i][(b.lo-sc.lo)*n:(sc.hi-sc.lo)*n])
			}
		}
		b.sizeCoef()
		if sb.end > sc.end {
			// The source has read up to s.off+s.j, at most the end it
			// was given: the next bytes come from there on.
			s := &sc.src
			at := s.off + int64(s.j)
			s.r = io.NewSectionReader(sg.at, at, sb.end-at)
			if s.err == io.EOF {
				s.err = nil
			}
		}
		from = sc.hi
		sg.cont.Add(1)
	} else {
		*x = *sg.snap
		sc.src.r = io.NewSectionReader(sg.at, sb.off, sb.end-sb.off)
		sc.src.i, sc.src.j, sc.src.off, sc.src.err = 0, 0, sb.off, nil
		x.src = &sc.src
		x.br = bitReader{src: x.src}
		x.restartLeft = x.f.restart
		x.nextRST = sb.first & 7
		b.sizeCoef()
		if sb.skip > 0 {
			if len(sc.skip) != len(f.comps) {
				sc.skip = make([][]int16, len(f.comps))
			}
			for i, c := range f.comps {
				if n := c.v * c.bw * 64; cap(sc.skip[i]) < n {
					sc.skip[i] = make([]int16, n)
				} else {
					sc.skip[i] = sc.skip[i][:n]
				}
			}
			for m := b.lo - sb.skip; m < b.lo; m++ {
				if err := x.decodeMCURow(m, sc.skip); err != nil {
					return err
				}
			}
		}
	}
	var rows [][]int16
	for m := from; m < b.hi; m++ {
		rows = b.mcuRow(m, rows)
		if err := x.decodeMCURow(m, rows); err != nil {
			return err
		}
	}
	b.Decode(dst)
	sc.segs, sc.lo, sc.hi, sc.end = sg, b.lo, b.hi, sb.end
	return nil
}

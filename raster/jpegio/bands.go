package jpegio

import (
	"encoding/binary"
	"fmt"

	"github.com/sluice-go/sluice/raster"
)

// This file offers Reader and Writer to a scheduler: the Reader as a
// raster.SerialBandReader (NextBand is the serial Huffman step, the
// PendingBand's Decode the parallel rest), the Writer as a
// raster.BandWriter (EncodeBand is a band's whole encoding, WriteBand the
// serial join).

// SerialBands returns the height of the Reader's bands in image rows and
// the most bytes a band handed out by NextBand holds: its coefficients
// with the halo rows or, for a file decoded by restart intervals (see
// ReaderOptions.At), the offsets of their intervals and the edges kept
// for JoinBand (segHeld), its bands then being whole intervals. It implements raster.SerialBandReader.
func (r *Reader) SerialBands() (rows int, held int64) {
	d := r.d
	mcus := d.bandMCU
	held = d.bandHeld()
	if d.canSegment() {
		mcus, held = d.segBandMCU(), d.segHeld()
	}
	return mcus * d.f.mcuH / d.f.sc.div, held
}

// DecodeScratch returns the most bytes a goroutine keeps while it runs the
// Decode of one of the Reader's bands, and keeps for the next: the planes
// of samples and rows of Band.Decode and, for a file decoded by restart
// intervals, the coefficients of the band with its halo, which are then
// that goroutine's and not the band's (see SerialBands). A scheduler
// reserves it once per goroutine that decodes.
func (r *Reader) DecodeScratch() int64 {
	d := r.d
	f := &d.f
	sc := &f.sc
	mcus := d.bandMCU
	seg := d.seg != nil || d.canSegment()
	if seg {
		mcus = d.segBandMCU()
	}
	held := mcus
	if d.halo {
		held += 2
	}
	var n int64
	for ci, c := range f.comps {
		rows := int64(held * c.v)
		n += rows * int64(sc.nv[ci]) * int64(c.bw*sc.nh[ci]) // plane
		n += int64(max(sc.width, sc.dw[ci]*sc.hr[ci]))       // row
		if seg {
			// The coefficients, and those of one MCU row to skip.
			n += 2 * (rows + int64(c.v)) * int64(c.bw) * 64
		}
	}
	return n
}

// canSegment reports whether NextBand can still start decoding by
// restart intervals: the file has them, ReaderOptions.At reads it, no
// band was decoded yet, and the scale is full. At a reduced scale (shrink
// on load) Huffman decoding is nearly all the work, and the intervals in
// parallel cost half as much CPU again for no time saved (a thumbnail of
// a 10,000² JPEG: 0.50 against 0.33 s, both 0.3 s), so it decodes
// serially.
func (d *Decoder) canSegment() bool {
	return d.o.At != nil && !d.buffered && d.f.segmentable() && d.nextMCU == 0 && d.decoded == 0 && d.f.sc.div == 1
}

// segHeld is the most bytes a band decoded by restart intervals holds:
// the offsets of its intervals and, when chroma is upsampled down, the
// edges it keeps for JoinBand (join.go), if asked to.
func (d *Decoder) segHeld() int64 {
	held := int64(segOffsets)
	if d.halo {
		for ci := range d.f.comps {
			held += int64(2 * d.f.sc.dw[ci])
		}
	}
	return held
}

// bandHeld is the most bytes one Band holds: the coefficients of its MCU
// rows and halo, 2 bytes a sample. (Decode's scratch is per goroutine.)
func (d *Decoder) bandHeld() int64 {
	held := int64(d.bandMCU)
	if d.halo {
		held += 2
	}
	var n int64
	for _, c := range d.f.comps {
		n += 2 * held * int64(c.v) * 64 * int64(c.bw)
	}
	return n
}

// NextBand runs the serial step of the next band, Huffman decoding into
// coefficients (for a progressive file, the first call decodes every
// scan; for a file decoded by restart intervals, a scan for the markers
// that bound the band's intervals), and returns the band, whose Decode is
// the parallel step; (nil, io.EOF) after the last band. It implements
// raster.SerialBandReader: call it from one goroutine, and not with
// ReadRows. Released bands are reused.
func (r *Reader) NextBand() (raster.PendingBand, error) {
	if r.d.seg == nil && r.d.err == nil && r.d.canSegment() {
		r.d.startSegments(r.d.o.At)
	}
	p := r.free.Get()
	if p == nil {
		p = &pendingBand{r: r}
	}
	b, err := r.d.NextBand(p.b)
	if err != nil {
		r.d.Close()
		return nil, err
	}
	p.b, p.decoded = b, false
	return p, nil
}

// pendingBand is a Band handed out by Reader.NextBand.
type pendingBand struct {
	r       *Reader
	b       *Band
	decoded bool
}

// Decode writes the band's rows into dst: dequantisation, IDCT,
// upsampling and colour conversion, as Band.Decode.
func (p *pendingBand) Decode(dst []byte) error {
	if n := p.b.Bytes(); len(dst) < n {
		return fmt.Errorf("jpeg: band of %d bytes given %d", n, len(dst))
	}
	p.decoded = true
	if p.b.segs != nil {
		return p.b.segs.decodeSegments(p.b, p.b.seg, dst)
	}
	p.b.Decode(dst)
	return nil
}

// Release hands the band back to its Reader for the next NextBand.
func (p *pendingBand) Release() {
	r := p.r
	if js := p.b.join; js != nil && !p.decoded {
		// The band below decodes the MCU row above it itself.
		js.mu.Lock()
		js.undec = p.b.m1
		js.mu.Unlock()
	}
	r.free.Put(p)
}

// BandRows returns the height of the Writer's bands in image rows, each a
// restart interval that EncodeBand codes on its own. It implements
// raster.BandWriter.
func (w *Writer) BandRows() int { return w.e.bandMCU * w.e.mcuH }

// EncodeBand codes band i, whose rows are src in the pixel format of the
// header given to NewWriter, appending the result to dst[:0]: the
// entropy-coded segment with its RST marker or, with Optimize, the coded
// symbols, which WriteBand keeps until Close. It implements
// raster.BandWriter: safe for concurrent use, band by band; above is not
// used. It costs what Encoder.EncodeBand costs.
func (w *Writer) EncodeBand(i int, above, src, dst []byte) ([]byte, error) {
	// Segments are scratch, kept on a free list rather than a sync.Pool:
	// a collection empties a Pool, and each refill allocates megabytes.
	seg := w.segs.Get()
	if seg == nil {
		seg = new(Segment)
	}
	defer func() {
		w.segs.Put(seg)
	}()
	if !w.e.optimize {
		seg.data = dst[:0]
	}
	seg, err := w.e.EncodeBand(i, src, seg)
	if err != nil {
		return dst, err
	}
	if !w.e.optimize {
		out := seg.data
		seg.data = nil // dst is the caller's
		return out, nil
	}
	dst = dst[:0]
	for _, t := range seg.tokens {
		dst = binary.LittleEndian.AppendUint32(dst, t)
	}
	return dst, nil
}

// WriteBand joins band i, as EncodeBand returned it, onto the file: bands
// must come in order, from one goroutine. The first call writes the
// headers. It implements raster.BandWriter.
func (w *Writer) WriteBand(i int, enc []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(w.band) > 0 {
		w.err = fmt.Errorf("jpeg: WriteBand after a partial band of WriteRows")
		return w.err
	}
	seg := &w.joined
	seg.index = i
	if w.e.optimize {
		if len(enc)%4 != 0 {
			w.err = fmt.Errorf("jpeg: band %d: %d bytes of symbols", i, len(enc))
			return w.err
		}
		seg.tokens = seg.tokens[:0]
		seg.freq = [4][256]int32{}
		for k := 0; k < len(enc); k += 4 {
			t := binary.LittleEndian.Uint32(enc[k:])
			seg.tokens = append(seg.tokens, t)
			seg.freq[t>>8&3][t&0xff]++
		}
	} else {
		seg.data = enc
	}
	err := w.e.WriteSegment(seg)
	seg.data = nil
	if err != nil {
		w.err = err
		return err
	}
	_, w.row = w.e.BandRows(i)
	return nil
}

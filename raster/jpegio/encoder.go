package jpegio

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/sluice-go/sluice/raster"
)

// WriterOptions configure NewEncoder and NewWriter. The zero value means
// quality 90, 4:2:0 chroma, the standard Huffman tables and bands of
// about 1 MiB of pixels.
type WriterOptions struct {
	Quality int // 1..100 as cjpeg -quality; 0 means 90
	// Subsample is the chroma subsampling of colour images: "444", "422"
	// or "420"; "" means "420", as cjpeg and image/jpeg choose (and vips
	// below quality 90): it halves the file at a loss the eye rarely sees
	// in photographs. Use "444" for sharp coloured edges (text, diagrams).
	Subsample string
	// Optimize computes Huffman tables fitted to the image, as cjpeg
	// -optimize: files are a few percent smaller, but nothing is written
	// before Close, and the coded symbols of the whole image (4 bytes per
	// symbol, about 6.5 bytes per byte of output) are held until then.
	Optimize bool
	// Limits bound the image size.
	Limits raster.Limits
	// BandRows is how many MCU rows (8 or 16 pixel rows) make a band, the
	// unit of parallel work and the restart interval; 0 means about 1 MiB
	// of RGB8 pixels, at most 64 rows, at least one MCU row (as for
	// decoding). The file's bytes depend on it and the image size, never
	// on how many workers encode.
	BandRows int
}

// Encoder is JPEG encoding split into a plain function per band
// (EncodeBand: pixels to an entropy-coded segment ending in a restart
// marker) and a serial joiner (WriteSegment, then Close). Each band is a
// restart interval, so bands are coded independently, in any order and
// on any goroutine, and the joined stream is the same bytes whatever the
// number of workers.
type Encoder struct {
	w         io.Writer
	in        raster.Header // what the caller gives
	h         raster.Header // what the file stores
	quality   int
	optimize  bool
	comps     []encComp
	hmax      int
	vmax      int
	mcuW      int
	mcuH      int
	mcusX     int
	mcusY     int
	bandMCU   int
	bands     int
	quant     [2][64]uint16
	div       [2]*divisors
	codes     [4]huffCode
	next      int // next segment to write
	wroteHead bool
	held      []heldSegment // Optimize: every band's symbols until Close
	freq      [4][256]int32 // Optimize: symbol counts of the held bands
	err       error         // sticky
}

// encComp is one component of the file being written.
type encComp struct {
	h, v int
	tq   int // quantisation table: 0 luma, 1 chroma
	th   int // Huffman tables: 0 luma, 1 chroma
}

// NewEncoder checks h and o and prepares the tables. It writes nothing.
func NewEncoder(w io.Writer, h raster.Header, o WriterOptions) (*Encoder, error) {
	if !h.Pixel.Valid() {
		return nil, fmt.Errorf("jpeg: cannot write pixel format %v", h.Pixel)
	}
	q := o.Quality
	if q == 0 {
		q = 90
	}
	if q < 1 || q > 100 {
		return nil, fmt.Errorf("jpeg: quality %d out of range 1..100", o.Quality)
	}
	if h.Width > 65535 || h.Height > 65535 {
		return nil, &raster.LimitError{Format: "jpeg", Width: h.Width, Height: h.Height,
			Reason: "a JPEG side is at most 65535 pixels"}
	}
	if err := o.Limits.Check("jpeg", h.Width, h.Height); err != nil {
		return nil, err
	}
	e := &Encoder{w: w, in: h, quality: q, optimize: o.Optimize}
	e.h = raster.Header{
		Format:      "jpeg",
		Width:       h.Width,
		Height:      h.Height,
		Pixel:       raster.RGB8,
		Compression: "jpeg",
		Details:     []string{"baseline", "quality " + strconv.Itoa(q)},
		Orientation: h.Orientation,
		Meta:        h.Meta,
	}
	if h.Pixel.Color() {
		ch, cv := 2, 2
		switch o.Subsample {
		case "", "420":
		case "422":
			cv = 1
		case "444":
			ch, cv = 1, 1
		default:
			return nil, fmt.Errorf("jpeg: subsampling %q is not one of 444, 422, 420", o.Subsample)
		}
		e.comps = []encComp{{h: ch, v: cv}, {h: 1, v: 1, tq: 1, th: 1}, {h: 1, v: 1, tq: 1, th: 1}}
		e.h.Details = append(e.h.Details, "ycbcr "+map[[2]int]string{{1, 1}: "444", {2, 1}: "422", {2, 2}: "420"}[[2]int{ch, cv}])
	} else {
		e.h.Pixel = raster.Gray8
		e.comps = []encComp{{h: 1, v: 1}}
	}
	if o.Optimize {
		e.h.Details = append(e.h.Details, "optimized")
	}
	e.hmax, e.vmax = e.comps[0].h, e.comps[0].v
	e.mcuW, e.mcuH = 8*e.hmax, 8*e.vmax
	e.mcusX = (h.Width + e.mcuW - 1) / e.mcuW
	e.mcusY = (h.Height + e.mcuH - 1) / e.mcuH
	e.bandMCU = o.BandRows
	if e.bandMCU <= 0 {
		e.bandMCU = defaultBandMCU(h.Width, e.mcuH)
	}
	e.bandMCU = max(1, min(e.bandMCU, 65535/e.mcusX))
	e.bands = (e.mcusY + e.bandMCU - 1) / e.bandMCU
	e.quant[0], e.quant[1] = scaledQuant(0, q), scaledQuant(1, q)
	e.div[0], e.div[1] = newDivisors(&e.quant[0]), newDivisors(&e.quant[1])
	for i := range e.codes {
		e.codes[i].build(&stdHuff[i])
	}
	return e, nil
}

// Header returns what the file will store: Gray8 or RGB8 at 8 bits.
func (e *Encoder) Header() raster.Header { return e.h }

// Bands is the number of bands the image is cut into.
func (e *Encoder) Bands() int { return e.bands }

// BandRows returns the image rows of band i: y0 ≤ y < y1.
func (e *Encoder) BandRows(i int) (y0, y1 int) {
	return i * e.bandMCU * e.mcuH, min((i+1)*e.bandMCU*e.mcuH, e.h.Height)
}

// heldSegment is what Optimize keeps of a band until Close.
type heldSegment struct {
	index  int
	tokens []uint32
}

// Segment is one band's entropy-coded data, from EncodeBand. Pass it back
// to EncodeBand to reuse its buffers once WriteSegment has taken it.
type Segment struct {
	index  int
	data   []byte   // coded bytes, with the closing RST marker
	tokens []uint32 // Optimize: the coded symbols, for the second pass
	freq   [4][256]int32
	// scratch
	planes [3][]byte
	rgb    []byte
	blks   *codedBlocks
}

// EncodeBand codes band i from pix, its rows (BandRows) in the pixel
// format of the header given to NewEncoder, into seg (a new Segment when
// seg is nil). It is a plain function: safe to call from several
// goroutines at once for different bands, touching only seg. It costs
// about 2 ns of CPU per pixel of 4:2:0 colour at quality 90 with the
// assembly kernels, about 12 ns with the pure-Go ones.
func (e *Encoder) EncodeBand(i int, pix []byte, seg *Segment) (*Segment, error) {
	y0, y1 := e.BandRows(i)
	if i < 0 || i >= e.bands {
		return nil, fmt.Errorf("jpeg: band %d of %d", i, e.bands)
	}
	if want := (y1 - y0) * e.in.RowBytes(); len(pix) != want {
		return nil, fmt.Errorf("jpeg: band %d given %d bytes, want %d", i, len(pix), want)
	}
	if seg == nil {
		seg = new(Segment)
	}
	seg.index = i
	seg.tokens = seg.tokens[:0]
	seg.data = seg.data[:0]
	seg.freq = [4][256]int32{}
	rows := y1 - y0
	var bw bitWriter
	bw.buf = seg.data
	var pred [3]int32
	for m := range (rows + e.mcuH - 1) / e.mcuH {
		e.toPlanes(seg, pix, rows, m)
		e.codeRow(seg, &bw, &pred)
	}
	if !e.optimize {
		seg.data = e.closeSegment(&bw, i)
	}
	return seg, nil
}

// closeSegment pads the bits with ones and adds the RST marker unless i is
// the last band.
func (e *Encoder) closeSegment(bw *bitWriter, i int) []byte {
	bw.pad()
	if i != e.bands-1 {
		bw.buf = append(bw.buf, 0xff, mRST0+byte(i%8))
	}
	return bw.buf
}

// WriteSegment joins the next segment onto the stream: segments must come
// in band order. The first call writes the headers. It is the serial
// step.
func (e *Encoder) WriteSegment(seg *Segment) error {
	if e.err != nil {
		return e.err
	}
	if seg.index != e.next {
		return fmt.Errorf("jpeg: segment %d written when %d was due", seg.index, e.next)
	}
	e.next++
	if e.optimize {
		// Keep only the symbols; the segment's buffers go back to the
		// caller.
		e.held = append(e.held, heldSegment{seg.index, slices.Clone(seg.tokens)})
		for t := range e.freq {
			for v, n := range seg.freq[t] {
				e.freq[t][v] += n
			}
		}
		return nil
	}
	if !e.wroteHead {
		if err := e.writeHeaders(); err != nil {
			return e.fail(err)
		}
	}
	if _, err := e.w.Write(seg.data); err != nil {
		return e.fail(fmt.Errorf("jpeg: writing: %w", err))
	}
	return nil
}

func (e *Encoder) fail(err error) error {
	e.err = err
	return err
}

// Close finishes the file after the last segment: with Optimize it builds
// the tables, writes the headers and codes every held segment; then it
// writes EOI. It does not close the underlying writer.
func (e *Encoder) Close() error {
	if e.err != nil {
		return e.err
	}
	if e.next != e.bands {
		return e.fail(fmt.Errorf("jpeg: closed after %d of %d bands", e.next, e.bands))
	}
	if e.optimize {
		var specs [4]huffSpec
		for t := range 2 * min(len(e.comps), 2) {
			specs[t] = optimalTable(&e.freq[t])
			e.codes[t].build(&specs[t])
		}
		if err := e.writeHeadersWith(&specs); err != nil {
			return e.fail(err)
		}
		var bw bitWriter
		for _, s := range e.held {
			bw.buf = bw.buf[:0]
			e.emit(&bw, s.tokens, &e.codes)
			if _, err := e.w.Write(e.closeSegment(&bw, s.index)); err != nil {
				return e.fail(fmt.Errorf("jpeg: writing: %w", err))
			}
		}
		e.held = nil
	} else if !e.wroteHead {
		if err := e.writeHeaders(); err != nil {
			return e.fail(err)
		}
	}
	if _, err := e.w.Write([]byte{0xff, mEOI}); err != nil {
		return e.fail(fmt.Errorf("jpeg: writing: %w", err))
	}
	e.err = errClosed
	return nil
}

var errClosed = fmt.Errorf("jpeg: writer is closed")

func (e *Encoder) writeHeaders() error { return e.writeHeadersWith(&stdHuff) }

// writeHeadersWith writes SOI, JFIF, the metadata (APP1 EXIF, APP2
// ICC_PROFILE), DQT, SOF0, DHT, DRI and SOS.
func (e *Encoder) writeHeadersWith(specs *[4]huffSpec) error {
	e.wroteHead = true
	var b bytes.Buffer
	b.Write([]byte{0xff, mSOI})
	seg := func(m byte, p []byte) {
		b.Write([]byte{0xff, m, byte((len(p) + 2) >> 8), byte(len(p) + 2)})
		b.Write(p)
	}
	seg(mAPP0, []byte{'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0})
	writeMeta(&b, e.in)
	nt := 1
	if len(e.comps) > 1 {
		nt = 2
	}
	var p []byte
	for t := range nt {
		p = append(p, byte(t))
		for k := range 64 {
			p = append(p, byte(e.quant[t][zigzag[k]]))
		}
	}
	seg(mDQT, p)
	p = []byte{8, byte(e.h.Height >> 8), byte(e.h.Height), byte(e.h.Width >> 8), byte(e.h.Width), byte(len(e.comps))}
	for i, c := range e.comps {
		p = append(p, byte(i+1), byte(c.h<<4|c.v), byte(c.tq))
	}
	seg(mSOF0, p)
	p = p[:0]
	for t := range 2 * nt {
		s := &specs[t]
		p = append(p, byte((t&1)<<4|t>>1))
		p = append(p, s.counts[:]...)
		p = append(p, s.vals...)
	}
	seg(mDHT, p)
	if e.bands > 1 {
		n := e.bandMCU * e.mcusX
		seg(mDRI, []byte{byte(n >> 8), byte(n)})
	}
	p = []byte{byte(len(e.comps))}
	for i, c := range e.comps {
		p = append(p, byte(i+1), byte(c.th<<4|c.th))
	}
	p = append(p, 0, 63, 0)
	seg(mSOS, p)
	if _, err := e.w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("jpeg: writing: %w", err)
	}
	return nil
}

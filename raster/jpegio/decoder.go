package jpegio

import (
	"bytes"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// ReaderOptions configure NewDecoder and NewReader. The zero value means
// default limits, 256 MiB of coefficients in memory, the system's
// temporary directory and a 64 GiB spill limit.
type ReaderOptions struct {
	// Limits bound the image size, checked against the frame header
	// before anything is allocated. Baseline files stream, so Check
	// applies (MaxWholePixels does not).
	Limits raster.Limits
	// Memory bounds the DCT coefficients that a progressive (or
	// multi-scan) file keeps in memory: 2 bytes for each of the 64
	// coefficients of every 8×8 block, about 3 bytes per pixel for 4:2:0
	// colour. Past it they go to a temporary file. 0 means 256 MiB; -1
	// means always the file.
	Memory int64
	// TempDir is where that file goes; "" means os.TempDir().
	TempDir string
	// SpillLimit bounds the temporary file; a file needing more is refused
	// with an error that names --spill-limit. 0 means 64 GiB.
	SpillLimit int64
	// Shrink, if set, is called with the image's size once the headers
	// are read, and returns the scale to decode at: 1, 2, 4 or 8 for the
	// whole size, 1/2, 1/4 or 1/8 of it (each side rounded up), through a
	// reduced inverse DCT. The header then gives the reduced size.
	Shrink func(width, height int) int
	// BandRows is how many rows of MCUs (8 to 32 pixel rows each) make a
	// band; 0 means about 1 MiB of RGB pixels, at most 64 rows: 2 MCU
	// rows of 4:2:0 at 10,000 pixels wide, 1 from 22,000 on.
	BandRows int
	// At, if set, reads the same bytes as the io.Reader the decoding
	// starts from, at offsets from its first byte (the file, when the
	// io.Reader buffers it from its start). With it, the serial bands of
	// a Reader (NextBand) of a baseline file with restart markers hold
	// the offsets of their restart intervals rather than coefficients,
	// and their Decode does the Huffman decoding too, so that it runs in
	// parallel (see restart.go).
	At io.ReaderAt
}

const (
	defaultMemory     = 256 << 20
	defaultSpillLimit = 64 << 30
	maxScans          = 1000 // libjpeg-turbo's advice for hostile files is far fewer
)

// Decoder is the serial half of JPEG decoding: it parses the headers and
// turns the entropy-coded data into bands of DCT coefficients, in order,
// with NextBand. The parallel half is Band.Decode, a plain function that
// turns one band into pixels and may run on any goroutine, several bands
// at once. A Decoder is not safe for concurrent use.
//
// Baseline files stream: a Decoder holds two MCU rows of coefficients
// besides the bands handed out, so memory grows with the width, never the
// height. Progressive files, and sequential files whose scans each hold
// some of the components, need every coefficient before the first row is
// final: the first NextBand decodes every scan into a coefficient store,
// in memory up to ReaderOptions.Memory, else in a temporary file.
type Decoder struct {
	src  *source
	br   bitReader
	f    frame
	huff [2][4]huffDecoder
	h    raster.Header
	o    ReaderOptions

	first    scan // the first scan, read by NewDecoder
	buffered bool
	store    coefStore

	bandMCU int  // MCU rows per band
	halo    bool // bands carry the MCU row above and below
	nextMCU int  // first MCU row of the next band

	// Streaming state.
	pred        [4]int32
	restartLeft int
	nextRST     int
	// MCU rows carryLo..decoded-1 (at most two) were decoded into prev,
	// the band handed out last, whose rows start at prevLo: the next
	// band takes them from there.
	prev    *Band
	prevLo  int
	carryLo int
	decoded int // MCU rows decoded so far

	seg  *segments // decoding by restart intervals, when set
	join *joints   // bands leave their first row to Reader.JoinBand

	eobrun     int
	scans      int
	allDecoded bool  // every scan was decoded
	err        error // sticky

	meta       metaReader // APP1 and APP2 segments before the first scan
	headerOnly bool       // ReadHeader: stop at the first scan or EOI once the frame is known
}

// NewDecoder reads the headers up to the first scan and checks them: the
// image size against o.Limits, and every table the scan uses. Nothing
// proportional to the image is allocated before these checks pass.
//
// Malformed input is a *raster.FormatError with the byte offset of the
// fault; a valid file using a feature this package lacks (12-bit samples,
// arithmetic coding, lossless) is a *raster.UnsupportedError.
func NewDecoder(r io.Reader, o ReaderOptions) (*Decoder, error) {
	return newDecoder(r, o, false)
}

// newDecoder is NewDecoder; with headerOnly it stops once the header is
// known, before anything is allocated for the coefficients.
func newDecoder(r io.Reader, o ReaderOptions, headerOnly bool) (*Decoder, error) {
	d := &Decoder{src: newSource(r), o: o, headerOnly: headerOnly}
	d.br.src = d.src
	if b := d.src.peek(2); len(b) < 2 || b[0] != 0xff || b[1] != mSOI {
		return nil, &raster.FormatError{Format: "jpeg", Offset: 0, Msg: "not a JPEG file (no SOI marker)"}
	}
	d.src.skip(2)
	s, err := d.readHeaders(true)
	if err != nil {
		return nil, err
	}
	d.first = s
	f := &d.f
	f.setColor()
	div := 1
	if o.Shrink != nil {
		if div, err = checkScale(o.Shrink(f.width, f.height)); err != nil {
			return nil, err
		}
	}
	f.setScale(div)
	d.buffered = f.progressive || len(s.comps) != len(f.comps)
	d.h = raster.Header{
		Format:      "jpeg",
		Width:       f.sc.width,
		Height:      f.sc.height,
		Pixel:       raster.RGB8,
		Compression: "jpeg",
	}
	if f.color == colorGray {
		d.h.Pixel = raster.Gray8
	}
	if f.progressive {
		d.h.Details = append(d.h.Details, "progressive")
	} else {
		d.h.Details = append(d.h.Details, "baseline")
	}
	switch f.color {
	case colorYCbCr:
		d.h.Details = append(d.h.Details, "ycbcr "+f.sampling())
	case colorRGB:
		d.h.Details = append(d.h.Details, "rgb")
	case colorCMYK:
		d.h.Details = append(d.h.Details, "cmyk")
	case colorYCCK:
		d.h.Details = append(d.h.Details, "ycck")
	}
	if f.restart > 0 {
		d.h.Details = append(d.h.Details, fmt.Sprintf("restart %d", f.restart))
	}
	if div > 1 {
		d.h.Details = append(d.h.Details, fmt.Sprintf("decoded at 1/%d of %d×%d", div, f.width, f.height))
	}
	d.meta.finish(&d.h)
	if headerOnly {
		return d, nil
	}
	for _, c := range f.comps {
		if c.vr == 2 {
			d.halo = true
		}
	}
	d.bandMCU = o.BandRows
	if d.bandMCU <= 0 {
		d.bandMCU = defaultBandMCU(f.width, f.mcuH)
	}
	if d.buffered {
		need := f.coefBytes()
		mem := o.Memory
		if mem == 0 {
			mem = defaultMemory
		}
		if need <= mem {
			d.store = newMemStore(f)
		} else {
			lim := o.SpillLimit
			if lim <= 0 {
				lim = defaultSpillLimit
			}
			if need > lim {
				return nil, &raster.LimitError{Format: "jpeg", Width: f.width, Height: f.height, Err: raster.ErrSpillLimit, Reason: fmt.Sprintf(
					"a progressive JPEG keeps every DCT coefficient, %s, more than the memory limit of %s and the spill limit of %s (raise --spill-limit)",
					raster.FormatBytes(need), raster.FormatBytes(max(mem, 0)), raster.FormatBytes(lim))}
			}
			st, err := newFileStore(f, o.TempDir)
			if err != nil {
				return nil, err
			}
			d.store = st
		}
	} else {
		d.startScan()
	}
	return d, nil
}

// bandBytes is what a default band aims at, in RGB8 pixels: small enough
// that the buffers of a very wide image stay small, large enough that a
// band is worth a task.
const bandBytes = 1 << 20

// defaultBandMCU is the default band height in MCU rows for an image
// width pixels wide: bandBytes of RGB8, at most 64 rows, at least one MCU
// row. Encoder and decoder share it.
func defaultBandMCU(width, mcuH int) int {
	rows := min(bandBytes/(3*width), 64)
	return max(1, rows/mcuH)
}

// coefBytes is the memory every coefficient of the frame takes.
func (f *frame) coefBytes() int64 {
	var n int64
	for _, c := range f.comps {
		n += int64(c.bw) * int64(c.bh) * 128
	}
	return n
}

// sampling names the chroma subsampling as "444", "422", "420", "440",
// "411", or the factors when none of these.
func (f *frame) sampling() string {
	if len(f.comps) != 3 || f.comps[1].h != f.comps[2].h || f.comps[1].v != f.comps[2].v {
		return f.factors()
	}
	switch [2]int{f.comps[0].hr, f.comps[0].vr} {
	case [2]int{1, 1}:
	default:
		return f.factors()
	}
	switch [2]int{f.comps[1].hr, f.comps[1].vr} {
	case [2]int{1, 1}:
		return "444"
	case [2]int{2, 1}:
		return "422"
	case [2]int{2, 2}:
		return "420"
	case [2]int{1, 2}:
		return "440"
	case [2]int{4, 1}:
		return "411"
	}
	return f.factors()
}

func (f *frame) factors() string {
	var b bytes.Buffer
	for i, c := range f.comps {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%dx%d", c.h, c.v)
	}
	return b.String()
}

// Header returns the image's size and the pixel format Band.Decode
// writes: Gray8 for one-component files, RGB8 for the rest (YCbCr, RGB,
// CMYK and YCCK are converted). Details name the coding process, the
// colour layout and the restart interval.
func (d *Decoder) Header() raster.Header { return d.h }

// readHeaders reads marker segments up to and including the next SOS or
// EOI. It returns the scan, or io.EOF at EOI. first is true before the
// frame header is known.
func (d *Decoder) readHeaders(first bool) (scan, error) {
	s := d.src
	for {
		m, err := d.nextMarker()
		if err != nil {
			return scan{}, err
		}
		switch {
		case m == mEOI:
			if first && d.headerOnly && d.f.comps != nil {
				return scan{}, nil
			}
			if first {
				return scan{}, s.errorAt("EOI before any scan")
			}
			return scan{}, io.EOF
		case m >= mRST0 && m <= mRST0+7, m == 0x01:
			continue // stray marker without a segment
		case m == mSOI:
			return scan{}, s.errorAt("a second SOI marker")
		}
		lb, ok := s.read(2)
		if !ok {
			return scan{}, s.truncated("in a marker segment")
		}
		n := int(lb[0])<<8 | int(lb[1])
		if n < 2 {
			return scan{}, s.errorAt("marker segment of length %d", n)
		}
		segOff := s.offset()
		p, ok := s.read(n - 2)
		if !ok {
			return scan{}, s.truncated("in a marker segment")
		}
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if !first || d.f.comps != nil {
				return scan{}, s.errorAt("a second frame header")
			}
			d.f.sofOffset = segOff
			if err := d.parseSOF(m, p, d.o.Limits); err != nil {
				return scan{}, err
			}
		case m >= 0xc3 && m <= 0xcf && m != mDHT && m != 0xc8 && m != 0xcc:
			return scan{}, &raster.UnsupportedError{Format: "jpeg", Feature: sofName(m)}
		case m == 0xcc:
			return scan{}, &raster.UnsupportedError{Format: "jpeg", Feature: "arithmetic coding"}
		case m == mDHT:
			if err := d.parseDHT(p); err != nil {
				return scan{}, err
			}
		case m == mDQT:
			if err := d.parseDQT(p); err != nil {
				return scan{}, err
			}
		case m == mDRI:
			if len(p) != 2 {
				return scan{}, s.errorAt("DRI segment of %d bytes", len(p))
			}
			d.f.restart = int(p[0])<<8 | int(p[1])
		case m == mAPP0:
			if bytes.HasPrefix(p, []byte("JFIF\x00")) {
				d.f.jfif = true
			}
		case m == mAPP1 && first:
			d.meta.app1(p)
		case m == mAPP2 && first:
			d.meta.app2(p)
		case m == mAPPE:
			if len(p) >= 12 && bytes.HasPrefix(p, []byte("Adobe")) {
				d.f.adobe, d.f.adobeTrans = true, int(p[11])
			}
		case m == mDNL:
			return scan{}, &raster.UnsupportedError{Format: "jpeg", Feature: "DNL marker"}
		case m == mSOS:
			if d.f.comps == nil {
				return scan{}, s.errorAt("scan before the frame header")
			}
			if d.headerOnly {
				return scan{}, nil
			}
			d.scans++
			if d.scans > maxScans {
				return scan{}, s.errorAt("more than %d scans", maxScans)
			}
			return d.parseSOS(p)
		}
	}
}

// sofName names the coding process of an SOFn marker this package lacks.
func sofName(m byte) string {
	switch m {
	case 0xc3, 0xc7, 0xcb, 0xcf:
		return "lossless JPEG"
	case 0xc5, 0xc6, 0xcd, 0xce:
		return "hierarchical JPEG"
	}
	return "arithmetic coding"
}

// nextMarker skips to the next marker and returns its code. Bytes that are
// not a marker are skipped, as libjpeg does after a scan's padding.
func (d *Decoder) nextMarker() (byte, error) {
	s := d.src
	for {
		b, ok := s.readByte()
		if !ok {
			return 0, s.truncated("before the EOI marker")
		}
		if b != 0xff {
			continue
		}
		for {
			m, ok := s.readByte()
			if !ok {
				return 0, s.truncated("in a marker")
			}
			if m == 0xff {
				continue
			}
			if m == 0 {
				break // stuffed zero in stray data
			}
			return m, nil
		}
	}
}

// Band is a run of MCU rows' DCT coefficients, from Decoder.NextBand, and
// the plain function that turns them into pixels (Decode). The band owns
// its buffers: pass it back to NextBand to reuse them. A Band is not safe
// for concurrent use, but distinct bands may decode at once.
type Band struct {
	f      *frame
	pixel  raster.PixelFormat
	m0, m1 int       // MCU rows of the band
	lo, hi int       // MCU rows held: the band and its halo
	coef   [][]int16 // per component, (hi-lo)*v block rows of bw*64
	planes [][]byte  // Decode's scratch, while it runs
	rows   [][]byte  // scratch: one upsampled row per component

	// A band of restart intervals holds their offsets instead of coef,
	// which its decodeSegments fills.
	segs *segments
	seg  segBand
	// When the Reader joins bands (join.go), their edges, and whether
	// this band leaves its first row to JoinBand.
	join     *joints
	left     bool
	leftLast bool // and its last row
}

// Rows returns the image rows the band covers: y0 ≤ y < y1.
func (b *Band) Rows() (y0, y1 int) {
	h := b.f.mcuH / b.f.sc.div
	return b.m0 * h, min(b.m1*h, b.f.sc.height)
}

// Bytes is the size of the pixels Decode writes.
func (b *Band) Bytes() int {
	y0, y1 := b.Rows()
	return (y1 - y0) * b.f.sc.width * b.pixel.BytesPerPixel()
}

// reset sizes b for MCU rows lo..hi.
func (b *Band) reset(d *Decoder, m0, m1, lo, hi int) {
	b.f, b.pixel = &d.f, d.h.Pixel
	b.m0, b.m1, b.lo, b.hi = m0, m1, lo, hi
	b.segs, b.join, b.left, b.leftLast = nil, nil, false, false
	b.sizeCoef()
}

// sizeCoef sizes b.coef for its MCU rows lo..hi.
func (b *Band) sizeCoef() {
	lo, hi := b.lo, b.hi
	if len(b.coef) != len(b.f.comps) {
		b.coef = make([][]int16, len(b.f.comps))
	}
	for i, c := range b.f.comps {
		n := (hi - lo) * c.v * c.bw * 64
		if cap(b.coef[i]) < n {
			// Keep what it held: the next band may take rows from it.
			grown := make([]int16, n)
			copy(grown, b.coef[i])
			b.coef[i] = grown
		}
		b.coef[i] = b.coef[i][:n]
	}
}

// mcuRow returns, for each component, the slice of b holding MCU row m.
func (b *Band) mcuRow(m int, dst [][]int16) [][]int16 {
	dst = dst[:0]
	for i, c := range b.f.comps {
		n := c.v * c.bw * 64
		k := (m - b.lo) * n
		dst = append(dst, b.coef[i][k:k+n])
	}
	return dst
}

// NextBand decodes the coefficients of the next band into b (a new Band
// when b is nil) and returns it; (nil, io.EOF) after the last band. It is
// the serial step: call it from one goroutine, in order. For a buffered
// (progressive) file, the first call decodes every scan.
func (d *Decoder) NextBand(b *Band) (*Band, error) {
	if d.err != nil {
		return nil, d.err
	}
	f := &d.f
	if d.nextMCU >= f.mcusY {
		return nil, io.EOF
	}
	if d.buffered && !d.allDecoded {
		d.allDecoded = true
		if err := d.decodeAll(); err != nil {
			d.fail(err)
			return nil, err
		}
	}
	if b == nil {
		b = new(Band)
	}
	m0 := d.nextMCU
	m1 := min(m0+d.bandMCU, f.mcusY)
	lo, hi := m0, m1
	if d.halo {
		lo, hi = max(m0-1, 0), min(m1+1, f.mcusY)
	}
	if d.seg != nil {
		return d.nextSegBand(b, m0, m1, lo, hi)
	}
	prev, prevLo := d.prev, d.prevLo
	b.reset(d, m0, m1, lo, hi) // keeps the rows of b when it is prev
	var dst [][]int16
	for m := lo; m < hi; m++ {
		dst = b.mcuRow(m, dst)
		var err error
		switch {
		case d.buffered:
			err = d.store.readMCURow(m, dst)
		case m >= d.carryLo && m < d.decoded:
			// From the band before; when b is that band, its rows
			// move down, each to a place already read. Of a halo row
			// only the components upsampled down are read (see
			// decode): the others stay as they are.
			for i, c := range f.comps {
				if (m < m0 || m >= m1) && f.sc.vr[i] != 2 {
					continue
				}
				n := c.v * c.bw * 64
				k := (m - prevLo) * n
				copy(dst[i], prev.coef[i][k:k+n])
			}
		default:
			err = d.decodeMCURow(m, dst)
			d.decoded = m + 1
		}
		if err != nil {
			d.fail(err)
			return nil, err
		}
	}
	if !d.buffered && d.halo {
		// The last two MCU rows held are the next band's halo above
		// and, when decoded ahead, its first row: it takes them from b.
		d.carryLo = max(hi-2, lo)
		d.prev, d.prevLo = b, lo
	}
	if !d.buffered && d.decoded == f.mcusY && !d.allDecoded {
		d.allDecoded = true
		if err := d.finishScan(); err != nil {
			d.fail(err)
			return nil, err
		}
	}
	d.nextMCU = m1
	if d.nextMCU >= f.mcusY && d.store != nil {
		d.store.close()
	}
	return b, nil
}

func (d *Decoder) fail(err error) {
	d.err = err
	if d.store != nil {
		d.store.close()
	}
}

// Close releases the temporary file of a buffered decode, if any. It is
// safe to call more than once.
func (d *Decoder) Close() error {
	if d.store != nil {
		return d.store.close()
	}
	return nil
}

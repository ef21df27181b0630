package jpegio

import (
	"fmt"

	"github.com/sluice-go/sluice/raster"
)

// Markers (T.81 table B.1).
const (
	mSOF0 = 0xc0 // baseline
	mSOF1 = 0xc1 // extended sequential, Huffman
	mSOF2 = 0xc2 // progressive, Huffman
	mDHT  = 0xc4
	mRST0 = 0xd0
	mSOI  = 0xd8
	mEOI  = 0xd9
	mSOS  = 0xda
	mDQT  = 0xdb
	mDNL  = 0xdc
	mDRI  = 0xdd
	mAPP0 = 0xe0
	mAPP1 = 0xe1
	mAPP2 = 0xe2
	mAPPE = 0xee
)

// Colour transforms: how the components map to RGB.
const (
	colorGray  = iota // one component
	colorYCbCr        // three components, JFIF YCbCr
	colorRGB          // three components stored as RGB
	colorCMYK         // four components, Adobe inverted CMYK
	colorYCCK         // four components, Adobe YCCK
)

// component is one colour component of the frame.
type component struct {
	id     uint8
	h, v   int // sampling factors
	tq     int // quantisation table
	bw, bh int // blocks stored per row and rows: whole MCUs
	// uw, uh are the blocks that hold image data: a non-interleaved scan
	// codes only these.
	uw, uh int
	dw, dh int // samples that hold image data (downsampled width and height)
	// hr and vr are how many output pixels one sample covers across and
	// down: hmax/h and vmax/v.
	hr, vr int
	// dc and ac are the tables of the current scan.
	dc, ac int
}

// frame is what the headers say about the image, fixed once the first
// scan starts.
type frame struct {
	width, height int
	progressive   bool
	comps         []component
	hmax, vmax    int
	mcuW, mcuH    int // MCU size in pixels
	mcusX, mcusY  int
	color         int
	quant         [4][64]uint16 // natural order
	quantSet      [4]bool
	restart       int // MCUs per restart interval; 0 for none
	adobe         bool
	adobeTrans    int
	jfif          bool
	sofOffset     int64
	sc            scaling // the size pixels are decoded at (scale.go)
}

// zigzag maps the position in the coded order to the natural order, with
// 16 extra entries so that a corrupt run cannot index past the block.
var zigzag = [64 + 16]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
}

// parseSOF reads a frame header's payload p.
func (d *Decoder) parseSOF(marker byte, p []byte, lim raster.Limits) error {
	f := &d.f
	if len(p) < 6 {
		return d.src.errorAt("SOF segment too short")
	}
	if p[0] != 8 {
		return &raster.UnsupportedError{Format: "jpeg", Feature: fmt.Sprintf("%d-bit samples (only 8-bit JPEG is read)", p[0])}
	}
	f.height = int(p[1])<<8 | int(p[2])
	f.width = int(p[3])<<8 | int(p[4])
	n := int(p[5])
	if f.height == 0 {
		return &raster.UnsupportedError{Format: "jpeg", Feature: "height given by a DNL marker"}
	}
	if err := lim.Check("jpeg", f.width, f.height); err != nil {
		return err
	}
	if n != 1 && n != 3 && n != 4 {
		return &raster.UnsupportedError{Format: "jpeg", Feature: fmt.Sprintf("image of %d components", n)}
	}
	if len(p) != 6+3*n {
		return d.src.errorAt("SOF segment of %d bytes for %d components", len(p), n)
	}
	f.progressive = marker == mSOF2
	f.comps = make([]component, n)
	for i := range f.comps {
		c := &f.comps[i]
		q := p[6+3*i:]
		c.id, c.h, c.v, c.tq = q[0], int(q[1]>>4), int(q[1]&15), int(q[2])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return d.src.errorAt("component %d has sampling factors %d×%d, outside 1..4", i, c.h, c.v)
		}
		if c.tq > 3 {
			return d.src.errorAt("component %d uses quantisation table %d, outside 0..3", i, c.tq)
		}
		for j := range i {
			if f.comps[j].id == c.id {
				return d.src.errorAt("two components share the id %d", c.id)
			}
		}
	}
	if n == 1 {
		// A lone component is coded block by block whatever its factors.
		f.comps[0].h, f.comps[0].v = 1, 1
	}
	for _, c := range f.comps {
		f.hmax, f.vmax = max(f.hmax, c.h), max(f.vmax, c.v)
	}
	for i := range f.comps {
		c := &f.comps[i]
		if f.hmax%c.h != 0 || f.vmax%c.v != 0 {
			return &raster.UnsupportedError{Format: "jpeg", Feature: fmt.Sprintf(
				"fractional sampling (component %d is %d×%d of %d×%d)", i, c.h, c.v, f.hmax, f.vmax)}
		}
		c.hr, c.vr = f.hmax/c.h, f.vmax/c.v
	}
	f.mcuW, f.mcuH = 8*f.hmax, 8*f.vmax
	f.mcusX = (f.width + f.mcuW - 1) / f.mcuW
	f.mcusY = (f.height + f.mcuH - 1) / f.mcuH
	for i := range f.comps {
		c := &f.comps[i]
		c.bw, c.bh = f.mcusX*c.h, f.mcusY*c.v
		c.dw = (f.width*c.h + f.hmax - 1) / f.hmax
		c.dh = (f.height*c.v + f.vmax - 1) / f.vmax
		c.uw, c.uh = (c.dw+7)/8, (c.dh+7)/8
	}
	return nil
}

// parseDQT reads a DQT segment's payload.
func (d *Decoder) parseDQT(p []byte) error {
	for len(p) > 0 {
		pq, tq := p[0]>>4, int(p[0]&15)
		if tq > 3 || pq > 1 {
			return d.src.errorAt("bad DQT table %d of precision %d", tq, pq)
		}
		size := 64 << pq
		if len(p) < 1+size {
			return d.src.errorAt("DQT segment too short")
		}
		q := &d.f.quant[tq]
		for k := range 64 {
			var v uint16
			if pq == 0 {
				v = uint16(p[1+k])
			} else {
				v = uint16(p[1+2*k])<<8 | uint16(p[2+2*k])
			}
			q[zigzag[k]] = v
		}
		d.f.quantSet[tq] = true
		p = p[1+size:]
	}
	return nil
}

// parseDHT reads a DHT segment's payload.
func (d *Decoder) parseDHT(p []byte) error {
	for len(p) > 0 {
		if len(p) < 17 {
			return d.src.errorAt("DHT segment too short")
		}
		tc, th := p[0]>>4, int(p[0]&15)
		if tc > 1 || th > 3 {
			return d.src.errorAt("bad DHT table class %d id %d", tc, th)
		}
		var counts [16]uint8
		copy(counts[:], p[1:17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if total > 256 || len(p) < 17+total {
			return d.src.errorAt("DHT segment too short for its %d codes", total)
		}
		if err := d.huff[tc][th].build(&counts, p[17:17+total]); err != nil {
			return d.src.errorAt("%v", err)
		}
		p = p[17+total:]
	}
	return nil
}

// scan is what an SOS header says.
type scan struct {
	comps          []int // indices into frame.comps
	ss, se, ah, al int
}

// parseSOS reads a scan header's payload.
func (d *Decoder) parseSOS(p []byte) (scan, error) {
	f := &d.f
	var s scan
	if len(p) < 1 || len(p) != 4+2*int(p[0]) {
		return s, d.src.errorAt("SOS segment of bad length")
	}
	n := int(p[0])
	if n < 1 || n > len(f.comps) {
		return s, d.src.errorAt("scan of %d components in a frame of %d", n, len(f.comps))
	}
	blocks := 0
	for i := range n {
		id, t := p[1+2*i], p[2+2*i]
		ci := -1
		for j := range f.comps {
			if f.comps[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return s, d.src.errorAt("scan names component id %d, not in the frame", id)
		}
		for _, prev := range s.comps {
			if prev == ci {
				return s, d.src.errorAt("scan names component id %d twice", id)
			}
		}
		c := &f.comps[ci]
		c.dc, c.ac = int(t>>4), int(t&15)
		if c.dc > 3 || c.ac > 3 {
			return s, d.src.errorAt("scan uses Huffman table %d/%d, outside 0..3", c.dc, c.ac)
		}
		s.comps = append(s.comps, ci)
		blocks += c.h * c.v
	}
	if n > 1 && blocks > 10 {
		return s, d.src.errorAt("MCU of %d blocks, more than 10", blocks)
	}
	q := p[1+2*n:]
	s.ss, s.se, s.ah, s.al = int(q[0]), int(q[1]), int(q[2]>>4), int(q[2]&15)
	if f.progressive {
		switch {
		case s.ss == 0 && s.se != 0, s.ss > s.se, s.se > 63, s.ss > 0 && n != 1, s.al > 13, s.ah > 13:
			return s, d.src.errorAt("bad progressive scan parameters Ss=%d Se=%d Ah=%d Al=%d", s.ss, s.se, s.ah, s.al)
		}
	} else if s.ss != 0 || s.se != 63 || s.ah != 0 || s.al != 0 {
		// Baseline files in the wild sometimes carry junk here; libjpeg
		// ignores it, and so do we.
		s.ss, s.se, s.ah, s.al = 0, 63, 0, 0
	}
	for _, ci := range s.comps {
		c := f.comps[ci]
		if !f.quantSet[c.tq] {
			return s, d.src.errorAt("component %d uses quantisation table %d, which is not defined", ci, c.tq)
		}
		needDC := !f.progressive || (s.ss == 0 && s.ah == 0)
		needAC := !f.progressive || s.ss > 0
		if needDC && !d.huff[0][c.dc].defined || needAC && !d.huff[1][c.ac].defined {
			return s, d.src.errorAt("scan uses a Huffman table that is not defined")
		}
	}
	return s, nil
}

// setColor decides how components map to colour, as libjpeg does: Adobe's
// transform flag when present, else JFIF's YCbCr, else RGB when the
// component ids spell it.
func (f *frame) setColor() {
	switch len(f.comps) {
	case 1:
		f.color = colorGray
	case 3:
		f.color = colorYCbCr
		switch {
		case f.jfif:
		case f.adobe:
			if f.adobeTrans == 0 {
				f.color = colorRGB
			}
		case f.comps[0].id == 'R' && f.comps[1].id == 'G' && f.comps[2].id == 'B':
			f.color = colorRGB
		}
	case 4:
		f.color = colorCMYK
		if f.adobe && f.adobeTrans == 2 {
			f.color = colorYCCK
		}
	}
}

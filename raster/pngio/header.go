package pngio

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sluice-go/sluice/raster"
)

// PNG colour types.
const (
	ctGray      = 0
	ctRGB       = 2
	ctPalette   = 3
	ctGrayAlpha = 4
	ctRGBA      = 6
)

// ihdr is the content of the IHDR chunk.
type ihdr struct {
	width, height int
	depth         int // bits per sample
	colorType     int
	interlaced    bool
}

// channels is the number of samples per pixel in the file.
func (h ihdr) channels() int {
	return [...]int{ctGray: 1, ctRGB: 3, ctPalette: 1, ctGrayAlpha: 2, ctRGBA: 4}[h.colorType]
}

// rowLen is the length in bytes of a row of w pixels in the file, without
// its filter byte.
func (h ihdr) rowLen(w int) int { return (w*h.channels()*h.depth + 7) / 8 }

// filterBPP is the distance in bytes to the corresponding byte of the pixel
// to the left, as filters use it (at least 1).
func (h ihdr) filterBPP() int { return max(1, h.channels()*h.depth/8) }

// stages of the chunks before IDAT, in the order the specification allows.
const (
	seenIHDR = iota
	seenPLTE
	seenTRNS
)

// readHeaderChunks reads IHDR and the chunks up to the first IDAT.
func (d *Reader) readHeaderChunks() error {
	c, err := d.src.readChunkHeader()
	if err != nil {
		return err
	}
	if c.typ != "IHDR" {
		return formatErr(c.off, "first chunk is %s, want IHDR", c.typ)
	}
	if err := d.parseIHDR(c); err != nil {
		return err
	}
	stage := seenIHDR
	for {
		c, err := d.src.readChunkHeader()
		if err != nil {
			return err
		}
		switch c.typ {
		case "IDAT":
			if d.ihdr.colorType == ctPalette && stage == seenIHDR {
				return formatErr(c.off, "IDAT chunk before the PLTE chunk of a palette image")
			}
			return d.start(c)
		case "PLTE":
			if stage != seenIHDR {
				return formatErr(c.off, "PLTE chunk out of order")
			}
			stage = seenPLTE
			if err := d.parsePLTE(c); err != nil {
				return err
			}
		case "tRNS":
			if stage == seenTRNS || (d.ihdr.colorType == ctPalette && stage != seenPLTE) {
				return formatErr(c.off, "tRNS chunk out of order")
			}
			stage = seenTRNS
			if err := d.parseTRNS(c); err != nil {
				return err
			}
		case "iCCP", "eXIf":
			if err := d.metaChunk(c); err != nil {
				return err
			}
		case "IHDR", "IEND":
			return formatErr(c.off, "%s chunk before the image data", c.typ)
		default:
			if c.critical() {
				return &raster.UnsupportedError{Format: "png", Feature: fmt.Sprintf("critical chunk %q at byte %d", c.typ, c.off)}
			}
			if err := d.src.skipChunk(c); err != nil {
				return err
			}
		}
	}
}

// parseIHDR reads the IHDR chunk and checks the image size against the
// limits.
func (d *Reader) parseIHDR(c chunkHeader) error {
	if c.length != 13 {
		return formatErr(c.off, "IHDR chunk length %d, want 13", c.length)
	}
	dataOff := d.src.off
	var buf [13]byte
	b := buf[:]
	if err := d.src.readChunkData(c, b); err != nil {
		return err
	}
	w, h := binary.BigEndian.Uint32(b[0:4]), binary.BigEndian.Uint32(b[4:8])
	if w == 0 || h == 0 || w > maxChunkLen || h > maxChunkLen {
		return formatErr(dataOff, "image size %d×%d out of range", w, h)
	}
	hd := ihdr{width: int(w), height: int(h), depth: int(b[8]), colorType: int(b[9])}
	if !validDepth(hd.colorType, hd.depth) {
		return formatErr(dataOff+8, "bit depth %d is not allowed with colour type %d", hd.depth, hd.colorType)
	}
	if b[10] != 0 {
		return formatErr(dataOff+10, "unknown compression method %d", b[10])
	}
	if b[11] != 0 {
		return formatErr(dataOff+11, "unknown filter method %d", b[11])
	}
	switch b[12] {
	case 0:
	case 1:
		hd.interlaced = true
	default:
		return formatErr(dataOff+12, "unknown interlace method %d", b[12])
	}
	d.ihdr = hd
	d.hdr = raster.Header{
		Format:      "png",
		Width:       hd.width,
		Height:      hd.height,
		Pixel:       outputFormat(hd, false),
		Compression: "deflate",
		Interlaced:  hd.interlaced,
	}
	if err := d.lim.Check("png", hd.width, hd.height); err != nil {
		return err
	}
	if hd.interlaced {
		// The widest output format the image may have once tRNS is seen.
		bpp := outputFormat(hd, true).BytesPerPixel()
		n := int64(hd.width) * int64(hd.height) * int64(bpp)
		if err := d.spillOpts.Check("png", hd.width, hd.height, n); err != nil {
			var le *raster.LimitError
			if errors.As(err, &le) {
				le.Reason = "the file is interlaced (Adam7), so " + le.Reason
			}
			return err
		}
	}
	return nil
}

// validDepth reports whether the specification allows bit depth depth with
// colour type ct.
func validDepth(ct, depth int) bool {
	switch ct {
	case ctGray:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16
	case ctPalette:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case ctRGB, ctGrayAlpha, ctRGBA:
		return depth == 8 || depth == 16
	}
	return false
}

// outputFormat is the raster format rows of an image with header h come out
// in, given whether a tRNS chunk is present.
func outputFormat(h ihdr, trns bool) raster.PixelFormat {
	depth := 8
	if h.depth == 16 {
		depth = 16
	}
	switch h.colorType {
	case ctGray:
		if trns {
			return raster.PixelFormat{Channels: 2, Depth: depth}
		}
		return raster.PixelFormat{Channels: 1, Depth: depth}
	case ctPalette:
		if trns {
			return raster.RGBA8
		}
		return raster.RGB8
	case ctRGB:
		if trns {
			return raster.PixelFormat{Channels: 4, Depth: depth}
		}
		return raster.PixelFormat{Channels: 3, Depth: depth}
	case ctGrayAlpha:
		return raster.PixelFormat{Channels: 2, Depth: depth}
	}
	return raster.PixelFormat{Channels: 4, Depth: depth}
}

// parsePLTE reads the palette. Entries past its end are opaque black, so
// that an index beyond the palette decodes as other decoders decode it.
func (d *Reader) parsePLTE(c chunkHeader) error {
	n := int(c.length) / 3
	switch d.ihdr.colorType {
	case ctGray, ctGrayAlpha:
		return formatErr(c.off, "PLTE chunk in a gray image")
	}
	if c.length%3 != 0 || n == 0 || n > 256 || (d.ihdr.colorType == ctPalette && n > 1<<d.ihdr.depth) {
		return formatErr(c.off, "PLTE chunk length %d is not 3 × 1…%d entries", c.length, min(256, 1<<d.ihdr.depth))
	}
	buf := make([]byte, c.length)
	if err := d.src.readChunkData(c, buf); err != nil {
		return err
	}
	for i := range d.palette {
		d.palette[i] = [4]byte{0, 0, 0, 0xff}
		if i < n {
			copy(d.palette[i][:3], buf[3*i:])
		}
	}
	return nil
}

// parseTRNS reads the transparency chunk.
func (d *Reader) parseTRNS(c chunkHeader) error {
	want := map[int]int{ctGray: 2, ctRGB: 6}
	switch ct := d.ihdr.colorType; ct {
	case ctGray, ctRGB:
		if int(c.length) != want[ct] {
			return formatErr(c.off, "tRNS chunk length %d, want %d for colour type %d", c.length, want[ct], ct)
		}
	case ctPalette:
		if c.length > 256 {
			return formatErr(c.off, "tRNS chunk length %d exceeds 256 palette entries", c.length)
		}
	default:
		return formatErr(c.off, "tRNS chunk in an image with an alpha channel")
	}
	buf := make([]byte, c.length)
	if err := d.src.readChunkData(c, buf); err != nil {
		return err
	}
	d.trns = buf
	if d.ihdr.colorType == ctPalette {
		for i, a := range buf {
			d.palette[i][3] = a
		}
	}
	return nil
}

// start sets up decoding at the first IDAT chunk c.
func (d *Reader) start(c chunkHeader) error {
	h := d.ihdr
	d.hdr.Pixel = outputFormat(h, d.trns != nil)
	if h.colorType == ctPalette {
		d.hdr.Details = append(d.hdr.Details, "palette")
	}
	if h.depth < 8 {
		d.hdr.Details = append(d.hdr.Details, fmt.Sprintf("%d-bit", h.depth))
	}
	if d.trns != nil {
		d.hdr.Details = append(d.hdr.Details, "tRNS")
	}
	d.idat = newIDATReader(&d.src, c)
	d.expand = newExpander(h, d.hdr.Pixel, &d.palette, d.trns)
	return nil
}

// Package jpegio reads and writes baseline and progressive JPEG through the
// standard library's image/jpeg, adapted to raster's row interfaces.
//
// JPEG cannot be streamed by image/jpeg: a file is decoded or encoded whole.
// Both directions are therefore bounded by raster.Limits.MaxWholePixels,
// checked from the header before any pixel is decoded or buffered.
package jpegio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// ReaderOptions configure NewReader. The zero value means default limits.
type ReaderOptions struct {
	// Limits bound the image size; JPEG is decoded whole, so MaxWholePixels
	// applies.
	Limits raster.Limits
}

// Reader serves the rows of a decoded JPEG image as Gray8 (for gray files)
// or RGB8 (for YCbCr, RGB and CMYK files). It implements raster.RowReader.
// A Reader is not safe for concurrent use.
type Reader struct {
	h   raster.Header
	img image.Image // released after the last row
	row int
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// NewReader reads the JPEG header from r, checks the image size against
// o.Limits with CheckWhole (the error states the memory decoding would
// take), and only then decodes the whole image. The decoded image takes
// about 3 bytes per pixel (1 for gray, 4 for CMYK); rows are converted to
// RGB8 as ReadRows asks for them.
//
// Malformed input is a *raster.FormatError. Its offset is how far the
// decoder had read when it failed; image/jpeg reads ahead in blocks of up to
// 4 KiB, so the fault lies at or before that byte.
func NewReader(r io.Reader, o ReaderOptions) (*Reader, error) {
	var head bytes.Buffer
	cr := &countingReader{r: io.TeeReader(r, &head)}
	cfg, err := jpeg.DecodeConfig(cr)
	if err != nil {
		return nil, decodeError(err, cr.n)
	}
	sof, comps := scanSOF(head.Bytes())
	bpp := 3
	switch cfg.ColorModel {
	case color.GrayModel:
		bpp = 1
	case color.CMYKModel:
		bpp = 4
	}
	if sof == 2 {
		// Progressive decoding also keeps every DCT coefficient: 64 int32s
		// per 8×8 block of each component.
		bpp += 4 * comps
	}
	if err := o.Limits.CheckWhole("jpeg", cfg.Width, cfg.Height, bpp); err != nil {
		return nil, err
	}
	cr = &countingReader{r: io.MultiReader(&head, r)}
	img, err := jpeg.Decode(cr)
	if err != nil {
		return nil, decodeError(err, cr.n)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, &raster.FormatError{Format: "jpeg", Offset: cr.n,
			Msg: fmt.Sprintf("decoded %d×%d pixels, header says %d×%d", b.Dx(), b.Dy(), cfg.Width, cfg.Height)}
	}
	h := raster.Header{
		Format:      "jpeg",
		Width:       cfg.Width,
		Height:      cfg.Height,
		Pixel:       raster.RGB8,
		Compression: "jpeg",
	}
	if _, ok := img.(*image.Gray); ok {
		h.Pixel = raster.Gray8
	}
	switch sof {
	case 0, 1:
		h.Details = append(h.Details, "baseline")
	case 2:
		h.Details = append(h.Details, "progressive")
	}
	switch m := img.(type) {
	case *image.YCbCr:
		h.Details = append(h.Details, "ycbcr "+m.SubsampleRatio.String()[len("YCbCrSubsampleRatio"):])
	case *image.CMYK:
		h.Details = append(h.Details, "cmyk")
	}
	return &Reader{h: h, img: img}, nil
}

// decodeError turns an image/jpeg error into a raster error at offset off.
func decodeError(err error, off int64) error {
	var ue jpeg.UnsupportedError
	var fe jpeg.FormatError
	switch {
	case errors.As(err, &ue):
		return &raster.UnsupportedError{Format: "jpeg", Feature: string(ue)}
	case errors.As(err, &fe):
		return &raster.FormatError{Format: "jpeg", Offset: off, Msg: string(fe)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &raster.FormatError{Format: "jpeg", Offset: off, Msg: "truncated file"}
	}
	return fmt.Errorf("jpeg: reading at byte %d: %w", off, err)
}

// scanSOF walks the marker segments in b, the bytes DecodeConfig consumed,
// and returns the number n of the first SOFn marker and its component
// count, or -1 when none is found.
func scanSOF(b []byte) (sof, comps int) {
	i := 2 // after SOI
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return -1, 0
		}
		m := b[i+1]
		if m == 0xff { // fill byte
			i++
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			if i+9 < len(b) {
				comps = int(b[i+9])
			}
			return int(m - 0xc0), comps
		}
		i += 2 + n
	}
	return -1, 0
}

// Header returns the image's size and the pixel format rows come in: Gray8
// or RGB8. Details name the coding process and colour layout.
func (r *Reader) Header() raster.Header { return r.h }

// ReadRows converts as many whole rows as fit in dst and returns how many;
// (0, io.EOF) once every row was read. The decoded image is released after
// the last row.
func (r *Reader) ReadRows(dst []byte) (int, error) {
	left := r.h.Height - r.row
	if left == 0 {
		return 0, io.EOF
	}
	rb := r.h.RowBytes()
	n := min(len(dst)/rb, left)
	if n == 0 {
		return 0, fmt.Errorf("jpeg: buffer of %d bytes is shorter than one row of %d bytes", len(dst), rb)
	}
	for i := range n {
		convertRow(dst[i*rb:(i+1)*rb], r.img, r.row+i)
	}
	r.row += n
	if r.row == r.h.Height {
		r.img = nil
	}
	return n, nil
}

// convertRow writes row y of m into dst as Gray8 (for *image.Gray) or RGB8.
func convertRow(dst []byte, m image.Image, y int) {
	b := m.Bounds()
	y += b.Min.Y
	switch m := m.(type) {
	case *image.Gray:
		copy(dst, m.Pix[m.PixOffset(b.Min.X, y):])
	case *image.YCbCr:
		yi := m.YOffset(b.Min.X, y)
		ci := m.COffset(b.Min.X, y)
		shift := uint(0)
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
			shift = 1
		case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
			shift = 2
		}
		yccRow(dst, m.Y[yi:yi+b.Dx()], m.Cb[ci:], m.Cr[ci:], shift)
	case *image.RGBA:
		src := m.Pix[m.PixOffset(b.Min.X, y):]
		for x := range b.Dx() {
			copy(dst[3*x:3*x+3], src[4*x:4*x+3])
		}
	case *image.CMYK:
		src := m.Pix[m.PixOffset(b.Min.X, y):]
		for x := range b.Dx() {
			s := src[4*x : 4*x+4]
			dst[3*x], dst[3*x+1], dst[3*x+2] = color.CMYKToRGB(s[0], s[1], s[2], s[3])
		}
	default:
		for x := range b.Dx() {
			c := color.RGBAModel.Convert(m.At(b.Min.X+x, y)).(color.RGBA)
			dst[3*x], dst[3*x+1], dst[3*x+2] = c.R, c.G, c.B
		}
	}
}

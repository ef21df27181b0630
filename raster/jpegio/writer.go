package jpegio

import (
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"strconv"

	"github.com/sluice-go/sluice/raster"
)

// WriterOptions configure NewWriter. The zero value means quality 90 and
// default limits.
type WriterOptions struct {
	Quality int           // 1..100; 0 means 90
	Limits  raster.Limits // MaxWholePixels bounds the buffered image
}

// Writer buffers an image row by row and encodes it as a baseline JPEG at
// Close. It implements raster.RowWriter. Gray input stays gray; everything
// else is stored as YCbCr 4:2:0. 16-bit samples are rounded to 8 bits, and
// alpha is composited over white, since JPEG has no alpha. The buffer takes
// 1 byte per pixel for gray, 3 for colour. A Writer is not safe for
// concurrent use.
type Writer struct {
	w        io.Writer
	in       raster.Header
	h        raster.Header
	quality  int
	gray     *image.Gray
	ycc      *image.YCbCr
	scratch  []byte // one RGB8 row, for formats other than RGB8
	rowBytes int
	row      int
	err      error // sticky
}

// NewWriter checks h against o.Limits with CheckWhole and allocates the
// image buffer. It writes nothing to w until Close.
func NewWriter(w io.Writer, h raster.Header, o WriterOptions) (*Writer, error) {
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
	bpp := 3
	if !h.Pixel.Color() {
		bpp = 1
	}
	if err := o.Limits.CheckWhole("jpeg", h.Width, h.Height, bpp); err != nil {
		return nil, err
	}
	stored := raster.Header{
		Format:      "jpeg",
		Width:       h.Width,
		Height:      h.Height,
		Pixel:       raster.RGB8,
		Compression: "jpeg",
		Details:     []string{"baseline", "quality " + strconv.Itoa(q)},
	}
	wr := &Writer{w: w, in: h, h: stored, quality: q, rowBytes: h.RowBytes()}
	r := image.Rect(0, 0, h.Width, h.Height)
	if h.Pixel.Color() {
		wr.ycc = image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
		if h.Pixel != raster.RGB8 {
			wr.scratch = make([]byte, 3*h.Width)
		}
	} else {
		wr.h.Pixel = raster.Gray8
		wr.gray = image.NewGray(r)
	}
	return wr, nil
}

// Header returns what the file will store: Gray8 or RGB8 at 8 bits.
func (w *Writer) Header() raster.Header { return w.h }

// WriteRows converts whole rows of the header's pixel format into the
// buffered image.
func (w *Writer) WriteRows(src []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(src)%w.rowBytes != 0 {
		return fmt.Errorf("jpeg: WriteRows given %d bytes, not a multiple of the row size %d", len(src), w.rowBytes)
	}
	n := len(src) / w.rowBytes
	if w.row+n > w.h.Height {
		return fmt.Errorf("jpeg: WriteRows given rows %d..%d of an image %d rows high", w.row, w.row+n-1, w.h.Height)
	}
	for i := range n {
		w.convertRow(src[i*w.rowBytes:(i+1)*w.rowBytes], w.row+i)
	}
	w.row += n
	return nil
}

// convertRow stores one row of source pixels as 8-bit gray or YCbCr.
func (w *Writer) convertRow(src []byte, y int) {
	p := w.in.Pixel
	bps := p.BytesPerSample()
	sample := func(i int) uint32 { // sample i as 16 bits
		if bps == 1 {
			return uint32(src[i]) * 0x101
		}
		return uint32(src[i])<<8 | uint32(src[i+1])
	}
	if w.gray != nil {
		row := w.gray.Pix[y*w.gray.Stride:]
		for x := range w.in.Width {
			i := x * p.Channels * bps
			if p.Channels == 1 && bps == 1 {
				row[x] = src[i]
				continue
			}
			v := sample(i)
			if p.HasAlpha() {
				v = overWhite(v, sample(i+bps))
			}
			row[x] = to8(v)
		}
		return
	}
	m := w.ycc
	yr, cbr, crr := m.Y[y*m.YStride:], m.Cb[y*m.CStride:], m.Cr[y*m.CStride:]
	if p == raster.RGB8 {
		rgbRow(src, yr, cbr, crr)
		return
	}
	rgb := w.scratch[:3*w.in.Width]
	for x := range w.in.Width {
		i := x * p.Channels * bps
		rv, gv, bv := sample(i), sample(i+bps), sample(i+2*bps)
		if p.HasAlpha() {
			a := sample(i + 3*bps)
			rv, gv, bv = overWhite(rv, a), overWhite(gv, a), overWhite(bv, a)
		}
		rgb[3*x], rgb[3*x+1], rgb[3*x+2] = to8(rv), to8(gv), to8(bv)
	}
	rgbRow(rgb, yr, cbr, crr)
}

// overWhite composites a 16-bit sample v of alpha a over white.
func overWhite(v, a uint32) uint32 {
	return (v*a + 0xffff*(0xffff-a) + 0x7fff) / 0xffff
}

// to8 rounds a 16-bit sample to 8 bits.
func to8(v uint32) uint8 { return uint8((v*255 + 0x7fff) / 0xffff) }

// Close encodes the buffered image to the underlying writer. It is an error
// to close before every row was written. Close does not close the writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.row != w.h.Height {
		w.err = fmt.Errorf("jpeg: closed after %d of %d rows", w.row, w.h.Height)
		return w.err
	}
	var m image.Image = w.ycc
	if w.gray != nil {
		m = w.gray
	}
	if err := jpeg.Encode(w.w, m, &jpeg.Options{Quality: w.quality}); err != nil {
		w.err = fmt.Errorf("jpeg: encoding: %w", err)
		return w.err
	}
	w.gray, w.ycc = nil, nil
	w.err = errClosed
	return nil
}

var errClosed = fmt.Errorf("jpeg: writer is closed")

package jpegio

import (
	"fmt"
	"io"

	"github.com/sluice-go/sluice/internal/freelist"
	"github.com/sluice-go/sluice/raster"
)

// Reader serves the rows of a JPEG image as Gray8 (for one-component
// files) or RGB8 (for YCbCr, RGB, CMYK and YCCK files). It implements
// raster.RowReader by running Decoder.NextBand and Band.Decode one band at
// a time on the caller's goroutine; a scheduler that wants both cores
// uses it as a raster.SerialBandReader (NextBand) instead. A Reader is not
// safe for concurrent use, but the bands NextBand returns decode on any
// goroutines.
//
// A baseline file streams: the Reader holds one band of pixels (about
// 1 MiB, at most 64 rows) and a few MCU rows of coefficients, 2 bytes per
// sample.
// A progressive file first decodes every scan into coefficients, in
// memory up to ReaderOptions.Memory, else in a temporary file.
type Reader struct {
	d    *Decoder
	band *Band
	pix  []byte // the current band's pixels
	next int    // next row of pix to serve
	rows int    // rows in pix

	free freelist.List[pendingBand] // released by NextBand's callers
}

// NewReader reads the JPEG headers from r and checks them, as NewDecoder
// does. Nothing is decoded before the first ReadRows.
func NewReader(r io.Reader, o ReaderOptions) (*Reader, error) {
	d, err := NewDecoder(r, o)
	if err != nil {
		return nil, err
	}
	return &Reader{d: d}, nil
}

// Header returns the image's size and pixel format, as Decoder.Header.
func (r *Reader) Header() raster.Header { return r.d.h }

// ReadRows decodes as many whole rows as fit in dst and returns how many;
// (0, io.EOF) once every row was read. Malformed data is a
// *raster.FormatError naming the byte offset.
func (r *Reader) ReadRows(dst []byte) (int, error) {
	rb := r.d.h.RowBytes()
	if len(dst) < rb {
		return 0, fmt.Errorf("jpeg: buffer of %d bytes is shorter than one row of %d bytes", len(dst), rb)
	}
	n := 0
	for len(dst) >= rb {
		if r.next == r.rows {
			b, err := r.d.NextBand(r.band)
			if err == io.EOF {
				r.d.Close()
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			if err != nil {
				return n, err
			}
			r.band = b
			// The rows that fit are decoded in place, the rest into
			// the Reader's pixels for the next calls.
			y0, y1 := b.Rows()
			fit := min(len(dst)/rb, y1-y0)
			if nb := (y1 - y0 - fit) * rb; cap(r.pix) < nb {
				r.pix = make([]byte, nb)
			}
			r.pix = r.pix[:(y1-y0-fit)*rb]
			b.decode(dst[:fit*rb], r.pix)
			dst = dst[fit*rb:]
			n += fit
			r.next, r.rows = 0, y1-y0-fit
			continue
		}
		k := min(len(dst)/rb, r.rows-r.next)
		copy(dst, r.pix[r.next*rb:(r.next+k)*rb])
		dst = dst[k*rb:]
		r.next += k
		n += k
	}
	return n, nil
}

// Close releases the temporary file of a progressive decode, if any.
func (r *Reader) Close() error { return r.d.Close() }

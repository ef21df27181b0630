package jpegio

import (
	"fmt"
	"io"

	"github.com/sluice-go/sluice/internal/freelist"
	"github.com/sluice-go/sluice/raster"
)

// Writer encodes an image row by row as a baseline JPEG. It implements
// raster.RowWriter by running Encoder.EncodeBand and WriteSegment one band
// at a time on the caller's goroutine; a scheduler that wants every core
// uses it as a raster.BandWriter (EncodeBand, WriteBand) instead. Gray
// input stays gray; colour is stored as YCbCr with the chroma subsampling
// of WriterOptions. 16-bit samples are rounded to 8 bits, and alpha is
// composited over white, since JPEG has no alpha.
//
// The Writer holds one band of input rows (about 1 MiB, at most 64 rows)
// and its coded bytes; with Optimize, the coded symbols of the whole image
// too. A Writer is not safe for concurrent use.
type Writer struct {
	e    *Encoder
	band []byte // rows of the current band so far
	seg  *Segment
	rb   int
	row  int
	err  error // sticky

	segs   freelist.List[Segment] // scratch of EncodeBand, one per call at once
	joined Segment                // what WriteBand hands to WriteSegment
}

// NewWriter checks h and o as NewEncoder does. It writes nothing to w
// before the first band is complete.
func NewWriter(w io.Writer, h raster.Header, o WriterOptions) (*Writer, error) {
	e, err := NewEncoder(w, h, o)
	if err != nil {
		return nil, err
	}
	return &Writer{e: e, rb: h.RowBytes()}, nil
}

// Header returns what the file will store: Gray8 or RGB8 at 8 bits.
func (w *Writer) Header() raster.Header { return w.e.h }

// WriteRows takes whole rows of the header's pixel format and encodes
// each band as soon as it is complete: straight from src when src holds
// all of it, else from a copy of its rows.
func (w *Writer) WriteRows(src []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(src)%w.rb != 0 {
		return fmt.Errorf("jpeg: WriteRows given %d bytes, not a multiple of the row size %d", len(src), w.rb)
	}
	n := len(src) / w.rb
	if w.row+n > w.e.h.Height {
		return fmt.Errorf("jpeg: WriteRows given rows %d..%d of an image %d rows high", w.row, w.row+n-1, w.e.h.Height)
	}
	for len(src) > 0 {
		band := w.e.next
		y0, y1 := w.e.BandRows(band)
		need := (y1 - y0) * w.rb
		rows := src
		if len(w.band) > 0 || len(src) < need {
			// Not the whole band at once: gather its rows.
			k := min(need-len(w.band), len(src))
			w.band = append(w.band, src[:k]...)
			src = src[k:]
			w.row += k / w.rb
			if len(w.band) < need {
				break
			}
			rows = w.band
		} else {
			src = src[need:]
			w.row += need / w.rb
		}
		seg, err := w.e.EncodeBand(band, rows[:need], w.seg)
		if err == nil {
			err = w.e.WriteSegment(seg)
		}
		if err != nil {
			w.err = err
			return err
		}
		w.seg = seg
		w.band = w.band[:0]
	}
	return nil
}

// Close writes the end of the file (with Optimize, all of it). It is an
// error to close before every row was written. Close does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.row != w.e.h.Height {
		w.err = fmt.Errorf("jpeg: closed after %d of %d rows", w.row, w.e.h.Height)
		return w.err
	}
	w.err = w.e.Close()
	if w.err == nil {
		w.err = errClosed
		return nil
	}
	return w.err
}

package tiffio

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/sluice-go/sluice/raster"
)

// RowsAt returns a raster.RowWriterAt through which several goroutines
// may write rows in any order, or nil when the layout does not allow it:
// only uncompressed 8-bit strips written to an io.WriterAt (such as an
// *os.File), before any WriteRows, keep every row at a place known in
// advance. Every row must then be written exactly once through it, and
// WriteRows may no longer be called; Close checks the count and writes the
// IFD after the last row.
func (w *Writer) RowsAt() raster.RowWriterAt {
	if w.at != nil {
		return w.at
	}
	wa, ok := w.w.(io.WriterAt)
	if !ok || !w.direct || w.y != 0 || w.err != nil || w.closed {
		return nil
	}
	g := w.g
	if !w.big && w.pos+int64(g.height)*int64(g.rowBytes) >= 1<<32 {
		return nil // WriteRows reports the overflow
	}
	w.at = &rowsAt{w: w, wa: wa, start: w.pos}
	for k := 0; k < g.height; k += g.chunkH {
		w.offsets = append(w.offsets, uint64(w.pos+int64(k*g.rowBytes)))
		w.counts = append(w.counts, uint64(min(g.chunkH, g.height-k)*g.rowBytes))
	}
	return w.at
}

// rowsAt writes rows of an uncompressed 8-bit striped file at their
// places. Its methods are safe for concurrent use.
type rowsAt struct {
	w     *Writer
	wa    io.WriterAt
	start int64        // position of row 0, relative to the file's start
	rows  atomic.Int64 // rows written
	err   atomic.Pointer[error]
}

// WriteRowsAt writes whole rows starting at row y.
func (r *rowsAt) WriteRowsAt(y int, src []byte) error {
	g := r.w.g
	if len(src)%g.rowBytes != 0 {
		return fmt.Errorf("tiff: WriteRowsAt given %d bytes, not a whole number of %d-byte rows", len(src), g.rowBytes)
	}
	n := len(src) / g.rowBytes
	if y < 0 || y+n > g.height {
		return fmt.Errorf("tiff: WriteRowsAt given rows %d to %d of an image %d rows high", y, y+n, g.height)
	}
	if _, err := r.wa.WriteAt(src, r.w.base+r.start+int64(y)*int64(g.rowBytes)); err != nil {
		err = fmt.Errorf("tiff: %w", err)
		r.err.CompareAndSwap(nil, &err)
		return err
	}
	r.rows.Add(int64(n))
	return nil
}

// finish checks that every row came, and moves the Writer past them for
// the IFD.
func (r *rowsAt) finish() error {
	if p := r.err.Load(); p != nil {
		return *p
	}
	g := r.w.g
	if got := r.rows.Load(); got != int64(g.height) {
		return fmt.Errorf("tiff: Close after %d of %d rows", got, g.height)
	}
	ws, ok := r.w.w.(io.Seeker)
	if !ok {
		return errors.New("tiff: writer cannot seek")
	}
	end := r.start + int64(g.height)*int64(g.rowBytes)
	if _, err := ws.Seek(r.w.base+end, io.SeekStart); err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	r.w.pos = end
	r.w.y = g.height
	return nil
}

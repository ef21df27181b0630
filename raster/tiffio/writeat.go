package tiffio

import (
	"errors"
	"fmt"
	"io"

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
	w.at = &raster.FileRows{W: wa, Start: w.base + w.pos, RowBytes: g.rowBytes, Height: g.height, Format: "tiff"}
	w.recordStrips(g.height)
	return w.at
}

// finishAt checks that every row came through RowsAt, and moves the Writer
// past them for the IFD.
func (w *Writer) finishAt() error {
	if err := w.at.Finish(); err != nil {
		return err
	}
	ws, ok := w.w.(io.Seeker)
	if !ok {
		return errors.New("tiff: writer cannot seek")
	}
	end := w.at.End()
	if _, err := ws.Seek(end, io.SeekStart); err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	w.pos = end - w.base
	w.y = w.g.height
	return nil
}

package pnmio

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// Writer encodes an image row by row as PGM (P5) for gray, PPM (P6) for RGB,
// and PAM (P7) for pixels with alpha, at a maxval of 255 or 65535. It
// implements raster.RowWriter. A Writer is not safe for concurrent use.
type Writer struct {
	bw       *bufio.Writer
	dst      io.Writer // what bw writes to, for large writes that bypass it
	h        raster.Header
	rowBytes int
	row      int
	err      error // sticky
	at       *raster.FileRows
}

// NewWriter writes the header for h to w and returns a Writer for its
// rows. Output is buffered (1 MiB) unless w already is a large enough
// *bufio.Writer; Close flushes it but does not close w. It is
// NewWriterKind with kind "pnm": the variant follows the pixel format.
func NewWriter(w io.Writer, h raster.Header) (*Writer, error) {
	return NewWriterKind(w, h, "pnm")
}

// NewWriterKind is NewWriter for the variant that kind, a file extension
// without its dot, names: "pgm" writes P5 and takes gray only, "ppm" writes
// P6 and takes RGB only, "pam" writes P7 whatever the pixel format, and
// "pnm" (or "") chooses P5 for gray, P6 for RGB and P7 for pixels with
// alpha. A pixel format the variant cannot hold is an error that says
// which extensions can.
func NewWriterKind(w io.Writer, h raster.Header, kind string) (*Writer, error) {
	if !h.Pixel.Valid() {
		return nil, fmt.Errorf("pnm: cannot write pixel format %v", h.Pixel)
	}
	if h.Width <= 0 || h.Height <= 0 {
		return nil, fmt.Errorf("pnm: cannot write an image of %d×%d pixels", h.Width, h.Height)
	}
	maxval := h.Pixel.MaxValue()
	magic := "P7"
	switch h.Pixel.Channels {
	case 1:
		magic = "P5"
	case 3:
		magic = "P6"
	}
	switch kind {
	case "", "pnm":
	case "pam":
		magic = "P7"
	case "pgm":
		if magic != "P5" {
			return nil, fmt.Errorf("pnm: a .pgm file holds gray without alpha, not %v: write .pam or .pnm, or add the gray operation", h.Pixel)
		}
	case "ppm":
		if magic != "P6" {
			return nil, fmt.Errorf("pnm: a .ppm file holds RGB without alpha, not %v: write .pam or .pnm", h.Pixel)
		}
	default:
		return nil, fmt.Errorf("pnm: unknown kind %q (want pnm, pgm, ppm or pam)", kind)
	}
	stored := raster.Header{
		Format:      "pnm",
		Width:       h.Width,
		Height:      h.Height,
		Pixel:       h.Pixel,
		Compression: "none",
		Details:     []string{magic},
	}
	if magic == "P7" {
		stored.Details = append(stored.Details, tupleTypes[h.Pixel.Channels])
	}
	wr := &Writer{bw: bufio.NewWriterSize(w, bufferSize), dst: w, h: stored, rowBytes: stored.RowBytes()}
	if bw, ok := w.(*bufio.Writer); ok && bw == wr.bw {
		wr.dst = nil // w is buffered already: nothing to bypass
	}
	var err error
	if magic == "P7" {
		_, err = fmt.Fprintf(wr.bw, "P7\nWIDTH %d\nHEIGHT %d\nDEPTH %d\nMAXVAL %d\nTUPLTYPE %s\nENDHDR\n",
			h.Width, h.Height, h.Pixel.Channels, maxval, tupleTypes[h.Pixel.Channels])
	} else {
		_, err = fmt.Fprintf(wr.bw, "%s\n%d %d\n%d\n", magic, h.Width, h.Height, maxval)
	}
	if err != nil {
		return nil, fmt.Errorf("pnm: writing header: %w", err)
	}
	return wr, nil
}

// Header returns what the file stores: h from NewWriter with Format "pnm"
// and the magic number in Details.
func (w *Writer) Header() raster.Header { return w.h }

// WriteRows writes whole rows; len(src) must be a multiple of the row size,
// and no more rows than the header's height may be written in all.
func (w *Writer) WriteRows(src []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.at != nil {
		return errors.New("pnm: WriteRows after RowsAt")
	}
	if len(src)%w.rowBytes != 0 {
		return fmt.Errorf("pnm: WriteRows given %d bytes, not a multiple of the row size %d", len(src), w.rowBytes)
	}
	n := len(src) / w.rowBytes
	if w.row+n > w.h.Height {
		return fmt.Errorf("pnm: WriteRows given rows %d..%d of an image %d rows high", w.row, w.row+n-1, w.h.Height)
	}
	if err := w.write(src); err != nil {
		w.err = fmt.Errorf("pnm: writing row %d: %w", w.row, err)
		return w.err
	}
	w.row += n
	return nil
}

// write sends small writes through the buffer and large ones, after
// flushing it, straight to the underlying writer, saving a copy.
func (w *Writer) write(p []byte) error {
	if len(p) < directMin || w.dst == nil {
		_, err := w.bw.Write(p)
		return err
	}
	if err := w.bw.Flush(); err != nil {
		return err
	}
	_, err := w.dst.Write(p)
	return err
}

// Close flushes the buffered output. It is an error to close before every
// row was written. Close does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.at != nil {
		if err := w.at.Finish(); err != nil {
			w.err = err
			return w.err
		}
		w.row = w.h.Height
	}
	if w.row != w.h.Height {
		w.err = fmt.Errorf("pnm: closed after %d of %d rows", w.row, w.h.Height)
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("pnm: %w", err)
		return w.err
	}
	w.err = errClosed
	return nil
}

var errClosed = fmt.Errorf("pnm: writer is closed")

// RowsAt returns a raster.RowWriterAt through which several goroutines may
// write rows in any order, or nil when the destination is not an
// io.WriterAt that can also seek (an *os.File is) or rows were written
// already. It flushes the header first. Every row must then be written
// exactly once through it, and WriteRows may no longer be called; Close
// checks the count.
func (w *Writer) RowsAt() raster.RowWriterAt {
	if w.at != nil {
		return w.at
	}
	wa, ok := w.dst.(io.WriterAt)
	ws, ok2 := w.dst.(io.Seeker)
	if !ok || !ok2 || w.row != 0 || w.err != nil {
		return nil
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("pnm: writing header: %w", err)
		return nil
	}
	start, err := ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil
	}
	w.at = &raster.FileRows{W: wa, Start: start, RowBytes: w.rowBytes, Height: w.h.Height, Format: "pnm"}
	return w.at
}

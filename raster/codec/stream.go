package codec

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/jpegio"
	"github.com/sluice-go/sluice/raster/pngio"
	"github.com/sluice-go/sluice/raster/pnmio"
	"github.com/sluice-go/sluice/raster/tiffio"
)

// Sniff names the format whose magic bytes head starts with ("pnm", "png",
// "tiff", "jpeg"), or returns "" for none. Eight bytes are enough.
func Sniff(head []byte) string { return sniff(head) }

// KnownFormat reports whether name is a format or extension that Create
// and NewWriter accept.
func KnownFormat(name string) bool {
	_, ok := formatName(name)
	return ok
}

// NewReader decodes an image of the given format (as Sniff names it) from a
// stream that cannot seek, such as a pipe or a request body. PNM, PNG and
// JPEG read front to back; TIFF needs a file (OpenFile). Errors name the
// format but no file.
func NewReader(r io.Reader, format string, o ReadOptions) (raster.RowReader, error) {
	switch format {
	case "pnm":
		return pnmio.NewReader(r, o.Limits)
	case "png":
		return pngio.NewReader(r, pngio.ReaderOptions{Limits: o.Limits})
	case "jpeg":
		return jpegio.NewReader(r, jpegio.ReaderOptions{Limits: o.Limits})
	case "tiff":
		return nil, fmt.Errorf("%w: a TIFF file must be read from a file that can seek", ErrUnknownFormat)
	}
	return nil, fmt.Errorf("%w; sluice reads %s", ErrUnknownFormat, formatList)
}

// OpenFile is Open for a file already open, named name in errors. The
// Reader owns f from then on: its Close closes f.
func OpenFile(f *os.File, name string, o ReadOptions) (*Reader, error) {
	return open(name, f, o)
}

// StreamWriter encodes an image to a stream, as Writer does to a file but
// with no temporary file: what is written reaches the stream as it is
// encoded. Abort stops the encoder without finishing the image.
type StreamWriter struct {
	enc  raster.RowWriter
	bw   *bufio.Writer
	stop bool
	done bool
}

// NewWriter starts encoding an image described by h to w in the named
// format. TIFF needs w to be an io.WriteSeeker (a file), since its
// directory is written last.
func NewWriter(w io.Writer, format string, h raster.Header, o WriteOptions) (*StreamWriter, error) {
	f, ok := formatName(format)
	if !ok {
		return nil, fmt.Errorf("%w %q; known formats are %v", ErrUnknownFormat, format, Formats())
	}
	sw := &StreamWriter{}
	var err error
	switch f {
	case "pnm":
		sw.enc, err = pnmio.NewWriter(w, h)
	case "png":
		sw.bw = bufio.NewWriterSize(w, 256<<10)
		sw.enc, err = pngio.NewWriter(sw.bw, h, pngio.WriterOptions{Level: o.Level, Workers: o.Workers})
		sw.stop = true
	case "jpeg":
		sw.bw = bufio.NewWriterSize(w, 256<<10)
		sw.enc, err = jpegio.NewWriter(sw.bw, h, jpegio.WriterOptions{Quality: o.Quality})
	case "tiff":
		ws, ok := w.(io.WriteSeeker)
		if !ok {
			return nil, fmt.Errorf("tiff: writing needs a file that can seek")
		}
		sw.enc, err = tiffio.NewWriter(ws, h, tiffio.WriterOptions{
			Compression: o.Compression, Predictor: o.Predictor, Level: o.Level,
			Tiled: o.Tiled, TileSize: o.TileSize, BigTIFF: o.BigTIFF, Workers: o.Workers,
		})
		sw.stop = true
	}
	if err != nil {
		return nil, err
	}
	return sw, nil
}

// WriteRows encodes whole rows, as raster.RowWriter describes.
func (w *StreamWriter) WriteRows(src []byte) error { return w.enc.WriteRows(src) }

// Close finishes the image and flushes it to the stream.
func (w *StreamWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	if err := w.enc.Close(); err != nil {
		return err
	}
	if w.bw != nil {
		return w.bw.Flush()
	}
	return nil
}

// Abort stops the encoder without finishing the image; what reached the
// stream stays there, so the caller must make the stream fail.
func (w *StreamWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.stop {
		_ = w.enc.Close()
	}
}

// Package codec opens and creates image files of every format sluice
// knows (PNM, PNG, TIFF and JPEG), choosing the format by a file's first
// bytes when reading and by its extension or an explicit name when writing.
//
// It is the one place that knows every format: the codec packages under
// raster/ know only their own. Writers write to a temporary file beside the
// target and rename it onto the target only when the image is complete, so
// a failed or abandoned write leaves the target as it was.
package codec

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/jpegio"
	"github.com/sluice-go/sluice/raster/pngio"
	"github.com/sluice-go/sluice/raster/pnmio"
	"github.com/sluice-go/sluice/raster/tiffio"
)

// bufferSize is the read and write buffer for the streamed formats.
const bufferSize = 1 << 20

// ReadOptions configure Open. The zero value means default limits and
// GOMAXPROCS workers.
type ReadOptions struct {
	Limits  raster.Limits // checked against the header before allocating
	Workers int           // TIFF decompression goroutines; 0 = GOMAXPROCS
}

// Reader reads an image file of any known format row by row. It implements
// raster.RowReader; every error it returns names the file. A Reader is not
// safe for concurrent use, except for the TileReader from Tiles.
type Reader struct {
	path  string
	f     *os.File
	rows  raster.RowReader
	tiles raster.TileReader
	stop  func() error // stops a codec's goroutines; may be nil
}

// Open opens the image file at path, choosing its format by its first bytes
// and never by its name, and reads its header. A file of no known format
// is an error wrapping ErrUnknownFormat that lists the formats; codec
// errors are wrapped with the path, as in "big.tif: tiff: at byte 1234: …".
func Open(path string, o ReadOptions) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *os.PathError names the file
	}
	r, err := open(path, f, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func open(path string, f *os.File, o ReadOptions) (*Reader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not an image file", path)
	}
	head := make([]byte, sniffLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	format := sniff(head)
	r := &Reader{path: path, f: f}
	switch format {
	case "pnm":
		// pnmio buffers by itself and reads large batches straight into
		// the caller's buffer, bypassing its own.
		d, err := pnmio.NewReader(f, o.Limits)
		if err != nil {
			return nil, r.wrap(err)
		}
		r.rows = d
	case "png":
		d, err := pngio.NewReader(bufio.NewReaderSize(f, bufferSize), pngio.ReaderOptions{Limits: o.Limits})
		if err != nil {
			return nil, r.wrap(err)
		}
		r.rows = d
	case "jpeg":
		d, err := jpegio.NewReader(f, jpegio.ReaderOptions{Limits: o.Limits}) // buffers by itself
		if err != nil {
			return nil, r.wrap(err)
		}
		r.rows, r.stop = d, d.Close
	case "tiff":
		d, err := tiffio.NewReader(f, fi.Size(), tiffio.ReaderOptions{Limits: o.Limits, Workers: o.Workers})
		if err != nil {
			return nil, r.wrap(err)
		}
		r.rows, r.stop = d, d.Close
		if d.Header().Tiled() {
			r.tiles = &pathTiles{tr: d, path: path}
		}
	default:
		what := "an empty file"
		if n > 0 {
			what = fmt.Sprintf("first bytes % x", head)
		}
		return nil, fmt.Errorf("%s: %w (%s); sluice reads %s", path, ErrUnknownFormat, what, formatList)
	}
	return r, nil
}

// formatList describes the readable formats and their magic bytes.
const formatList = "pnm (P5, P6, P7), png, tiff (classic and BigTIFF) and jpeg"

// wrap prefixes err with the file's path; io.EOF is returned unchanged.
func (r *Reader) wrap(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return fmt.Errorf("%s: %w", r.path, err)
}

// Path returns the path the Reader was opened with.
func (r *Reader) Path() string { return r.path }

// Header returns the header of the file's image.
func (r *Reader) Header() raster.Header { return r.rows.Header() }

// ReadRows reads as many whole rows as fit in dst, as raster.RowReader
// describes; (0, io.EOF) after the last row. Errors name the file.
func (r *Reader) ReadRows(dst []byte) (int, error) {
	n, err := r.rows.ReadRows(dst)
	return n, r.wrap(err)
}

// Tiles returns a TileReader for a tiled TIFF file, or nil for any other
// file. It is safe for concurrent use and valid until Close.
func (r *Reader) Tiles() raster.TileReader { return r.tiles }

// Close stops the codec's goroutines, if any, and closes the file.
func (r *Reader) Close() error {
	var err error
	if r.stop != nil {
		err = r.wrap(r.stop())
		r.stop = nil
	}
	if r.f != nil {
		if cerr := r.f.Close(); err == nil {
			err = cerr
		}
		r.f = nil
	}
	return err
}

// pathTiles wraps a TileReader so that its errors name the file.
type pathTiles struct {
	tr   raster.TileReader
	path string
}

func (p *pathTiles) Header() raster.Header { return p.tr.Header() }

func (p *pathTiles) ReadTile(tx, ty int, dst []byte) error {
	if err := p.tr.ReadTile(tx, ty, dst); err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	return nil
}

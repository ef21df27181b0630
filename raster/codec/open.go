// Package codec opens and creates image files of every format sluice
// knows (PNM, PNG, TIFF and JPEG), choosing the format by a file's first
// bytes when reading and by its extension or an explicit name when writing.
//
// It is the one place that knows every format: the codec packages under
// raster/ know only their own. One table (format.go) holds each format's
// name, extensions, magic bytes and constructors; adding a format is adding
// an entry. Open reads regular files, named pipes and standard input ("-")
// for the formats that stream (PNM, PNG, JPEG). Writers write to a temporary file beside the
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
)

// bufferSize is the read and write buffer for the streamed formats.
const bufferSize = 1 << 20

// ReadOptions configure Open. The zero value means default limits.
type ReadOptions struct {
	Limits raster.Limits // checked against the header before allocating
	// Spill says where an image that must be decoded whole before its
	// first row (an interlaced PNG, the coefficients of a progressive
	// JPEG) is held: in memory up to Spill.Memory
	// bytes, in a temporary file in Spill.Dir past that, refused past
	// Spill.Limit. The zero value means raster's defaults.
	Spill raster.SpillOptions
	// Shrink, if set, lets a format that can decode at a reduced size do
	// so: JPEG calls it with the image's size once the headers are read,
	// and decodes at 1/d of it (d = 1, 2, 4 or 8, as it returns; each side
	// rounded up) through a reduced inverse DCT. The Reader's header gives
	// the size decoded. Other formats never call it.
	Shrink func(width, height int) int
	// Intervals lets a JPEG with restart markers, opened from a file,
	// decode its intervals on several goroutines: the serial step then only
	// finds the markers (jpegio.ReaderOptions.At). Without it one goroutine
	// decodes the Huffman data and the others the rest; past two workers
	// the one goroutine holds the others back. By intervals, a band of
	// 4:2:0 decodes MCU rows of its neighbours too unless the caller joins
	// the bands (JoinBands, as the engine does).
	Intervals bool
	// HeaderOnly opens the file to read its header and no pixel: no size
	// limit applies, and ReadRows fails. It is what `sluice info` uses.
	HeaderOnly bool
}

// Reader reads an image file of any known format row by row. It implements
// raster.RowReader; every error it returns names the file. A Reader is not
// safe for concurrent use, except for the TileReader from Tiles.
type Reader struct {
	path  string
	f     *os.File
	rows  raster.RowReader
	tiles raster.TileReader
	stop  func() error // releases a codec's buffers; may be nil
}

// Open opens the image file at path, choosing its format by its first bytes
// and never by its name, and reads its header. A file of no known format
// is an error wrapping ErrUnknownFormat that lists the formats; codec
// errors are wrapped with the path, as in "big.tif: tiff: at byte 1234: …".
//
// Path "-" reads standard input, and a named pipe is read as it comes:
// PNM, PNG and JPEG stream from either, while TIFF, whose directory may
// lie anywhere in the file, needs a regular file and says so.
func Open(path string, o ReadOptions) (*Reader, error) {
	f, name := os.Stdin, "stdin"
	if path != "-" {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err // *os.PathError names the file
		}
		name = path
	}
	r, err := open(name, f, o)
	if err != nil {
		if path != "-" {
			f.Close()
		}
		return nil, err
	}
	if path == "-" {
		r.f = nil // standard input stays open
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
	in := input{br: bufio.NewReaderSize(f, bufferSize)}
	if fi.Mode().IsRegular() {
		in.ra, in.size = f, fi.Size()
	}
	head, err := in.br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := &Reader{path: path, f: f}
	if err := r.start(in, head, o, "an empty file"); err != nil {
		return nil, err
	}
	return r, nil
}

// start chooses the format by head, the input's first bytes, and has its
// codec read the header; empty says what an input with no bytes is. Its
// errors name r.path.
func (r *Reader) start(in input, head []byte, o ReadOptions, empty string) error {
	format := sniff(head)
	if format == nil {
		what := empty
		if len(head) > 0 {
			what = fmt.Sprintf("first bytes % x", head)
		}
		return fmt.Errorf("%s: %w (%s); sluice reads %s", r.path, ErrUnknownFormat, what, formatList())
	}
	if o.HeaderOnly {
		o.Limits = raster.NoLimits
		if format.name == "jpeg" {
			// A progressive JPEG's reader sets up its coefficient store
			// when it opens: read the headers alone.
			return r.wrap(openJPEGHeader(r, in))
		}
	}
	if err := format.open(r, in, o); err != nil {
		if r.stop != nil {
			r.stop()
		}
		return r.wrap(err)
	}
	return nil
}

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

// BandRows returns the height of the bands the file decodes by, or 0 when
// it decodes only row by row: raster.BandReader, for TIFF strips and rows
// of tiles.
func (r *Reader) BandRows() int {
	if br, ok := r.rows.(raster.BandReader); ok {
		return br.BandRows()
	}
	return 0
}

// ReadBand decodes band i into dst, as raster.BandReader describes. It is
// safe for concurrent use; errors name the file.
func (r *Reader) ReadBand(i int, dst []byte) error {
	br, ok := r.rows.(raster.BandReader)
	if !ok {
		return fmt.Errorf("%s: the %s format decodes row by row, not by bands", r.path, r.Header().Format)
	}
	return r.wrap(br.ReadBand(i, dst))
}

// Tiles returns a TileReader for a tiled TIFF file, or nil for any other
// file. It is safe for concurrent use and valid until Close.
func (r *Reader) Tiles() raster.TileReader { return r.tiles }

// Close releases the codec's buffers and closes the file.
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

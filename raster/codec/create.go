package codec

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-go/sluice/raster"
)

// WriteOptions configure Create. The zero value means the format from the
// path's extension and each codec's defaults.
type WriteOptions struct {
	// Format is "pnm", "png", "tiff" or "jpeg" (an extension such as "tif"
	// or "jpg" is accepted too); "" chooses by the path's extension: .pnm
	// .ppm .pgm .pam .png .tif .tiff .jpg .jpeg.
	Format string
	// Level is the compression level for PNG and TIFF deflate; 0 means the
	// codec's default, -1 no compression (PNG).
	Level int
	// Compression is the TIFF compression: "none", "deflate" or "lzw";
	// "" means the codec's default.
	Compression string
	// Predictor turns on the TIFF horizontal predictor.
	Predictor bool
	// Tiled writes a TIFF in tiles of TileSize × TileSize pixels (0 means
	// the codec's default) instead of strips.
	Tiled    bool
	TileSize int
	// BigTIFF forces the BigTIFF layout; without it, BigTIFF is chosen
	// when offsets would pass 4 GiB.
	BigTIFF bool
	// Quality is the JPEG quality, 1..100; 0 means 90. A JPEG streams in
	// bands of rows; a side is at most 65535 pixels.
	Quality int
	// Subsample is the JPEG chroma subsampling, "444", "422" or "420";
	// "" means "420".
	Subsample string
	// Optimize writes JPEG Huffman tables fitted to the image.
	Optimize bool
	// Sync flushes the file to stable storage (fsync) before the rename
	// and the directory after it, so that a crash just after Close cannot
	// leave an empty file at the target. It is off by default, as in most
	// image tools: on large files it can take longer than the encoding.
	Sync bool
}

// Writer writes an image file row by row through a temporary file beside
// the target, renamed onto the target by a successful Close. It implements
// raster.RowWriter; every error it returns names the target path. A Writer
// is not safe for concurrent use.
//
// Call Abort, typically deferred, to drop an unfinished file: nothing
// appears at the target path unless Close succeeds, and a file already
// there is untouched until then.
type Writer struct {
	path string
	tmp  *os.File
	bw   *bufio.Writer // nil when the codec writes to the file directly
	enc  raster.RowWriter
	h    raster.Header
	stop bool // enc.Close runs on Abort too, to drop the encoder's buffers
	err  error
	done bool // the temporary file is gone: renamed or removed
	res  error
	sync bool      // fsync before the rename
	out  bool      // writing to a stream: no temporary file, no rename
	dst  io.Writer // the stream, when out; nil for a file
}

// headerer is implemented by encoders that report what they store.
type headerer interface{ Header() raster.Header }

// Create starts writing an image described by h to path, in the format
// that o.Format names or, if empty, that the path's extension names. The
// header is checked by the codec before anything is allocated. Errors name
// the path.
//
// Path "-" writes to standard output, for the formats that stream (PNM,
// PNG, JPEG; TIFF needs a file that can seek); o.Format must then name the
// format. Bytes written to standard output cannot be taken back: a failed
// run leaves what was written so far there.
func Create(path string, h raster.Header, o WriteOptions) (*Writer, error) {
	if path == "-" {
		return createStdout(h, o)
	}
	format, ext, err := chooseFormat(path, o.Format)
	if err != nil {
		return nil, err
	}
	f, err := createTemp(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w := &Writer{path: path, tmp: f, sync: o.Sync}
	// A constructor that fails has started no goroutines: nothing to stop.
	if err := w.start(format, h, ext, o); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// start has format's codec take over w, and records the header it writes.
func (w *Writer) start(f *format, h raster.Header, ext string, o WriteOptions) error {
	if err := f.create(w, h, ext, o); err != nil {
		return err
	}
	if hh, ok := w.enc.(headerer); ok {
		w.h = hh.Header()
	} else {
		w.h = h
		w.h.Format = f.name
	}
	return nil
}

// createStdout is Create for path "-".
func createStdout(h raster.Header, o WriteOptions) (*Writer, error) {
	if o.Format == "" {
		return nil, fmt.Errorf("stdout: writing to standard output needs a format name (%w); known formats are %v", ErrUnknownFormat, Formats())
	}
	if f := byExt(o.Format); f != nil && f.name == "tiff" {
		return nil, errors.New("stdout: tiff: a TIFF file must be written to a file that can seek, not to standard output")
	}
	return NewWriter(os.Stdout, "stdout", h, o)
}

// NewWriter starts encoding an image described by h to the stream dst, in
// the format o.Format names, with no temporary file: bytes reach dst as
// they are encoded, and cannot be taken back, so a caller whose run fails
// must make the stream fail too (a server aborts the connection). TIFF,
// whose directory is written last, needs dst to be an io.WriteSeeker (a
// file). Errors name name. Close finishes the image and flushes it; Abort
// stops the encoder.
func NewWriter(dst io.Writer, name string, h raster.Header, o WriteOptions) (*Writer, error) {
	format := byExt(o.Format)
	if format == nil {
		return nil, fmt.Errorf("%s: %w %q; known formats are %v", name, ErrUnknownFormat, o.Format, Formats())
	}
	if _, seeks := dst.(io.WriteSeeker); format.name == "tiff" && !seeks {
		return nil, fmt.Errorf("%s: tiff: a TIFF file must be written to a file that can seek, not to a stream", name)
	}
	w := &Writer{path: name, dst: dst, out: true}
	if err := w.start(format, h, strings.ToLower(strings.TrimPrefix(o.Format, ".")), o); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return w, nil
}

// chooseFormat returns the format that name gives or, if empty, that
// path's extension gives, and the extension (or name) the codec should
// follow: "pgm" for a .pgm file.
func chooseFormat(path, name string) (*format, string, error) {
	if name == "" {
		if _, err := FormatFromPath(path); err != nil {
			return nil, "", err
		}
		name = filepath.Ext(path)
	}
	f := byExt(name)
	if f == nil {
		return nil, "", fmt.Errorf("%s: %w %q; known formats are %v", path, ErrUnknownFormat, name, Formats())
	}
	return f, strings.ToLower(strings.TrimPrefix(name, ".")), nil
}

// file is where the encoder writes: the temporary file, or the stream.
func (w *Writer) file() io.Writer {
	if w.dst != nil {
		return w.dst
	}
	return w.tmp
}

// Path returns the target path.
func (w *Writer) Path() string { return w.path }

// Header returns what the file stores, which may differ from the header
// given to Create: a JPEG stores 8-bit gray or RGB without alpha.
func (w *Writer) Header() raster.Header { return w.h }

// WriteRows encodes whole rows, as raster.RowWriter describes. After an
// error the Writer is failed: Close will report it and remove the
// temporary file.
func (w *Writer) WriteRows(src []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("%s: write after Close or Abort", w.path)
	}
	if err := w.enc.WriteRows(src); err != nil {
		w.err = fmt.Errorf("%s: %w", w.path, err)
		return w.err
	}
	return nil
}

// Close finishes the encoding, flushes and syncs the temporary file,
// closes it and renames it onto the target path. On any error, including
// an earlier one from WriteRows, it removes the temporary file, leaves the
// target untouched and returns the error. Calling Close again returns the
// first result.
func (w *Writer) Close() error {
	if w.done {
		return w.res
	}
	w.done = true
	err := w.finish()
	if err != nil && !w.out {
		w.tmp.Close()
		os.Remove(w.tmp.Name())
		if w.err == nil {
			err = fmt.Errorf("%s: %w", w.path, err)
		}
	}
	w.res = err
	return err
}

// finish runs the steps of a successful Close; the first failure stops it.
func (w *Writer) finish() error {
	if w.err != nil {
		if w.stop {
			_ = w.enc.Close()
		}
		return w.err
	}
	if err := w.enc.Close(); err != nil {
		return err
	}
	if w.bw != nil {
		if err := w.bw.Flush(); err != nil {
			return err
		}
	}
	if w.out {
		return nil
	}
	if w.sync {
		if err := w.tmp.Sync(); err != nil {
			return err
		}
	}
	if err := w.tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(w.tmp.Name(), w.path); err != nil {
		return err
	}
	if w.sync {
		syncDir(filepath.Dir(w.path))
	}
	return nil
}

// Abort drops the file being written: it stops the encoder, closes the
// temporary file and removes it. Nothing appears at the target path. After
// Close, successful or not, Abort does nothing and returns nil, so it can
// be deferred right after Create.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.res = fmt.Errorf("%s: aborted", w.path)
	if w.stop {
		_ = w.enc.Close()
	}
	if w.out {
		return nil
	}
	w.tmp.Close()
	if err := os.Remove(w.tmp.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

// BandRows returns the height of the bands the file encodes by, or 0 when
// it encodes only row by row: raster.BandWriter, for PNG row groups and
// compressed TIFF strips and rows of tiles.
func (w *Writer) BandRows() int {
	if bw, ok := w.enc.(raster.BandWriter); ok && w.err == nil && !w.done {
		return bw.BandRows()
	}
	return 0
}

// EncodeBand encodes band i, as raster.BandWriter describes. It is safe
// for concurrent use; errors name the path.
func (w *Writer) EncodeBand(i int, above, src, dst []byte) ([]byte, error) {
	bw, ok := w.enc.(raster.BandWriter)
	if !ok {
		return dst, fmt.Errorf("%s: this format encodes row by row, not by bands", w.path)
	}
	out, err := bw.EncodeBand(i, above, src, dst)
	if err != nil {
		return out, fmt.Errorf("%s: %w", w.path, err)
	}
	return out, nil
}

// WriteBand writes band i as EncodeBand returned it, in order, as
// raster.BandWriter describes. After an error the Writer is failed, as
// after one from WriteRows.
func (w *Writer) WriteBand(i int, enc []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("%s: write after Close or Abort", w.path)
	}
	bw, ok := w.enc.(raster.BandWriter)
	if !ok {
		w.err = fmt.Errorf("%s: this format encodes row by row, not by bands", w.path)
		return w.err
	}
	if err := bw.WriteBand(i, enc); err != nil {
		w.err = fmt.Errorf("%s: %w", w.path, err)
		return w.err
	}
	return nil
}

// RowsAt returns a raster.RowWriterAt through which several goroutines may
// write rows in any order, or nil when the format cannot place rows in
// advance: uncompressed 8-bit TIFF strips and PNM can. It must be called
// before any WriteRows; every row must then be written exactly once
// through it, and Close (or Abort) ends the file as usual. Its errors name
// the path.
func (w *Writer) RowsAt() raster.RowWriterAt {
	ra, ok := w.enc.(raster.RowsAter)
	if !ok || w.bw != nil || w.err != nil || w.done || w.out {
		return nil
	}
	at := ra.RowsAt()
	if at == nil {
		return nil
	}
	return pathRowsAt{path: w.path, at: at}
}

// pathRowsAt names the target path in the errors of a RowWriterAt.
type pathRowsAt struct {
	path string
	at   raster.RowWriterAt
}

func (p pathRowsAt) WriteRowsAt(y int, src []byte) error {
	if err := p.at.WriteRowsAt(y, src); err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	return nil
}

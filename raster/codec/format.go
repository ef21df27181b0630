package codec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/jpegio"
	"github.com/sluice-go/sluice/raster/pngio"
	"github.com/sluice-go/sluice/raster/pnmio"
	"github.com/sluice-go/sluice/raster/tiffio"
)

// ErrUnknownFormat is wrapped by the errors of Open for a file whose first
// bytes match no known format, and of Create and FormatFromPath for a
// format name or extension sluice does not know.
var ErrUnknownFormat = errors.New("unknown image format")

// format is everything sluice knows of one file format: adding a format is
// adding an entry to the table below.
type format struct {
	name  string   // canonical name, as Header.Format gives it
	exts  []string // lower-case extensions without the dot
	about string   // for the list of readable formats, e.g. "pnm (P5, P6, P7)"
	magic func(head []byte) bool
	// open reads the header from in and sets r.rows (and r.stop, r.tiles
	// where the codec has them). in.ra is nil when the input cannot seek.
	open func(r *Reader, in input, o ReadOptions) error
	// create starts the encoder on w.file() and sets w.enc (and w.bw,
	// w.stop); ext is the output's extension, or the format name given.
	create func(w *Writer, h raster.Header, ext string, o WriteOptions) error
}

// input is a file being opened: a buffered reader positioned at its
// start, and, for a regular file, random access and its size.
type input struct {
	br   *bufio.Reader
	ra   io.ReaderAt // nil for a pipe or a terminal
	size int64
}

// formats is the table of formats, sorted by name.
var formats = []format{
	{
		name: "jpeg", exts: []string{"jpg", "jpeg"}, about: "jpeg",
		magic: func(h []byte) bool { return bytes.HasPrefix(h, []byte{0xff, 0xd8, 0xff}) },
		open: func(r *Reader, in input, o ReadOptions) error {
			jo := jpegReaderOptions(o)
			if o.Intervals {
				jo.At = in.ra // in.br reads the file from its first byte
			}
			d, err := jpegio.NewReader(in.br, jo)
			if err != nil {
				return err
			}
			r.rows, r.stop = d, d.Close
			return nil
		},
		create: func(w *Writer, h raster.Header, ext string, o WriteOptions) error {
			w.bw = bufio.NewWriterSize(w.file(), bufferSize)
			enc, err := jpegio.NewWriter(w.bw, h, jpegio.WriterOptions{Quality: o.Quality, Subsample: o.Subsample, Optimize: o.Optimize})
			w.enc = enc
			return err
		},
	},
	{
		name: "png", exts: []string{"png"}, about: "png",
		magic: func(h []byte) bool { return bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")) },
		open: func(r *Reader, in input, o ReadOptions) error {
			d, err := pngio.NewReader(in.br, pngio.ReaderOptions{Limits: o.Limits, Spill: o.Spill})
			if err != nil {
				return err
			}
			r.rows, r.stop = d, d.Close
			return nil
		},
		create: func(w *Writer, h raster.Header, ext string, o WriteOptions) error {
			w.bw = bufio.NewWriterSize(w.file(), bufferSize)
			enc, err := pngio.NewWriter(w.bw, h, pngio.WriterOptions{Level: o.Level})
			w.enc, w.stop = enc, true
			return err
		},
	},
	{
		name: "pnm", exts: []string{"pnm", "ppm", "pgm", "pam"}, about: "pnm (P5, P6, P7)",
		magic: func(h []byte) bool { return len(h) >= 2 && h[0] == 'P' && h[1] >= '1' && h[1] <= '7' },
		open: func(r *Reader, in input, o ReadOptions) error {
			d, err := pnmio.NewReader(in.br, o.Limits)
			r.rows = d
			return err
		},
		create: func(w *Writer, h raster.Header, ext string, o WriteOptions) error {
			enc, err := pnmio.NewWriterKind(w.file(), h, ext) // buffers by itself
			w.enc = enc
			return err
		},
	},
	{
		name: "tiff", exts: []string{"tif", "tiff"}, about: "tiff (classic and BigTIFF)",
		magic: func(h []byte) bool {
			for _, m := range []string{"II*\x00", "MM\x00*", "II+\x00", "MM\x00+"} {
				if bytes.HasPrefix(h, []byte(m)) {
					return true
				}
			}
			return false
		},
		open: func(r *Reader, in input, o ReadOptions) error {
			if in.ra == nil {
				return errors.New("tiff: a TIFF file must be read from a file that can seek, not from a pipe: save it to a file first")
			}
			d, err := tiffio.NewReader(in.ra, in.size, tiffio.ReaderOptions{Limits: o.Limits})
			if err != nil {
				return err
			}
			r.rows, r.stop = d, d.Close
			if d.Header().Tiled() {
				r.tiles = &pathTiles{tr: d, path: r.path}
			}
			return nil
		},
		create: func(w *Writer, h raster.Header, ext string, o WriteOptions) error {
			ws, ok := w.file().(io.WriteSeeker)
			if !ok {
				return errors.New("tiff: a TIFF file must be written to a file that can seek")
			}
			enc, err := tiffio.NewWriter(ws, h, tiffio.WriterOptions{
				Compression: o.Compression,
				Predictor:   o.Predictor,
				Level:       o.Level,
				Tiled:       o.Tiled,
				TileSize:    o.TileSize,
				BigTIFF:     o.BigTIFF,
			})
			w.enc, w.stop = enc, true
			return err
		},
	},
}

// jpegReaderOptions are the JPEG reader's options from o: a progressive
// file's coefficients are held as o.Spill says, in memory up to
// Spill.Memory, in a file in Spill.Dir past it, refused past Spill.Limit.
func jpegReaderOptions(o ReadOptions) jpegio.ReaderOptions {
	sp := o.Spill.WithDefaults()
	return jpegio.ReaderOptions{Limits: o.Limits, Memory: sp.Memory, TempDir: sp.Dir, SpillLimit: sp.Limit, Shrink: o.Shrink}
}

// openJPEGHeader sets r.rows to a reader of the JPEG file's headers
// alone, metadata included: no pixel is decoded, nothing is allocated for
// the coefficients.
func openJPEGHeader(r *Reader, in input) error {
	h, err := jpegio.ReadHeader(in.br)
	if err != nil {
		return err
	}
	r.rows = headerOnly{h}
	return nil
}

// headerOnly is the RowReader of a file opened with ReadOptions.HeaderOnly.
type headerOnly struct{ h raster.Header }

func (h headerOnly) Header() raster.Header { return h.h }

func (h headerOnly) ReadRows([]byte) (int, error) {
	return 0, errors.New("opened for its header only (ReadOptions.HeaderOnly)")
}

// Formats returns the names of the formats sluice reads and writes, sorted:
// "jpeg", "png", "pnm", "tiff".
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// Extensions returns the file extensions sluice writes by, with their dot,
// sorted: ".jpeg .jpg .pam …".
func Extensions() []string {
	var exts []string
	for _, f := range formats {
		for _, e := range f.exts {
			exts = append(exts, "."+e)
		}
	}
	slices.Sort(exts)
	return exts
}

// byExt returns the format whose extension (or name) is ext, case and a
// leading dot ignored.
func byExt(ext string) *format {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	for i, f := range formats {
		if f.name == ext || slices.Contains(f.exts, ext) {
			return &formats[i]
		}
	}
	return nil
}

// knownExtensions lists the extensions for error messages.
func knownExtensions() string { return strings.Join(Extensions(), " ") }

// FormatFromPath returns the format that path's extension names, case
// ignored: .pnm .ppm .pgm .pam → "pnm", .png → "png", .tif .tiff → "tiff",
// .jpg .jpeg → "jpeg". An unknown extension is an error listing the known
// ones.
func FormatFromPath(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if f := byExt(ext); f != nil && ext != "" {
		return f.name, nil
	}
	if ext == "" {
		return "", fmt.Errorf("%s: no file extension to choose the format by (%w); known extensions are %s",
			path, ErrUnknownFormat, knownExtensions())
	}
	return "", fmt.Errorf("%s: %w for extension .%s; known extensions are %s",
		path, ErrUnknownFormat, ext, knownExtensions())
}

// sniffLen is how many leading bytes sniff needs.
const sniffLen = 8

// sniff returns the format whose magic bytes head starts with, or nil.
func sniff(head []byte) *format {
	for i, f := range formats {
		if f.magic(head) {
			return &formats[i]
		}
	}
	return nil
}

// formatList describes the readable formats.
func formatList() string {
	var s []string
	for _, f := range formats {
		s = append(s, f.about)
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

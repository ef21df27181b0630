// Package raster describes images as streams of rows: pixel formats, headers,
// limits on what a decoder may allocate, and the reader and writer interfaces
// that every codec in raster/... implements.
//
// A row is a slice of bytes holding Width pixels one after another, each
// pixel's samples interleaved in the order gray, gray+alpha, RGB or RGBA. An
// 8-bit sample is one byte; a 16-bit sample is two bytes, big-endian, as PNG
// and PNM store them. Alpha is straight (not premultiplied).
//
// A decoder that must hold the whole image before its first row (an
// interlaced PNG, a progressive JPEG) keeps it in a Spill: memory up to a
// size, a temporary file past it, refused past a limit (SpillOptions).
//
// Codecs start no goroutine. The work of theirs that can run in parallel
// is offered as plain functions through BandReader and BandWriter (decode
// this strip, deflate this group of rows), which the caller schedules: the
// engine runs them as stages of its pipeline, in the one pool of workers
// the user sized. A new codec with parallel work implements one or both.
//
// Package raster knows nothing of the pipeline core (package sluice) or of
// filters; codecs import raster, never the other way round.
package raster

import (
	"fmt"
	"image"
)

// PixelFormat is the layout of one pixel: how many samples it has and how
// many bits each sample takes. The zero value is invalid.
type PixelFormat struct {
	Channels int // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
	Depth    int // bits per sample: 8 or 16
}

// The pixel formats sluice reads, writes and filters.
var (
	Gray8       = PixelFormat{1, 8}
	GrayAlpha8  = PixelFormat{2, 8}
	RGB8        = PixelFormat{3, 8}
	RGBA8       = PixelFormat{4, 8}
	Gray16      = PixelFormat{1, 16}
	GrayAlpha16 = PixelFormat{2, 16}
	RGB16       = PixelFormat{3, 16}
	RGBA16      = PixelFormat{4, 16}
)

// Formats returns the eight pixel formats, 8-bit first, in the order of
// their channels: for tests and tools that cover every format.
func Formats() []PixelFormat {
	return []PixelFormat{Gray8, GrayAlpha8, RGB8, RGBA8, Gray16, GrayAlpha16, RGB16, RGBA16}
}

// Valid reports whether p is one of the eight formats above.
func (p PixelFormat) Valid() bool {
	return p.Channels >= 1 && p.Channels <= 4 && (p.Depth == 8 || p.Depth == 16)
}

// BytesPerSample is 1 for 8-bit formats and 2 for 16-bit ones.
func (p PixelFormat) BytesPerSample() int { return p.Depth / 8 }

// BytesPerPixel is the size of one pixel in a row.
func (p PixelFormat) BytesPerPixel() int { return p.Channels * p.Depth / 8 }

// HasAlpha reports whether the last sample of each pixel is alpha.
func (p PixelFormat) HasAlpha() bool { return p.Channels == 2 || p.Channels == 4 }

// Color reports whether the pixel has red, green and blue samples.
func (p PixelFormat) Color() bool { return p.Channels >= 3 }

// MaxValue is the largest sample value: 255 or 65535.
func (p PixelFormat) MaxValue() int { return 1<<p.Depth - 1 }

// String returns a short lower-case name such as "rgb8" or "graya16".
func (p PixelFormat) String() string {
	names := [...]string{"", "gray", "graya", "rgb", "rgba"}
	if !p.Valid() {
		return fmt.Sprintf("invalid(%d channels, %d bits)", p.Channels, p.Depth)
	}
	return fmt.Sprintf("%s%d", names[p.Channels], p.Depth)
}

// ParsePixelFormat is the inverse of PixelFormat.String.
func ParsePixelFormat(s string) (PixelFormat, error) {
	for _, p := range []PixelFormat{Gray8, GrayAlpha8, RGB8, RGBA8, Gray16, GrayAlpha16, RGB16, RGBA16} {
		if p.String() == s {
			return p, nil
		}
	}
	return PixelFormat{}, fmt.Errorf("raster: unknown pixel format %q", s)
}

// Header is what a file says about its image before any pixel is read.
type Header struct {
	Format      string // "pnm", "png", "tiff" or "jpeg"
	Width       int
	Height      int
	Pixel       PixelFormat
	Compression string // as the format names it, e.g. "deflate", "lzw", "none"
	TileWidth   int    // 0 when the file is not stored in tiles
	TileHeight  int
	Interlaced  bool     // PNG Adam7: decoded whole into a Spill before the first row
	Details     []string // anything else worth showing, e.g. "bigtiff", "palette", "maxval 1023"

	// Orientation is how the stored pixels are to be turned for display,
	// as EXIF tag 274 and TIFF's Orientation tag number it (1 to 8, see
	// Orientation); 0 when the file does not say, which means 1.
	Orientation Orientation
	// Meta is the metadata that travels from input to output where the
	// output format can hold it.
	Meta Metadata
}

// RowBytes is the length of one row of h's image.
func (h Header) RowBytes() int { return h.Width * h.Pixel.BytesPerPixel() }

// Tiled reports whether the file stores its pixels in tiles.
func (h Header) Tiled() bool { return h.TileWidth > 0 && h.TileHeight > 0 }

// Bounds is the image rectangle, with its origin at 0, 0.
func (h Header) Bounds() image.Rectangle { return image.Rect(0, 0, h.Width, h.Height) }

// Bytes is the size of the whole image decoded, in bytes.
func (h Header) Bytes() int64 { return int64(h.RowBytes()) * int64(h.Height) }

// RowReader reads an image from top to bottom.
//
// ReadRows fills dst with whole rows, as many as fit in len(dst)/RowBytes. It
// returns fewer only when the image ends, and (0, io.EOF) once every row has
// been read. A RowReader is not safe for concurrent use.
type RowReader interface {
	Header() Header
	ReadRows(dst []byte) (n int, err error)
}

// RowWriter writes an image from top to bottom.
//
// WriteRows takes whole rows (len(src) a multiple of RowBytes). Close
// finishes the encoding; it is an error to close before every row of the
// header's height was written. Close does not close the underlying writer. A
// RowWriter is not safe for concurrent use.
type RowWriter interface {
	WriteRows(src []byte) error
	Close() error
}

// RowWriterAt writes rows in any order, from several goroutines at once:
// y is the first row of src. Formats that store rows uncompressed at fixed
// places hand one out through RowsAt (see RowsAter). The rows written
// through it must cover the image exactly once, the owning RowWriter's
// WriteRows must not be used as well, and the owner's Close finishes the
// file.
type RowWriterAt interface {
	WriteRowsAt(y int, src []byte) error
}

// RowsAter is implemented by RowWriters that can take rows out of order.
// RowsAt returns nil when this image's layout or destination does not
// allow it, and must be called before any WriteRows.
type RowsAter interface {
	RowsAt() RowWriterAt
}

// TileReader reads a tiled file's tiles in any order. ReadTile decodes tile
// (tx, ty) into dst, which holds TileWidth×TileHeight pixels; tiles at the
// right and bottom edges are padded by the file and come back whole. It is
// safe for concurrent use, so several workers can decode tiles at once.
type TileReader interface {
	Header() Header
	ReadTile(tx, ty int, dst []byte) error
}

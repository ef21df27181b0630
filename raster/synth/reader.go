// Package synth generates deterministic photo-like test images, streamed
// row by row in little memory: large smooth colour gradients, shapes with
// hard edges, fine texture and a little per-pixel noise, so that an image
// neither compresses to nothing nor looks like static.
//
// A pixel is a pure function of its position, the image size, the pixel
// format and the seed, computed in integers: the same arguments give the
// same bytes on every machine, whatever the number of workers and however
// the rows are read. The scene scales with the image, so a thumbnail of a
// 20,000-pixel image looks like the 1,000-pixel one; fine texture and noise
// keep their size in pixels.
package synth

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// Options configures a Reader. The zero value means seed 0.
type Options struct {
	// Seed chooses the scene. Different seeds give different images.
	Seed int64
}

// bandBytes is the size a band of rows aims at: the unit of work that
// raster.BandReader offers.
const bandBytes = 256 << 10

// Reader generates an image and hands it out row by row; it implements
// raster.RowReader, rendering each row on the calling goroutine, and
// raster.BandReader, whose bands of about 256 KiB of rows can be rendered
// on any number of goroutines at once. Memory stays flat whatever the
// image size: 28 bytes per pixel of a row for each goroutine rendering.
// Generating costs about 12 ns of CPU per RGB8 pixel, some 250 MB/s per
// core.
//
// A Reader starts no goroutine. It is not safe for concurrent use, except
// for ReadBand.
type Reader struct {
	hdr      raster.Header
	scene    *scene
	bandRows int
	rd       *renderer // ReadRows' renderer, made on first use
	rds      sync.Pool // *renderer for ReadBand
	closed   bool
	next     int // next row to hand out
}

// New returns a Reader for a w×h image in pixel format pf. It panics when
// pf is not valid, or when w or h is not positive or beyond
// raster.DefaultLimits (check user input with raster.Limits.Check first).
// Building the scene takes about 3 ms and 0.8 MiB, plus 4 bytes per
// column.
func New(w, h int, pf raster.PixelFormat, o Options) *Reader {
	switch {
	case !pf.Valid():
		panic(fmt.Sprintf("synth: invalid pixel format %v", pf))
	case w <= 0 || h <= 0:
		panic(fmt.Sprintf("synth: invalid size %d×%d", w, h))
	}
	if err := raster.DefaultLimits.Check("synth", w, h); err != nil {
		panic(err.Error())
	}
	r := &Reader{
		hdr: raster.Header{
			Format: "synth", Width: w, Height: h, Pixel: pf, Compression: "none",
			Details: []string{"seed " + strconv.FormatInt(o.Seed, 10)},
		},
		scene: newScene(w, h, pf, o.Seed),
	}
	r.bandRows = min(max(bandBytes/r.hdr.RowBytes(), 1), h)
	r.rds.New = func() any { return newRenderer(r.scene) }
	return r
}

// Header describes the image: format "synth", compression "none", and the
// seed among the details.
func (r *Reader) Header() raster.Header { return r.hdr }

// ReadRows fills dst with as many whole rows as fit, and returns how many.
// It returns fewer only at the end of the image, and (0, io.EOF) once every
// row has been read. A dst shorter than a row is an error wrapping
// io.ErrShortBuffer; reading after Close is an error wrapping os.ErrClosed.
func (r *Reader) ReadRows(dst []byte) (int, error) {
	rb := r.hdr.RowBytes()
	switch {
	case r.closed:
		return 0, fmt.Errorf("synth: read after close: %w", os.ErrClosed)
	case r.next == r.hdr.Height:
		return 0, io.EOF
	case len(dst) < rb:
		return 0, fmt.Errorf("synth: buffer of %d bytes holds no row of %d bytes: %w", len(dst), rb, io.ErrShortBuffer)
	}
	if r.rd == nil {
		r.rd = newRenderer(r.scene)
	}
	n := min(len(dst)/rb, r.hdr.Height-r.next)
	for i := range n {
		r.rd.row(r.next+i, dst[i*rb:(i+1)*rb])
	}
	r.next += n
	return n, nil
}

// BandRows returns the height of a band: about 256 KiB of rows.
func (r *Reader) BandRows() int { return r.bandRows }

// ReadBand renders band i, rows i×BandRows() on, into dst. It is safe for
// concurrent use, with itself and with ReadRows, and costs the CPU of
// rendering the rows.
func (r *Reader) ReadBand(i int, dst []byte) error {
	rb := r.hdr.RowBytes()
	y0 := i * r.bandRows
	if i < 0 || y0 >= r.hdr.Height {
		return fmt.Errorf("synth: band %d outside the image's %d rows", i, r.hdr.Height)
	}
	n := min(r.bandRows, r.hdr.Height-y0)
	if len(dst) < n*rb {
		return fmt.Errorf("synth: band buffer of %d bytes, want %d: %w", len(dst), n*rb, io.ErrShortBuffer)
	}
	rd := r.rds.Get().(*renderer)
	defer r.rds.Put(rd)
	for k := range n {
		rd.row(y0+k, dst[k*rb:(k+1)*rb])
	}
	return nil
}

// Close ends reading. It always returns nil; closing twice is harmless.
func (r *Reader) Close() error {
	r.closed = true
	r.rd = nil
	return nil
}

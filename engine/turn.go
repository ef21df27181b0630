package engine

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// A geometry step (filter.Segment.Turn) turns the whole image between two
// phases of a job: one phase writes the image into a turnStore, row by
// row, and the next reads it back in the turned order, row by row, so
// neither holds more than a band. The store is a raster.Spill: memory for
// a small image, else a temporary file in Options.Scratch.Dir, removed as
// soon as it is made.
//
// Turns that keep rows rows (flip, a half turn, a flop) store the image as
// it is and read it back band by band from the bottom or the top,
// mirroring each row if need be. Turns that make columns rows (the quarter
// turns, transpose, transverse) store it in tiles: the writer gathers a
// band of th rows and writes it as tiles th rows high and tw columns
// wide, each tile one contiguous run of the file; the reader makes each
// band of tw output rows from one column of tiles, a read per tile, and
// moves the pixels into place. Neither reads nor writes a pixel at a
// time, and the tiles' columns are laid out in the order the output reads
// them, so that each band reads whole tiles.

// maxTurnTile bounds the side of the store's bands and tiles.
const maxTurnTile = 256

// turnStore is the scratch image of one geometry step.
type turnStore struct {
	o                raster.Orientation
	in, out          raster.Header // the image written, and as read back
	swap, flop, flip bool
	bpp              int
	th, tw           int   // swap: rows per band written, columns per tile
	rows             int   // no swap: rows per band read
	mem              int64 // largest image kept in memory
	opts             raster.SpillOptions

	spill *raster.Spill
}

// newTurnStore prepares the store of an in image that is turned to o,
// holding at most about share bytes: the image itself when it takes half
// of that or less, with bands of up to the other half; else the image goes
// to a file and a band may take all of it. The writer's band and the
// reader's do not live at once: the one goes before the other comes.
func newTurnStore(in raster.Header, o raster.Orientation, share int64, opts raster.SpillOptions) *turnStore {
	s := &turnStore{o: o, in: in, bpp: in.Pixel.BytesPerPixel(), opts: opts}
	s.swap, s.flop, s.flip = o.Parts()
	s.out = raster.Header{Format: "turned", Pixel: in.Pixel}
	s.out.Width, s.out.Height = o.Size(in.Width, in.Height)
	half := max(share/2, 1)
	band := max(share, 1)
	if in.Bytes() <= half {
		band = half
	}
	side := func(rowBytes int) int { return int(max(1, min(maxTurnTile, band/int64(max(rowBytes, 1))))) }
	if s.swap {
		s.th = min(side(in.RowBytes()), in.Height)
		s.tw = min(side(s.out.RowBytes()), in.Width)
	} else {
		s.rows = min(side(in.RowBytes()), in.Height)
	}
	s.mem = half
	return s
}

// open makes the spill, at the first write.
func (s *turnStore) open() error {
	if s.spill != nil {
		return nil
	}
	o := s.opts
	o.Memory = -1
	if s.in.Bytes() <= s.mem {
		o.Memory = s.in.Bytes()
	}
	sp, err := raster.NewSpill(s.in.Bytes(), o)
	if err != nil {
		return fmt.Errorf("%v needs a scratch image of %s: %w", filter.Upright(s.o), raster.FormatBytes(s.in.Bytes()), err)
	}
	s.spill = sp
	return nil
}

// close releases the spill.
func (s *turnStore) close() error {
	if s.spill == nil {
		return nil
	}
	err := s.spill.Close()
	s.spill = nil
	return err
}

// tileCols is the input columns of tile column g: the output reads its
// bands from the top, so when output rows run right to left through the
// input (flip, after the transpose), the tiles are counted from the right.
func (s *turnStore) tileCols(g int) (int, int) {
	w := s.in.Width
	a, b := g*s.tw, min((g+1)*s.tw, w)
	if s.flip {
		return w - b, w - a
	}
	return a, b
}

// tileAt is the offset of tile column g of the band of rows starting at
// row y0, bh rows high: bands follow one another, and within a band the
// tile columns, each tw wide but the last.
func (s *turnStore) tileAt(g, y0, bh int) int64 {
	return int64(y0)*int64(s.in.RowBytes()) + int64(g*s.tw)*int64(bh)*int64(s.bpp)
}

// turnWriter writes the image into the store, top to bottom.
type turnWriter struct {
	s    *turnStore
	y    int    // rows received
	band []byte // swap: the rows of the band being gathered
	n    int    // rows in band
	tile []byte
	rows atomic.Int64 // rows stored, for Progress
}

func (s *turnStore) writer() *turnWriter {
	w := &turnWriter{s: s}
	if s.swap {
		w.band = make([]byte, s.th*s.in.RowBytes())
		w.tile = make([]byte, s.th*s.tw*s.bpp)
	}
	return w
}

// WriteRows stores whole rows.
func (w *turnWriter) WriteRows(src []byte) error {
	s := w.s
	rb := s.in.RowBytes()
	if len(src)%rb != 0 || w.y+len(src)/rb > s.in.Height {
		return fmt.Errorf("turning the image: %d bytes at row %d do not fit the %d×%d image", len(src), w.y, s.in.Width, s.in.Height)
	}
	if err := s.open(); err != nil {
		return err
	}
	if !s.swap {
		if _, err := s.spill.WriteAt(src, int64(w.y)*int64(rb)); err != nil {
			return err
		}
		w.y += len(src) / rb
		w.rows.Store(int64(w.y))
		return nil
	}
	for len(src) > 0 {
		k := min(len(src)/rb, s.th-w.n)
		copy(w.band[w.n*rb:], src[:k*rb])
		src = src[k*rb:]
		w.n += k
		w.y += k
		if w.n == s.th || w.y == s.in.Height {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	w.rows.Store(int64(w.y))
	return nil
}

// copy reads every row of r into the store, a band at a time, straight
// into the band's buffer, then checks that r has nothing after its last
// row (see Job.readEnd).
func (w *turnWriter) copy(ctx context.Context, r raster.RowReader) error {
	s := w.s
	rb := s.in.RowBytes()
	band := w.band
	if band == nil {
		band = make([]byte, s.rows*rb)
	}
	for w.y < s.in.Height {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		k := min(len(band)/rb-w.n, s.in.Height-w.y)
		dst := band[w.n*rb : (w.n+k)*rb]
		if err := readFull(r, dst); err != nil {
			return err
		}
		if s.swap {
			w.n += k
			w.y += k
			if err := w.flush(); err != nil {
				return err
			}
		} else {
			if _, err := s.spill.WriteAt(dst, int64(w.y)*int64(rb)); err != nil {
				return err
			}
			w.y += k
		}
		w.rows.Store(int64(w.y))
	}
	return atEnd(r, s.in)
}

// flush writes the gathered band as tiles.
func (w *turnWriter) flush() error {
	s := w.s
	rb := s.in.RowBytes()
	y0 := w.y - w.n
	for g := 0; g*s.tw < s.in.Width; g++ {
		x0, x1 := s.tileCols(g)
		tb := (x1 - x0) * s.bpp
		t := w.tile[:w.n*tb]
		for r := 0; r < w.n; r++ {
			copy(t[r*tb:(r+1)*tb], w.band[r*rb+x0*s.bpp:])
		}
		if _, err := s.spill.WriteAt(t, s.tileAt(g, y0, w.n)); err != nil {
			return err
		}
	}
	w.n = 0
	return nil
}

// Close checks that every row came.
func (w *turnWriter) Close() error {
	if w.y != w.s.in.Height {
		return fmt.Errorf("turning the image: closed after %d of %d rows", w.y, w.s.in.Height)
	}
	return nil
}

// turnReader reads the turned image from the store, top to bottom.
type turnReader struct {
	s      *turnStore
	band   []byte // rows [y0, y0+n) of the output
	y0, n  int
	next   int // next output row to hand out
	tile   []byte
	height int
}

// reader returns the store's reader; it makes its buffers at its first
// read, once the writer's are gone.
func (s *turnStore) reader() *turnReader {
	return &turnReader{s: s, height: s.out.Height}
}

// Header is the turned image's.
func (r *turnReader) Header() raster.Header { return r.s.out }

// ReadRows hands out the next rows of the turned image.
func (r *turnReader) ReadRows(dst []byte) (int, error) {
	rb := r.s.out.RowBytes()
	done := 0
	for len(dst) >= rb && r.next < r.height {
		if r.next >= r.y0+r.n {
			if err := r.load(r.next); err != nil {
				return done, err
			}
		}
		k := min(len(dst)/rb, r.y0+r.n-r.next)
		copy(dst, r.band[(r.next-r.y0)*rb:(r.next-r.y0+k)*rb])
		dst = dst[k*rb:]
		r.next += k
		done += k
	}
	if done == 0 && r.next >= r.height {
		return 0, io.EOF
	}
	return done, nil
}

// load fills the band with output rows from y0 on.
func (r *turnReader) load(y0 int) error {
	s := r.s
	if s.spill == nil {
		return fmt.Errorf("turning the image: read before it was written")
	}
	if r.band == nil {
		if s.swap {
			r.band = make([]byte, s.tw*s.out.RowBytes())
			r.tile = make([]byte, s.th*s.tw*s.bpp)
		} else {
			r.band = make([]byte, s.rows*s.out.RowBytes())
		}
	}
	if s.swap {
		return r.loadTiles(y0)
	}
	rb := s.in.RowBytes()
	h := s.in.Height
	n := min(s.rows, h-y0)
	from := y0
	if s.flip {
		from = h - y0 - n
	}
	buf := r.band[:n*rb]
	if _, err := s.spill.ReadAt(buf, int64(from)*int64(rb)); err != nil {
		return err
	}
	if s.flip {
		for a, b := 0, n-1; a < b; a, b = a+1, b-1 {
			swapRows(buf[a*rb:(a+1)*rb], buf[b*rb:(b+1)*rb])
		}
	}
	if s.flop {
		for k := 0; k < n; k++ {
			mirrorRow(buf[k*rb:(k+1)*rb], s.bpp)
		}
	}
	r.y0, r.n = y0, n
	return nil
}

// loadTiles makes output rows [y0, y0+tw) from one column of tiles.
func (r *turnReader) loadTiles(y0 int) error {
	s := r.s
	g := y0 / s.tw
	x0, x1 := s.tileCols(g)
	n := x1 - x0
	bpp := s.bpp
	ob := s.out.RowBytes() // = input height × bpp
	h := s.in.Height
	for by := 0; by < h; by += s.th {
		bh := min(s.th, h-by)
		tb := n * bpp
		t := r.tile[:bh*tb]
		if _, err := s.spill.ReadAt(t, s.tileAt(g, by, bh)); err != nil {
			return err
		}
		// Input pixel (x, y) goes to output row x-x0 (or its mirror when
		// flip) and column y (or h-1-y when flop).
		for ty := 0; ty < bh; ty++ {
			y := by + ty
			ox := y
			if s.flop {
				ox = h - 1 - y
			}
			src := t[ty*tb : (ty+1)*tb]
			d := ox * bpp
			step := ob
			if s.flip {
				d += (n - 1) * ob
				step = -ob
			}
			movePixels(r.band, src, d, step, n, bpp)
		}
	}
	r.y0, r.n = y0, n
	return nil
}

// movePixels copies the n pixels of src to dst at offsets d, d+step,
// d+2·step, …: a row of a tile into a column of the band.
func movePixels(dst, src []byte, d, step, n, bpp int) {
	switch bpp {
	case 1:
		for i := 0; i < n; i++ {
			dst[d] = src[i]
			d += step
		}
	case 3:
		for i := 0; i < n; i++ {
			p := dst[d : d+3]
			q := src[3*i : 3*i+3]
			p[0], p[1], p[2] = q[0], q[1], q[2]
			d += step
		}
	case 4:
		for i := 0; i < n; i++ {
			p := dst[d : d+4]
			q := src[4*i : 4*i+4]
			p[0], p[1], p[2], p[3] = q[0], q[1], q[2], q[3]
			d += step
		}
	default:
		for i := 0; i < n; i++ {
			copy(dst[d:d+bpp], src[i*bpp:])
			d += step
		}
	}
}

// swapRows exchanges two rows of the same length.
func swapRows(a, b []byte) {
	for i := range a {
		a[i], b[i] = b[i], a[i]
	}
}

// mirrorRow reverses the order of the pixels of a row in place.
func mirrorRow(row []byte, bpp int) {
	if bpp == 1 {
		for a, b := 0, len(row)-1; a < b; a, b = a+1, b-1 {
			row[a], row[b] = row[b], row[a]
		}
		return
	}
	for a, b := 0, len(row)-bpp; a < b; a, b = a+bpp, b-bpp {
		for k := 0; k < bpp; k++ {
			row[a+k], row[b+k] = row[b+k], row[a+k]
		}
	}
}

// flopReader mirrors each row of a reader left to right as it reads: a
// flop at the start of a chain needs no store.
type flopReader struct {
	r   raster.RowReader
	bpp int
	rb  int
}

// flopBands is a flopReader over a reader that decodes by bands, which it
// keeps doing.
type flopBands struct {
	*flopReader
	br raster.BandReader
}

func newFlopReader(r raster.RowReader) raster.RowReader {
	h := r.Header()
	f := &flopReader{r: r, bpp: h.Pixel.BytesPerPixel(), rb: h.RowBytes()}
	if br, ok := r.(raster.BandReader); ok && br.BandRows() > 0 {
		return &flopBands{flopReader: f, br: br}
	}
	return f
}

// Header is the reader's: a flop keeps the size.
func (f *flopReader) Header() raster.Header { return f.r.Header() }

// ReadRows reads rows and mirrors them.
func (f *flopReader) ReadRows(dst []byte) (int, error) {
	n, err := f.r.ReadRows(dst)
	f.mirror(dst[:n*f.rb])
	return n, err
}

func (f *flopReader) mirror(rows []byte) {
	for k := 0; k+f.rb <= len(rows); k += f.rb {
		mirrorRow(rows[k:k+f.rb], f.bpp)
	}
}

// BandRows is the reader's.
func (f *flopBands) BandRows() int { return f.br.BandRows() }

// ReadBand decodes band i and mirrors its rows.
func (f *flopBands) ReadBand(i int, dst []byte) error {
	if err := f.br.ReadBand(i, dst); err != nil {
		return err
	}
	h := f.Header().Height
	rows := f.br.BandRows()
	n := min(rows, h-i*rows)
	f.mirror(dst[:n*f.rb])
	return nil
}

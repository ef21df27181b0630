package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memReader serves rows from a byte slice; failAt > 0 makes the read that
// reaches that row fail.
type memReader struct {
	h      raster.Header
	pix    []byte
	y      int
	failAt int
	reads  int
}

func (r *memReader) Header() raster.Header { return r.h }

func (r *memReader) ReadRows(dst []byte) (int, error) {
	rb := r.h.RowBytes()
	n := min(len(dst)/rb, r.h.Height-r.y)
	if n == 0 {
		return 0, io.EOF
	}
	if r.failAt > 0 && r.y+n > r.failAt {
		return 0, errors.New("disk on fire")
	}
	copy(dst, r.pix[r.y*rb:(r.y+n)*rb])
	r.y += n
	r.reads++
	return n, nil
}

// memWriter collects rows; failAt > 0 makes writing past that row fail.
type memWriter struct {
	buf    bytes.Buffer
	failAt int
	rows   int
	rb     int
}

func (w *memWriter) WriteRows(src []byte) error {
	w.rows += len(src) / w.rb
	if w.failAt > 0 && w.rows > w.failAt {
		return errors.New("disk full")
	}
	w.buf.Write(src)
	return nil
}

func (w *memWriter) Close() error { return nil }

// placedWriter takes rows in any order through RowsAt, as an uncompressed
// file does; failAt > 0 makes writing rows past it fail.
type placedWriter struct {
	pix    []byte
	rb     int
	failAt int
	rows   atomic.Int64
	at     bool // RowsAt was called
	seq    int  // bytes written by WriteRows
}

// WriteRows writes in order, for an engine that did not ask for RowsAt;
// mixing the two is an error.
func (w *placedWriter) WriteRows(src []byte) error {
	if w.at {
		return errors.New("WriteRows on a writer handed out RowsAt")
	}
	copy(w.pix[w.seq:], src)
	w.seq += len(src)
	return nil
}

func (w *placedWriter) Close() error { return nil }

func (w *placedWriter) RowsAt() raster.RowWriterAt {
	w.at = true
	return w
}

func (w *placedWriter) WriteRowsAt(y int, src []byte) error {
	n := len(src) / w.rb
	if w.failAt > 0 && y+n > w.failAt {
		return errors.New("disk full")
	}
	copy(w.pix[y*w.rb:], src)
	w.rows.Add(int64(n))
	return nil
}

func randomImage(w, h int, pf raster.PixelFormat, seed uint64) *memReader {
	rng := rand.New(rand.NewPCG(seed, 1))
	hd := raster.Header{Format: "mem", Width: w, Height: h, Pixel: pf}
	pix := make([]byte, hd.RowBytes()*h)
	// Smooth-ish content with noise, so filters have something to do.
	for i := range pix {
		pix[i] = byte(i/7%251) ^ byte(rng.IntN(16))
	}
	return &memReader{h: hd, pix: pix}
}

// reference filters the whole image as one tile.
func reference(t *testing.T, src *memReader, plan *filter.Plan) []byte {
	t.Helper()
	w, h := plan.OutputSize()
	dst := raster.NewTile(image.Rect(0, 0, w, h), plan.Output())
	s := &raster.Tile{Rect: src.h.Bounds(), Pix: src.pix, Stride: src.h.RowBytes(), Format: src.h.Pixel}
	if err := plan.Run(dst, s); err != nil {
		t.Fatal(err)
	}
	return dst.Pix
}

func run(t *testing.T, src *memReader, chain filter.Chain, o Options) ([]byte, *Job, error) {
	return runTo(t, src, chain, o, false)
}

// runTo is run, writing through RowsAt when placed is set.
func runTo(t *testing.T, src *memReader, chain filter.Chain, o Options, placed bool) ([]byte, *Job, error) {
	t.Helper()
	src.y = 0
	plan, err := chain.Plan(src.h.Width, src.h.Height, src.h.Pixel)
	if err != nil {
		t.Fatal(err)
	}
	w, h := plan.OutputSize()
	rb := w * plan.Output().BytesPerPixel()
	if placed {
		dst := &placedWriter{rb: rb, pix: make([]byte, rb*h)}
		job, err := New(src, dst, plan, o)
		if err != nil {
			return nil, nil, err
		}
		if err := job.Run(context.Background()); err != nil {
			return nil, job, err
		}
		if job.Workers() > 1 && dst.rows.Load() != int64(h) {
			t.Errorf("rows written through RowsAt: got %d, want %d", dst.rows.Load(), h)
		}
		return dst.pix, job, nil
	}
	dst := &memWriter{rb: rb}
	job, err := New(src, dst, plan, o)
	if err != nil {
		return nil, nil, err
	}
	err = job.Run(context.Background())
	return dst.buf.Bytes(), job, err
}

// TestSameBytes checks the promise of the engine: the output does not
// depend on workers, tile size or memory budget.
func TestSameBytes(t *testing.T) {
	chains := []string{
		"",
		"blur:2",
		"blur:1.5 sharpen median:1 invert",
		"shrink:3 blur:1",
		"crop:5,7,60,33 box:2",
		"sobel gray",
	}
	for _, pf := range []raster.PixelFormat{raster.RGB8, raster.RGBA16, raster.Gray8} {
		src := randomImage(97, 83, pf, 1)
		for _, spec := range chains {
			chain, err := filter.ParseChain(fields(spec))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := chain.Plan(src.h.Width, src.h.Height, pf)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, src, plan)
			for _, o := range []Options{
				{Workers: 1, Tile: 16},
				{Workers: 2, Tile: 37},
				{Workers: 8, Tile: 5},
				{Workers: 3, Tile: 1000},
				{Workers: 2, Tile: 64, Memory: 64 << 10},
			} {
				for _, placed := range []bool{false, true} {
					name := fmt.Sprintf("%s/%q/workers=%d/tile=%d/memory=%d/placed=%v", pf, spec, o.Workers, o.Tile, o.Memory, placed)
					t.Run(name, func(t *testing.T) {
						got, job, err := runTo(t, src, chain, o, placed)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, want) {
							t.Fatalf("got %d bytes differing from the whole-image result (%d bytes)", len(got), len(want))
						}
						if done, total := job.Progress(); done != total {
							t.Errorf("progress: got %d of %d rows", done, total)
						}
					})
				}
			}
		}
	}
}

func fields(s string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}

// TestMemoryBounded runs a very tall and a very wide image through a small
// budget: the peak bytes in flight never pass it.
func TestMemoryBounded(t *testing.T) {
	const budget = 256 << 10
	for _, size := range [][2]int{{64, 6000}, {6000, 64}, {1000, 1000}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			src := randomImage(size[0], size[1], raster.RGB8, 2)
			chain, _ := filter.ParseChain([]string{"blur:2"})
			_, job, err := run(t, src, chain, Options{Workers: 2, Memory: budget})
			if err != nil {
				t.Fatal(err)
			}
			st := job.Stats()
			if st.PeakBytes > budget {
				t.Errorf("peak bytes in flight: got %d, want at most the budget %d", st.PeakBytes, budget)
			}
			if st.PeakBytes == 0 {
				t.Errorf("peak bytes in flight: got 0, want the bands charged")
			}
		})
	}
}

func TestBudgetTooSmall(t *testing.T) {
	src := randomImage(5000, 10, raster.RGB8, 3)
	chain, _ := filter.ParseChain([]string{"blur:3"})
	_, _, err := run(t, src, chain, Options{Memory: 10 << 10})
	if err == nil {
		t.Fatal("got no error for a budget smaller than one band, want one")
	}
}

func TestReadError(t *testing.T) {
	src := randomImage(50, 400, raster.RGB8, 4)
	src.failAt = 200
	chain, _ := filter.ParseChain([]string{"blur:1"})
	_, _, err := run(t, src, chain, Options{Workers: 2, Tile: 16})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("disk on fire")) {
		t.Fatalf("got %v, want the reader's error", err)
	}
}

func TestShortImage(t *testing.T) {
	src := randomImage(50, 100, raster.RGB8, 5)
	src.h.Height = 120 // the header claims more rows than there are
	chain := filter.Chain{}
	plan, _ := chain.Plan(50, 120, raster.RGB8)
	dst := &memWriter{rb: 150}
	short := &shortReader{memReader: src, rows: 100}
	job, err := New(short, dst, plan, Options{Tile: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = job.Run(context.Background())
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
}

// shortReader ends after rows rows although its header says more.
type shortReader struct {
	*memReader
	rows int
}

func (r *shortReader) ReadRows(dst []byte) (int, error) {
	if r.y >= r.rows {
		return 0, io.EOF
	}
	rb := r.h.RowBytes()
	n := min(len(dst)/rb, r.rows-r.y)
	r.y += n
	return n, nil
}

func TestWriteError(t *testing.T) {
	src := randomImage(50, 400, raster.RGB8, 6)
	chain, _ := filter.ParseChain([]string{"invert"})
	plan, _ := chain.Plan(50, 400, raster.RGB8)
	dst := &memWriter{rb: 150, failAt: 100}
	job, err := New(src, dst, plan, Options{Workers: 2, Tile: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = job.Run(context.Background())
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("disk full")) {
		t.Fatalf("got %v, want the writer's error", err)
	}
	// The same through RowsAt, where a worker writes the band.
	placed := &placedWriter{rb: 150, pix: make([]byte, 150*400), failAt: 100}
	src.y = 0
	job, err = New(src, placed, plan, Options{Workers: 2, Tile: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = job.Run(context.Background())
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("disk full")) {
		t.Fatalf("through RowsAt: got %v, want the writer's error", err)
	}
}

// TestCancel cancels a long run: it returns promptly with the cause.
func TestCancel(t *testing.T) {
	src := randomImage(500, 3000, raster.RGB8, 7)
	chain, _ := filter.ParseChain([]string{"median:3", "median:3"})
	plan, _ := chain.Plan(500, 3000, raster.RGB8)
	dst := &memWriter{rb: 1500}
	job, err := New(src, dst, plan, Options{Workers: 2, Tile: 32})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stop now")
	time.AfterFunc(50*time.Millisecond, func() { cancel(stop) })
	start := time.Now()
	err = job.Run(ctx)
	if !errors.Is(err, stop) {
		t.Fatalf("got %v, want the cancellation cause", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to stop", d)
	}
}

// TestFewAllocations runs many small tiles and checks that the engine
// allocates per band, not per tile: band buffers are recycled rather than
// left to the garbage collector, and a tile's rectangles live in reused
// scratch. Without that, a long run's heap climbs towards twice its live
// size. The race detector makes allocation counts meaningless, so this
// test runs in the plain `go test` pass of .ci/run.
func TestFewAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector; run without -race")
	}
	src := randomImage(4096, 256, raster.RGB8, 9)
	for _, ops := range []string{"blur:2", "median:3", "blur:1 contrast:1.1 resize:0.9"} {
		t.Run(ops, func(t *testing.T) {
			chain, err := filter.ParseChain(fields(ops))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := chain.Plan(src.h.Width, src.h.Height, src.h.Pixel)
			if err != nil {
				t.Fatal(err)
			}
			const tileSide = 16
			tiles := (4096 / tileSide) * (256 / tileSide)
			src.y = 0
			job, err := New(src, discard{}, plan, Options{Workers: 2, Tile: tileSide, Memory: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			allocs := after.Mallocs - before.Mallocs
			if allocs > uint64(tiles)/4 {
				t.Errorf("%d allocations for %d tiles, want at most %d: something allocates per tile", allocs, tiles, tiles/4)
			}
		})
	}
}

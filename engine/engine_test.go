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
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The errors the test readers and writers fail with.
var (
	errDiskOnFire = errors.New("disk on fire")
	errDiskFull   = errors.New("disk full")
)

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
		return 0, errDiskOnFire
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
		return errDiskFull
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
		return errDiskFull
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
			chain := mustChain(t, "blur:2")
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

// mustChain parses a chain of operations separated by spaces.
func mustChain(t *testing.T, spec string) filter.Chain {
	t.Helper()
	chain, err := filter.ParseChain(fields(spec))
	if err != nil {
		t.Fatalf("ParseChain(%q): %v", spec, err)
	}
	return chain
}

// mustPlan plans chain for an image of w×h pixels in format pf.
func mustPlan(t *testing.T, chain filter.Chain, w, h int, pf raster.PixelFormat) *filter.Plan {
	t.Helper()
	plan, err := chain.Plan(w, h, pf)
	if err != nil {
		t.Fatalf("Plan(%d, %d, %v): %v", w, h, pf, err)
	}
	return plan
}

func TestBudgetTooSmall(t *testing.T) {
	src := randomImage(5000, 10, raster.RGB8, 3)
	_, _, err := run(t, src, mustChain(t, "blur:3"), Options{Memory: 10 << 10})
	if err == nil || !strings.Contains(err.Error(), "memory budget of 10.0 KiB is too small") {
		t.Fatalf("got %v, want the budget named as too small", err)
	}
}

func TestReadError(t *testing.T) {
	src := randomImage(50, 400, raster.RGB8, 4)
	src.failAt = 200
	_, _, err := run(t, src, mustChain(t, "blur:1"), Options{Workers: 2, Tile: 16})
	if !errors.Is(err, errDiskOnFire) {
		t.Fatalf("got %v, want the reader's error", err)
	}
}

// endReader serves its rows as memReader does and then fails at the end of
// the image as a codec does when the damage lies after the last row: with
// the last rows (withLast) or on the call after them. Extra makes it serve
// rows past the header's height instead.
type endReader struct {
	*memReader
	withLast bool
	extra    bool
	served   bool // the (0, io.EOF) or error after the last row was asked for
}

var errChecksum = errors.New("bad checksum after the last row")

func (r *endReader) ReadRows(dst []byte) (int, error) {
	rb := r.h.RowBytes()
	if r.y >= r.h.Height {
		r.served = true
		if r.extra {
			return min(len(dst)/rb, 1), nil
		}
		return 0, errChecksum // sticky, as codecs' errors are
	}
	n := min(len(dst)/rb, r.h.Height-r.y)
	copy(dst, r.pix[r.y*rb:(r.y+n)*rb])
	r.y += n
	if r.withLast && r.y == r.h.Height {
		return n, errChecksum
	}
	return n, nil
}

// TestErrorAfterLastRow checks that damage a codec finds only at the end of
// the file fails the run, for every way of reporting it, whatever the chain
// (a crop that needs only the first rows included) and however the output
// is written.
func TestErrorAfterLastRow(t *testing.T) {
	for _, tt := range []struct {
		name     string
		withLast bool
		extra    bool
		want     error
	}{
		{"error with the last rows", true, false, errChecksum},
		{"error after the last rows", false, false, errChecksum},
		{"rows past the height", false, true, nil},
	} {
		for _, spec := range []string{"", "blur:2", "crop:0,0,20,10", "rotate:90", "flip blur:1", "flop"} {
			for _, workers := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%q/workers=%d", tt.name, spec, workers), func(t *testing.T) {
					src := &endReader{memReader: randomImage(40, 90, raster.RGB8, 11), withLast: tt.withLast, extra: tt.extra}
					chain := mustChain(t, spec)
					plan := mustPlan(t, chain, 40, 90, raster.RGB8)
					w, h := plan.OutputSize()
					dst := &placedWriter{rb: w * 3, pix: make([]byte, w*3*h)}
					job, err := New(src, dst, plan, Options{Workers: workers, Tile: 16})
					if err != nil {
						t.Fatal(err)
					}
					err = job.Run(context.Background())
					switch {
					case tt.want != nil && !errors.Is(err, tt.want):
						t.Fatalf("got %v, want %v", err, tt.want)
					case tt.want == nil && (err == nil || !strings.Contains(err.Error(), "the reader returned more rows than the header's 90")):
						t.Fatalf("got %v, want an error about rows past the height", err)
					}
					if src.y != 90 {
						t.Errorf("rows read: got %d, want all 90", src.y)
					}
				})
			}
		}
	}
}

// TestReadsToEnd checks that a run asks its reader for the end of the
// image after the last row, also when a crop needs only the first rows.
func TestReadsToEnd(t *testing.T) {
	for _, spec := range []string{"", "crop:3,4,10,10", "shrink:7"} {
		t.Run(fmt.Sprintf("%q", spec), func(t *testing.T) {
			src := &endReader{memReader: randomImage(40, 90, raster.Gray8, 12)}
			ok := &eofReader{endReader: src}
			plan := mustPlan(t, mustChain(t, spec), 40, 90, raster.Gray8)
			w, _ := plan.OutputSize()
			job, err := New(ok, &memWriter{rb: w}, plan, Options{Workers: 2, Tile: 8})
			if err != nil {
				t.Fatal(err)
			}
			if err := job.Run(context.Background()); err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if !src.served {
				t.Errorf("the reader was not asked for the end of the image after its last row")
			}
		})
	}
}

// eofReader is an endReader that ends cleanly with io.EOF.
type eofReader struct{ *endReader }

func (r *eofReader) ReadRows(dst []byte) (int, error) {
	n, err := r.endReader.ReadRows(dst)
	if errors.Is(err, errChecksum) {
		return 0, io.EOF
	}
	return n, err
}

func TestShortImage(t *testing.T) {
	src := randomImage(50, 100, raster.RGB8, 5)
	src.h.Height = 120 // the header claims more rows than there are
	plan := mustPlan(t, filter.Chain{}, 50, 120, raster.RGB8)
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
	plan := mustPlan(t, mustChain(t, "invert"), 50, 400, raster.RGB8)
	dst := &memWriter{rb: 150, failAt: 100}
	job, err := New(src, dst, plan, Options{Workers: 2, Tile: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = job.Run(context.Background())
	if !errors.Is(err, errDiskFull) {
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
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("through RowsAt: got %v, want the writer's error", err)
	}
}

// TestCancel cancels a long run: it returns promptly with the cause.
func TestCancel(t *testing.T) {
	src := randomImage(500, 3000, raster.RGB8, 7)
	plan := mustPlan(t, mustChain(t, "median:3 median:3"), 500, 3000, raster.RGB8)
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
			// 2 MiB holds bands a tile high beside each worker's scratch,
			// so that the count measures tiles, not ever thinner bands.
			job, err := New(src, discard{}, plan, Options{Workers: 2, Tile: tileSide, Memory: 2 << 20})
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

// TestWorkersCapped asks for 100,000 workers on a small image: the budget
// caps them, the job says so, and the output is still the same.
func TestWorkersCapped(t *testing.T) {
	src := randomImage(800, 60, raster.RGB8, 13)
	chain := mustChain(t, "blur:2")
	plan := mustPlan(t, chain, 800, 60, raster.RGB8)
	want := reference(t, src, plan)
	const budget = 4 << 20
	got, job, err := run(t, src, chain, Options{Workers: 100_000, Memory: budget})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got output differing from the whole-image result")
	}
	asked, capped := job.Capped()
	if !capped || asked != 100_000 {
		t.Fatalf("Capped: got %d, %v, want 100000, true", asked, capped)
	}
	if w := job.Workers(); w < 1 || w > 1000 {
		t.Errorf("got %d workers, want between 1 and 1000 for a budget of 4 MiB", w)
	}
	if peak := job.Stats().PeakBytes; peak > budget {
		t.Errorf("peak bytes in flight: got %d, want at most %d", peak, budget)
	}
	_, job, err = run(t, src, chain, Options{Workers: 2, Memory: budget})
	if err != nil {
		t.Fatal(err)
	}
	if _, capped := job.Capped(); capped || job.Workers() != 2 {
		t.Errorf("2 workers: got %d workers, capped %v, want 2 and no cap", job.Workers(), capped)
	}
}

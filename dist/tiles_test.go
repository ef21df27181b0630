package dist

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// memWriter collects rows.
type memWriter struct{ buf bytes.Buffer }

func (w *memWriter) WriteRows(src []byte) error { w.buf.Write(src); return nil }
func (w *memWriter) Close() error               { return nil }

// filterImage runs chain over a synthetic w×h image in format pf, locally
// when tr is nil, else through tr with remoteOnly deciding whether local
// workers help. It returns the output bytes and the job's stats.
func filterImage(t *testing.T, tr Transport, chain string, pf raster.PixelFormat, w, h, tile int, remoteOnly bool) ([]byte, Stats) {
	t.Helper()
	ctx := testCtx(t)
	src := synth.New(w, h, pf, synth.Options{Seed: 7})
	defer src.Close()
	c, err := filter.ParseChain(strings.Fields(chain))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := c.Plan(w, h, pf)
	if err != nil {
		t.Fatal(err)
	}
	o := engine.Options{Workers: 2, Tile: tile, Memory: 4 << 20}
	var d *Dispatcher
	if tr != nil {
		d, err = Dispatch(ctx, tr, TileJob(src.Header(), c))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		o.Remote, o.RemoteOnly = NewTiles(d, plan, 8), remoteOnly
	}
	var out memWriter
	job, err := engine.New(src, &out, plan, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	var st Stats
	if d != nil {
		st = d.Stats()
	}
	return out.buf.Bytes(), st
}

// serveTiles runs n in-process workers serving FilterTiles on tr until the
// test ends.
func serveTiles(t *testing.T, tr Transport, n int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{Transport: tr, Workers: n}
	w.Handle(FilterHandler, FilterTiles())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Serve(ctx); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// TestSameBytes filters images through each transport, with and without
// local workers helping, and compares with the local run byte for byte.
func TestSameBytes(t *testing.T) {
	cases := []struct {
		chain string
		pf    raster.PixelFormat
		tile  int
	}{
		{"blur:2", raster.RGB8, 64},
		{"median:2 invert", raster.Gray8, 48},
		{"sharpen gray", raster.RGBA16, 40},
		{"crop:10,20,120,70 shrink:2 box:1", raster.GrayAlpha8, 32},
		{"resize:0.7 sobel", raster.RGB16, 64},
	}
	wants := make([][]byte, len(cases))
	for i, c := range cases {
		wants[i], _ = filterImage(t, nil, c.chain, c.pf, 151, 97, c.tile, false)
	}
	for _, tp := range transports(t) {
		t.Run(tp.name, func(t *testing.T) {
			tr := tp.coord(t)
			serveTiles(t, tp.worker(t), 2)
			for i, c := range cases {
				layouts := []bool{true}
				if i == 0 {
					// Local workers helping is the same path for every chain: once is enough.
					layouts = append(layouts, false)
				}
				for _, remoteOnly := range layouts {
					t.Run(fmt.Sprintf("%s/%v/remoteOnly=%v", c.chain, c.pf, remoteOnly), func(t *testing.T) {
						want := wants[i]
						got, st := filterImage(t, tr, c.chain, c.pf, 151, 97, c.tile, remoteOnly)
						if !bytes.Equal(got, want) {
							t.Fatalf("output differs from the local run (%d bytes, want %d)", len(got), len(want))
						}
						if remoteOnly && st.Accepted == 0 {
							t.Fatalf("got %d tiles done remotely, want some", st.Accepted)
						}
					})
				}
			}
		})
	}
}

// corrupt wraps the tile handler: its first n results (or all, n < 0)
// are spoiled by spoil.
func corrupt(n int64, spoil func([]byte) []byte) Handler {
	h := FilterTiles()
	var calls atomic.Int64
	return HandlerFunc(func(ctx context.Context, job Job, p []byte) ([]byte, error) {
		out, err := h.Handle(ctx, job, p)
		if err != nil {
			return nil, err
		}
		if k := calls.Add(1); n < 0 || k <= n {
			return spoil(out), nil
		}
		return out, nil
	})
}

// spoilers make results a bad worker could send.
var spoilers = []struct {
	name  string
	spoil func([]byte) []byte
}{
	{"short", func(b []byte) []byte { return b[:len(b)-1] }},
	{"another tile", func(b []byte) []byte {
		b = append([]byte(nil), b...)
		b[2]++ // the rectangle's Min.X
		return b
	}},
	{"garbage", func(b []byte) []byte { return []byte("not a tile at all, not even close") }},
	{"bad compression", func(b []byte) []byte {
		b = append([]byte(nil), b[:18]...)
		b[1] = flagCompressed
		return append(b, 0xff, 0xff, 0xff, 0xff, 0xff)
	}},
}

// TestBadResults: a worker whose first results are wrong cannot change
// the output: they are rejected, counted and the tiles done again; one
// that is always wrong fails the run with an error naming a tile.
func TestBadResults(t *testing.T) {
	for _, sp := range spoilers {
		t.Run(sp.name, func(t *testing.T) {
			want, _ := filterImage(t, nil, "blur:1", raster.RGB8, 130, 70, 32, false)
			tr := &Local{}
			serveHandler(t, tr, corrupt(3, sp.spoil))
			got, st := filterImage(t, tr, "blur:1", raster.RGB8, 130, 70, 32, true)
			if !bytes.Equal(got, want) {
				t.Fatal("output differs from the local run")
			}
			if st.Rejected != 3 {
				t.Fatalf("got %d rejected, want 3", st.Rejected)
			}
		})
	}
	t.Run("always", func(t *testing.T) {
		tr := &Local{}
		serveHandler(t, tr, corrupt(-1, spoilers[0].spoil))
		err := filterImageErr(t, tr, "blur:1", raster.RGB8, 130, 70, 32)
		if err == nil || !strings.Contains(err.Error(), "tile at ") || !strings.Contains(err.Error(), "5 deliveries") {
			t.Fatalf("got %v, want an error naming the tile and its 5 deliveries", err)
		}
	})
}

// serveHandler serves h under FilterHandler on tr with two goroutines until
// the test ends.
func serveHandler(t *testing.T, tr Transport, h Handler) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{Transport: tr, Workers: 2}
	w.Handle(FilterHandler, h)
	done := make(chan struct{})
	go func() { defer close(done); w.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// filterImageErr runs a remote-only job that is expected to fail and
// returns its error.
func filterImageErr(t *testing.T, tr Transport, chain string, pf raster.PixelFormat, w, h, tile int) error {
	ctx := testCtx(t)
	src := synth.New(w, h, pf, synth.Options{Seed: 7})
	defer src.Close()
	c, _ := filter.ParseChain(strings.Fields(chain))
	plan, err := c.Plan(w, h, pf)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Dispatch(ctx, tr, TileJob(src.Header(), c))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	job, err := engine.New(src, &memWriter{}, plan, engine.Options{Workers: 1, Tile: tile, Remote: NewTiles(d, plan, 4), RemoteOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return job.Run(ctx)
}

package dist

import (
	"bytes"
	"context"
	"fmt"
	"image"
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
	wantLocal, wantRemote := 2, 0
	if tr != nil {
		wantRemote = 8
		if remoteOnly {
			wantLocal = 0
		}
	}
	if job.Workers() != wantLocal || job.RemoteSlots() != wantRemote {
		t.Fatalf("job reports %d local workers and %d remote slots, want %d and %d", job.Workers(), job.RemoteSlots(), wantLocal, wantRemote)
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

func TestTileSide(t *testing.T) {
	plan := func(chain string, pf raster.PixelFormat, w, h int) *filter.Plan {
		c, err := filter.ParseChain(strings.Fields(chain))
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Plan(w, h, pf)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The largest tile must fit and the next larger must not.
	tileBytes := func(p *filter.Plan, s int) int64 {
		h := p.Halo()
		in := int64(s+2*h) * int64(s+2*h) * int64(p.Input().BytesPerPixel())
		return max(in, int64(s*s*p.Output().BytesPerPixel())) + tileHeaderMax
	}
	for _, c := range []struct {
		chain string
		pf    raster.PixelFormat
		limit int64
	}{
		{"blur:2", raster.RGB8, 1 << 20},
		{"median:4", raster.RGBA16, 1 << 20},
		{"blur:2", raster.Gray8, 1 << 20},
		{"sharpen", raster.RGB16, 8 << 20},
	} {
		p := plan(c.chain, c.pf, 10000, 10000)
		s := TileSide(p, c.limit)
		if s%64 != 0 || s < 64 || s > MaxTileSide {
			t.Errorf("%s %v: side %d", c.chain, c.pf, s)
			continue
		}
		if got := tileBytes(p, s); got > c.limit {
			t.Errorf("%s %v limit %d: side %d makes %d-byte tiles", c.chain, c.pf, c.limit, s, got)
		}
		if s < MaxTileSide && tileBytes(p, s+64) <= c.limit {
			t.Errorf("%s %v limit %d: side %d, but %d fits", c.chain, c.pf, c.limit, s, s+64)
		}
	}
	if s := TileSide(plan("blur:2", raster.RGB8, 10000, 10000), 0); s != MaxTileSide {
		t.Errorf("no limit: side %d, want %d", s, MaxTileSide)
	}
	if s := TileSide(plan("blur:2", raster.RGB8, 10000, 10000), 1000); s != 64 {
		t.Errorf("tiny limit: side %d, want 64", s)
	}
}

// dirtyPool is an allocator that hands out buffers full of garbage, as a
// pool of used buffers would, and counts those not given back.
type dirtyPool struct{ out int }

func (p *dirtyPool) alloc(n int) ([]byte, func()) {
	b := bytes.Repeat([]byte{0xa5}, n)
	p.out++
	released := false
	return b, func() {
		if released {
			panic("buffer given back twice")
		}
		released = true
		p.out--
	}
}

// TestCompressor checks that tiles are compressed when that pays, sent raw
// when not, that after a miss the next tiles go raw without a try, that
// every form decodes to the same pixels, and that every buffer taken from
// the allocator is given back once.
func TestCompressor(t *testing.T) {
	r := image.Rect(0, 0, 64, 32)
	flat := raster.NewTile(r, raster.RGB8) // zeros: compresses
	noise := raster.NewTile(r, raster.RGB8)
	for i := range noise.Pix {
		noise.Pix[i] = byte(i*7919>>3 ^ i*104729>>7)
	}
	var c compressor
	var pool dirtyPool
	decode := func(msg []byte, release func(), want *raster.Tile) {
		t.Helper()
		got, done, err := pixels(msg, 34, len(want.Pix), pool.alloc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Pix) {
			t.Fatal("pixels changed on the wire")
		}
		done()
		release()
		if pool.out != 0 {
			t.Fatalf("%d buffers not given back", pool.out)
		}
	}
	m, release := c.encodeTile(r, flat, pool.alloc)
	if m[1] != flagCompressed || len(m) > 34+len(flat.Pix)/4 {
		t.Fatalf("flat tile: flag %d, %d bytes", m[1], len(m))
	}
	decode(m, release, flat)
	m, release = c.encodeTile(r, noise, pool.alloc)
	if m[1] != 0 || len(m) != 34+len(noise.Pix) {
		t.Fatalf("noise tile: flag %d, %d bytes", m[1], len(m))
	}
	decode(m, release, noise)
	for i := range skipAfterMiss {
		if m, release := c.encodeTile(r, flat, pool.alloc); m[1] != 0 {
			t.Fatalf("tile %d after a miss was compressed; want raw until %d have gone", i, skipAfterMiss)
		} else {
			decode(m, release, flat)
		}
	}
	m, release = c.encodeTile(r, flat, pool.alloc)
	if m[1] != flagCompressed {
		t.Fatal("compression was not tried again after the skipped tiles")
	}
	decode(m, release, flat)
	// A sub-tile with a stride wider than its rows packs its rows.
	sub := noise.Sub(image.Rect(8, 4, 40, 20))
	want := raster.NewTile(sub.Rect, raster.RGB8)
	for y := sub.Rect.Min.Y; y < sub.Rect.Max.Y; y++ {
		copy(want.Row(y), sub.Row(y))
	}
	m, release = c.encodeTile(sub.Rect, sub, pool.alloc)
	if readRect(m[18:]) != sub.Rect {
		t.Fatalf("source rectangle %v, want %v", readRect(m[18:]), sub.Rect)
	}
	decode(m, release, want)
}

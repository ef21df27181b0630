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
	m, release := c.encodeTile(r, flat, 0, true, pool.alloc)
	if m[1] != flagCompressed || len(m) > 34+len(flat.Pix)/4 {
		t.Fatalf("flat tile: flag %d, %d bytes", m[1], len(m))
	}
	decode(m, release, flat)
	m, release = c.encodeTile(r, noise, 0, true, pool.alloc)
	if m[1] != 0 || len(m) != 34+len(noise.Pix) {
		t.Fatalf("noise tile: flag %d, %d bytes", m[1], len(m))
	}
	decode(m, release, noise)
	for i := range skipAfterMiss {
		if m, release := c.encodeTile(r, flat, 0, true, pool.alloc); m[1] != 0 {
			t.Fatalf("tile %d after a miss was compressed; want raw until %d have gone", i, skipAfterMiss)
		} else {
			decode(m, release, flat)
		}
	}
	m, release = c.encodeTile(r, flat, 0, true, pool.alloc)
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
	m, release = c.encodeTile(sub.Rect, sub, 0, true, pool.alloc)
	if readRect(m[18:]) != sub.Rect {
		t.Fatalf("source rectangle %v, want %v", readRect(m[18:]), sub.Rect)
	}
	decode(m, release, want)
}

// blur128 is blur:1 and its plan for a 128² RGB8 image.
func blur128(t *testing.T) (filter.Chain, *filter.Plan) {
	t.Helper()
	c, err := filter.ParseChain([]string{"blur:1"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := c.Plan(128, 128, raster.RGB8)
	if err != nil {
		t.Fatal(err)
	}
	return c, plan
}

// elsewhere hides its transport's knowledge of where the server runs: the
// ends that use it behave as if a network lay between them and the server.
type elsewhere struct{ Transport }

// TestCompressWhere checks when tiles travel compressed: not between a
// coordinator and a worker that both run on the server's machine (once a
// result has said so), and whenever either end runs elsewhere.
func TestCompressWhere(t *testing.T) {
	c, plan := blur128(t)
	dr := image.Rect(32, 32, 96, 96)
	src := raster.NewTile(plan.SourceRect(dr), raster.RGB8) // zeros: compresses well
	rawOut, rawIn := int64(34+len(src.Pix)), int64(18+dr.Dx()*dr.Dy()*3)
	for _, tc := range []struct {
		name                string
		coordOff, workerOff bool
		// whether the first and the second task, and their results, go compressed
		task1, task2, results bool
	}{
		{"both on the server's machine", false, false, true, false, false},
		{"worker elsewhere", false, true, true, true, true},
		{"coordinator elsewhere", true, false, true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			var tr Transport = new(Local)
			coord, worker := tr, tr
			if tc.coordOff {
				coord = elsewhere{tr}
			}
			if tc.workerOff {
				worker = elsewhere{tr}
			}
			serveTiles(t, worker, 1)
			d, err := Dispatch(ctx, coord, TileJob(raster.Header{Width: 128, Height: 128, Pixel: raster.RGB8}, c))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			tiles := NewTiles(d, plan, 4)
			var last Stats
			for i, wantZ := range []bool{tc.task1, tc.task2} {
				dst := raster.NewTile(dr, raster.RGB8)
				if err := tiles.Filter(ctx, dst, src); err != nil {
					t.Fatal(err)
				}
				st := d.Stats()
				out, in := st.BytesOut-last.BytesOut, st.BytesIn-last.BytesIn
				last = st
				if (out < rawOut) != wantZ || (in < rawIn) != tc.results {
					t.Errorf("tile %d: task of %d bytes (raw %d), result of %d (raw %d); want compressed %v and %v",
						i+1, out, rawOut, in, rawIn, wantZ, tc.results)
				}
				if !bytes.Equal(dst.Pix, make([]byte, len(dst.Pix))) {
					t.Fatalf("tile %d: pixels changed on the wire", i+1)
				}
			}
		})
	}
}

// TestHandlerReusesResults checks that the tile handler takes back a
// result's buffer once it is sent, and that a result made in a used buffer
// is whole: every pixel written again.
func TestHandlerReusesResults(t *testing.T) {
	c, plan := blur128(t)
	job := TileJob(raster.Header{Width: 128, Height: 128, Pixel: raster.RGB8}, c)
	job.ID = "reuse"
	dr := image.Rect(0, 0, 64, 64)
	noise := raster.NewTile(plan.SourceRect(dr), raster.RGB8)
	for i := range noise.Pix {
		noise.Pix[i] = byte(i*7919>>3 ^ i*104729>>7)
	}
	flat := raster.NewTile(plan.SourceRect(dr), raster.RGB8)
	ctx := context.WithValue(context.Background(), serverHostKey{}, true)
	h := FilterTiles()
	var z compressor
	first, _ := z.encodeTile(dr, noise, flagServerHost, false, allocate)
	out1, err := h.Handle(ctx, job, first)
	if err != nil {
		t.Fatal(err)
	}
	if out1[1] != flagServerHost {
		t.Fatalf("result flags %d between two ends on the server's machine, want %d (raw)", out1[1], flagServerHost)
	}
	h.(recycler).recycle(out1)
	second, _ := z.encodeTile(dr, flat, flagServerHost, false, allocate)
	out2, err := h.Handle(ctx, job, second)
	if err != nil {
		t.Fatal(err)
	}
	if &out2[0] != &out1[0] {
		t.Error("the second result did not reuse the first one's buffer")
	}
	if !bytes.Equal(out2[18:], make([]byte, len(out2)-18)) {
		t.Fatal("a result made in a used buffer kept pixels of the earlier one")
	}
}

// TestServerHost checks how a connection tells that it runs on the
// server's machine: by a loopback address or an in-process pipe, never by
// a name, which it does not resolve.
func TestServerHost(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:4222":   true,
		"127.8.9.10:4222":  true,
		"[::1]:4222":       true,
		"pipe":             true,
		"192.0.2.2:4222":   false,
		"[2001:db8::]:80":  false,
		"localhost:4222":   false,
		"example.com:4222": false,
		"":                 false,
	} {
		if got := serverHostAddr(addr); got != want {
			t.Errorf("serverHostAddr(%q) = %v, want %v", addr, got, want)
		}
	}
	s := testServer(t, ServerConfig{})
	if tr := jsTransport(t, s.URL, ConnectOptions{Creds: s.RunCreds}); !onServerHost(tr) {
		t.Errorf("a connection to %s is not seen as on the server's machine", s.URL)
	}
	if onServerHost(elsewhere{new(Local)}) || !onServerHost(new(Local)) {
		t.Error("a transport that does not say is taken for one on the server's machine, or Local is not")
	}
}

package dist

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
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
		{"crop:10,20,150,90 shrink:2 box:1", raster.GrayAlpha8, 32},
		{"resize:0.7 sobel", raster.RGB16, 64},
	}
	for _, tp := range transports(t) {
		t.Run(tp.name, func(t *testing.T) {
			tr := tp.coord(t)
			serveTiles(t, tp.worker(t), 2)
			for _, c := range cases {
				for _, remoteOnly := range []bool{true, false} {
					t.Run(fmt.Sprintf("%s/%v/remoteOnly=%v", c.chain, c.pf, remoteOnly), func(t *testing.T) {
						want, _ := filterImage(t, nil, c.chain, c.pf, 211, 157, c.tile, false)
						got, st := filterImage(t, tr, c.chain, c.pf, 211, 157, c.tile, remoteOnly)
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

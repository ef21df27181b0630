package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// TestStrategiesSameBytes runs diffuse with each strategy, over worker
// counts, band heights and image shapes, and checks every output against
// the fused chain run on the whole image at once.
func TestStrategiesSameBytes(t *testing.T) {
	shapes := [][2]int{{37, 29}, {5, 1}, {1, 9}, {64, 3}, {3, 40}}
	for _, pf := range []raster.PixelFormat{raster.Gray8, raster.RGBA8, raster.RGB16} {
		for _, sh := range shapes {
			src := randomImage(sh[0], sh[1], pf, 7)
			for _, n := range []int{1, 3, 8} {
				chain := filter.Chain{filter.Diffuse{N: n, K: 0.1}}
				plan, err := chain.Plan(sh[0], sh[1], pf)
				if err != nil {
					t.Fatal(err)
				}
				want := reference(t, src, plan)
				for _, s := range []Strategy{Fused, Steps, Exchange} {
					for _, o := range []Options{{Workers: 1, Tile: 16}, {Workers: 2, Tile: 1}, {Workers: 3, Tile: 4}, {Workers: 5, Tile: 256}} {
						o.Strategy, o.Memory = s, 64<<20
						name := fmt.Sprintf("%v/%dx%d/N=%d/%v/workers=%d/tile=%d", pf, sh[0], sh[1], n, s, o.Workers, o.Tile)
						got, job, err := runTo(t, src, chain, o, o.Workers == 3)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if d := firstDiff(got, want); d != "" {
							t.Fatalf("%s: %s", name, d)
						}
						if st, _ := job.Strategy(); st != s {
							t.Fatalf("%s: ran %v", name, st)
						}
						if rows, total := job.Progress(); rows != total {
							t.Errorf("%s: %d of %d rows counted", name, rows, total)
						}
						x := job.Stats().Exchanges
						if s == Exchange && (len(x) != 1 || len(x[0].Parts) != min(o.Workers, sh[1])) {
							t.Errorf("%s: exchange stats %+v, want one stage with a strip per worker", name, x)
						}
					}
				}
			}
		}
	}
}

// firstDiff says where got first differs from want, or "".
func firstDiff(got, want []byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d bytes, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Sprintf("byte %d: got %d, want %d", i, got[i], want[i])
		}
	}
	return ""
}

// TestStrategyPick checks which strategy the job picks for a 4000-wide
// RGB image, and that its reason names what decided.
func TestStrategyPick(t *testing.T) {
	for _, c := range []struct {
		chain  string
		height int
		memory int64
		force  Strategy
		want   Strategy
		why    string
	}{
		{"blur:2", 4000, 0, Auto, Fused, "not iterative"},
		{"diffuse:1", 4000, 0, Auto, Steps, "without recomputing"},
		{"diffuse:1", 4000, 1 << 30, Auto, Steps, "sweep it from memory"},
		{"diffuse:1", 4000, 64 << 10, Auto, Fused, "the steps strategy needs"},
		{"diffuse:50", 4000, 0, Auto, Steps, "more than the budget of 32.0 MiB"},
		{"diffuse:50", 4000, 1 << 30, Auto, Steps, "sweep it from memory"},
		{"diffuse:200", 4000, 0, Auto, Steps, "without recomputing"},
		{"diffuse:200", 4000, 12 << 20, Auto, Fused, "the steps strategy needs"},
		{"diffuse:200", 50, 16 << 20, Auto, Exchange, "steps would need"},
		{"diffuse:10", 4000, 0, Fused, Fused, "as asked"},
		{"diffuse:10", 4000, 1 << 30, Steps, Steps, "as asked"},
		{"diffuse:10", 4000, 1 << 30, Exchange, Exchange, "as asked"},
	} {
		hd := raster.Header{Format: "mem", Width: 4000, Height: c.height, Pixel: raster.RGB8}
		t.Run(fmt.Sprintf("%s/%d/%d/%v", c.chain, c.height, c.memory, c.force), func(t *testing.T) {
			chain, err := filter.ParseChain(fields(c.chain))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := chain.Plan(hd.Width, hd.Height, hd.Pixel)
			if err != nil {
				t.Fatal(err)
			}
			job, err := New(&memReader{h: hd}, discard{}, plan, Options{Workers: 2, Memory: c.memory, Strategy: c.force})
			if err != nil {
				t.Fatal(err)
			}
			got, why := job.Strategy()
			if got != c.want || !strings.Contains(why, c.why) || !strings.HasPrefix(why, c.want.String()+":") {
				t.Errorf("got %v (%q), want %v with %q", got, why, c.want, c.why)
			}
		})
	}
}

// TestStrategyRefused asks for strategies that cannot run.
func TestStrategyRefused(t *testing.T) {
	hd := raster.Header{Format: "mem", Width: 4000, Height: 4000, Pixel: raster.RGB8}
	for _, c := range []struct {
		chain string
		force Strategy
		want  string
	}{
		{"diffuse:10", Exchange, "more than the memory budget of 32.0 MiB"},
		{"blur:2", Steps, "runs a lone diffuse"},
		{"diffuse:2 invert", Exchange, "runs a lone diffuse"},
	} {
		chain, _ := filter.ParseChain(fields(c.chain))
		plan, err := chain.Plan(hd.Width, hd.Height, hd.Pixel)
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(&memReader{h: hd}, discard{}, plan, Options{Workers: 2, Strategy: c.force})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s as %v: got %v, want %q", c.chain, c.force, err, c.want)
		}
	}
}

// TestStrategyFailures makes the reader and the writer fail under each
// strategy, and cancels a run: each returns its error, and goleak checks
// that nothing is left running.
func TestStrategyFailures(t *testing.T) {
	chain := filter.Chain{filter.Diffuse{N: 4, K: 0.05}}
	for _, s := range []Strategy{Steps, Exchange} {
		t.Run(s.String(), func(t *testing.T) {
			src := randomImage(40, 30, raster.RGB8, 3)
			src.failAt = 20
			if _, _, err := run(t, src, chain, Options{Workers: 2, Tile: 4, Strategy: s}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
				t.Errorf("read failure: got %v", err)
			}
			src.failAt = 0
			plan, _ := chain.Plan(40, 30, raster.RGB8)
			dst := &memWriter{rb: 120, failAt: 10}
			src.y = 0
			job, err := New(src, dst, plan, Options{Workers: 2, Tile: 4, Strategy: s})
			if err != nil {
				t.Fatal(err)
			}
			if err := job.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Errorf("write failure: got %v", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			src.y = 0
			job, err = New(src, &memWriter{rb: 120}, plan, Options{Workers: 2, Tile: 4, Strategy: s})
			if err != nil {
				t.Fatal(err)
			}
			if err := job.Run(ctx); err != context.Canceled {
				t.Errorf("cancelled: got %v, want context.Canceled", err)
			}
		})
	}
}

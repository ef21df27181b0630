package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// discard is a RowWriter that drops its rows.
type discard struct{}

func (discard) WriteRows([]byte) error { return nil }
func (discard) Close() error           { return nil }

// BenchmarkRun filters a 4000×4000 photo-like RGB image held in memory,
// so the figure is the engine and the filter without a disk: compare the
// workers=1 and workers=2 lines of one run for the scaling of the filter
// stage. MB/s counts input bytes.
func BenchmarkRun(b *testing.B) {
	const side = 4000
	h := raster.Header{Width: side, Height: side, Pixel: raster.RGB8}
	pix := make([]byte, side*h.RowBytes())
	src := synth.New(side, side, raster.RGB8, synth.Options{Seed: 1})
	if err := readFull(src, pix); err != nil {
		b.Fatal(err)
	}
	for _, op := range []string{"median:2", "blur:2", "sharpen", "median:3"} {
		chain, err := filter.ParseChain([]string{op})
		if err != nil {
			b.Fatal(err)
		}
		plan, err := chain.Plan(side, side, raster.RGB8)
		if err != nil {
			b.Fatal(err)
		}
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("op=%s/workers=%d", op, workers), func(b *testing.B) {
				b.SetBytes(int64(len(pix)))
				for b.Loop() {
					r := &memReader{h: h, pix: pix}
					job, err := New(r, discard{}, plan, Options{Workers: workers})
					if err != nil {
						b.Fatal(err)
					}
					if err := job.Run(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDiffuse runs diffuse:N on a 2000×2000 photo-like RGB image
// held in memory with each strategy, the fused one first as the baseline:
// compare the lines of one run for where they cross.
func BenchmarkDiffuse(b *testing.B) {
	const side = 2000
	h := raster.Header{Width: side, Height: side, Pixel: raster.RGB8}
	pix := make([]byte, side*h.RowBytes())
	if err := readFull(synth.New(side, side, raster.RGB8, synth.Options{Seed: 1}), pix); err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 10, 50} {
		plan, err := filter.Chain{filter.Diffuse{N: n, K: filter.DefaultDiffuseK}}.Plan(side, side, raster.RGB8)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []Strategy{Fused, Steps, Exchange} {
			b.Run(fmt.Sprintf("N=%d/%v", n, s), func(b *testing.B) {
				b.SetBytes(int64(len(pix)))
				for b.Loop() {
					job, err := New(&memReader{h: h, pix: pix}, discard{}, plan, Options{Memory: 1 << 30, Strategy: s})
					if err != nil {
						b.Fatal(err)
					}
					if err := job.Run(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkTurn turns a 3000×3000 photo-like RGB image held in memory,
// with the scratch in a file (Scratch.Dir) as a large image's is, beside
// a plain copy of the same image in the same run: the difference is the
// cost of the turn's scratch round trip. MB/s counts input bytes.
func BenchmarkTurn(b *testing.B) {
	const side = 3000
	h := raster.Header{Width: side, Height: side, Pixel: raster.RGB8}
	pix := make([]byte, side*h.RowBytes())
	if err := readFull(synth.New(side, side, raster.RGB8, synth.Options{Seed: 1}), pix); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, op := range []string{"copy", "flop", "flip", "rotate:90", "transpose"} {
		var chain filter.Chain
		if op != "copy" {
			c, err := filter.ParseChain([]string{op})
			if err != nil {
				b.Fatal(err)
			}
			chain = c
		}
		plan, err := chain.Plan(side, side, raster.RGB8)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("op="+op, func(b *testing.B) {
			b.SetBytes(int64(len(pix)))
			for b.Loop() {
				job, err := New(&memReader{h: h, pix: pix}, discard{}, plan, Options{Workers: 2, Scratch: raster.SpillOptions{Dir: dir}})
				if err != nil {
					b.Fatal(err)
				}
				if err := job.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

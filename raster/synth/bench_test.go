package synth

import (
	"fmt"
	"io"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

// BenchmarkGenerate reads a 2048×2048 image through a buffer of 64 rows.
// MB/s counts output bytes; px/ns is pixels per nanosecond.
func BenchmarkGenerate(b *testing.B) {
	const w, h = 2048, 2048
	for _, pf := range []raster.PixelFormat{raster.RGB8, raster.Gray8, raster.RGBA16} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%v/workers=%d", pf, workers), func(b *testing.B) {
				hdr := raster.Header{Width: w, Height: h, Pixel: pf}
				buf := make([]byte, 64*hdr.RowBytes())
				b.SetBytes(hdr.Bytes())
				b.ReportAllocs()
				for b.Loop() {
					r := New(w, h, pf, Options{Seed: 1})
					if workers > 1 {
						if _, err := bandtest.Decode(r, workers); err != nil {
							b.Fatal(err)
						}
						continue
					}
					for {
						if _, err := r.ReadRows(buf); err == io.EOF {
							break
						} else if err != nil {
							b.Fatal(err)
						}
					}
					r.Close()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(w*h), "ns/px")
			})
		}
	}
}

// BenchmarkRow measures the renderer alone on one core, without the
// pipeline: the cost of a row of 4096 pixels.
func BenchmarkRow(b *testing.B) {
	const w = 4096
	for _, pf := range []raster.PixelFormat{raster.RGB8, raster.Gray8, raster.RGBA8, raster.RGB16} {
		b.Run(pf.String(), func(b *testing.B) {
			s := newScene(w, w, pf, 1)
			rd := newRenderer(s)
			out := make([]byte, w*pf.BytesPerPixel())
			b.SetBytes(int64(len(out)))
			y := 0
			for b.Loop() {
				rd.row(y, out)
				y = (y + 1) % w
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/w, "ns/px")
		})
	}
}

// BenchmarkNew measures building a scene: the fixed cost of New.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(20000, 20000, raster.RGB8, Options{Seed: 1}).Close()
	}
}

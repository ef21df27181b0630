package filter

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// benchImage is a w×h RGB8 picture: smooth gradients and waves with some
// noise, closer to a photograph than uniform noise is.
func benchImage(w, h int) *raster.Tile {
	t := raster.NewTile(image.Rect(0, 0, w, h), raster.RGB8)
	rng := rand.New(rand.NewPCG(11, 12))
	for y := 0; y < h; y++ {
		row := t.Row(y)
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			v := [3]float64{
				128 + 100*math.Sin(fx*20+fy*3),
				255 * fx * fy,
				128 + 90*math.Cos(fy*31-fx*7),
			}
			for c := range v {
				row[3*x+c] = byte(min(max(v[c]+float64(rng.IntN(21)-10), 0), 255))
			}
		}
	}
	return t
}

var benchOps = []string{
	"blur:2", "box:3", "sharpen", "sobel", "conv:0,-1,0,-1,5,-1,0,-1,0",
	"median:1", "median:2", "erode:2", "dilate:2",
	"gray", "invert", "brightness:0.1", "contrast:1.5", "gamma:2.2", "threshold:0.5", "levels:0.1,0.9",
	"crop:100,100,800,800", "shrink:2", "resize:0.9", "resize:0.5", "resize:2",
}

// BenchmarkOps runs each operation on a 1024×1024 RGB8 tile, fused (the
// Plan) beside the naive float64 reference of the same operation. MB/s
// counts input bytes.
func BenchmarkOps(b *testing.B) {
	const n = 1024
	src := benchImage(n, n)
	for _, spec := range benchOps {
		op, err := Parse(spec)
		if err != nil {
			b.Fatal(err)
		}
		p, err := Chain{op}.Plan(n, n, raster.RGB8)
		if err != nil {
			b.Fatal(err)
		}
		w, h := p.OutputSize()
		dst := raster.NewTile(image.Rect(0, 0, w, h), p.Output())
		b.Run(spec+"/fused", func(b *testing.B) {
			b.SetBytes(int64(len(src.Pix)))
			b.ReportAllocs()
			defer reportCPU(b, len(src.Pix))()
			for b.Loop() {
				if err := p.Run(dst, src); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(spec+"/naive", func(b *testing.B) {
			b.SetBytes(int64(len(src.Pix)))
			defer reportCPU(b, len(src.Pix))()
			for b.Loop() {
				refEncode(refApply(op, refDecode(src.Pix, n, n, raster.RGB8)), p.Output())
			}
		})
	}
}

// BenchmarkChain runs a fused chain on 256-row strips of a 2048-wide RGB8
// image, the way an engine would feed it, with the halo recomputed per strip.
func BenchmarkChain(b *testing.B) {
	const w, h, strip = 2048, 1024, 256
	src := benchImage(w, h)
	for _, spec := range [][]string{{"blur:2"}, {"sharpen"}, {"median:2"}, {"blur:1.5", "sharpen", "median:1", "shrink:3", "invert"},
		{"crop:100,100,1848,824", "resize:0.9", "conv:0,-1,0,-1,5,-1,0,-1,0"}, {"blur:1", "resize:0.5", "sharpen"}} {
		c, _ := ParseChain(spec)
		p, err := c.Plan(w, h, raster.RGB8)
		if err != nil {
			b.Fatal(err)
		}
		ow, oh := p.OutputSize()
		dst := raster.NewTile(image.Rect(0, 0, ow, oh), p.Output())
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src.Pix)))
			defer reportCPU(b, len(src.Pix))()
			for b.Loop() {
				for y := 0; y < oh; y += strip {
					r := image.Rect(0, y, ow, min(y+strip, oh))
					if err := p.Run(dst.Sub(r), src.Sub(p.SourceRect(r))); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// reportCPU starts measuring CPU time; the function it returns reports CPU
// time per operation and the throughput that CPU time stands for
// (cpu-MB/s), which stay meaningful when other programs share the cores.
func reportCPU(b *testing.B, bytes int) func() {
	start := cpuTime()
	return func() {
		d := cpuTime() - start
		if d <= 0 || b.N == 0 {
			return
		}
		per := float64(d.Nanoseconds()) / float64(b.N)
		b.ReportMetric(per/1e6, "cpu-ms/op")
		b.ReportMetric(float64(bytes)/per*1e3, "cpu-MB/s")
	}
}

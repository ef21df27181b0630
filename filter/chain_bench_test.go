package filter

import (
	"image"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// BenchmarkIntChain runs chains that take integer kernels on a 1024×1024
// image three ways, each a sub-benchmark: "int" (the plan), "float32" (the
// same plan without its integer kernels, the baseline) and "parts" (each
// operation planned and run alone on the previous one's output, as
// separate runs would). cpu-ms/op stays meaningful on a shared machine.
func BenchmarkIntChain(b *testing.B) {
	const n = 1024
	rgb := benchImage(n, n)
	for _, tt := range []struct {
		chain string
		f     raster.PixelFormat
	}{
		{"blur:2", raster.RGB8},
		{"blur:2 invert", raster.RGB8},
		{"blur:2 median:1", raster.RGB8},
		{"gray levels:0.1,0.9 blur:1", raster.RGB8},
		{"blur:1 resize:0.5 sharpen", raster.RGB8},
		{"resize:0.5", raster.RGB8},
		{"resize:0.1", raster.RGB8},
		{"resize:2", raster.RGB8},
		{"sharpen", raster.RGB8},
		{"blur:2", raster.RGBA8},
		{"sharpen", raster.RGBA8},
		{"resize:0.5", raster.RGBA8},
		{"resize:0.1", raster.RGBA8},
		{"resize:2", raster.RGBA8},
		{"sharpen", raster.RGB16},
	} {
		src := convertTile(rgb, tt.f)
		c, err := ParseChain(strings.Fields(tt.chain))
		if err != nil {
			b.Fatal(err)
		}
		p, err := c.Plan(n, n, tt.f)
		if err != nil {
			b.Fatal(err)
		}
		if p.fixed == nil {
			b.Fatalf("%s on %v: no integer kernels (%q)", tt.chain, tt.f, p.Kernels())
		}
		ow, oh := p.OutputSize()
		dst := raster.NewTile(image.Rect(0, 0, ow, oh), p.Output())
		name := strings.ReplaceAll(tt.chain, " ", "+") + "/" + tt.f.String()
		for _, way := range []string{"int", "float32", "parts"} {
			b.Run(name+"/"+way, func(b *testing.B) {
				b.SetBytes(int64(len(src.Pix)))
				defer reportCPU(b, len(src.Pix))()
				switch way {
				case "int", "float32":
					q := p
					if way == "float32" {
						q = floatPlan(p)
					}
					for b.Loop() {
						if err := q.Run(dst, src); err != nil {
							b.Fatal(err)
						}
					}
				case "parts":
					var plans []*Plan
					var outs []*raster.Tile
					in := src
					for _, op := range c {
						q := mustPlan(b, Chain{op}, in)
						w, h := q.OutputSize()
						outs = append(outs, raster.NewTile(image.Rect(0, 0, w, h), q.Output()))
						plans = append(plans, q)
						in = outs[len(outs)-1]
					}
					for b.Loop() {
						in := src
						for i, q := range plans {
							if err := q.Run(outs[i], in); err != nil {
								b.Fatal(err)
							}
							in = outs[i]
						}
					}
				}
			})
		}
	}
}

// convertTile returns the RGB8 tile t in format f: gray from green, alpha
// a ramp across the image, 16 bits by repeating the byte.
func convertTile(t *raster.Tile, f raster.PixelFormat) *raster.Tile {
	if f == raster.RGB8 {
		return t
	}
	o := raster.NewTile(t.Rect, f)
	for y := t.Rect.Min.Y; y < t.Rect.Max.Y; y++ {
		for x := t.Rect.Min.X; x < t.Rect.Max.X; x++ {
			i := t.PixOffset(x, y)
			px := []int{int(t.Pix[i]), int(t.Pix[i+1]), int(t.Pix[i+2])}
			if !f.Color() {
				px = px[1:2]
			}
			if f.HasAlpha() {
				px = append(px, x*255/t.Rect.Dx())
			}
			if f.Depth == 16 {
				for k := range px {
					px[k] *= 257
				}
			}
			setPixel(o, x, y, px)
		}
	}
	return o
}

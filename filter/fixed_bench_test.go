package filter

import (
	"image"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// BenchmarkFixedPath runs the operations that have an integer fast path
// on 256×256 tiles of a 2048×512 RGB8 image (the engine's default tile),
// once through the fast path and once through the float32 planes, in the
// same run. MB/s counts input bytes.
func BenchmarkFixedPath(b *testing.B) {
	const w, h, tile = 2048, 512, 256
	for _, f := range []raster.PixelFormat{raster.RGB8, raster.RGB16} {
		src := benchImage(w, h)
		if f.Depth == 16 {
			src = widen16(src)
		}
		for _, spec := range []string{"blur:2", "sharpen", "blur:0.6"} {
			op, err := Parse(spec)
			if err != nil {
				b.Fatal(err)
			}
			p, err := Chain{op}.Plan(w, h, f)
			if err != nil {
				b.Fatal(err)
			}
			if p.fixed == nil {
				b.Fatalf("%s on %v: no fast path", spec, f)
			}
			float := floatPlan(p)
			dst := raster.NewTile(image.Rect(0, 0, w, h), f)
			for _, path := range []struct {
				name string
				p    *Plan
			}{{"fixed", p}, {"float", float}} {
				b.Run(spec+"/"+f.String()+"/path="+path.name, func(b *testing.B) {
					b.SetBytes(int64(len(src.Pix)))
					defer reportCPU(b, len(src.Pix))()
					for b.Loop() {
						for y := 0; y < h; y += tile {
							for x := 0; x < w; x += tile {
								r := image.Rect(x, y, x+tile, y+tile)
								if err := path.p.Run(dst.Sub(r), src.Sub(p.SourceRect(r))); err != nil {
									b.Fatal(err)
								}
							}
						}
					}
				})
			}
		}
	}
}

// widen16 returns t as RGB16, each 8-bit sample v becoming v·257.
func widen16(t *raster.Tile) *raster.Tile {
	o := raster.NewTile(t.Rect, raster.RGB16)
	for i, v := range t.Pix {
		o.Pix[2*i], o.Pix[2*i+1] = v, v
	}
	return o
}

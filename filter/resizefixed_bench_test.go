package filter

import (
	"fmt"
	"image"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// BenchmarkResize16 runs resize:0.1 (with a box), 0.5 and 2 on a 2048×512
// 16-bit image, gray and RGB, in 256×256 output tiles, through
// resizeFixed's vector kernels (path=asm), their pure-Go twins (path=go)
// and the float32 planes (path=float), in the same run. MB/s counts input
// bytes.
func BenchmarkResize16(b *testing.B) {
	defer func(old bool) { useAsm = old }(useAsm)
	const w, h, tile = 2048, 512, 256
	rgb := widen16(benchImage(w, h))
	gray := raster.NewTile(rgb.Rect, raster.Gray16)
	copy(gray.Pix, rgb.Pix)
	for _, src := range []*raster.Tile{gray, rgb} {
		f := src.Format
		for _, s := range []float64{0.1, 0.5, 2} {
			p, err := Chain{Resize{S: s}}.Plan(w, h, f)
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := p.fixed.(*resizeFixed); !ok {
				b.Fatalf("resize:%g on %v: kernels %q, want resize16", s, f, p.Kernels())
			}
			ow, oh := p.OutputSize()
			dst := raster.NewTile(image.Rect(0, 0, ow, oh), f)
			for _, path := range []string{"asm", "go", "float"} {
				run := p
				if path == "float" {
					run = floatPlan(p)
				}
				b.Run(fmt.Sprintf("%g/%v/path=%s", s, f, path), func(b *testing.B) {
					useAsm = path != "go"
					b.SetBytes(int64(len(src.Pix)))
					defer reportCPU(b, len(src.Pix))()
					for b.Loop() {
						for y := 0; y < oh; y += tile {
							for x := 0; x < ow; x += tile {
								r := image.Rect(x, y, min(x+tile, ow), min(y+tile, oh))
								if err := run.Run(dst.Sub(r), src.Sub(p.SourceRect(r))); err != nil {
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

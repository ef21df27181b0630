package filter

import (
	"fmt"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// BenchmarkMedian8 runs a lone median on a 1024×1024 RGB8 tile through the
// fast path with the AVX2 kernels, the same path with the pure-Go kernels,
// and the float path it replaced (a sliding histogram for 5×5, sorted
// float32 columns for 3×3), in the same run. MB/s counts input bytes.
func BenchmarkMedian8(b *testing.B) {
	const n = 1024
	src := benchImage(n, n)
	for _, r := range []int{1, 2} {
		p, err := Chain{Median{r}}.Plan(n, n, raster.RGB8)
		if err != nil {
			b.Fatal(err)
		}
		dst := raster.NewTile(src.Rect, raster.RGB8)
		benchPaths(b, fmt.Sprintf("median:%d", r), p, dst, src)
	}
}

// BenchmarkMedianWide is BenchmarkMedian8 for the word kernels, on
// 1024×1024 RGBA8 (premultiplied words) and RGB16 tiles: the AVX2
// kernels, the pure-Go ones, and the float path they replace.
func BenchmarkMedianWide(b *testing.B) {
	const n = 1024
	rgb := benchImage(n, n)
	for _, f := range []raster.PixelFormat{raster.RGBA8, raster.RGB16} {
		src := convertTile(rgb, f)
		dst := raster.NewTile(src.Rect, f)
		for _, r := range []int{1, 2} {
			p, err := Chain{Median{r}}.Plan(n, n, f)
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := p.fixed.(*medianWide); !ok {
				b.Fatalf("median:%d on %v: kernels %q, want medianWide", r, f, p.Kernels())
			}
			benchPaths(b, fmt.Sprintf("median:%d/%v", r, f), p, dst, src)
		}
	}
}

// benchPaths runs p on src into dst under name/path=…: with the AVX2
// kernels, with the pure-Go ones, and on the float path it replaced. MB/s
// counts input bytes.
func benchPaths(b *testing.B, name string, p *Plan, dst, src *raster.Tile) {
	for _, path := range []string{"asm", "go", "float"} {
		b.Run(name+"/path="+path, func(b *testing.B) {
			if path == "asm" && !asmSupported() {
				b.Skip("no vector kernels on this build or CPU")
			}
			defer func(old bool) { useAsm = old }(useAsm)
			useAsm = path == "asm"
			q := p
			if path == "float" {
				q = floatPlan(p)
			}
			b.SetBytes(int64(len(src.Pix)))
			defer reportCPU(b, len(src.Pix))()
			for b.Loop() {
				if err := q.Run(dst, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

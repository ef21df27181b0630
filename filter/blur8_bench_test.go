package filter

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkBlurKernel runs the vertical then the horizontal pass of the
// 8-bit blur over one RGB row 2048 pixels wide (256 for the engine's tile),
// through the AVX2 kernels and the pure-Go kernels in the same run. MB/s
// counts output bytes, which equal input bytes.
func BenchmarkBlurKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, sigma := range []float64{0.6, 2, 5} {
		for _, width := range []int{256, 2048} {
			f := newBlur8(sigma, 3, false, 0)
			n := width * 3
			rows := kernelRowsBench(rng, f.r, n+2*f.r*3)
			m := make([]int16, n+2*f.r*3)
			d := make([]byte, n)
			for _, path := range []string{"asm", "go"} {
				name := fmt.Sprintf("sigma=%g/width=%d/path=%s", sigma, width, path)
				b.Run(name, func(b *testing.B) {
					if path == "asm" && !asmSupported() {
						b.Skip("no vector kernels on this build or CPU")
					}
					defer func(old bool) { useAsm = old }(useAsm)
					useAsm = path == "asm"
					b.SetBytes(int64(n))
					defer reportCPU(b, n)()
					for b.Loop() {
						f.vert(m, rows)
						f.horiz(d, m)
					}
				})
			}
		}
	}
}

// kernelRowsBench returns 2r+1 rows of n random samples.
func kernelRowsBench(rng *rand.Rand, r, n int) [][]byte {
	rows := make([][]byte, 2*r+1)
	for k := range rows {
		rows[k] = make([]byte, n)
		for i := range rows[k] {
			rows[k][i] = byte(rng.IntN(256))
		}
	}
	return rows
}

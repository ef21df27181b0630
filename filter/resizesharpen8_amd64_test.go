//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestResizeSharpenKernels checks that resizeSharpen8 gives the same bytes
// through the AVX2 kernels as through the pure-Go ones, with and without a
// blur folded into the resize, reducing (with a box too) and enlarging,
// gray and RGB, at sizes narrower than a vector and wider than several, on
// noise, on hard edges (the largest ringing) and on full scale.
func TestResizeSharpenKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	defer func(old bool) { useAsm = old }(useAsm)
	rng := rand.New(rand.NewPCG(53, 54))
	for _, chain := range []string{"resize:0.5 sharpen", "blur:1 resize:0.5 sharpen", "blur:0.4 resize:0.77 sharpen:2,1.5",
		"resize:0.1 sharpen:0.5,0.5", "resize:2 sharpen:1.5,1", "blur:3 resize:1 sharpen:0.3,4"} {
		c, err := ParseChain(strings.Fields(chain))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGB8} {
			for _, sz := range [][2]int{{1, 1}, {7, 5}, {61, 41}, {301, 23}} {
				t.Run(fmt.Sprintf("%s/%v/%dx%d", chain, f, sz[0], sz[1]), func(t *testing.T) {
					checkAsmAgainstGo(t, rng, c, f, sz[0], sz[1], "resize8+sharpen8", func(p *Plan) bool {
						_, ok := p.fixed.(*resizeSharpen8)
						return ok
					})
				})
			}
		}
	}
}

// TestResizeWideHorizontal checks the horizontal kernels that store
// samples with fraction bits, 4 channels included, which no plan takes
// yet, against hres8wGo on random samples between the passes, whose sums
// reach past both ends of the clamp.
func TestResizeWideHorizontal(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	rng := rand.New(rand.NewPCG(55, 56))
	const n = 97
	for _, c := range []int{1, 3, 4} {
		taps := 12
		if c == 1 {
			taps = 16
		}
		m := make([]int16, (n+taps)*c+16)
		for i := range m {
			m[i] = int16(rng.IntN(20000) - 2000)
		}
		w := make([]int16, n*taps)
		for i := range w {
			w[i] = int16(rng.IntN(6000) - 1000)
		}
		offs := make([]int32, n)
		for x := range offs {
			offs[x] = int32(x * c)
		}
		// The vector kernels store four samples a pixel: room past the last.
		got, want := make([]int16, n*c+4), make([]int16, n*c+4)
		switch c {
		case 1:
			hres8wc1AVX2(got[:n], m, offs, w, taps, 14)
		case 3:
			hres8wc3AVX2(got[:n*c], m, offs, w, taps, 14, pairMasks[3])
		case 4:
			hres8wc4AVX2(got[:n*c], m, offs, w, taps, 14, pairMasks[4])
		}
		hres8wGo(want, m, offs, w, taps, c, 14)
		for i := range n * c {
			if got[i] != want[i] {
				t.Fatalf("%d channels: sample %d: got %d, want %d", c, i, got[i], want[i])
			}
		}
	}
}

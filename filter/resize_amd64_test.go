//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestResizeKernels checks that resize8 gives the same bytes through the
// AVX2 kernels as through the pure-Go ones: every scale from 1/20 (with
// a box) to 4×, gray and RGB, sizes narrower than a vector and wider than
// several, on noise, on hard edges (the largest ringing) and on full scale.
func TestResizeKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	defer func(old bool) { useAsm = old }(useAsm)
	rng := rand.New(rand.NewPCG(41, 42))
	for _, s := range []float64{0.05, 0.1, 0.2, 0.26, 0.37, 0.5, 0.77, 1, 1.5, 2, 4} {
		for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGB8} {
			for _, sz := range [][2]int{{1, 1}, {7, 5}, {61, 41}, {301, 23}} {
				t.Run(fmt.Sprintf("%g/%v/%dx%d", s, f, sz[0], sz[1]), func(t *testing.T) {
					checkAsmAgainstGo(t, rng, Chain{Resize{S: s}}, f, sz[0], sz[1], "resize8", func(p *Plan) bool {
						_, ok := p.fixed.(*resize8)
						return ok
					})
				})
			}
		}
	}
}

// checkAsmAgainstGo plans c for w×h tiles of format f holding noise, hard
// edges (the largest ringing) and full scale, checks with takes that the
// plan runs the kernel named kernel, and that the AVX2 kernels give the
// same bytes as the pure-Go ones; full scale must stay 255 everywhere.
func checkAsmAgainstGo(t *testing.T, rng *rand.Rand, c Chain, f raster.PixelFormat, w, h int, kernel string, takes func(*Plan) bool) {
	t.Helper()
	for _, input := range []string{"noise", "edges", "full"} {
		src := randomTile(rng, w, h, f)
		switch input {
		case "edges":
			edgeTile(src)
		case "full":
			for i := range src.Pix {
				src.Pix[i] = 255
			}
		}
		p := mustPlan(t, c, src)
		if !takes(p) {
			t.Fatalf("kernels %q, want %s", p.Kernels(), kernel)
		}
		useAsm = true
		got := runWhole(t, p, src)
		useAsm = false
		want := runWhole(t, p, src)
		if d := firstDiff(got.Pix, want.Pix, f, got.Rect.Dx(), 0); d != "" {
			t.Errorf("%s: AVX2 against Go: %s", input, d)
		}
		if input == "full" {
			for i, v := range got.Pix {
				if v != 255 {
					t.Fatalf("full scale: sample %d: got %d, want 255", i, v)
				}
			}
		}
	}
}

// TestResizeHorizontal4 checks the 4-channel horizontal kernel, which no
// plan takes yet, against hres8Go on random samples between the passes.
func TestResizeHorizontal4(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	const c, n, taps = 4, 97, 12
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
	got, want := make([]byte, n*c), make([]byte, n*c)
	hres8c4AVX2(got, m, offs, w, taps, 20, pairMasks[4])
	hres8Go(want, m, offs, w, taps, c, 20)
	if i := firstMismatch(got, want); i >= 0 {
		t.Fatalf("sample %d: got %d, want %d", i, got[i], want[i])
	}
}

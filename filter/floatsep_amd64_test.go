//go:build amd64 && !purego

package filter

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestFloatSepKernels checks that the AVX2 kernels of the float32 path
// give the bits of their pure-Go twins, for every radius of a Gaussian's
// symmetric kernel and lengths around the vector width, on samples in
// [0, 1], beyond it (sharpen's overshoot) and at float32's extremes.
func TestFloatSepKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	sample := func(i int) float32 {
		switch i % 7 {
		case 0:
			return 0
		case 1:
			return 1
		case 2:
			return float32(rng.NormFloat64() * 1e3)
		case 3:
			return math.SmallestNonzeroFloat32 * float32(rng.IntN(100))
		default:
			return rng.Float32()
		}
	}
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = sample(rng.IntN(1 << 20))
		}
		return v
	}
	run := func(asm bool, f func()) {
		defer func(old bool) { useAsm = old }(useAsm)
		useAsm = asm
		f()
	}
	for r := 0; r <= maxSepTaps; r++ {
		w := fill(r + 1)
		for _, n := range []int{1, 7, 8, 9, 16, 31, 67} {
			rows := make([][]float32, 2*r+1)
			for k := range rows {
				rows[k] = fill(n)
			}
			got, want := make([]float32, n), make([]float32, n)
			run(true, func() { convColSym(got, rows, w) })
			run(false, func() { convColSym(want, rows, w) })
			if !slices.EqualFunc(got, want, sameBits) {
				t.Fatalf("convColSym, radius %d, %d samples: AVX2 %v, Go %v", r, n, got, want)
			}
		}
	}
	for _, n := range []int{1, 8, 15, 16, 100} {
		d, a, b, c := fill(n), fill(n), fill(n), fill(n)
		k := fill(3)
		got, want := slices.Clone(d), slices.Clone(d)
		run(true, func() { axpy3(got, a, b, c, k[0], k[1], k[2]) })
		run(false, func() { axpy3(want, a, b, c, k[0], k[1], k[2]) })
		if !slices.EqualFunc(got, want, sameBits) {
			t.Fatalf("axpy3, %d samples: AVX2 %v, Go %v", n, got, want)
		}
	}
}

// sameBits compares floats bit for bit (so that NaNs compare too).
func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// TestHresLanczos checks the grouped horizontal Lanczos pass: the AVX2
// gathers give the bits of the pure-Go twin, and whole float32 resize
// plans (a chain the integer kernels do not take) give the same bytes
// through either, at scales that shrink and enlarge, across tile edges.
func TestHresLanczos(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	src := make([]float32, 400)
	for i := range src {
		src[i] = rng.Float32()*1.4 - 0.2
	}
	for _, groups := range []int{1, 2, 5} {
		var idx, n []int32
		var w []float32
		for g := range groups {
			ng := 1 + rng.IntN(14)
			n = append(n, int32(ng))
			for i := range 8 {
				idx = append(idx, int32(g*20+i*2))
			}
			for range ng * 8 {
				w = append(w, float32(rng.NormFloat64()))
			}
		}
		got, want := make([]float32, 8*groups), make([]float32, 8*groups)
		func() {
			defer func(old bool) { useAsm = old }(useAsm)
			useAsm = true
			hresLanczos(got, src, idx, w, n)
			useAsm = false
			hresLanczos(want, src, idx, w, n)
		}()
		if !slices.EqualFunc(got, want, sameBits) {
			t.Fatalf("%d groups: AVX2 %v, Go %v", groups, got, want)
		}
	}
	for _, spec := range []string{"blur:1 resize:0.5 sharpen", "resize:0.37 sobel", "box:1 resize:1.7", "resize:0.21 conv:0,-1,0,-1,5,-1,0,-1,0"} {
		c, err := ParseChain(strings.Fields(spec))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []raster.PixelFormat{raster.RGB8, raster.Gray16} {
			img := randomTile(rng, 157, 61, f)
			p := mustPlan(t, c, img)
			run := func(asm bool) []byte {
				defer func(old bool) { useAsm = old }(useAsm)
				useAsm = asm
				ow, oh := p.OutputSize()
				return runTiled(t, p, img, cuts(rng, ow, 40), cuts(rng, oh, 30), false).Pix
			}
			if a, b := run(true), run(false); !bytes.Equal(a, b) {
				t.Errorf("%s on %v: the AVX2 pass gives other bytes than the pure-Go one", spec, f)
			}
		}
	}
}

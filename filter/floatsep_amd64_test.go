//go:build amd64 && !purego

package filter

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
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

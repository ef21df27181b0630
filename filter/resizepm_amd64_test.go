//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestResizePMKernels checks that the AVX2 kernels of the premultiplied
// resize give the pure-Go kernels' bits: both passes on the weights of
// real resizes and random words, and the division on sums that ring past
// both ends of the range, on zero and faint alpha.
func TestResizePMKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(63, 64))
	run := func(asm bool, f func()) {
		defer func(old bool) { useAsm = old }(useAsm)
		useAsm = asm
		f()
	}
	for _, s := range []float64{0.05, 0.1, 0.3, 0.5, 1, 2, 4} {
		const w, h = 97, 61
		k, _, _ := newResizePM(Resize{S: s}, 0, w, h, 4)
		t.Run(fmt.Sprint(s), func(t *testing.T) {
			// Vertical: each output row's taps over random words.
			for y := range k.ys.n {
				ws := k.yw[k.ys.off[y]:k.ys.off[y+1]]
				rows := make([][]float32, len(ws))
				for j := range rows {
					rows[j] = randomWords(rng, 4*13+3)
				}
				got, want := make([]float32, 4*13+3), make([]float32, 4*13+3)
				run(true, func() { vresPM(got, rows, ws) })
				run(false, func() { vresPM(want, rows, ws) })
				if !slices.Equal(floatBits(got), floatBits(want)) {
					t.Fatalf("row %d: vertical: got %v, want %v", y, got, want)
				}
			}
			// Horizontal: every output column over one row of words.
			bw := Resize{S: s}.boxedLen(w)
			m := randomWords(rng, (bw+k.xs.most)*4)
			offs := make([]int32, len(k.xs.n))
			for x := range offs {
				offs[x] = int32(k.xs.first[x] * 4)
			}
			got, want := make([]float32, 4*len(offs)), make([]float32, 4*len(offs))
			run(true, func() { hresPM(got, m, offs, k.xw, k.xs.most, 4) })
			run(false, func() { hresPM(want, m, offs, k.xw, k.xs.most, 4) })
			if !slices.Equal(floatBits(got), floatBits(want)) {
				t.Fatalf("horizontal: got %v, want %v", got, want)
			}
		})
	}
	for _, c := range []int{2, 4} {
		k, _, _ := newResizePM(Resize{S: 0.1}, 0, 50, 50, c)
		for _, full := range []float32{255 * 255, k.fullA} {
			h := make([]float32, 8*c+c-1)
			for i := range h {
				switch rng.IntN(5) {
				case 0:
					h[i] = 0
				case 1:
					h[i] = float32(rng.NormFloat64()) // faint, or below 0
				case 2:
					h[i] = full * (1 + 0.1*rng.Float32()) // past full scale
				default:
					h[i] = full * rng.Float32() * 1.05
				}
			}
			got, want := make([]byte, len(h)), make([]byte, len(h))
			run(true, func() { unpremulResPM(got, h, c, k.k1, float32(255/full), full) })
			run(false, func() { unpremulResPM(want, h, c, k.k1, float32(255/full), full) })
			if !slices.Equal(got, want) {
				t.Fatalf("%d channels, full %g: division: got %v, want %v (sums %v)", c, full, got, want, h)
			}
		}
	}
}

// randomWords returns n premultiplied words: 0 a tenth of the time, else
// anywhere in 0 … 65,025.
func randomWords(rng *rand.Rand, n int) []float32 {
	w := make([]float32, n)
	for i := range w {
		if rng.IntN(10) > 0 {
			w[i] = float32(rng.IntN(65026))
		}
	}
	return w
}

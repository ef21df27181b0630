//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// pmResult is what blurPM8's four steps compute on one input.
type pmResult struct {
	pre, v, h []uint32 // float32 bits
	d, s      []byte   // blurred, sharpened
}

func floatBits(f []float32) []uint32 {
	b := make([]uint32, len(f))
	for i, v := range f {
		b[i] = math.Float32bits(v)
	}
	return b
}

// runPM runs blurPM8's steps on 2r+1 rows of pixels, through the vector
// kernels when asm is set: each row premultiplied, the vertical pass,
// its result padded with words either side, the horizontal pass, the
// division, and the sharpening of the centre row by the blur.
func runPM(f *blurPM8, rows [][]byte, amount float32, asm bool) pmResult {
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	r, c, n := f.r, f.c, len(rows[0])
	var res pmResult
	pre := make([][]float32, len(rows))
	for k, row := range rows {
		pre[k] = make([]float32, n)
		premulPM(pre[k], row, c)
		res.pre = append(res.pre, floatBits(pre[k])...)
	}
	v := make([]float32, n)
	vertPM(v, pre, f.w)
	res.v = floatBits(v)
	m := make([]float32, n+2*r*c)
	copy(m[r*c:], v)
	for j := range r * c {
		m[j], m[len(m)-1-j] = v[j%n], v[n-1-j%n]
	}
	h := make([]float32, n)
	horizPM(h, m, c, f.w)
	res.h = floatBits(h)
	res.d = make([]byte, n)
	unpremulPM(res.d, h, c)
	res.s = make([]byte, n)
	unsharpPM(res.s, pre[r], h, c, amount)
	return res
}

// TestBlurPMKernels checks that the AVX2 kernels of the premultiplied
// blur and sharpen give the pure-Go kernels' bits for every radius, both alpha
// formats and row lengths around the vector width, on random pixels and
// on the edge cases: transparent, opaque, alpha 1 under full colour.
func TestBlurPMKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(61, 62))
	inputs := map[string]func(i, c int) byte{
		"random":      func(i, c int) byte { return byte(rng.IntN(256)) },
		"transparent": func(i, c int) byte { return 0 },
		"opaque":      func(i, c int) byte { return []byte{byte(rng.IntN(256)), 255}[min(i%c/(c-1), 1)] },
		"faint":       func(i, c int) byte { return []byte{255, byte(rng.IntN(2))}[min(i%c/(c-1), 1)] },
		"mixed":       func(i, c int) byte { return []byte{0, 1, 128, 254, 255}[rng.IntN(5)] },
	}
	for _, sigma := range kernelSigmas() {
		for _, c := range []int{2, 4} {
			f, _ := newBlurPM8(sigma, c)
			for name, gen := range inputs {
				for _, px := range []int{1, 2, 3, 5, 9, 33} {
					n := px * c
					rows := make([][]byte, 2*f.r+1)
					for k := range rows {
						rows[k] = make([]byte, n)
						for i := range rows[k] {
							rows[k][i] = gen(i, c)
						}
					}
					amount := float32(rng.Float64() * fixedSharpenMaxAmount)
					got, want := runPM(f, rows, amount, true), runPM(f, rows, amount, false)
					where := fmt.Sprintf("sigma %g, %d channels, %s, %d pixels", sigma, c, name, px)
					for _, s := range []struct {
						step      string
						got, want []uint32
					}{{"premultiply", got.pre, want.pre}, {"vertical", got.v, want.v}, {"horizontal", got.h, want.h}} {
						if i := slices.Compare(s.got, s.want); i != 0 {
							t.Fatalf("%s: %s: got %x, want %x", where, s.step, s.got, s.want)
						}
					}
					if !slices.Equal(got.d, want.d) {
						t.Fatalf("%s: unpremultiply: got %v, want %v", where, got.d, want.d)
					}
					if !slices.Equal(got.s, want.s) {
						t.Fatalf("%s: sharpen by %g: got %v, want %v", where, amount, got.s, want.s)
					}
				}
			}
		}
	}
}

//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/sys/cpu"
)

// asmSupported reports whether the vector kernels can run on this CPU.
func asmSupported() bool { return cpu.X86.HasAVX2 }

// kernelSigmas give every radius from 1 to maxFixedRadius.
func kernelSigmas() []float64 {
	s := []float64{0.1, 0.3}
	for r := 2; r <= maxFixedRadius; r++ {
		s = append(s, float64(r)/3)
	}
	return s
}

// kernelResult is what the three kernels compute on one input.
type kernelResult struct {
	v []int16
	h []byte
	s []byte
}

// runKernels runs the vertical pass on rows of n samples and both
// horizontal passes on its result, padded with r·c intermediates either
// side, through the vector kernels when asm is set.
func runKernels(f *blur8, rows [][]byte, n int, asm bool) kernelResult {
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	r, c := f.r, f.c
	var res kernelResult
	res.v = make([]int16, n)
	f.vert(res.v, rows)
	m := make([]int16, n+2*r*c)
	copy(m[r*c:], res.v)
	for j := range r * c {
		m[j] = int16(j * 997 % (255<<blur8Frac + 1))
		m[len(m)-1-j] = 255<<blur8Frac - m[j]
	}
	res.h = make([]byte, n)
	f.horiz(res.h, m)
	res.s = make([]byte, n)
	f.sharpenRow(res.s, rows[r], m)
	return res
}

// kernelRows returns 2r+1 rows of n random samples, each starting off
// bytes into its own buffer, with values drawn from 0…maxV.
func kernelRows(rng *rand.Rand, r, n, off, maxV int) [][]byte {
	rows := make([][]byte, 2*r+1)
	for k := range rows {
		buf := make([]byte, n+off)
		for i := range buf {
			buf[i] = byte(rng.IntN(maxV + 1))
		}
		rows[k] = buf[off:]
	}
	return rows
}

// compareKernels fails t where the vector and pure-Go kernels differ.
func compareKernels(t *testing.T, f *blur8, rows [][]byte, n int) {
	t.Helper()
	got := runKernels(f, rows, n, true)
	want := runKernels(f, rows, n, false)
	if i := firstMismatch(got.v, want.v); i >= 0 {
		t.Fatalf("vertical pass, sample %d of %d: got %d, want %d", i, n, got.v[i], want.v[i])
	}
	if i := firstMismatch(got.h, want.h); i >= 0 {
		t.Fatalf("horizontal pass, sample %d of %d: got %d, want %d", i, n, got.h[i], want.h[i])
	}
	if i := firstMismatch(got.s, want.s); i >= 0 {
		t.Fatalf("sharpen with amount %g, sample %d of %d: got %d, want %d", f.amount, i, n, got.s[i], want.s[i])
	}
}

func firstMismatch[T comparable](a, b []T) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestBlurKernels checks that the AVX2 kernels give the same integers as
// the pure-Go kernels for every radius, 1 and 3 channels, every row length
// up to 100 and some long ones, from unaligned starts, on noise and on
// full-scale rows (the largest sums), with sharpen amounts up to the
// largest the fast path takes.
func TestBlurKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	lengths := []int{}
	for n := 0; n <= 100; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 255, 256, 257, 1000, 4099)
	for _, sigma := range kernelSigmas() {
		for _, c := range []int{1, 3} {
			f := newBlur8(sigma, c, true, rng.Float64()*fixedSharpenMaxAmount)
			t.Run(fmt.Sprintf("r=%d/c=%d", f.r, c), func(t *testing.T) {
				for _, n := range lengths {
					off := rng.IntN(32)
					compareKernels(t, f, kernelRows(rng, f.r, n, off, 255), n)
					full := kernelRows(rng, f.r, n, off, 0)
					for _, row := range full {
						for i := range row {
							row[i] = 255
						}
					}
					compareKernels(t, f, full, n)
				}
			})
		}
	}
}

// TestBlurKernelsFullScale checks the extreme sums: a full-scale input
// gives 255<<blur8Frac after the vertical pass and 255 after both passes.
func TestBlurKernelsFullScale(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	for _, sigma := range []float64{0.1, 2, 8} {
		f := newBlur8(sigma, 3, false, 0)
		t.Run(fmt.Sprint(sigma), func(t *testing.T) {
			const n = 200
			rows := kernelRows(rand.New(rand.NewPCG(1, 2)), f.r, n, 0, 0)
			for _, row := range rows {
				for i := range row {
					row[i] = 255
				}
			}
			got := runKernels(f, rows, n, true)
			for i, v := range got.v {
				if v != 255<<blur8Frac {
					t.Fatalf("vertical sample %d: got %d, want %d", i, v, 255<<blur8Frac)
				}
			}
			// Output i reads intermediates i to i+2rc; the first and last
			// rc are padding.
			rc := f.r * f.c
			inner := got.h[rc : n-rc]
			if i := slices.IndexFunc(inner, func(b byte) bool { return b != 255 }); i >= 0 {
				t.Fatalf("horizontal sample %d: got %d, want 255", rc+i, inner[i])
			}
		})
	}
}

// FuzzBlurKernels compares the AVX2 and pure-Go kernels on fuzzed rows.
func FuzzBlurKernels(f *testing.F) {
	f.Add(uint8(6), uint8(3), uint8(0), []byte("a row of samples, long enough for a block or two of them"))
	f.Add(uint8(24), uint8(1), uint8(5), make([]byte, 300))
	f.Add(uint8(1), uint8(3), uint8(1), []byte{255, 255, 255, 0, 0, 0, 255, 0, 255, 0, 255, 0, 1, 2, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, radius, channels, off uint8, data []byte) {
		amount := float64(off) / 255 * fixedSharpenMaxAmount
		if !asmSupported() {
			t.Skip("the CPU has no AVX2; the vector kernels cannot run")
		}
		r := 1 + int(radius)%maxFixedRadius
		c := 1 + 2*(int(channels)%2)
		b := newBlur8(float64(r)/3, c, true, amount)
		if b.r != r {
			t.Fatalf("sigma %g: radius %d, want %d", float64(r)/3, b.r, r)
		}
		if len(data) > 1<<14 {
			data = data[:1<<14]
		}
		o := min(int(off)%16, len(data))
		n := max(0, (len(data)-o)/(2*r+1))
		rows := make([][]byte, 2*r+1)
		for k := range rows {
			rows[k] = data[o+k*n : o+(k+1)*n]
		}
		compareKernels(t, b, rows, n)
	})
}

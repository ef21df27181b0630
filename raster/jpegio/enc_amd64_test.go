//go:build amd64 && !purego

package jpegio

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"golang.org/x/sys/cpu"
)

// kernelInputs returns n-byte inputs for the kernels: random bytes, and
// the extremes (all 0, all 255, alternating 0 and 255, a ramp).
func kernelInputs(rng *rand.Rand, n int) map[string][]byte {
	in := map[string][]byte{}
	for _, name := range []string{"random", "zero", "max", "alternate", "ramp"} {
		b := make([]byte, n)
		for i := range b {
			switch name {
			case "random":
				b[i] = byte(rng.Uint32())
			case "max":
				b[i] = 255
			case "alternate":
				b[i] = byte(255 * (i & 1))
			case "ramp":
				b[i] = byte(i)
			}
		}
		in[name] = b
	}
	return in
}

func requireAVX2(t *testing.T) {
	t.Helper()
	if !cpu.X86.HasAVX2 {
		t.Skip("this CPU has no AVX2: the vector kernels cannot run")
	}
}

// TestFdctQuantAVX2 compares the vector forward DCT and quantisation with
// fdctQuantGo on random and extreme blocks, at every quality from 1 to
// 100 with both tables.
func TestFdctQuantAVX2(t *testing.T) {
	requireAVX2(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const stride = 24
	srcs := kernelInputs(rng, 8*stride)
	// Blocks of checkers and of stripes give the largest coefficients.
	for name, f := range map[string]func(r, c int) bool{
		"checker": func(r, c int) bool { return (r+c)&1 == 0 },
		"rows":    func(r, c int) bool { return r&1 == 0 },
		"columns": func(r, c int) bool { return c < 4 },
	} {
		b := make([]byte, 8*stride)
		for r := range 8 {
			for c := range 8 {
				if f(r, c) {
					b[r*stride+c] = 255
				}
			}
		}
		srcs[name] = b
	}
	for q := 1; q <= 100; q++ {
		for tab := range 2 {
			qt := scaledQuant(tab, q)
			div := newDivisors(&qt)
			for name, src := range srcs {
				for trial := range 4 {
					if name == "random" {
						for i := range src {
							src[i] = byte(rng.Uint32())
						}
					} else if trial > 0 {
						break
					}
					var got, want [64]int16
					gm := fdctQuantAVX2(&got, &src[0], stride, &div.w16)
					wm := fdctQuantGo(&want, src, stride, div)
					if got != want || gm != wm {
						t.Fatalf("quality %d, table %d, %s block: got %v mask %x, want %v mask %x", q, tab, name, got, gm, want, wm)
					}
				}
			}
		}
	}
}

// TestRgbToYCCAVX2 compares the colour conversion, through the dispatch
// that hands the tail to Go, with rgbToYCCGo on every length up to 70
// pixels and a long row.
func TestRgbToYCCAVX2(t *testing.T) {
	requireAVX2(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for name, src := range kernelInputs(rng, 3*1001) {
		for _, n := range append(seq(71), 1001) {
			var got, want [3][]byte
			for c := range 3 {
				got[c], want[c] = make([]byte, n), make([]byte, n)
			}
			rgbToYCC(src[:3*n], got[0], got[1], got[2])
			rgbToYCCGo(src[:3*n], want[0], want[1], want[2])
			for c := range 3 {
				if !bytes.Equal(got[c], want[c]) {
					t.Fatalf("%s, %d pixels, component %d: got %v, want %v", name, n, c, got[c], want[c])
				}
			}
		}
	}
}

// TestDownsampleAVX2 compares both chroma downsamplings, through the
// dispatch that hands the tail to Go, with the pure-Go ones.
func TestDownsampleAVX2(t *testing.T) {
	requireAVX2(t)
	rng := rand.New(rand.NewPCG(5, 6))
	in := kernelInputs(rng, 2*500)
	rev := kernelInputs(rng, 2*500)
	for name, a := range in {
		for _, n := range append(seq(100), 500) {
			b := rev["random"]
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				got, want := make([]byte, n), make([]byte, n)
				down2x1(got, a[:2*n])
				down2x1Go(want, a[:2*n])
				if !bytes.Equal(got, want) {
					t.Fatalf("2x1: got %v, want %v", got, want)
				}
				down2x2(got, a[:2*n], b[:2*n])
				down2x2Go(want, a[:2*n], b[:2*n])
				if !bytes.Equal(got, want) {
					t.Fatalf("2x2: got %v, want %v", got, want)
				}
			})
		}
	}
}

// seq returns 0, 1, …, n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestEncodeAsmSameBytes checks that whole files are the same bytes with
// the vector kernels and with the pure-Go ones, for every subsampling,
// gray and 16-bit input, and sizes that leave partial MCUs.
func TestEncodeAsmSameBytes(t *testing.T) {
	requireAVX2(t)
	for _, c := range []struct {
		o WriterOptions
		f raster.PixelFormat
	}{
		{WriterOptions{}, raster.RGB8}, {WriterOptions{Subsample: "422", Quality: 75}, raster.RGB8},
		{WriterOptions{Subsample: "444", Quality: 100}, raster.RGB8}, {WriterOptions{Optimize: true, Quality: 5}, raster.RGB8},
		{WriterOptions{}, raster.Gray8}, {WriterOptions{BandRows: 1}, raster.RGBA16},
	} {
		t.Run(fmt.Sprintf("q%d-%s-opt%v-rows%d-%v", c.o.Quality, c.o.Subsample, c.o.Optimize, c.o.BandRows, c.f), func(t *testing.T) {
			h := raster.Header{Width: 173, Height: 67, Pixel: c.f}
			pix := photo(t, h.Width, h.Height, c.f)
			got := encode(t, h, pix, c.o)
			defer func(old bool) { useAsm = old }(useAsm)
			useAsm = false
			if want := encode(t, h, pix, c.o); !bytes.Equal(got, want) {
				t.Errorf("got %d bytes with the vector kernels that differ from the %d of the pure-Go ones", len(got), len(want))
			}
		})
	}
}

// BenchmarkFdctQuant transforms and quantises one block of a photo-like
// image with the vector kernel and with fdctQuantGo.
func BenchmarkFdctQuant(b *testing.B) {
	pix := photo(b, 64, 8, raster.Gray8)
	qt := scaledQuant(0, 90)
	div := newDivisors(&qt)
	var blk [64]int16
	b.Run("avx2", func(b *testing.B) {
		if !cpu.X86.HasAVX2 {
			b.Skip("no AVX2")
		}
		b.SetBytes(64)
		for i := 0; b.Loop(); i++ {
			x := i & 7 * 8
			fdctQuantAVX2(&blk, &pix[x], 64, &div.w16)
		}
	})
	b.Run("go", func(b *testing.B) {
		b.SetBytes(64)
		for i := 0; b.Loop(); i++ {
			x := i & 7 * 8
			fdctQuantGo(&blk, pix[x:], 64, div)
		}
	})
}

// TestHuffBlockBMI2 compares the Huffman coding of blocks by
// huffBlockBMI2 with blockGo: blocks sparse and dense, with long runs of
// zeros, the largest coefficients and DC differences (whose codes are all
// ones, so that every byte is stuffed), after any number of pending bits,
// with the standard tables and tables of 16-bit codes.
func TestHuffBlockBMI2(t *testing.T) {
	requireAVX2(t)
	if !hasBMI {
		t.Skip("this CPU has no BMI1 and BMI2")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	var long [4]huffCode
	for tab := range long {
		var freq [256]int32
		for v := range freq {
			freq[v] = int32(1 + v*v*v) // skewed: the rare symbols get long codes
		}
		spec := optimalTable(&freq)
		long[tab].build(&spec)
	}
	var std [4]huffCode
	for tab := range std {
		std[tab].build(&stdHuff[tab])
	}
	for trial := range 20000 {
		codes := &std
		if trial&1 == 1 {
			codes = &long
		}
		var blk [64]int16
		var mask uint64
		density := rng.IntN(65)
		limit := []int32{1, 3, 40, 1024}[rng.IntN(4)]
		for k := 1; k < 64; k++ {
			if rng.IntN(64) < density {
				v := int16(rng.Int32N(limit) + 1)
				if rng.IntN(2) == 0 {
					v = -v
				}
				if rng.IntN(50) == 0 {
					v = []int16{1023, -1023, 1024, -1024}[rng.IntN(4)]
				}
				blk[zigzag[k]] = v
				mask |= 1 << k
			}
		}
		diff := rng.Int32N(2*2047+1) - 2047
		if rng.IntN(4) == 0 {
			diff = rng.Int32N(3) - 1
		}
		n := uint(rng.IntN(64))
		acc := rng.Uint64()
		prefix := make([]byte, rng.IntN(5), 1024)
		tab := 2 * rng.IntN(2)
		got := bitWriter{buf: prefix, acc: acc, n: n}
		want := bitWriter{buf: slices.Clone(prefix), acc: acc, n: n}
		got.block(&codes[tab], &codes[tab+1], &blk, mask, diff)
		want.blockGo(&codes[tab], &codes[tab+1], &blk, mask, diff)
		got.pad()
		want.pad()
		if !bytes.Equal(got.buf, want.buf) {
			t.Fatalf("trial %d (%d pending bits, mask %#x, DC difference %d): got %x, want %x", trial, n, mask, diff, got.buf, want.buf)
		}
	}
}

//go:build amd64 && !purego

package jpegio

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// withKernels runs f with the AVX2 kernels on or off.
func withKernels(asm bool, f func()) {
	defer func(old bool) { decAVX2 = old }(decAVX2)
	decAVX2 = asm
	f()
}

// coefCases returns rows of blocks that exercise the transform: random
// small coefficients as a photo has, random ones over the whole int16
// range (the arithmetic wraps), blocks with only a DC term, with whole
// columns or rows of zeros, and the extremes.
func coefCases(rng *rand.Rand) map[string][]int16 {
	const n = 37
	cases := map[string][]int16{}
	gen := func(name string, f func(k int) int16) {
		c := make([]int16, n*64)
		for i := range c {
			c[i] = f(i % 64)
		}
		cases[name] = c
	}
	gen("small", func(k int) int16 {
		if rng.IntN(3) == 0 {
			return int16(rng.IntN(41) - 20)
		}
		return 0
	})
	gen("wide", func(int) int16 { return int16(rng.Uint32()) })
	gen("dc only", func(k int) int16 {
		if k == 0 {
			return int16(rng.Uint32())
		}
		return 0
	})
	gen("first row and column", func(k int) int16 {
		if k < 8 || k%8 == 0 {
			return int16(rng.IntN(2001) - 1000)
		}
		return 0
	})
	gen("sparse wide", func(k int) int16 {
		if rng.IntN(8) == 0 {
			return int16(rng.Uint32())
		}
		return 0
	})
	gen("max", func(int) int16 { return 32767 })
	gen("min", func(int) int16 { return -32768 })
	gen("alternating", func(k int) int16 {
		if (k/8+k)%2 == 0 {
			return 32767
		}
		return -32768
	})
	return cases
}

func TestIDCTKernelSameBytes(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	quants := map[string]*[64]uint16{"one": {}, "photo": {}, "random": {}, "max": {}}
	for i := range 64 {
		quants["one"][i] = 1
		quants["photo"][i] = uint16(2 + i/3)
		quants["random"][i] = uint16(1 + rng.IntN(65535))
		quants["max"][i] = 65535
	}
	for cname, coef := range coefCases(rng) {
		for qname, q := range quants {
			t.Run(cname+"/"+qname, func(t *testing.T) {
				n := len(coef) / 64
				for _, stride := range []int{8 * n, 8*n + 5} {
					got := make([]byte, 8*stride)
					want := make([]byte, 8*stride)
					withKernels(true, func() { idctRow(coef, q, got, stride) })
					withKernels(false, func() { idctRow(coef, q, want, stride) })
					if !bytes.Equal(got, want) {
						for i := range got {
							if got[i] != want[i] {
								t.Fatalf("stride %d: block %d, row %d, column %d: got %d, want %d",
									stride, i%stride/8, i/stride, i%8, got[i], want[i])
							}
						}
					}
				}
			})
		}
	}
}

func TestYCCKernelSameBytes(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 15, 16, 17, 47, 64, 301, 1 << 16} {
		planes := map[string][3][]byte{}
		var random, extreme [3][]byte
		for c := range 3 {
			random[c] = make([]byte, n)
			extreme[c] = make([]byte, n)
			for i := range n {
				random[c][i] = byte(rng.Uint32())
				extreme[c][i] = []byte{0, 255}[(i>>c)&1]
			}
		}
		planes["random"], planes["extreme"] = random, extreme
		if n == 1<<16 {
			// Every pair of Cb and Cr, with Y ramping, and at 0 and 255.
			for _, name := range []string{"every chroma", "every chroma, y 0", "every chroma, y 255"} {
				var p [3][]byte
				for c := range 3 {
					p[c] = make([]byte, n)
				}
				for i := range n {
					p[0][i], p[1][i], p[2][i] = byte(i*7), byte(i), byte(i>>8)
					switch name {
					case "every chroma, y 0":
						p[0][i] = 0
					case "every chroma, y 255":
						p[0][i] = 255
					}
				}
				planes[name] = p
			}
		}
		for name, p := range planes {
			got, want := make([]byte, 3*n), make([]byte, 3*n)
			withKernels(true, func() { yccRow(got, p[0], p[1], p[2]) })
			withKernels(false, func() { yccRow(want, p[0], p[1], p[2]) })
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s, %d pixels: pixel %d channel %d: got %d, want %d", name, n, i/3, i%3, got[i], want[i])
				}
			}
		}
	}
}

func TestFancyKernelsSameBytes(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{3, 17, 18, 19, 33, 34, 50, 257} {
		for _, kind := range []string{"random", "extreme"} {
			cur, near := make([]byte, n), make([]byte, n)
			for i := range n {
				if kind == "random" {
					cur[i], near[i] = byte(rng.Uint32()), byte(rng.Uint32())
				} else {
					cur[i], near[i] = []byte{0, 255}[i&1], []byte{0, 255}[(i>>1)&1]
				}
			}
			check := func(name string, f func(out []byte)) {
				got, want := make([]byte, 2*n), make([]byte, 2*n)
				withKernels(true, func() { f(got) })
				withKernels(false, func() { f(want) })
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s, %s, %d samples: output %d: got %d, want %d", name, kind, n, i, got[i], want[i])
					}
				}
			}
			check("h2v1", func(out []byte) { h2v1Fancy(out, cur) })
			check("h2v2", func(out []byte) { h2v2Fancy(out, cur, near) })
		}
	}
}

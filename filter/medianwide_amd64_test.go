//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// withAsm runs fn with useAsm set to asm.
func withAsm(asm bool, fn func()) {
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	fn()
}

// pmLengths are pixel counts around the kernels' blocks: empty, shorter
// than a block, whole blocks, and whole blocks with a tail.
var pmLengths = []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 67}

// TestPackPMWordsKernels checks packPMWords against packPMWordsGo on
// every colour under every alpha, and on random pixels of many lengths.
func TestPackPMWordsKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2")
	}
	check := func(t *testing.T, px []byte, c int) {
		t.Helper()
		got, want := make([]byte, 2*len(px)), make([]byte, 2*len(px))
		withAsm(true, func() { packPMWords(got, px, c) })
		packPMWordsGo(want, px, c)
		if i := firstByteDiff(got, want); i >= 0 {
			t.Fatalf("%d pixels, byte %d of the words: got %d, want %d", len(px)/c, i, got[i], want[i])
		}
	}
	rng := rand.New(rand.NewPCG(81, 82))
	for _, c := range []int{2, 4} {
		t.Run(fmt.Sprintf("c=%d/every", c), func(t *testing.T) {
			px := make([]byte, 0, 256*256*c)
			for a := range 256 {
				for v := range 256 {
					if c == 2 {
						px = append(px, byte(v), byte(a))
					} else {
						px = append(px, byte(v), byte(255-v), byte(v^0x5a), byte(a))
					}
				}
			}
			check(t, px, c)
		})
		t.Run(fmt.Sprintf("c=%d/random", c), func(t *testing.T) {
			for _, n := range pmLengths {
				px := make([]byte, n*c)
				for i := range px {
					px[i] = byte(rng.Uint32())
				}
				check(t, px, c)
			}
		})
	}
}

// TestUnpremulWordsKernels checks unpremulWords against unpremulWordsGo on
// every colour word a median can hold under every alpha (0…255·alpha), on
// random words of many lengths, and with a table after.
func TestUnpremulWordsKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2")
	}
	check := func(t *testing.T, res []byte, c int, post []byte) {
		t.Helper()
		n := len(res) / 2
		got, want := make([]byte, n), make([]byte, n)
		withAsm(true, func() { unpremulWords(got, res, c, post) })
		unpremulWordsGo(want, res, c, post)
		if i := firstByteDiff(got, want); i >= 0 {
			t.Fatalf("%d pixels, sample %d: got %d, want %d", n/c, i, got[i], want[i])
		}
	}
	// pixel appends a pixel of colour words from next and alpha a.
	pixel := func(res []byte, c, a int, next func() int) []byte {
		for range c - 1 {
			p := next()
			res = append(res, byte(p), byte(p>>8))
		}
		return append(res, byte(a), 0)
	}
	rng := rand.New(rand.NewPCG(83, 84))
	invert := make([]byte, 256)
	for i := range invert {
		invert[i] = byte(255 - i)
	}
	for _, c := range []int{2, 4} {
		t.Run(fmt.Sprintf("c=%d/every", c), func(t *testing.T) {
			// Gray+alpha takes the same arithmetic on every fourth word,
			// to keep the test quick.
			step := 1
			if c == 2 {
				step = 4
			}
			for a := range 256 {
				// Colour words 0, step, 2·step … and 255·a, repeated to
				// fill the last pixel.
				top := 255 * a
				nw := (top+step-1)/step + 1
				np := (nw + c - 2) / (c - 1)
				res := make([]byte, 2*c*np)
				for i := range np {
					px := res[2*c*i : 2*c*i+2*c]
					for ch := range c - 1 {
						p := min((i*(c-1)+ch)*step, top)
						px[2*ch], px[2*ch+1] = byte(p), byte(p>>8)
					}
					px[2*c-2] = byte(a)
				}
				check(t, res, c, nil)
			}
		})
		t.Run(fmt.Sprintf("c=%d/random", c), func(t *testing.T) {
			for _, post := range [][]byte{nil, invert} {
				for _, n := range pmLengths {
					var res []byte
					for range n {
						a := rng.IntN(256)
						res = pixel(res, c, a, func() int { return rng.IntN(255*a + 1) })
					}
					check(t, res, c, post)
				}
			}
		})
	}
}

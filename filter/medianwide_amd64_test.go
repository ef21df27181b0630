//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// TestPackPMSplitKernels checks packPMSplit against packPMSplitGo on
// every colour under every alpha, and on random pixels of many lengths.
func TestPackPMSplitKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2")
	}
	check := func(t *testing.T, px []byte, c int) {
		t.Helper()
		n := len(px) / c
		half := 2 * c * ((n + 1) / 2)
		got, want := make([]byte, 2*half), make([]byte, 2*half)
		withAsm(true, func() { packPMSplit(got[:half], got[half:], px, c) })
		packPMSplitGo(want[:half], want[half:], px, c)
		if i := firstByteDiff(got, want); i >= 0 {
			t.Fatalf("%d pixels, byte %d of the words: got %d, want %d", n, i, got[i], want[i])
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

// TestMedianPairsKernels checks the pair kernels against the pure-Go
// kernel and against each window's median found by sorting, on rows in
// halves of every length from 1 to 40 pairs (whole blocks and tails), for
// 3×3 and 5×5 windows of gray+alpha and RGBA words, on noise and on words
// of few values (ties).
func TestMedianPairsKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(85, 86))
	for _, c := range []int{2, 4} {
		for _, n := range []int{3, 5} {
			for _, levels := range []int{3, 1 << 16} {
				t.Run(fmt.Sprintf("c=%d/%dx%d/levels=%d", c, n, n, levels), func(t *testing.T) {
					for pairs := 1; pairs <= 40; pairs++ {
						checkMedianPairs(t, rng, c, n, pairs, levels)
					}
				})
			}
		}
	}
}

// checkMedianPairs makes n random rows of pairs·2 + n-1 padded pixels of
// c words below levels, in halves, sorts them into planes and checks
// medianPairs.
func checkMedianPairs(t *testing.T, rng *rand.Rand, c, n, pairs, levels int) {
	t.Helper()
	r := n / 2
	npix := 2*pairs + 2*r
	pw := 2 * c
	half := npix / 2 * pw
	word := func(b []byte, i int) int { return int(b[2*i]) | int(b[2*i+1])<<8 }
	var rows, planes [5][]byte
	for k := range n {
		rows[k], planes[k] = make([]byte, 2*half), make([]byte, 2*half)
		for i := range half {
			v := rng.IntN(levels)
			rows[k][2*i], rows[k][2*i+1] = byte(v), byte(v>>8)
		}
	}
	sortColsW(planes[:n], rows[:n], 16)
	tmp := make([]byte, n*2*half)
	got, want := make([]byte, 2*pairs*pw), make([]byte, 2*pairs*pw)
	withAsm(true, func() { medianPairs(got, planes[:n], c, half, tmp) })
	medianPairsGo(want, planes[:n], c, half, 0, tmp)
	if i := firstByteDiff(got, want); i >= 0 {
		t.Fatalf("%d pairs: byte %d: got %d, want %d (pure Go)", pairs, i, got[i], want[i])
	}
	// Each window's median, sorted out of the rows.
	at := func(q, ch int) int { return q&1*half/2 + q>>1*c + ch } // word index of padded pixel q
	var win []int
	for x := range 2 * pairs {
		for ch := range c {
			win = win[:0]
			for k := range n {
				for q := x; q < x+n; q++ {
					win = append(win, word(rows[k], at(q, ch)))
				}
			}
			slices.Sort(win)
			if g := word(got, x*c+ch); g != win[len(win)/2] {
				t.Fatalf("%d pairs: pixel %d channel %d: got %d, want %d", pairs, x, ch, g, win[len(win)/2])
			}
		}
	}
}

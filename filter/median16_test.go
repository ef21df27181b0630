package filter

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// getWord and putWord read and write the bits-wide little-endian word i
// of b.
func getWord(b []byte, i, bits int) uint32 {
	if bits == 32 {
		return binary.LittleEndian.Uint32(b[4*i:])
	}
	return uint32(binary.LittleEndian.Uint16(b[2*i:]))
}

func putWord(b []byte, i, bits int, v uint32) {
	if bits == 32 {
		binary.LittleEndian.PutUint32(b[4*i:], v)
		return
	}
	binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
}

// bruteMedianRow16 is bruteMedianRow on rows of bits-wide words.
func bruteMedianRow16(d []byte, rows [][]byte, c, bits int) {
	n := len(rows)
	win := make([]uint32, 0, n*n)
	for i := 0; i < len(d)*8/bits; i++ {
		win = win[:0]
		for _, row := range rows {
			for j := range n {
				win = append(win, getWord(row, i+j*c, bits))
			}
		}
		slices.Sort(win)
		putWord(d, i, bits, win[len(win)/2])
	}
}

// medianKernelRow16 runs the word column sort and network on padded rows
// of bits-wide words, through the vector kernels when asm is set.
func medianKernelRow16(rows [][]byte, c, bits int, asm bool) []byte {
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	n := len(rows)
	np := len(rows[0])
	planes := make([][]byte, n)
	for k := range planes {
		planes[k] = make([]byte, np)
	}
	sortColsW(planes, rows, bits)
	d := make([]byte, np-bits/8*(n-1)*c)
	medianRowW(d, planes, c, bits)
	return d
}

// checkMedianKernels16 fails t where the vector kernels, the pure-Go
// kernels and a sort of each window disagree on rows of words.
func checkMedianKernels16(t *testing.T, rows [][]byte, c, bits int) {
	t.Helper()
	n := len(rows)
	want := make([]byte, len(rows[0])-bits/8*(n-1)*c)
	bruteMedianRow16(want, rows, c, bits)
	paths := []bool{false}
	if asmSupported() {
		paths = append(paths, true)
	}
	for _, asm := range paths {
		got := medianKernelRow16(rows, c, bits, asm)
		if i := firstByteDiff(got, want); i >= 0 {
			i /= bits / 8
			t.Fatalf("%d×%d median of %d-bit words, %d channels, vector kernels %v, word %d of %d: got %d, want %d",
				n, n, bits, c, asm, i, len(want)*8/bits, getWord(got, i, bits), getWord(want, i, bits))
		}
	}
}

// medianRows16 returns n padded rows of bits-wide words long enough for w
// output samples, drawn from values 0…maxV.
func medianRows16(rng *rand.Rand, n, c, w, bits int, maxV uint32) [][]byte {
	rows := make([][]byte, n)
	for k := range rows {
		m := w + (n-1)*c
		rows[k] = make([]byte, bits/8*m)
		for i := range m {
			putWord(rows[k], i, bits, uint32(rng.Uint64N(uint64(maxV)+1)))
		}
	}
	return rows
}

// TestMedianKernels16 checks both word kernels against sorting, for 3×3
// and 5×5, on 16-bit words with one to four channels and 32-bit words with
// two and four, every row length up to 70 and some long ones, on noise
// over the whole range (the top bit of a word set and not), on few
// distinct values, on constant rows, and on two values split about evenly
// in every window.
func TestMedianKernels16(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	var lengths []int
	for w := 1; w <= 70; w++ {
		lengths = append(lengths, w)
	}
	lengths = append(lengths, 255, 256, 257, 1000)
	for _, bits := range []int{16, 32} {
		top := uint32(1<<bits - 1)
		pairs := [][2]uint32{{0, top}, {top / 2, top/2 + 1}, {0x00ff, 0xff00}, {65024, 65025}, {top - 1, top}}
		for _, n := range []int{3, 5} {
			for c := 1; c <= 4; c++ {
				if bits == 32 && c%2 == 1 {
					continue // 32-bit words hold colour·alpha: gray+alpha and RGBA only
				}
				t.Run(fmt.Sprintf("%dx%d/w%d/c=%d", n, n, bits, c), func(t *testing.T) {
					for _, w := range lengths {
						checkMedianKernels16(t, medianRows16(rng, n, c, w, bits, top), c, bits)
						checkMedianKernels16(t, medianRows16(rng, n, c, w, bits, 2), c, bits)
						checkMedianKernels16(t, medianRows16(rng, n, c, w, bits, 0), c, bits)
					}
					for _, pair := range pairs {
						rows := medianRows16(rng, n, c, 64, bits, 0)
						for _, row := range rows {
							for i := 0; i < len(row)*8/bits; i++ {
								putWord(row, i, bits, pair[rng.IntN(2)])
							}
						}
						checkMedianKernels16(t, rows, c, bits)
					}
				})
			}
		}
	}
}

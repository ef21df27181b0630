package filter

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteMedianRow16 is bruteMedianRow on rows of little-endian words.
func bruteMedianRow16(d []byte, rows [][]byte, c int) {
	le := binary.LittleEndian
	n := len(rows)
	win := make([]uint16, 0, n*n)
	for i := 0; i < len(d)/2; i++ {
		win = win[:0]
		for _, row := range rows {
			for j := range n {
				win = append(win, le.Uint16(row[2*(i+j*c):]))
			}
		}
		slices.Sort(win)
		le.PutUint16(d[2*i:], win[len(win)/2])
	}
}

// medianKernelRow16 runs the word column sort and network on padded rows,
// through the vector kernels when asm is set.
func medianKernelRow16(rows [][]byte, c int, asm bool) []byte {
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	n := len(rows)
	np := len(rows[0])
	planes := make([][]byte, n)
	for k := range planes {
		planes[k] = make([]byte, np)
	}
	sortCols16(planes, rows)
	d := make([]byte, np-2*(n-1)*c)
	medianRow16(d, planes, c)
	return d
}

// checkMedianKernels16 fails t where the vector kernels, the pure-Go
// kernels and a sort of each window disagree on rows of words.
func checkMedianKernels16(t *testing.T, rows [][]byte, c int) {
	t.Helper()
	n := len(rows)
	want := make([]byte, len(rows[0])-2*(n-1)*c)
	bruteMedianRow16(want, rows, c)
	paths := []bool{false}
	if asmSupported() {
		paths = append(paths, true)
	}
	for _, asm := range paths {
		got := medianKernelRow16(rows, c, asm)
		if i := firstByteDiff(got, want); i >= 0 {
			i &^= 1
			t.Fatalf("%d×%d word median, %d channels, vector kernels %v, word %d of %d: got %d, want %d",
				n, n, c, asm, i/2, len(want)/2, binary.LittleEndian.Uint16(got[i:]), binary.LittleEndian.Uint16(want[i:]))
		}
	}
}

// medianRows16 returns n padded rows of words long enough for w output
// samples, drawn from values 0…maxV.
func medianRows16(rng *rand.Rand, n, c, w, maxV int) [][]byte {
	rows := make([][]byte, n)
	for k := range rows {
		rows[k] = make([]byte, 2*(w+(n-1)*c))
		for i := 0; i < len(rows[k]); i += 2 {
			binary.LittleEndian.PutUint16(rows[k][i:], uint16(rng.IntN(maxV+1)))
		}
	}
	return rows
}

// TestMedianKernels16 checks both word kernels against sorting, for 3×3
// and 5×5 and one to four channels, every row length up to 70 and some
// long ones, on noise over the whole range (the top bit of a word set and
// not), on few distinct values, on constant rows, and on two values split
// about evenly in every window.
func TestMedianKernels16(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	var lengths []int
	for w := 1; w <= 70; w++ {
		lengths = append(lengths, w)
	}
	lengths = append(lengths, 255, 256, 257, 1000)
	for _, n := range []int{3, 5} {
		for c := 1; c <= 4; c++ {
			t.Run(fmt.Sprintf("%dx%d/c=%d", n, n, c), func(t *testing.T) {
				for _, w := range lengths {
					checkMedianKernels16(t, medianRows16(rng, n, c, w, 65535), c)
					checkMedianKernels16(t, medianRows16(rng, n, c, w, 2), c)
					checkMedianKernels16(t, medianRows16(rng, n, c, w, 0), c)
				}
				for _, pair := range [][2]uint16{{0, 65535}, {32767, 32768}, {0x00ff, 0xff00}, {65024, 65025}} {
					rows := medianRows16(rng, n, c, 64, 0)
					for _, row := range rows {
						for i := 0; i < len(row); i += 2 {
							binary.LittleEndian.PutUint16(row[i:], pair[rng.IntN(2)])
						}
					}
					checkMedianKernels16(t, rows, c)
				}
			})
		}
	}
}

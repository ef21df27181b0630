package filter

import (
	"fmt"
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// bruteMedianRow sets d[i] to the median of the (2r+1)² window of rows
// (padded rows of 2r+1 source rows) around sample i+r·c, by sorting.
func bruteMedianRow(d []byte, rows [][]byte, c int) {
	n := len(rows)
	win := make([]byte, 0, n*n)
	for i := range d {
		win = win[:0]
		for _, row := range rows {
			for j := range n {
				win = append(win, row[i+j*c])
			}
		}
		slices.Sort(win)
		d[i] = win[len(win)/2]
	}
}

// medianKernelRow runs the column sort and the median network of the fast
// path on padded rows, through the vector kernels when asm is set.
func medianKernelRow(rows [][]byte, c int, asm bool) []byte {
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	n := len(rows)
	np := len(rows[0])
	planes := make([][]byte, n)
	for k := range planes {
		planes[k] = make([]byte, np)
	}
	sortCols(planes, rows)
	d := make([]byte, np-(n-1)*c)
	medianRow(d, planes, c)
	return d
}

// checkMedianKernels fails t where the vector kernels, the pure-Go kernels
// and a sort of each window disagree.
func checkMedianKernels(t *testing.T, rows [][]byte, c int) {
	t.Helper()
	n := len(rows)
	want := make([]byte, len(rows[0])-(n-1)*c)
	bruteMedianRow(want, rows, c)
	paths := []bool{false}
	if asmSupported() {
		paths = append(paths, true)
	}
	for _, asm := range paths {
		got := medianKernelRow(rows, c, asm)
		if i := firstByteDiff(got, want); i >= 0 {
			t.Fatalf("%d×%d median, %d channels, vector kernels %v, sample %d of %d: got %d, want %d",
				n, n, c, asm, i, len(want), got[i], want[i])
		}
	}
}

// medianRows returns n padded rows long enough for w output samples,
// drawn from values 0…maxV.
func medianRows(rng *rand.Rand, n, c, w, maxV int) [][]byte {
	rows := make([][]byte, n)
	for k := range rows {
		rows[k] = make([]byte, w+(n-1)*c)
		for i := range rows[k] {
			rows[k][i] = byte(rng.IntN(maxV + 1))
		}
	}
	return rows
}

// TestMedianKernels checks both kernels against sorting, for 3×3 and 5×5,
// gray and RGB, every row length up to 100 and some long ones, on noise,
// on few distinct values (many ties) and on constant rows.
func TestMedianKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	var lengths []int
	for w := 1; w <= 100; w++ {
		lengths = append(lengths, w)
	}
	lengths = append(lengths, 255, 256, 257, 768, 1000, 4099)
	for _, n := range []int{3, 5} {
		for _, c := range []int{1, 3} {
			t.Run(fmt.Sprintf("%dx%d/c=%d", n, n, c), func(t *testing.T) {
				for _, w := range lengths {
					checkMedianKernels(t, medianRows(rng, n, c, w, 255), c)
					checkMedianKernels(t, medianRows(rng, n, c, w, 2), c)
					checkMedianKernels(t, medianRows(rng, n, c, w, 0), c)
				}
			})
		}
	}
}

// TestMedianKernelsExtremes puts 0 and 255 in every arrangement the window
// allows few of: a single outlier, and two values split 12 to 13, which
// decides the median either way.
func TestMedianKernelsExtremes(t *testing.T) {
	for _, n := range []int{3, 5} {
		for _, c := range []int{1, 3} {
			t.Run(fmt.Sprintf("%dx%d/c=%d", n, n, c), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(n), uint64(c)))
				const w = 64
				for trial := 0; trial < 200; trial++ {
					rows := medianRows(rng, n, c, w, 0)
					high := byte(255)
					if trial%2 == 1 {
						high = 1
					}
					// About half of each window high: medians flip between
					// the two values across the row.
					for _, row := range rows {
						for i := range row {
							if rng.IntN(2) == 0 {
								row[i] = high
							}
						}
					}
					checkMedianKernels(t, rows, c)
				}
			})
		}
	}
}

// FuzzMedianKernels compares the vector kernels, the pure-Go kernels and a
// sort on fuzzed rows.
func FuzzMedianKernels(f *testing.F) {
	f.Add(uint8(2), uint8(3), []byte("a row of samples long enough for a block or two of windows, with repeats"))
	f.Add(uint8(1), uint8(1), make([]byte, 200))
	f.Add(uint8(2), uint8(1), []byte{255, 0, 255, 0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27})
	f.Fuzz(func(t *testing.T, radius, channels uint8, data []byte) {
		r := 1 + int(radius)%2
		c := 1 + 2*(int(channels)%2)
		n := 2*r + 1
		if len(data) > 1<<14 {
			data = data[:1<<14]
		}
		np := len(data) / n
		if np <= (n-1)*c {
			return
		}
		rows := make([][]byte, n)
		for k := range rows {
			rows[k] = data[k*np : (k+1)*np]
		}
		checkMedianKernels(t, rows, c)
	})
}

// TestMedianFastPath checks the fast path of a lone median on gray and RGB
// images wider than a strip against the reference, exactly, and against the
// float path it replaces, across tilings.
func TestMedianFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	for _, r := range []int{1, 2} {
		for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGB8} {
			for _, sz := range [][2]int{{300, 23}, {33, 70}, {2, 2}, {1, 9}, {40, 1}} {
				t.Run(fmt.Sprintf("median:%d/%v/%dx%d", r, f, sz[0], sz[1]), func(t *testing.T) {
					w, h := sz[0], sz[1]
					src := randomTile(rng, w, h, f)
					if rng.IntN(2) == 0 {
						// Few levels: many ties.
						for i := range src.Pix {
							src.Pix[i] = src.Pix[i] % 4 * 60
						}
					}
					p := mustPlan(t, Chain{Median{r}}, src)
					if p.fixed == nil {
						t.Fatal("fast path: got none, want medianNet")
					}
					got := runWhole(t, p, src)
					want := refEncode(refApply(Median{r}, refDecode(src.Pix, w, h, f)), f)
					if d := firstDiff(got.Pix, want, f, w, 0); d != "" {
						t.Fatalf("against the reference: %s", d)
					}
					if d := firstDiff(runWhole(t, floatPlan(p), src).Pix, want, f, w, 0); d != "" {
						t.Fatalf("float path against the reference: %s", d)
					}
					for _, exact := range []bool{false, true} {
						tiled := runTiled(t, p, src, cuts(rng, w, 40), cuts(rng, h, 9), exact)
						if d := firstDiff(tiled.Pix, got.Pix, f, w, 0); d != "" {
							t.Fatalf("tiled (exact source %v): %s", exact, d)
						}
					}
				})
			}
		}
	}
}

// TestMedianFastPathSubTile runs the fast path on a destination and source
// that are views into larger buffers, with strides wider than their rows.
func TestMedianFastPathSubTile(t *testing.T) {
	rng := rand.New(rand.NewPCG(65, 66))
	src := randomTile(rng, 90, 40, raster.RGB8)
	p := mustPlan(t, Chain{Median{2}}, src)
	want := runWhole(t, p, src)
	big := raster.NewTile(image.Rect(-5, -5, 100, 50), raster.RGB8)
	for i := range big.Pix {
		big.Pix[i] = 0xa5
	}
	r := image.Rect(7, 3, 80, 31)
	if err := p.Run(big.Sub(r), src.Sub(p.SourceRect(r))); err != nil {
		t.Fatal(err)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		got, w := big.Sub(r).Row(y), want.Sub(r).Row(y)
		if i := firstByteDiff(got, w); i >= 0 {
			t.Fatalf("row %d byte %d: got %d, want %d", y, i, got[i], w[i])
		}
	}
	// Bytes outside r are untouched.
	if v := big.Row(r.Min.Y)[(r.Max.X-big.Rect.Min.X)*3]; v != 0xa5 {
		t.Fatalf("byte right of the tile: got %#x, want 0xa5", v)
	}
}

// firstByteDiff returns the first index where a and b differ, or -1.
func firstByteDiff(a, b []byte) int {
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

//go:build amd64 && !purego

package filter

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestResizeKernels checks that resize8 and resizeFixed give the same
// bytes through the AVX2 kernels as through the pure-Go ones: every scale
// from 1/20 (with a box) to 4×, gray and RGB at 8 and 16 bits, sizes
// narrower than a vector and wider than several, on noise, on hard edges
// (the largest ringing) and on full scale.
func TestResizeKernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	defer func(old bool) { useAsm = old }(useAsm)
	rng := rand.New(rand.NewPCG(41, 42))
	for _, s := range []float64{0.05, 0.1, 0.2, 0.26, 0.37, 0.5, 0.77, 1, 1.5, 2, 4} {
		for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGB8, raster.Gray16, raster.RGB16} {
			for _, sz := range [][2]int{{1, 1}, {7, 5}, {61, 41}, {301, 23}} {
				t.Run(fmt.Sprintf("%g/%v/%dx%d", s, f, sz[0], sz[1]), func(t *testing.T) {
					kernel := fmt.Sprintf("resize%d", f.Depth)
					checkAsmAgainstGo(t, rng, Chain{Resize{S: s}}, f, sz[0], sz[1], kernel, func(p *Plan) bool {
						if f.Depth == 16 {
							_, ok := p.fixed.(*resizeFixed)
							return ok
						}
						_, ok := p.fixed.(*resize8)
						return ok
					})
				})
			}
		}
	}
}

// checkAsmAgainstGo plans c for w×h tiles of format f holding noise, hard
// edges (the largest ringing) and full scale, checks with takes that the
// plan runs the kernel named kernel, and that the AVX2 kernels give the
// same bytes as the pure-Go ones; full scale must stay full scale (every
// byte 255) everywhere.
func checkAsmAgainstGo(t *testing.T, rng *rand.Rand, c Chain, f raster.PixelFormat, w, h int, kernel string, takes func(*Plan) bool) {
	t.Helper()
	for _, input := range []string{"noise", "edges", "full"} {
		src := randomTile(rng, w, h, f)
		switch input {
		case "edges":
			edgeTile(src)
		case "full":
			for i := range src.Pix {
				src.Pix[i] = 255
			}
		}
		p := mustPlan(t, c, src)
		if !takes(p) {
			t.Fatalf("kernels %q, want %s", p.Kernels(), kernel)
		}
		useAsm = true
		got := runWhole(t, p, src)
		useAsm = false
		want := runWhole(t, p, src)
		if d := firstDiff(got.Pix, want.Pix, f, got.Rect.Dx(), 0); d != "" {
			t.Errorf("%s: AVX2 against Go: %s", input, d)
		}
		if input == "full" {
			for i, v := range got.Pix {
				if v != 255 {
					t.Fatalf("full scale: sample %d: got %d, want 255", i, v)
				}
			}
		}
	}
}

// TestResizeHorizontal4 checks the 4-channel horizontal kernel, which no
// plan takes yet, against hres8Go on random samples between the passes.
func TestResizeHorizontal4(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	const c, n, taps = 4, 97, 12
	m := make([]int16, (n+taps)*c+16)
	for i := range m {
		m[i] = int16(rng.IntN(20000) - 2000)
	}
	w := make([]int16, n*taps)
	for i := range w {
		w[i] = int16(rng.IntN(6000) - 1000)
	}
	offs := make([]int32, n)
	for x := range offs {
		offs[x] = int32(x * c)
	}
	got, want := make([]byte, n*c), make([]byte, n*c)
	hres8c4AVX2(got, m, offs, w, taps, 20, pairMasks[4])
	hres8Go(want, m, offs, w, taps, c, 20)
	if i := firstMismatch(got, want); i >= 0 {
		t.Fatalf("sample %d: got %d, want %d", i, got[i], want[i])
	}
}

// TestResize16Kernels checks resizeFixed's AVX2 kernels against the
// pure-Go ones on random input beyond what images give: samples of the
// whole 16-bit range under weights of either sign, so that the vertical
// sums round negative and the horizontal ones clamp at both ends, over
// every tap count up to 40 and lengths with tails.
func TestResize16Kernels(t *testing.T) {
	if !asmSupported() {
		t.Skip("the CPU has no AVX2; the vector kernels cannot run")
	}
	defer func(old bool) { useAsm = old }(useAsm)
	rng := rand.New(rand.NewPCG(47, 48))
	weights := func(n int) []int32 {
		w := make([]int32, n)
		for i := range w {
			w[i] = int32(rng.IntN(1<<23) - 1<<21)
		}
		return w
	}
	for taps := 1; taps <= 40; taps++ {
		n := 16*rng.IntN(8) + rng.IntN(16)
		rows := make([][]byte, taps)
		for j := range rows {
			rows[j] = make([]byte, 2*n)
			for i := range rows[j] {
				rows[j][i] = byte(rng.Uint32())
			}
		}
		w := weights(taps)
		got, want := make([]int32, n), make([]int32, n)
		useAsm = true
		vresFixed16(got, rows, w, resizeBits-resizeMidFrac)
		vresFixedGo(want, rows, w, resizeBits-resizeMidFrac, 2)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("vertical, %d taps: sample %d: got %d, want %d", taps, i, got[i], want[i])
			}
		}
		boxed := make([][]int32, taps)
		for j := range boxed {
			boxed[j] = make([]int32, n)
			for i := range boxed[j] {
				boxed[j][i] = int32(rng.IntN(1 << 20))
			}
		}
		vresBox(got, boxed, w, resizeBits+boxFrac-resizeMidFrac)
		vresBoxGo(want, boxed, w, resizeBits+boxFrac-resizeMidFrac)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("vertical over blocks, %d taps: sample %d: got %d, want %d", taps, i, got[i], want[i])
			}
		}
		cols, wantCols := make([]int32, n), make([]int32, n)
		for i := range cols {
			cols[i] = int32(rng.IntN(1 << 30))
			wantCols[i] = cols[i]
		}
		addRow16(cols, rows[0])
		addRow16Go(wantCols, rows[0])
		for i := range cols {
			if cols[i] != wantCols[i] {
				t.Fatalf("column sums: sample %d: got %d, want %d", i, cols[i], wantCols[i])
			}
		}
	}
	for _, c := range []int{1, 3} {
		for taps := 4; taps <= 40; taps += 4 {
			nx := 1 + rng.IntN(50)
			m := make([]int32, (nx+taps)*c+8)
			for i := range m {
				m[i] = int32(rng.IntN(1<<25) - 1<<23)
			}
			offs := make([]int32, nx)
			for x := range offs {
				offs[x] = int32(rng.IntN(nx) * c)
			}
			w := weights(nx * taps)
			got, want := make([]byte, 2*nx*c), make([]byte, 2*nx*c)
			useAsm = true
			hresFixed(got, m, offs, w, taps, c, resizeBits+resizeMidFrac, 16)
			hresFixedGo(want, m, offs, w, taps, c, resizeBits+resizeMidFrac, 16)
			if i := firstMismatch(got, want); i >= 0 {
				t.Fatalf("horizontal, %d channels, %d taps: byte %d: got %d, want %d", c, taps, i, got[i], want[i])
			}
		}
	}
}

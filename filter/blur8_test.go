package filter

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestBlur8Tables checks the packed weights of the vector kernels: every
// half is a non-negative int16 and the halves give back the kernel.
func TestBlur8Tables(t *testing.T) {
	for r := 1; r <= maxFixedRadius; r++ {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			f := newBlur8(float64(r)/3, 3, false, 0)
			if f.r != r {
				t.Fatalf("radius: got %d, want %d", f.r, r)
			}
			half := func(v uint32, i int) int32 { return int32(int16(v >> (16 * i))) }
			for _, tab := range [][]uint32{f.vt, f.ht} {
				for j, v := range tab {
					for i := range 2 {
						if h := half(v, i); h < 0 {
							t.Fatalf("entry %d half %d: got %d, want 0…32767", j, i, h)
						}
					}
				}
				if got := half(tab[0], 0) + half(tab[0], 1); got != f.w[0] {
					t.Errorf("centre: got %d, want %d", got, f.w[0])
				}
			}
			if len(f.ht) != r+1 || len(f.vt) != 1+(r+1)/2 {
				t.Fatalf("table lengths: got %d and %d, want %d and %d", len(f.ht), len(f.vt), r+1, 1+(r+1)/2)
			}
			for k := 1; k <= r; k++ {
				if got := half(f.ht[k], 0); got != f.w[k] || half(f.ht[k], 1) != f.w[k] {
					t.Errorf("ht[%d]: got %#x, want %d in both halves", k, f.ht[k], f.w[k])
				}
				if got := half(f.vt[(k+1)/2], (k+1)%2); got != f.w[k] {
					t.Errorf("vt weight %d: got %d, want %d", k, got, f.w[k])
				}
			}
			if r%2 == 1 && half(f.vt[len(f.vt)-1], 1) != 0 {
				t.Errorf("vt past the radius: got %d, want 0", half(f.vt[len(f.vt)-1], 1))
			}
		})
	}
}

// TestBlur8AsmMatchesGo runs whole plans with the vector kernels on and
// off and checks that they give the same bytes.
func TestBlur8AsmMatchesGo(t *testing.T) {
	if !asmSupported() {
		t.Skip("no vector kernels on this build or CPU; only the pure-Go kernels run")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	specs := []string{"blur:0.3", "blur:1", "blur:2", "blur:3.7", "blur:8", "sharpen", "sharpen:0.7,4", "sharpen:2,0.5"}
	sizes := [][2]int{{1, 1}, {7, 3}, {5, 60}, {300, 9}, {37, 41}, {stripWidth + 21, 20}}
	for _, spec := range specs {
		op, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGB8} {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%v/%dx%d", spec, f, sz[0], sz[1]), func(t *testing.T) {
					src := randomTile(rng, sz[0], sz[1], f)
					if sz[0]%2 == 1 {
						edgeTile(src)
					}
					p := mustPlan(t, Chain{op}, src)
					if _, ok := p.fixed.(*blur8); !ok {
						t.Fatalf("fast path: got %T, want *blur8", p.fixed)
					}
					defer func(old bool) { useAsm = old }(useAsm)
					useAsm = true
					got := runWhole(t, p, src)
					useAsm = false
					want := runWhole(t, p, src)
					if d := firstDiff(got.Pix, want.Pix, f, sz[0], 0); d != "" {
						t.Error(d)
					}
				})
			}
		}
	}
}

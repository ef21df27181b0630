package filter

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestFixedPathChosen checks which plans take the integer fast path: the
// choice depends on the chain and the pixel format only.
func TestFixedPathChosen(t *testing.T) {
	tests := []struct {
		chain string
		f     raster.PixelFormat
		want  bool
	}{
		{"blur:2", raster.RGB8, true},
		{"blur:2", raster.Gray8, true},
		{"blur:0.3", raster.Gray16, false}, // float32: its vector passes are faster
		{"blur:2", raster.RGB16, false},
		{"blur:2 invert", raster.RGB16, false},
		{"sharpen", raster.RGB8, true},
		{"sharpen:1.5,4", raster.Gray16, true},
		{"blur:2", raster.RGBA8, true},
		{"blur:2", raster.RGBA16, false},
		{"sharpen", raster.RGBA8, true},
		{"sharpen:1,1,0.01", raster.RGBA8, false}, // no threshold on alpha
		{"blur:2", raster.GrayAlpha16, false},
		{"blur:9", raster.RGB8, false},
		{"sharpen:1,1,0.01", raster.RGB8, false},
		{"sharpen:1,4.5", raster.RGB8, false},
		{"blur:2 invert", raster.RGB8, true},
		{"blur:2 invert", raster.RGBA8, true},
		{"blur:2 median:1", raster.RGBA8, false},
		{"blur:2 gamma:2.2", raster.RGB8, false},         // steep at black: one level of blur moves it several
		{"blur:2 sharpen", raster.RGB8, false},           // sharpen triples the blur's rounding
		{"blur:1 resize:0.5 sharpen", raster.RGB8, true}, // one resize, the sharpen in its pass
		{"resize:0.5 sharpen", raster.Gray8, true},
		{"resize:0.5 sharpen:1,1,0.01", raster.RGB8, false}, // a threshold
		{"blur:1 resize:0.5 sharpen", raster.RGB16, false},  // sharpen triples the resize's rounding
		{"blur:1 resize:0.5", raster.RGB16, true},           // resize16's vector kernels over the blurred taps
		{"blur:1 resize:0.5", raster.RGBA8, true},
		{"blur:1 resize:0.2", raster.RGB8, false}, // a box: the blur stays apart, and rounds
		{"median:2", raster.RGB8, true},
		{"median:1", raster.Gray8, true},
		{"median:2", raster.RGBA8, true},
		{"median:2", raster.GrayAlpha8, true},
		{"median:3", raster.RGB8, false},
		{"median:2", raster.RGB16, true},
		{"median:1", raster.Gray16, true},
		{"median:2", raster.RGBA16, true},
		{"blur:2 median:1", raster.RGB16, true},
		{"median:1 blur:2", raster.RGBA8, true},
		{"brightness:0.1 median:1", raster.RGBA8, false}, // the quotient by alpha needs exact samples
		{"median:2 invert", raster.RGB8, true},
		{"invert", raster.RGB8, true},
		{"contrast:1.1 gamma:2 levels:0.05,0.9", raster.RGBA8, true},
		{"threshold:0.5", raster.GrayAlpha8, true},
		{"invert", raster.RGB16, true},
		{"invert blur:2", raster.RGB8, true},
		{"gray", raster.RGB8, true},
		{"box:1", raster.RGB8, false},
		{"", raster.RGB8, false},
	}
	for _, tt := range tests {
		t.Run(tt.chain+"/"+tt.f.String(), func(t *testing.T) {
			c, err := ParseChain(strings.Fields(tt.chain))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Plan(40, 30, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.fixed != nil; got != tt.want {
				t.Fatalf("fast path: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFixedWeights checks that the integer kernels sum exactly to their
// scale and that each weight is the float weight rounded.
func TestFixedWeights(t *testing.T) {
	for _, sigma := range []float64{0.1, 0.6, 1, 2, 3.7, 8} {
		for _, bits := range []int{blur8Bits, fixedBits16} {
			t.Run(fmt.Sprintf("%g/%d", sigma, bits), func(t *testing.T) {
				w := gaussWeights(sigma)
				q := fixedWeights(w, bits)
				sum := q[0]
				for _, v := range q[1:] {
					sum += 2 * v
				}
				if sum != 1<<bits {
					t.Fatalf("sum: got %d, want %d", sum, 1<<bits)
				}
				scale := float64(uint64(1) << bits)
				for k := 1; k < len(q); k++ {
					if d := math.Abs(float64(q[k]) - w[k]*scale); d > 0.5 {
						t.Errorf("weight %d: got %d, want %.2f±0.5", k, q[k], w[k]*scale)
					}
				}
				if d := math.Abs(float64(q[0]) - w[0]*scale); d > float64(len(q)) {
					t.Errorf("centre: got %d, want %.2f±%d", q[0], w[0]*scale, len(q))
				}
			})
		}
	}
}

var fixedFormats = []raster.PixelFormat{raster.Gray8, raster.RGB8, raster.Gray16, raster.RGB16}

// TestFixedFlat checks that the fast path keeps a flat image flat at every
// level: the kernels sum exactly to one and the rounding is unbiased.
func TestFixedFlat(t *testing.T) {
	fixedBlur16(t)
	for _, spec := range []string{"blur:2", "blur:0.4", "sharpen:1,3"} {
		for _, f := range fixedFormats {
			t.Run(spec+"/"+f.String(), func(t *testing.T) {
				op, _ := Parse(spec)
				p, err := Chain{op}.Plan(9, 5, f)
				if err != nil {
					t.Fatal(err)
				}
				if p.fixed == nil {
					t.Fatal("no fast path")
				}
				step := max(1, f.MaxValue()/300)
				for v := 0; v <= f.MaxValue(); v += step {
					src := raster.NewTile(image.Rect(0, 0, 9, 5), f)
					for x := 0; x < 9; x++ {
						for y := 0; y < 5; y++ {
							setPixel(src, x, y, []int{v, v, v}[:f.Channels])
						}
					}
					out := runWhole(t, p, src)
					for y := 0; y < 5; y++ {
						for x := 0; x < 9; x++ {
							if got := getPixel(out, x, y)[0]; got != v {
								t.Fatalf("level %d: pixel (%d,%d) got %d, want %d", v, x, y, got, v)
							}
						}
					}
				}
			})
		}
	}
}

// TestFixedMatchesReference compares the fast path with the float64
// reference on noise and on hard edges (where the kernels' rounding
// errors add up most), for radii from 1 to the largest it takes, at sizes
// narrower than the kernel and wider than a strip.
func TestFixedMatchesReference(t *testing.T) {
	fixedBlur16(t)
	rng := rand.New(rand.NewPCG(21, 22))
	specs := []string{"blur:0.3", "blur:1", "blur:1.7", "blur:2", "blur:3.3", "blur:8", "sharpen", "sharpen:0.7,4", "sharpen:2,0.5"}
	sizes := [][2]int{{1, 1}, {3, 40}, {300, 9}, {23, 17}}
	for _, spec := range specs {
		op, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fixedFormats {
			for _, sz := range sizes {
				for _, pattern := range []string{"noise", "edges"} {
					t.Run(fmt.Sprintf("%s/%v/%dx%d/%s", spec, f, sz[0], sz[1], pattern), func(t *testing.T) {
						src := randomTile(rng, sz[0], sz[1], f)
						if pattern == "edges" {
							edgeTile(src)
						}
						p := mustPlan(t, Chain{op}, src)
						if p.fixed == nil {
							t.Fatal("no fast path")
						}
						got := runWhole(t, p, src)
						want := refEncode(refApply(op, refDecode(src.Pix, sz[0], sz[1], f)), f)
						if d := firstDiff(got.Pix, want, f, sz[0], 1); d != "" {
							t.Error(d)
						}
						// On noise, off by one only where the exact value lies
						// within the kernels' rounding error of a half level.
						// (Hard edges give many exact halves, where any error
						// flips the rounding.)
						total := len(want) / f.BytesPerSample()
						if n := countDiff(got.Pix, want, f); pattern == "noise" && n > total/100 {
							t.Errorf("%d of %d samples differ from the reference, want at most 1%%", n, total)
						}
					})
				}
			}
		}
	}
}

// edgeTile fills t with full-scale and zero samples in vertical and
// horizontal bands of varying width.
func edgeTile(t *raster.Tile) {
	m := t.Format.MaxValue()
	for y := t.Rect.Min.Y; y < t.Rect.Max.Y; y++ {
		for x := t.Rect.Min.X; x < t.Rect.Max.X; x++ {
			v := 0
			if (x*x/7+y/3)%2 == 0 {
				v = m
			}
			setPixel(t, x, y, []int{v, m - v, v, m}[:t.Format.Channels])
		}
	}
}

// TestFixedTiling checks that the fast path gives the same bytes for every
// tiling, for strips wider than stripWidth too.
func TestFixedTiling(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, spec := range []string{"blur:2", "blur:0.5", "sharpen:1.2,2"} {
		for _, f := range fixedFormats {
			t.Run(spec+"/"+f.String(), func(t *testing.T) {
				w, h := stripWidth+77, 31
				src := randomTile(rng, w, h, f)
				op, _ := Parse(spec)
				p := mustPlan(t, Chain{op}, src)
				want := runWhole(t, p, src)
				for _, tl := range []struct {
					name   string
					xs, ys []int
				}{
					{"columns", cuts(rng, w, 3), []int{0, h}},
					{"random", cuts(rng, w, 40), cuts(rng, h, 9)},
					{"1x1", cuts(rng, w, 1), cuts(rng, h, 1)},
				} {
					for _, exact := range []bool{false, true} {
						got := runTiled(t, p, src, tl.xs, tl.ys, exact)
						if d := firstDiff(got.Pix, want.Pix, f, w, 0); d != "" {
							t.Errorf("tiling %s (exact source %v): %s", tl.name, exact, d)
						}
					}
				}
			})
		}
	}
}

// countDiff counts the samples where a and b differ.
func countDiff(a, b []byte, f raster.PixelFormat) int {
	n, bps := 0, f.BytesPerSample()
	for i := 0; i+bps <= len(a); i += bps {
		if string(a[i:i+bps]) != string(b[i:i+bps]) {
			n++
		}
	}
	return n
}

// TestTableSameAsFloat checks that the table path of point operations
// gives the float path's bytes exactly, alpha included, at both depths.
func TestTableSameAsFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, chain := range []string{"invert", "brightness:-0.2", "contrast:1.3", "gamma:0.45", "threshold:0.4", "levels:0.1,0.8", "contrast:1.1 gamma:2 invert"} {
		for _, f := range raster.Formats() {
			t.Run(chain+"/"+f.String(), func(t *testing.T) {
				c, err := ParseChain(strings.Fields(chain))
				if err != nil {
					t.Fatal(err)
				}
				p, err := c.Plan(61, 17, f)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := p.fixed.(*tablePath); !ok {
					t.Fatalf("fast path %T, want the table path", p.fixed)
				}
				src := randomTile(rng, 61, 17, f)
				got, want := runWhole(t, p, src), runWhole(t, floatPlan(p), src)
				if d := firstDiff(got.Pix, want.Pix, f, 61, 0); d != "" {
					t.Fatal(d)
				}
			})
		}
	}
}

// fixedBlur16 makes the plans of the test run a lone 16-bit blur on its
// fixed-point kernel, which chains with other operations still run,
// rather than the float32 path that planInt prefers for it.
func fixedBlur16(t *testing.T) {
	blur16Float = false
	t.Cleanup(func() { blur16Float = true })
}

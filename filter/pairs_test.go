package filter

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// pairOps holds one instance of every operation, for the pair walk.
var pairOps = []string{
	"blur:1", "sharpen:1,1,0", "box:1", "sobel", "conv:1,2,1,2,4,2,1,2,1", "median:1", "median:2", "erode:1", "dilate:1",
	"gray", "invert", "brightness:0.1", "contrast:1.3", "gamma:2.2", "threshold:0.5", "levels:0.1,0.9",
	"crop:0,0,10,7", "shrink:2", "resize:0.5",
}

// pointOps are the operations that fold into tables.
var pointSpecs = []string{"invert", "brightness:0.1", "contrast:1.3", "gamma:2.2", "threshold:0.5", "levels:0.1,0.9"}

// intKernel is the integer kernel of one operation on format f, without
// alpha, or "" when it has none: the rule the plan follows, written out.
func intKernel(spec string, f raster.PixelFormat) string {
	name, _, _ := cutName(spec)
	d := fmt.Sprint(f.Depth)
	if f.HasAlpha() {
		switch {
		case slices.Contains(pointSpecs, spec):
			return "table" + d
		case name == "blur" && f.Depth == 8:
			return "blur8pm" // premultiplied
		case name == "sharpen" && f.Depth == 8:
			return "sharpen8pm" // premultiplied
		case name == "median":
			return "median" + d + "pm" // premultiplied words, on exact samples
		case name == "resize" && f.Depth == 8:
			return "resize8pm" // premultiplied, last, on exact samples
		}
		return ""
	}
	switch {
	case slices.Contains(pointSpecs, spec):
		return "table" + d
	case name == "blur" || name == "sharpen" || name == "shrink" || name == "resize":
		return name + d
	case name == "median":
		return "median" + d
	case name == "gray" && f.Color():
		return "gray" + d
	case name == "gray":
		return "copy"
	case name == "crop":
		return "crop"
	}
	return ""
}

// folds reports whether a table folds into the pass of kernel k.
func folds(k string) bool {
	if strings.HasSuffix(k, "pm") && !strings.HasPrefix(k, "median") {
		return false // the premultiplied blur, sharpen and resize
	}
	for _, p := range []string{"blur", "sharpen", "median", "gray"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// floatPairs are the pairs whose integer chain would stray more than one
// level from the reference, so the plan runs them in float32; the reason
// is the quantisation rule's bound.
var floatPairs = map[string]string{
	"gamma:2.2":     "gamma is steep at black, where half a level of rounding moves it several levels",
	"threshold:0.5": "a step: any rounding before it can flip a sample by full scale",
	"sharpen:1,1,0": "sharpen stretches the rounding before it threefold",
	"resize:0.5":    "Lanczos-3's negative lobes may stretch the rounding before it almost twofold",
}

// wantKernels is the kernels the plan must choose for the chain a b on
// format f, by the rule: every operation with an integer kernel, point
// operations merged and folded into the kernel before them, unless the
// pair is in floatPairs after a kernel that rounds.
func wantKernels(a, b string, f raster.PixelFormat) []string {
	pa, pb := slices.Contains(pointSpecs, a), slices.Contains(pointSpecs, b)
	float := []string{"float32(" + a + ")", "float32(" + b + ")"}
	if pa && pb {
		return []string{fmt.Sprintf("table%d(%s %s)", f.Depth, a, b)}
	}
	fb := f
	if a == "gray" && f.Color() {
		fb.Channels -= 2
	}
	ka, kb := intKernel(a, f), intKernel(b, fb)
	if a == "blur:1" && b == "resize:0.5" {
		// One stage: the resize with the blur folded into its taps, where
		// the resize has an integer kernel.
		if kb == "" {
			return []string{"float32(" + a + " " + b + ")"}
		}
		return []string{kb + "(" + a + " " + b + ")"}
	}
	if ka == "" || kb == "" {
		return float
	}
	if ka == "resize8" && kb == "sharpen8" {
		// One pass: the resized samples keep fraction bits for the sharpen.
		return []string{"resize8+sharpen8(" + a + " " + b + ")"}
	}
	if f.Depth == 16 && !f.HasAlpha() && (ka == "blur16" || pa) && (kb == "blur16" || pb) {
		// Blurs and point operations on 16-bit samples: the float32
		// passes, with their vector kernels, are faster.
		return float
	}
	if f.HasAlpha() && (ka == "resize8pm" || kb == "resize8pm") {
		// The premultiplied resize comes last, after exact samples only.
		if kb == "resize8pm" && (a == "invert" || a == "threshold:0.5") {
			return []string{ka + "(" + a + ")", kb + "(" + b + ")"}
		}
		return float
	}
	// Kernels that select, and tables of exact results, leave the samples
	// exact; the others round them (the premultiplied median rounds its
	// quotient).
	rounds := !slices.Contains([]string{"median8", "median16", "crop", "copy"}, ka) && a != "invert" && a != "threshold:0.5"
	if strings.HasSuffix(kb, "pm") && strings.HasPrefix(kb, "median") && rounds {
		return float // a quotient by alpha may stretch any error before it
	}
	// Levels and contrast:1.3 on exact levels round by at most 3/8 of a
	// level (0.45 for contrast at 16 bits), which resize's gain keeps in
	// bounds.
	if b == "resize:0.5" && (a == "levels:0.1,0.9" || a == "contrast:1.3" && f.Depth == 8) {
		rounds = false
	}
	if _, ok := floatPairs[b]; ok && rounds {
		return float
	}
	if ka == "gray"+fmt.Sprint(f.Depth) && b == "threshold:0.5" {
		return float // luma's integer weights stray a little: enough at a step
	}
	if pb && folds(ka) {
		return []string{ka + "+table(" + a + " " + b + ")"}
	}
	return []string{ka + "(" + a + ")", kb + "(" + b + ")"}
}

// TestPairKernels walks every pair of operations on every pixel format and
// checks, from the plan alone, which kernels run: no pair falls back to the
// float32 path but those the rule sends there. Each pair that runs integer
// kernels is checked against the float64 reference of the whole chain,
// within one level, on noise and on hard edges.
func TestPairKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const w, h = 23, 17
	for _, f := range raster.Formats() {
		srcs := map[string]*raster.Tile{"noise": randomTile(rng, w, h, f), "edges": randomTile(rng, w, h, f)}
		edgeTile(srcs["edges"])
		for _, a := range pairOps {
			for _, b := range pairOps {
				c, err := ParseChain([]string{a, b})
				if err != nil {
					t.Fatal(err)
				}
				p, err := c.Plan(w, h, f)
				if err != nil {
					t.Fatalf("%s on %v: %v", c, f, err)
				}
				want := wantKernels(a, b, f)
				if got := p.Kernels(); !slices.Equal(got, want) {
					t.Errorf("%s on %v: got kernels %q, want %q", c, f, got, want)
					continue
				}
				if p.fixed == nil || strings.HasPrefix(p.Kernels()[0], "table") && len(p.Kernels()) == 1 {
					continue // the float path and lone tables have their own tests
				}
				for name, src := range srcs {
					got := runWhole(t, p, src)
					m := refDecode(src.Pix, w, h, f)
					for _, op := range c {
						m = refApply(op, m)
					}
					if d := firstDiff(got.Pix, refEncode(m, p.Output()), p.Output(), m.w, 1); d != "" {
						t.Errorf("%s on %v %s: %s", c, f, name, d)
					}
				}
			}
		}
	}
}

// TestIntChainTiling checks that integer chains give the same bytes for
// every tiling, on an image larger than the blocks they cut a tile into,
// and match the reference within one level.
func TestIntChainTiling(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	chains := []string{
		"blur:2 invert", "blur:2 median:1", "gray levels:0.1,0.9 blur:1", "median:2 blur:1.5 contrast:1.2",
		"invert blur:1 median:1 crop:3,5,200,120 shrink:2", "blur:1 resize:0.5 sharpen",
	}
	for _, chain := range chains {
		for _, f := range []raster.PixelFormat{raster.RGB8, raster.Gray8, raster.RGB16} {
			c, err := ParseChain(strings.Fields(chain))
			if err != nil {
				t.Fatal(err)
			}
			w, h := chainBlockW+45, chainBlockH+30
			p, err := c.Plan(w, h, f)
			if err != nil {
				t.Fatal(err)
			}
			if p.fixed == nil {
				if f.Depth == 16 && strings.HasPrefix(chain, "gray levels") {
					// Levels stretch a 16-bit luma's rounding, and the
					// blur rounds again.
					continue
				}
				if f.Depth == 16 && chain == "blur:2 invert" {
					continue // the float32 path's, faster on 16 bits
				}
				if f.Depth == 16 && strings.HasSuffix(chain, "sharpen") {
					continue // sharpen triples the 16-bit resize's rounding
				}
				t.Fatalf("%s on %v: kernels %q, want an integer chain", chain, f, p.Kernels())
			}
			t.Run(chain+"/"+f.String(), func(t *testing.T) {
				src := randomTile(rng, w, h, f)
				want := runWhole(t, p, src)
				ow, oh := p.OutputSize()
				for _, exact := range []bool{false, true} {
					got := runTiled(t, p, src, cuts(rng, ow, 90), cuts(rng, oh, 70), exact)
					if d := firstDiff(got.Pix, want.Pix, p.Output(), ow, 0); d != "" {
						t.Errorf("tiled (exact source %v): %s", exact, d)
					}
				}
				if f != raster.RGB8 {
					return // TestPairKernels checks the other formats against the reference
				}
				m := refDecode(src.Pix, w, h, f)
				for _, op := range c {
					m = refApply(op, m)
				}
				if d := firstDiff(want.Pix, refEncode(m, p.Output()), p.Output(), ow, 1); d != "" {
					t.Error(d)
				}
			})
		}
	}
}

// checkRefTiled runs p, the plan of op alone, on src whole and tiled:
// within one level of the float64 reference, the same bytes for every
// tiling. It returns the reference's bytes.
func checkRefTiled(t *testing.T, rng *rand.Rand, p *Plan, op Op, src *raster.Tile) []byte {
	t.Helper()
	f, w, h := src.Format, src.Rect.Dx(), src.Rect.Dy()
	got := runWhole(t, p, src)
	want := refEncode(refApply(op, refDecode(src.Pix, w, h, f)), f)
	if d := firstDiff(got.Pix, want, f, w, 1); d != "" {
		t.Error(d)
	}
	tiled := runTiled(t, p, src, cuts(rng, w, 50), cuts(rng, h, 5), true)
	if d := firstDiff(tiled.Pix, got.Pix, f, w, 0); d != "" {
		t.Errorf("tiled: %s", d)
	}
	return want
}

// TestBlurPM8 checks the premultiplied integer blur on 8-bit images with
// alpha against the reference, at sizes narrower than the kernel and wider
// than a strip, and for every tiling.
func TestBlurPM8(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, sigma := range []float64{0.5, 2, 5.5} {
		for _, f := range []raster.PixelFormat{raster.RGBA8, raster.GrayAlpha8} {
			for _, sz := range [][2]int{{1, 1}, {stripWidth + 40, 9}, {23, 17}} {
				t.Run(fmt.Sprintf("%g/%v/%dx%d", sigma, f, sz[0], sz[1]), func(t *testing.T) {
					op := Gaussian{Sigma: sigma}
					src := randomTile(rng, sz[0], sz[1], f)
					p := mustPlan(t, Chain{op}, src)
					if _, ok := p.fixed.(*blurPM8); !ok {
						t.Fatalf("kernels %q, want blur8pm", p.Kernels())
					}
					checkRefTiled(t, rng, p, op, src)
				})
			}
		}
	}
}

// TestSharpenPM8 checks the premultiplied sharpen on 8-bit images with
// alpha against the reference and for every tiling: on noise, and on
// faint alpha beside transparent and opaque pixels, where the sharpened
// alpha comes near 0 and the exact path gives the pixels.
func TestSharpenPM8(t *testing.T) {
	rng := rand.New(rand.NewPCG(39, 40))
	faint := func(src *raster.Tile) {
		for i := 0; i < len(src.Pix); i += src.Format.Channels {
			px := src.Pix[i : i+src.Format.Channels]
			switch a := &px[len(px)-1]; rng.IntN(6) {
			case 0, 1:
				*a = 0
			case 2:
				*a = byte(1 + rng.IntN(3))
			case 3:
				*a = 255
			}
		}
	}
	for _, op := range []Sharpen{{Sigma: 1, Amount: 1}, {Sigma: 2.5, Amount: 3}, {Sigma: 0.5, Amount: 0.4}} {
		for _, f := range []raster.PixelFormat{raster.RGBA8, raster.GrayAlpha8} {
			for _, sz := range [][2]int{{1, 1}, {stripWidth + 40, 9}, {23, 17}} {
				for _, kind := range []string{"noise", "faint"} {
					t.Run(fmt.Sprintf("%v/%v/%dx%d/%s", op, f, sz[0], sz[1], kind), func(t *testing.T) {
						src := randomTile(rng, sz[0], sz[1], f)
						if kind == "faint" {
							faint(src)
						}
						p := mustPlan(t, Chain{op}, src)
						if k, ok := p.fixed.(*blurPM8); !ok || !k.sharpen {
							t.Fatalf("kernels %q, want sharpen8pm", p.Kernels())
						}
						want := checkRefTiled(t, rng, p, op, src)
						// The exact path, which the float32 path hands the
						// pixels of faint alpha, on every pixel.
						k := p.fixed.(*blurPM8)
						ex := raster.NewTile(src.Rect, f)
						for y := range sz[1] {
							for x := range sz[0] {
								k.exact(ex.Pix[ex.PixOffset(x, y):][:f.Channels], src, src.Rect, x, y)
							}
						}
						if d := firstDiff(ex.Pix, want, f, sz[0], 1); d != "" {
							t.Errorf("exact path: %s", d)
						}
					})
				}
			}
		}
	}
}

// TestResizeFixed checks the integer resize, from 1/20 (with a box) to 4×,
// against the reference and for every tiling.
func TestResizeFixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	const w, h = 61, 41
	for _, s := range []float64{0.05, 0.1, 0.2, 0.25, 0.37, 0.5, 1, 2, 4} {
		for _, f := range []raster.PixelFormat{raster.RGB8, raster.Gray8, raster.RGB16, raster.Gray16, raster.RGBA8, raster.GrayAlpha8} {
			t.Run(fmt.Sprintf("%g/%v", s, f), func(t *testing.T) {
				op := Resize{S: s}
				src := randomTile(rng, w, h, f)
				p := mustPlan(t, Chain{op}, src)
				var ok bool
				switch {
				case f.Depth == 8 && !f.HasAlpha():
					_, ok = p.fixed.(*resize8)
				case f.Depth == 8:
					_, ok = p.fixed.(*resizePM)
				default:
					_, ok = p.fixed.(*resizeFixed)
				}
				if !ok {
					t.Fatalf("kernels %q, want resize%d", p.Kernels(), f.Depth)
				}
				got := runWhole(t, p, src)
				ref := refApply(op, refDecode(src.Pix, w, h, f))
				if d := firstDiff(got.Pix, refEncode(ref, f), f, ref.w, 1); d != "" {
					t.Error(d)
				}
				tiled := runTiled(t, p, src, cuts(rng, ref.w, 40), cuts(rng, ref.h, 30), true)
				if d := firstDiff(tiled.Pix, got.Pix, f, ref.w, 0); d != "" {
					t.Errorf("tiled: %s", d)
				}
			})
		}
	}
}

package filter

import (
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/raster"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var allFormats = []raster.PixelFormat{
	raster.Gray8, raster.GrayAlpha8, raster.RGB8, raster.RGBA8, raster.RGB16, raster.RGBA16,
}

// randomTile returns a w×h tile of random pixels. With alpha, about a
// quarter of the pixels are fully transparent and a quarter opaque, so that
// premultiplication is exercised at its extremes.
func randomTile(rng *rand.Rand, w, h int, f raster.PixelFormat) *raster.Tile {
	t := raster.NewTile(image.Rect(0, 0, w, h), f)
	for i := range t.Pix {
		t.Pix[i] = byte(rng.IntN(256))
	}
	if f.HasAlpha() {
		bps, bpp := f.BytesPerSample(), f.BytesPerPixel()
		for p := 0; p < w*h; p++ {
			a := t.Pix[p*bpp+bpp-bps : p*bpp+bpp]
			switch rng.IntN(4) {
			case 0:
				clear(a)
			case 1:
				for i := range a {
					a[i] = 0xff
				}
			}
		}
	}
	return t
}

// mustPlan plans c for src or fails the test.
func mustPlan(t testing.TB, c Chain, src *raster.Tile) *Plan {
	t.Helper()
	p, err := c.Plan(src.Rect.Dx(), src.Rect.Dy(), src.Format)
	if err != nil {
		t.Fatalf("Plan(%q): %v", c, err)
	}
	return p
}

// runWhole runs p on the whole of src.
func runWhole(t testing.TB, p *Plan, src *raster.Tile) *raster.Tile {
	t.Helper()
	w, h := p.OutputSize()
	dst := raster.NewTile(image.Rect(0, 0, w, h), p.Output())
	if err := p.Run(dst, src); err != nil {
		t.Fatalf("Run(%q): %v", p.Chain(), err)
	}
	return dst
}

// cuts splits [0, n) into pieces of random sizes between 1 and max.
func cuts(rng *rand.Rand, n, maxSize int) []int {
	c := []int{0}
	for c[len(c)-1] < n {
		c = append(c, min(n, c[len(c)-1]+1+rng.IntN(maxSize)))
	}
	return c
}

// runTiled computes the output of p tile by tile on a grid of the given
// column and row cuts. With exact set, each tile gets a packed copy of just
// SourceRect; otherwise a view of the whole source.
func runTiled(t testing.TB, p *Plan, src *raster.Tile, xs, ys []int, exact bool) *raster.Tile {
	t.Helper()
	w, h := p.OutputSize()
	out := raster.NewTile(image.Rect(0, 0, w, h), p.Output())
	for j := 0; j+1 < len(ys); j++ {
		for i := 0; i+1 < len(xs); i++ {
			r := image.Rect(xs[i], ys[j], xs[i+1], ys[j+1])
			sr := p.SourceRect(r)
			s := src.Sub(sr)
			if exact {
				s = raster.NewTile(sr, src.Format)
				for y := sr.Min.Y; y < sr.Max.Y; y++ {
					copy(s.Row(y), src.Sub(sr).Row(y))
				}
			}
			if err := p.Run(out.Sub(r), s); err != nil {
				t.Fatalf("Run(%v): %v", r, err)
			}
		}
	}
	return out
}

// firstDiff describes the first sample where a and b differ by more than
// tol levels, or returns "".
func firstDiff(a, b []byte, f raster.PixelFormat, w int, tol int) string {
	if len(a) != len(b) {
		return fmt.Sprintf("length %d, want %d", len(a), len(b))
	}
	bps := f.BytesPerSample()
	for i := 0; i < len(a); i += bps {
		va, vb := int(a[i]), int(b[i])
		if bps == 2 {
			va, vb = va<<8|int(a[i+1]), vb<<8|int(b[i+1])
		}
		if d := va - vb; d > tol || d < -tol {
			s := i / bps
			px := s / f.Channels
			return fmt.Sprintf("pixel (%d,%d) sample %d: got %d, want %d (tolerance %d)",
				px%w, px/w, s%f.Channels, va, vb, tol)
		}
	}
	return ""
}

// opTolerance is the table of how far each operation may stray from the
// float64 reference, in levels per sample, on images without and with
// alpha. Operations that only select or copy samples are exact; with alpha,
// the rank filters select among premultiplied float32 samples, whose
// division by alpha may round the other way at a half level, as may
// anything that does arithmetic in float32.
var opTolerance = map[string][2]int{
	"median": {0, 1}, "erode": {0, 1}, "dilate": {0, 1},
	"crop": {0, 0}, "invert": {0, 0}, "threshold": {0, 0},
	"blur": {1, 1}, "box": {1, 1}, "sharpen": {1, 1}, "sobel": {1, 1}, "conv": {1, 1},
	"shrink": {1, 1}, "resize": {1, 1}, "gray": {1, 1}, "brightness": {1, 1}, "contrast": {1, 1},
	"gamma": {1, 1}, "levels": {1, 1},
}

// testOps holds one or more instances of every operation.
var testOps = []string{
	"blur:0.6", "blur:2", "box:1", "box:3", "sharpen", "sharpen:1.5,2,0.05", "sobel",
	"conv:0,-1,0,-1,5,-1,0,-1,0", "conv:1,2,1,2,4,2,1,2,1", "conv:-1,0,1,-2,0,2,-1,0,1",
	"median:1", "median:2", "median:3", "erode:1", "erode:2", "dilate:2",
	"gray", "invert", "brightness:0.2", "brightness:-0.3", "contrast:1.7", "gamma:2.2",
	"threshold:0.4987", "levels:0.1,0.8", "crop:2,3,9,5", "shrink:2", "shrink:3", "shrink:5",
	"resize:0.5", "resize:0.9", "resize:0.23", "resize:0.1", "resize:1", "resize:2.5",
}

func TestOpsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][2]int{{17, 13}, {1, 1}, {1, 7}, {8, 1}, {6, 6}}
	for _, spec := range testOps {
		op, err := Parse(spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", spec, err)
		}
		name, _, _ := cutName(spec)
		tols, ok := opTolerance[name]
		if !ok {
			t.Fatalf("operation %q missing from opTolerance", name)
		}
		for _, f := range allFormats {
			tol := tols[0]
			if f.HasAlpha() {
				tol = tols[1]
			}
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%v/%dx%d", spec, f, sz[0], sz[1]), func(t *testing.T) {
					src := randomTile(rng, sz[0], sz[1], f)
					p, err := Chain{op}.Plan(sz[0], sz[1], f)
					if err != nil {
						// Geometry that does not fit this size must fail to plan.
						if name == "crop" || name == "shrink" {
							return
						}
						t.Fatalf("Plan: %v", err)
					}
					got := runWhole(t, p, src)
					ref := refApply(op, refDecode(src.Pix, sz[0], sz[1], f))
					want := refEncode(ref, p.Output())
					if ref.w != got.Rect.Dx() || ref.h != got.Rect.Dy() {
						t.Fatalf("output size %v, want %d×%d", got.Rect.Size(), ref.w, ref.h)
					}
					if d := firstDiff(got.Pix, want, p.Output(), ref.w, tol); d != "" {
						t.Error(d)
					}
				})
			}
		}
	}
}

func cutName(spec string) (name, params string, ok bool) {
	for i := range spec {
		if spec[i] == ':' {
			return spec[:i], spec[i+1:], true
		}
	}
	return spec, "", false
}

// TestTilingInvariance checks that every tiling of the output gives the
// bytes of the whole-image run, for single operations and fused chains.
func TestTilingInvariance(t *testing.T) {
	oneByOne := map[raster.PixelFormat]bool{raster.Gray8: true, raster.RGBA16: true}
	chains := [][]string{
		{"blur:1.5", "sharpen", "median:1", "shrink:3", "invert"},
		{"box:2", "crop:3,1,30,20", "blur:1", "gamma:1.8", "threshold:0.5", "dilate:1"},
		{"sobel", "levels:0.1,0.9", "erode:2", "conv:1,2,1,2,4,2,1,2,1"},
		{"shrink:2", "median:2", "gray", "sharpen:0.8,1.5,0.01", "brightness:0.1"},
		{"crop:0,0,1,1"},
		{"crop:2,2,29,21", "resize:0.9", "conv:0,-1,0,-1,5,-1,0,-1,0"},
		{"resize:2.2", "median:2", "resize:0.3"},
		{},
	}
	fused := len(chains)
	for _, s := range testOps {
		chains = append(chains, []string{s})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i, specs := range chains {
		c, err := ParseChain(specs)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range allFormats {
			t.Run(fmt.Sprintf("%s/%v", c, f), func(t *testing.T) {
				w, h := 33, 25
				src := randomTile(rng, w, h, f)
				p := mustPlan(t, c, src)
				want := runWhole(t, p, src)
				ow, oh := p.OutputSize()
				tilings := []struct {
					name   string
					xs, ys []int
				}{
					{"whole", []int{0, ow}, []int{0, oh}},
					{"1x1", cuts(rng, ow, 1), cuts(rng, oh, 1)},
					{"rows", []int{0, ow}, cuts(rng, oh, 1)},
					{"random-small", cuts(rng, ow, 4), cuts(rng, oh, 4)},
					{"random-large", cuts(rng, ow, 16), cuts(rng, oh, 16)},
				}
				for _, tl := range tilings {
					for _, exact := range []bool{false, true} {
						if tl.name == "1x1" && (exact || i >= fused || !oneByOne[f]) {
							// The costliest tiling by far: views only, for
							// fused chains only, on two formats that
							// differ in every way; random-small checks
							// exact sources, single operations and the
							// other formats.
							continue
						}
						got := runTiled(t, p, src, tl.xs, tl.ys, exact)
						if d := firstDiff(got.Pix, want.Pix, p.Output(), ow, 0); d != "" {
							t.Errorf("tiling %s (exact source %v): %s", tl.name, exact, d)
						}
					}
				}
			})
		}
	}
}

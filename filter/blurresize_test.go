package filter

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestBlurredTaps checks the taps of a blur folded into a resize against
// the two steps applied to an impulse at each input position, the edges
// of each replicated: the weight of position p in output i is output i of
// the resize of the blur of the impulse at p.
func TestBlurredTaps(t *testing.T) {
	for _, tt := range []struct {
		sigma, s float64
		m        int
	}{{1, 0.5, 17}, {0.4, 0.77, 9}, {2, 0.3, 40}, {1, 1, 5}, {3, 0.5, 4}, {0.8, 0.26, 1}} {
		t.Run(fmt.Sprintf("%g/%g/%d", tt.sigma, tt.s, tt.m), func(t *testing.T) {
			z, g := Resize{S: tt.s}, gaussWeights(tt.sigma)
			r, m := len(g)-1, tt.m
			clamp := func(k int) int { return min(max(k, 0), m-1) }
			for i := range z.resizedLen(m) {
				lo, wf := blurredTaps(z, g, i, m, nil)
				if lo < 0 || lo+len(wf) > m {
					t.Fatalf("output %d: taps %d…%d reach past the axis 0…%d", i, lo, lo+len(wf)-1, m-1)
				}
				for p := range m {
					// The blur of the impulse at p, then the resize.
					b := make([]float64, m)
					for j := range m {
						for k := -r; k <= r; k++ {
							if clamp(j+k) == p {
								b[j] += g[max(k, -k)]
							}
						}
					}
					first, _ := z.span(i)
					w := z.taps(i, nil)
					want := 0.0
					for k, wk := range w {
						want += float64(wk) * b[clamp(first+k)]
					}
					got := 0.0
					if p >= lo && p < lo+len(wf) {
						got = wf[p-lo]
					}
					// z.taps are float32: compare to their precision.
					if math.Abs(got-want) > 1e-6 {
						t.Fatalf("output %d, input %d: got weight %.9f, want %.9f", i, p, got, want)
					}
				}
			}
		})
	}
}

// TestBlurResizeChains runs chains where a blur folds into a resize, or a
// sharpen runs in an 8-bit resize's pass, on every format: the integer
// kernels where the plan takes them and the float32 path, each within one
// level of the float64 reference of the whole chain, and each giving the
// same bytes for every tiling.
func TestBlurResizeChains(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	const w, h = 43, 29
	for _, chain := range []string{
		"blur:1 resize:0.5 sharpen", "blur:0.6 resize:0.77", "blur:2 resize:0.3 invert",
		"resize:0.5 sharpen:1.5,2 invert", "blur:1 resize:1 sharpen", "resize:2 sharpen:0.5,0.7",
		"resize:0.1 sharpen",
	} {
		c, err := ParseChain(strings.Fields(chain))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range allFormats {
			p, err := c.Plan(w, h, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, way := range []string{"plan", "float32", "int16"} {
				q := p
				switch way {
				case "float32":
					if p.fixed == nil {
						continue
					}
					q = floatPlan(p)
				case "int16":
					// The 16-bit fixed-point kernels of the chain, should
					// the plan leave it to the float32 path.
					if f.Depth != 16 || f.HasAlpha() {
						continue
					}
					blur16Float = false
					q, err = c.Plan(w, h, f)
					blur16Float = true
					if err != nil {
						t.Fatal(err)
					}
					if q.fixed == nil || q.Kernels()[0] == p.Kernels()[0] {
						continue
					}
				}
				t.Run(fmt.Sprintf("%s/%v/%s", chain, f, way), func(t *testing.T) {
					for _, pattern := range []string{"noise", "edges"} {
						src := randomTile(rng, w, h, f)
						if pattern == "edges" {
							edgeTile(src)
						}
						want := runWhole(t, q, src)
						m := refDecode(src.Pix, w, h, f)
						for _, op := range c {
							m = refApply(op, m)
						}
						if d := firstDiff(want.Pix, refEncode(m, q.Output()), q.Output(), m.w, 1); d != "" {
							t.Errorf("%s, kernels %q: %s", pattern, q.Kernels(), d)
						}
						if pattern == "edges" {
							continue
						}
						ow, oh := q.OutputSize()
						got := runTiled(t, q, src, cuts(rng, ow, 13), cuts(rng, oh, 9), true)
						if d := firstDiff(got.Pix, want.Pix, q.Output(), ow, 0); d != "" {
							t.Errorf("%s tiled: %s", pattern, d)
						}
					}
				})
			}
		}
	}
}

// TestBlurResizeMerge checks which blurs the plan folds into the resize
// after them: before a reduction without a box, while the taps stay
// within the vector passes' rows.
func TestBlurResizeMerge(t *testing.T) {
	for _, tt := range []struct {
		chain string
		want  []string
	}{
		{"blur:1 resize:0.5", []string{"resize8(blur:1 resize:0.5)"}},
		{"blur:5 resize:0.26", []string{"resize8(blur:5 resize:0.26)"}},                                     // 24 + 30 taps
		{"blur:7 resize:0.26", []string{"float32(blur:7)", "float32(resize:0.26)"}},                         // 24 + 42 taps, and the blur rounds
		{"blur:1 resize:2", []string{"float32(blur:1)", "float32(resize:2)"}},                               // enlarging
		{"blur:1 resize:0.2", []string{"float32(blur:1)", "float32(resize:0.2)"}},                           // a box first
		{"blur:1 invert resize:0.5", []string{"float32(blur:1)", "float32(invert)", "float32(resize:0.5)"}}, // not next to each other
	} {
		c, err := ParseChain(strings.Fields(tt.chain))
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Plan(300, 200, raster.RGB8)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Kernels(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got kernels %q, want %q", tt.chain, got, tt.want)
		}
	}
}

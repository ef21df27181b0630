package filter

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// refDiffuse is Perona–Malik diffusion the plain way, in float64 on the
// whole premultiplied image, edges replicated.
func refDiffuse(op Diffuse, m fimg) fimg {
	cur := m.premultiplied()
	for range op.N {
		next := newFimg(m.w, m.h, len(m.p), m.alpha)
		for c := range next.p {
			for y := 0; y < m.h; y++ {
				for x := 0; x < m.w; x++ {
					v := cur.at(c, x, y)
					s := 0.0
					for _, nb := range [][2]int{{0, -1}, {0, 1}, {1, 0}, {-1, 0}} {
						d := cur.at(c, x+nb[0], y+nb[1]) - v
						s += d / (1 + (d/op.K)*(d/op.K))
					}
					next.p[c][y*m.w+x] = v + 0.25*s
				}
			}
		}
		cur = next
	}
	for _, p := range cur.p {
		for i, v := range p {
			p[i] = min(max(v, 0), 1)
		}
	}
	return cur.unpremultiplied()
}

var diffuseOps = []string{"diffuse:1", "diffuse:5", "diffuse:12,0.2", "diffuse:3,0.01"}

// TestDiffuseMatchesReference compares diffuse with the float64 reference
// on every pixel format, within one level.
func TestDiffuseMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	sizes := [][2]int{{17, 13}, {1, 1}, {1, 7}, {8, 1}, {6, 6}}
	for _, spec := range diffuseOps {
		op, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range allFormats {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%v/%dx%d", spec, f, sz[0], sz[1]), func(t *testing.T) {
					src := randomTile(rng, sz[0], sz[1], f)
					p := mustPlan(t, Chain{op}, src)
					got := runWhole(t, p, src)
					want := refEncode(refApply(op, refDecode(src.Pix, sz[0], sz[1], f)), f)
					if d := firstDiff(got.Pix, want, f, sz[0], 1); d != "" {
						t.Error(d)
					}
				})
			}
		}
	}
}

// TestDiffuseTiling checks that every tiling gives the bytes of the whole
// image, alone and fused in a chain.
func TestDiffuseTiling(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2))
	for _, chain := range []string{"diffuse:1", "diffuse:6", "blur:1 diffuse:4,0.1 invert", "diffuse:3 shrink:2 diffuse:2"} {
		c, err := ParseChain(strings.Fields(chain))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGBA8, raster.RGB16} {
			t.Run(chain+"/"+f.String(), func(t *testing.T) {
				src := randomTile(rng, 31, 23, f)
				p := mustPlan(t, c, src)
				want := runWhole(t, p, src)
				ow, oh := p.OutputSize()
				for _, step := range []int{1, 3, 9} {
					got := runTiled(t, p, src, cuts(rng, ow, step), cuts(rng, oh, step), step == 3)
					if d := firstDiff(got.Pix, want.Pix, p.Output(), ow, 0); d != "" {
						t.Errorf("tiles up to %d: %s", step, d)
					}
				}
			})
		}
	}
}

// TestDiffuseStepMatchesRun runs diffuse one step at a time on whole
// rows through LoadPlanes, Step and StorePlanes, as an engine that keeps
// the state does, and checks it gives the bytes of Plan.Run exactly.
func TestDiffuseStepMatchesRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 3))
	for _, f := range allFormats {
		for _, op := range []Diffuse{{1, 0.05}, {7, 0.05}, {4, 0.3}} {
			t.Run(fmt.Sprintf("%v/%v", op, f), func(t *testing.T) {
				const w, h = 19, 11
				src := randomTile(rng, w, h, f)
				want := runWhole(t, mustPlan(t, Chain{op}, src), src)
				cur := make([][]float32, f.Channels)
				next := make([][]float32, f.Channels)
				for c := range cur {
					cur[c], next[c] = make([]float32, w*h), make([]float32, w*h)
				}
				LoadPlanes(cur, src)
				// Two strips, rows [0, 4) and [4, h), exchanging edges.
				for range op.N {
					for c := range cur {
						op.StepRows(next[c][:4*w], cur[c][:4*w], w, nil, cur[c][4*w:5*w])
						op.StepRows(next[c][4*w:], cur[c][4*w:], w, cur[c][3*w:4*w], nil)
					}
					cur, next = next, cur
				}
				got := raster.NewTile(image.Rect(0, 0, w, h), f)
				StorePlanes(got, cur)
				if d := firstDiff(got.Pix, want.Pix, f, w, 0); d != "" {
					t.Error(d)
				}
			})
		}
	}
}

func TestDiffuseParse(t *testing.T) {
	for spec, want := range map[string]string{
		"diffuse:10":      "diffuse:10,0.05",
		"diffuse:3,0.2":   "diffuse:3,0.2",
		"diffuse:0":       "steps must be in [1, 10000], got 0",
		"diffuse:5,0":     "K must be in (0, 1], got 0",
		"diffuse:5,2":     "K must be in (0, 1]",
		"diffuse":         "want diffuse:N[,K]",
		"diffuse:1,2,3":   "want diffuse:N[,K]",
		"diffuse:x":       `steps must be a whole number, got "x"`,
		"diffuse:1,0.1 ":  "diffuse:1,0.1",
		"diffuse:20000,1": "steps must be in [1, 10000]",
	} {
		op, err := Parse(spec)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = op.String()
		}
		if !strings.Contains(got, want) {
			t.Errorf("Parse(%q): got %q, want %q", spec, got, want)
		}
	}
}

func init() { sampleParams["diffuse"] = ":2" }

// BenchmarkDiffuseStep times one step on a row of 4,000 samples, against
// a box blur of radius 1 over the same row as a baseline.
func BenchmarkDiffuseStep(b *testing.B) {
	const w = 4000
	rng := rand.New(rand.NewPCG(1, 1))
	rows := make([][]float32, 4)
	for i := range rows {
		rows[i] = make([]float32, w)
		for x := range rows[i] {
			rows[i][x] = rng.Float32()
		}
	}
	b.Run("diffuse", func(b *testing.B) {
		d := Diffuse{1, 0.05}
		b.SetBytes(4 * w)
		for b.Loop() {
			d.StepRows(rows[3], rows[1], w, rows[0], rows[2])
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*w), "ns/sample")
	})
	b.Run("sum3x3", func(b *testing.B) {
		b.SetBytes(4 * w)
		for b.Loop() {
			d, u, m, n := rows[3], rows[0], rows[1], rows[2]
			for x := 1; x < w-1; x++ {
				d[x] = (u[x] + n[x] + m[x-1] + m[x+1] + m[x]) * 0.2
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*w), "ns/sample")
	})
}

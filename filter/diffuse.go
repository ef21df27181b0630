package filter

import (
	"fmt"
	"image"
	"strconv"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// DefaultDiffuseK is the edge threshold of "diffuse:N", a fraction of full
// scale.
const DefaultDiffuseK = 0.05

// maxDiffuseSteps bounds the steps of one diffuse.
const maxDiffuseSteps = 10000

// Diffuse is Perona–Malik anisotropic diffusion: N steps, each moving
// every sample towards its four neighbours by λ = 0.25 times the
// difference d with each, weighted by the conductance g = 1/(1+(d/K)²),
// so that flat areas smooth out while edges (differences well above K)
// stay sharp. K is a fraction of full scale. Samples stay float32 from one
// step to the next and are quantised once, at the end; with alpha the
// colour diffuses premultiplied. Spec "diffuse:N[,K]", K default 0.05.
//
// A step costs about 20 float operations per sample. Fused in a chain, a
// tile reads a border of N pixels and recomputes it, which grows with N;
// package engine can run a lone diffuse without recomputing (see Step).
type Diffuse struct {
	N int
	K float64
}

// String returns the spec with both parameters, e.g. "diffuse:10,0.05".
func (d Diffuse) String() string { return "diffuse:" + strconv.Itoa(d.N) + "," + num(d.K) }

// Halo is N: each step reads one pixel around each sample.
func (d Diffuse) Halo() int { return d.N }

func (d Diffuse) validate() error {
	if err := checkInt("diffuse", "steps", d.N, 1, maxDiffuseSteps); err != nil {
		return err
	}
	return checkFloat("diffuse", "K", d.K, 0, 1, true)
}

func parseDiffuse(args []string) (Op, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, usage("diffuse")
	}
	n, err := parseInt("diffuse", "steps", args[0])
	if err != nil {
		return nil, err
	}
	d := Diffuse{N: n, K: DefaultDiffuseK}
	if len(args) == 2 {
		if d.K, err = parseFloat("diffuse", "K", args[1]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (Diffuse) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (d Diffuse) need(out, in image.Rectangle) image.Rectangle { return areaNeed(out, in, d.N) }
func (Diffuse) alpha() alphaMode                               { return premulAlpha }

// inv is 1/K² as every strategy computes it.
func (d Diffuse) inv() float32 { return float32(1 / (d.K * d.K)) }

// run takes the N steps on a region that shrinks by one pixel a step, down
// to out; where it meets the image's edge it stays, since the edge pixel
// replicates itself.
func (d Diffuse) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	inv := d.inv()
	cur := b
	for k := 1; k <= d.N; k++ {
		r := out.Inset(-(d.N - k)).Intersect(in)
		nb := s.newPlanes(r, len(b.p), b.alpha, b.premul)
		for ch := range nb.p {
			s.diffusePlane(nb.p[ch], r, cur.p[ch], cur.r, inv)
		}
		if cur != b {
			s.release(cur)
		}
		cur = nb
	}
	for _, p := range cur.p {
		clampUnit(p)
	}
	return cur
}

// diffusePlane writes to dst, which covers r, one step of the plane src,
// which covers sr ⊇ r and reaches one pixel beyond r wherever r is not at
// the image's edge.
func (s *scratch) diffusePlane(dst []float32, r image.Rectangle, src []float32, sr image.Rectangle, inv float32) {
	sw, sh := sr.Dx(), sr.Dy()
	j0 := r.Min.Y - sr.Min.Y
	fs := s.floats(r.Dx())
	diffuseRows(dst, r.Dx(), r.Dy(), func(j int) []float32 {
		j = min(max(j+j0, 0), sh-1)
		return src[j*sw : (j+1)*sw]
	}, r.Min.X-sr.Min.X, inv, fs)
	s.putFloats(fs)
}

// flux is the conductance-weighted difference g(d)·d, g = 1/(1+d²/K²).
// flux(-d) is -flux(d) exactly, so a flux between two samples is worked
// out once and used, negated, by the other.
func flux(d, inv float32) float32 { return d / (1 + d*d*inv) }

// diffuseRows writes to dst, rows n samples long, one step of the rows
// 0 … rows-1 of a plane, samples a … a+n-1 of each; row(j) returns source
// row j for j from -1 to rows, the image's edge row where it has none
// beyond. Beyond either end of a source row its end sample replicates
// itself. fs holds n samples of scratch. Every strategy that runs Diffuse
// goes through here, so that all give the same bits.
func diffuseRows(dst []float32, n, rows int, row func(j int) []float32, a int, inv float32, fs []float32) {
	fs = fs[:n]
	for j := range rows {
		up, mid, down := row(j-1), row(j), row(j+1)
		last := len(mid) - 1
		up, down = up[:len(mid)], down[:len(mid)]
		d := dst[j*n : (j+1)*n]
		var fw float32 // flux towards the west neighbour: 0 at the image's edge
		if a > 0 {
			fw = flux(mid[a-1]-mid[a], inv)
		}
		for i := range d {
			x := a + i
			c := mid[x]
			var fn float32
			if j == 0 {
				fn = flux(up[x]-c, inv)
			} else {
				fn = -fs[i]
			}
			var fe float32
			if x < last {
				fe = flux(mid[x+1]-c, inv)
			}
			f := flux(down[x]-c, inv)
			fs[i] = f
			d[i] = c + 0.25*((fn+f)+(fe+fw))
			fw = -fe
		}
	}
}

// clampUnit clamps every sample of p to [0, 1].
func clampUnit(p []float32) {
	for i, v := range p {
		p[i] = min(max(v, 0), 1)
	}
}

// StepRows writes to dst one step of d on src, a strip of whole rows of
// one plane, w samples each; above and below are the rows just outside
// the strip, nil at the image's top or bottom. dst and src must not
// overlap. It is the arithmetic Plan.Run uses, so that an engine that
// keeps the state in memory, or streams it from one step to the next,
// gets the same bits as the fused chain.
func (d Diffuse) StepRows(dst, src []float32, w int, above, below []float32) {
	if w < 1 || len(src)%w != 0 || len(dst) != len(src) || (above != nil && len(above) != w) || (below != nil && len(below) != w) {
		panic(fmt.Sprintf("filter: Diffuse.StepRows on %d samples into %d with rows of %d, above %d, below %d",
			len(src), len(dst), w, len(above), len(below)))
	}
	rows := len(src) / w
	if rows == 0 {
		return
	}
	fs := fluxPool.Get().(*[]float32)
	if cap(*fs) < w {
		*fs = make([]float32, w)
	}
	diffuseRows(dst, w, rows, func(j int) []float32 {
		switch {
		case j < 0 && above != nil:
			return above
		case j >= rows && below != nil:
			return below
		}
		j = min(max(j, 0), rows-1)
		return src[j*w : (j+1)*w]
	}, 0, d.inv(), *fs)
	fluxPool.Put(fs)
}

var fluxPool = sync.Pool{New: func() any { return new([]float32) }}

// LoadPlanes converts the pixels of t into one float32 plane per channel,
// each t.Rect.Dx()·t.Rect.Dy() samples in [0, 1], premultiplied when t has
// alpha: the samples Plan.Run gives Diffuse.
func LoadPlanes(dst [][]float32, t *raster.Tile) {
	f := t.Format
	w, c := t.Rect.Dx(), f.Channels
	for y := t.Rect.Min.Y; y < t.Rect.Max.Y; y++ {
		row := t.Row(y)
		off := (y - t.Rect.Min.Y) * w
		for ch := range c {
			p := dst[ch][off : off+w]
			if f.Depth == 8 {
				for x := range p {
					p[x] = lut8[row[x*c+ch]]
				}
				continue
			}
			for x := range p {
				i := 2 * (x*c + ch)
				p[x] = float32(int(row[i])<<8|int(row[i+1])) * (1.0 / 65535)
			}
		}
	}
	if f.HasAlpha() {
		b := planes{r: t.Rect, p: dst, alpha: true}
		b.premultiply()
	}
}

// StorePlanes writes planes laid out as LoadPlanes makes them into t:
// clamped to [0, 1], divided by alpha if t has alpha, and quantised as
// Plan.Run does after Diffuse.
func StorePlanes(t *raster.Tile, src [][]float32) {
	var s scratch
	b := &planes{r: t.Rect, p: src, alpha: t.Format.HasAlpha(), premul: t.Format.HasAlpha()}
	for _, p := range src {
		clampUnit(p)
	}
	s.store(t, b)
}

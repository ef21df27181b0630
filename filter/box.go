package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// boxScale is the fixed-point scale of box sums. Samples are rounded to
// multiples of 1/boxScale and summed as integers, so a sliding sum is exact
// and every tiling gives the same bytes.
const boxScale = 1 << 24

func (Box) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (bx Box) need(out, in image.Rectangle) image.Rectangle { return areaNeed(out, in, bx.R) }
func (Box) alpha() alphaMode                                { return premulAlpha }

func (bx Box) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	for ch := range b.p {
		s.boxPlane(o.p[ch], out, b.p[ch], b.r, bx.R)
	}
	return o
}

// boxPlane writes to dst the mean over the (2r+1)² window of the plane src,
// which covers b, for each pixel of out.
func (s *scratch) boxPlane(dst []float32, out image.Rectangle, src []float32, b image.Rectangle, r int) {
	ow, bw, bh := out.Dx(), b.Dx(), b.Dy()
	n := 2*r + 1
	hs := s.ints(ow * bh)
	pad := s.floats(ow + 2*r)
	pre := s.ints(ow + 2*r + 1)
	for j := 0; j < bh; j++ {
		padRow(pad, src[j*bw:(j+1)*bw], out.Min.X-r, b.Min.X)
		pre[0] = 0
		acc := int64(0)
		for i, v := range pad {
			acc += int64(v*boxScale + 0.5)
			pre[i+1] = acc
		}
		h := hs[j*ow : (j+1)*ow]
		hi := pre[n : n+ow]
		lo := pre[:ow]
		for i := range h {
			h[i] = hi[i] - lo[i]
		}
	}
	s.putFloats(pad)
	s.putInts(pre)
	acc := s.ints(ow)
	clear(acc)
	row := func(y int) []int64 {
		j := clampRow(y-b.Min.Y, bh)
		return hs[j*ow : (j+1)*ow]
	}
	y0 := out.Min.Y
	for k := -r; k <= r; k++ {
		h := row(y0 + k)
		for i := range acc {
			acc[i] += h[i]
		}
	}
	scale := 1 / (float64(n) * float64(n) * boxScale)
	for y := y0; y < out.Max.Y; y++ {
		if y > y0 {
			sub, add := row(y-r-1), row(y+r)
			sub, add = sub[:len(acc)], add[:len(acc)]
			for i := range acc {
				acc[i] += add[i] - sub[i]
			}
		}
		d := dst[(y-y0)*ow : (y-y0+1)*ow]
		for i, v := range acc[:len(d)] {
			d[i] = float32(float64(v) * scale)
		}
	}
	s.putInts(acc)
	s.putInts(hs)
}

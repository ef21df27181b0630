package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// gaussWeights returns the right half of a normalised Gaussian kernel of
// radius ceil(3σ): w[0] is the centre weight and w[k] the weight at ±k.
func gaussWeights(sigma float64) []float64 { return gaussWeightsInto(nil, sigma) }

// gaussWeightsInto is gaussWeights, reusing w's storage when it is large
// enough.
func gaussWeightsInto(w []float64, sigma float64) []float64 {
	r := gaussRadius(sigma)
	if cap(w) < r+1 {
		w = make([]float64, r+1)
	}
	w = w[:r+1]
	sum := 0.0
	for k := range w {
		w[k] = math.Exp(-float64(k*k) / (2 * sigma * sigma))
		if k == 0 {
			sum += w[k]
		} else {
			sum += 2 * w[k]
		}
	}
	for k := range w {
		w[k] /= sum
	}
	return w
}

func toF32(w []float64) []float32 { return toF32Into(nil, w) }

// toF32Into is toF32, reusing f's storage when it is large enough.
func toF32Into(f []float32, w []float64) []float32 {
	if cap(f) < len(w) {
		f = make([]float32, len(w))
	}
	f = f[:len(w)]
	for i, v := range w {
		f[i] = float32(v)
	}
	return f
}

// gaussF32 returns gaussWeights(sigma) as float32 in s's storage, valid
// until the next call.
func (s *scratch) gaussF32(sigma float64) []float32 {
	s.w64 = gaussWeightsInto(s.w64, sigma)
	s.w32 = toF32Into(s.w32, s.w64)
	return s.w32
}

func (Gaussian) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (g Gaussian) need(out, in image.Rectangle) image.Rectangle {
	return areaNeed(out, in, g.Halo())
}
func (Gaussian) alpha() alphaMode { return premulAlpha }

func (g Gaussian) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	w := s.gaussF32(g.Sigma)
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	for ch := range b.p {
		s.symSeparable(o.p[ch], out, b.p[ch], b.r, w)
	}
	return o
}

// symSeparable convolves the plane src, covering b, with the symmetric
// kernel w (w[0] the centre, w[k] at ±k) horizontally then vertically,
// writing the rectangle out to dst. Samples outside b replicate its edges.
// Every output sample is summed in the same order wherever it lies.
func (s *scratch) symSeparable(dst []float32, out image.Rectangle, src []float32, b image.Rectangle, w []float32) {
	r := len(w) - 1
	ow, bh, bw := out.Dx(), b.Dy(), b.Dx()
	tmp := s.floats(ow * bh)
	pad := s.floats(ow + 2*r)
	for j := 0; j < bh; j++ {
		padRow(pad, src[j*bw:(j+1)*bw], out.Min.X-r, b.Min.X)
		convRowSym(tmp[j*ow:(j+1)*ow], pad, w)
	}
	s.putFloats(pad)
	if cap(s.rowRefs) < 2*r+1 {
		s.rowRefs = make([][]float32, 2*r+1)
	}
	rows := s.rowRefs[:2*r+1]
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := -r; k <= r; k++ {
			j := clampRow(y+k-b.Min.Y, bh)
			rows[k+r] = tmp[j*ow : (j+1)*ow]
		}
		d := dst[(y-out.Min.Y)*ow : (y-out.Min.Y+1)*ow]
		convColSym(d, rows, w)
	}
	s.putFloats(tmp)
}

// convRowSym sets d[i] to the symmetric convolution of pad around
// pad[i+r], r = len(w)-1.
func convRowSym(d, pad []float32, w []float32) {
	r := len(w) - 1
	rows := make([][]float32, 0, 2*maxSepTaps+1)
	for k := -r; k <= r; k++ {
		rows = append(rows, pad[r+k:r+k+len(d)])
	}
	convColSym(d, rows, w)
}

// maxSepTaps bounds the radius for which convRowSym's slice headers stay
// on the stack.
const maxSepTaps = 16

// convColSymGo sets d to the symmetric convolution of rows, whose middle
// row is the centre, with w. Taps are added three at a time, so each output
// sample is loaded and stored about r/3 times. convColSym runs it, or its
// AVX2 twin, which gives the same bits: the conversions keep each product
// rounded on its own, never fused with a sum.
func convColSymGo(d []float32, rows [][]float32, w []float32) {
	r := len(w) - 1
	c := rows[r][:len(d)]
	w0 := w[0]
	k := 1
	if r >= 1 {
		wa := w[1]
		l1, r1 := rows[r-1][:len(d)], rows[r+1][:len(d)]
		for i := range d {
			d[i] = float32(w0*c[i]) + float32(wa*(l1[i]+r1[i]))
		}
		k = 2
	} else {
		for i := range d {
			d[i] = w0 * c[i]
		}
	}
	for ; k+2 <= r; k += 3 {
		wa, wb, wc := w[k], w[k+1], w[k+2]
		l1, r1 := rows[r-k][:len(d)], rows[r+k][:len(d)]
		l2, r2 := rows[r-k-1][:len(d)], rows[r+k+1][:len(d)]
		l3, r3 := rows[r-k-2][:len(d)], rows[r+k+2][:len(d)]
		for i := range d {
			d[i] += float32(wa*(l1[i]+r1[i])) + float32(wb*(l2[i]+r2[i])) + float32(wc*(l3[i]+r3[i]))
		}
	}
	for ; k <= r; k++ {
		wa := w[k]
		l1, r1 := rows[r-k][:len(d)], rows[r+k][:len(d)]
		for i := range d {
			d[i] += float32(wa * (l1[i] + r1[i]))
		}
	}
}

func (Sharpen) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (sh Sharpen) need(out, in image.Rectangle) image.Rectangle {
	return areaNeed(out, in, sh.Halo())
}
func (Sharpen) alpha() alphaMode { return premulAlpha }

func (sh Sharpen) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	w := s.gaussF32(sh.Sigma)
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	amount, thr := float32(sh.Amount), float32(sh.Threshold)
	ow, bw := out.Dx(), b.r.Dx()
	dx, dy := out.Min.X-b.r.Min.X, out.Min.Y-b.r.Min.Y
	for ch := range b.p {
		d := o.p[ch]
		s.symSeparable(d, out, b.p[ch], b.r, w)
		for y := 0; y < out.Dy(); y++ {
			bl := d[y*ow : (y+1)*ow]
			src := b.p[ch][(y+dy)*bw+dx : (y+dy)*bw+dx+ow]
			unsharpRow(bl, src, amount, thr)
		}
	}
	return o
}

// unsharpRow replaces each blurred sample bl[i] with the sharpened src[i].
func unsharpRow(bl, src []float32, amount, thr float32) {
	src = src[:len(bl)]
	for i, v := range src {
		diff := v - bl[i]
		if thr > 0 && diff < thr && diff > -thr {
			bl[i] = v
			continue
		}
		bl[i] = min(max(v+amount*diff, 0), 1)
	}
}

package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

func (Convolve) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (c Convolve) need(out, in image.Rectangle) image.Rectangle {
	return areaNeed(out, in, c.Halo())
}
func (Convolve) alpha() alphaMode { return premulAlpha }

// weights returns the kernel divided by its sum, unless the sum is 0.
func (c Convolve) weights() []float64 {
	sum := 0.0
	for _, k := range c.Kernel {
		sum += k
	}
	w := make([]float64, len(c.Kernel))
	for i, k := range c.Kernel {
		if sum != 0 {
			k /= sum
		}
		w[i] = k
	}
	return w
}

func (c Convolve) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	wt := toF32(c.weights())
	side := convSide(len(wt))
	r := side / 2
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	w, h := out.Dx(), out.Dy()
	pw := w + 2*r
	for ch := range b.p {
		pad := s.padPlane(b.p[ch], b.r, out, r)
		d := o.p[ch]
		for y := 0; y < h; y++ {
			row := d[y*w : (y+1)*w]
			clear(row)
			for j := 0; j < side; j++ {
				src := pad[(y+j)*pw : (y+j+1)*pw]
				ks := wt[j*side : (j+1)*side]
				i := 0
				for ; i+3 <= side; i += 3 {
					if ks[i] == 0 && ks[i+1] == 0 && ks[i+2] == 0 {
						continue
					}
					axpy3(row, src[i:i+w], src[i+1:i+1+w], src[i+2:i+2+w], ks[i], ks[i+1], ks[i+2])
				}
				for ; i < side; i++ {
					if ks[i] != 0 {
						axpy(row, src[i:i+w], ks[i])
					}
				}
			}
			clamp01(row)
		}
		s.putFloats(pad)
	}
	return o
}

// axpy adds k·v[i] to d[i].
func axpy(d, v []float32, k float32) {
	v = v[:len(d)]
	for i, x := range v {
		d[i] += k * x
	}
}

// axpy3Go adds ka·a + kb·b + kc·c to d, one pass instead of three, in the
// order three axpy calls would, so the sums are the same to the bit. The
// conversions keep each product rounded on its own (no fused multiply-add
// on any GOAMD64 level), as axpy3's AVX2 twin rounds it.
func axpy3Go(d, a, b, c []float32, ka, kb, kc float32) {
	a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
	for i := range d {
		d[i] = d[i] + float32(ka*a[i]) + float32(kb*b[i]) + float32(kc*c[i])
	}
}

// clamp01 clamps every sample of d to [0, 1].
func clamp01(d []float32) {
	for i, v := range d {
		d[i] = min(max(v, 0), 1)
	}
}

func (Sobel) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (Sobel) need(out, in image.Rectangle) image.Rectangle { return areaNeed(out, in, 1) }
func (Sobel) alpha() alphaMode                             { return premulAlpha }

// run takes the gradient of every colour plane; alpha is copied, and the
// result is straight colour, since an edge strength is not a colour to
// scale by coverage.
func (Sobel) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	o := s.newPlanes(out, len(b.p), b.alpha, false)
	w, h := out.Dx(), out.Dy()
	pw := w + 2
	for ch := range b.colour() {
		pad := s.padPlane(b.p[ch], b.r, out, 1)
		d := o.p[ch]
		for y := 0; y < h; y++ {
			sobelRow(d[y*w:(y+1)*w], pad[y*pw:(y+1)*pw], pad[(y+1)*pw:(y+2)*pw], pad[(y+2)*pw:(y+3)*pw])
		}
		s.putFloats(pad)
	}
	if b.alpha {
		copyRect(o.p[len(o.p)-1], out, b.p[len(b.p)-1], b.r)
	}
	return o
}

func sobelRow(d, a, m, c []float32) {
	n := len(d)
	a, m, c = a[:n+2], m[:n+2], c[:n+2]
	for x := range d {
		gx := (a[x+2] - a[x]) + 2*(m[x+2]-m[x]) + (c[x+2] - c[x])
		gy := (c[x] + 2*c[x+1] + c[x+2]) - (a[x] + 2*a[x+1] + a[x+2])
		d[x] = min(float32(math.Sqrt(float64(gx*gx+gy*gy))), 1)
	}
}

// copyRect copies the rectangle r of the plane src, which covers b, to dst.
func copyRect(dst []float32, r image.Rectangle, src []float32, b image.Rectangle) {
	w, bw := r.Dx(), b.Dx()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := (y-b.Min.Y)*bw + r.Min.X - b.Min.X
		copy(dst[(y-r.Min.Y)*w:(y-r.Min.Y+1)*w], src[o:o+w])
	}
}

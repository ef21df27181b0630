package filter

import (
	"math"
	"slices"

	"github.com/sluice-go/sluice/raster"
)

// This file is the reference: every operation written the plain way, on a
// whole image of float64 samples, with no attempt at speed. The fast path
// must match it within one level per sample (see exactOps).

// fimg is a whole image, one float64 plane per channel, samples in [0, 1],
// alpha straight and last.
type fimg struct {
	w, h  int
	alpha bool
	p     [][]float64
}

func (m fimg) at(c, x, y int) float64 {
	x = min(max(x, 0), m.w-1)
	y = min(max(y, 0), m.h-1)
	return m.p[c][y*m.w+x]
}

func newFimg(w, h, c int, alpha bool) fimg {
	m := fimg{w: w, h: h, alpha: alpha, p: make([][]float64, c)}
	for i := range m.p {
		m.p[i] = make([]float64, w*h)
	}
	return m
}

func (m fimg) colours() int {
	if m.alpha {
		return len(m.p) - 1
	}
	return len(m.p)
}

// refDecode turns packed pixels into a fimg.
func refDecode(pix []byte, w, h int, f raster.PixelFormat) fimg {
	m := newFimg(w, h, f.Channels, f.HasAlpha())
	mv := float64(f.MaxValue())
	for i := 0; i < w*h; i++ {
		for c := 0; c < f.Channels; c++ {
			k := i*f.Channels + c
			v := float64(pix[k])
			if f.Depth == 16 {
				v = float64(int(pix[2*k])<<8 | int(pix[2*k+1]))
			}
			m.p[c][i] = v / mv
		}
	}
	return m
}

// refEncode rounds m to packed pixels, half up.
func refEncode(m fimg, f raster.PixelFormat) []byte {
	out := make([]byte, m.w*m.h*f.BytesPerPixel())
	mv := float64(f.MaxValue())
	for i := 0; i < m.w*m.h; i++ {
		for c := 0; c < f.Channels; c++ {
			q := int(math.Floor(min(max(m.p[c][i], 0), 1)*mv + 0.5))
			k := i*f.Channels + c
			if f.Depth == 16 {
				out[2*k], out[2*k+1] = byte(q>>8), byte(q)
			} else {
				out[k] = byte(q)
			}
		}
	}
	return out
}

func (m fimg) premultiplied() fimg {
	if !m.alpha {
		return m
	}
	o := newFimg(m.w, m.h, len(m.p), true)
	a := m.p[len(m.p)-1]
	copy(o.p[len(o.p)-1], a)
	for c := 0; c < m.colours(); c++ {
		for i, v := range m.p[c] {
			o.p[c][i] = v * a[i]
		}
	}
	return o
}

func (m fimg) unpremultiplied() fimg {
	if !m.alpha {
		return m
	}
	a := m.p[len(m.p)-1]
	for c := 0; c < m.colours(); c++ {
		for i, v := range m.p[c] {
			if a[i] <= 0 {
				m.p[c][i] = 0
			} else {
				m.p[c][i] = min(max(v/a[i], 0), 1)
			}
		}
	}
	return m
}

// refArea applies f, which computes one output sample of plane c, to every
// plane of the premultiplied image, and returns it straight again.
func refArea(m fimg, w, h int, f func(m fimg, c, x, y int) float64) fimg {
	pm := m.premultiplied()
	o := newFimg(w, h, len(m.p), m.alpha)
	for c := range o.p {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o.p[c][y*w+x] = f(pm, c, x, y)
			}
		}
	}
	return o.unpremultiplied()
}

// refPoint applies f to every colour sample.
func refPoint(m fimg, f func(v float64) float64) fimg {
	o := newFimg(m.w, m.h, len(m.p), m.alpha)
	for c := range o.p {
		for i, v := range m.p[c] {
			if c < m.colours() {
				v = f(v)
			}
			o.p[c][i] = v
		}
	}
	return o
}

func refGaussWeights(sigma float64) []float64 {
	r := int(math.Ceil(3 * sigma))
	w := make([]float64, 2*r+1)
	sum := 0.0
	for k := -r; k <= r; k++ {
		w[k+r] = math.Exp(-float64(k*k) / (2 * sigma * sigma))
		sum += w[k+r]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

func refGauss(m fimg, c, x, y int, w []float64) float64 {
	r := len(w) / 2
	s := 0.0
	for j := -r; j <= r; j++ {
		for i := -r; i <= r; i++ {
			s += w[i+r] * w[j+r] * m.at(c, x+i, y+j)
		}
	}
	return s
}

func refWindow(m fimg, c, x, y, r int) []float64 {
	var v []float64
	for j := -r; j <= r; j++ {
		for i := -r; i <= r; i++ {
			v = append(v, m.at(c, x+i, y+j))
		}
	}
	return v
}

// refApply applies op to the whole image m.
func refApply(op Op, m fimg) fimg {
	switch op := op.(type) {
	case Gaussian:
		w := refGaussWeights(op.Sigma)
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 { return refGauss(m, c, x, y, w) })
	case Box:
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 {
			s := 0.0
			for _, v := range refWindow(m, c, x, y, op.R) {
				s += v
			}
			return s / float64((2*op.R+1)*(2*op.R+1))
		})
	case Sharpen:
		w := refGaussWeights(op.Sigma)
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 {
			v := m.at(c, x, y)
			d := v - refGauss(m, c, x, y, w)
			if math.Abs(d) < op.Threshold {
				return v
			}
			return min(max(v+op.Amount*d, 0), 1)
		})
	case Convolve:
		side := int(math.Sqrt(float64(len(op.Kernel))))
		r := side / 2
		sum := 0.0
		for _, k := range op.Kernel {
			sum += k
		}
		if sum == 0 {
			sum = 1
		}
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 {
			s := 0.0
			for j := 0; j < side; j++ {
				for i := 0; i < side; i++ {
					s += op.Kernel[j*side+i] / sum * m.at(c, x+i-r, y+j-r)
				}
			}
			return min(max(s, 0), 1)
		})
	case Sobel:
		pm := m.premultiplied()
		o := newFimg(m.w, m.h, len(m.p), m.alpha)
		for c := range o.p {
			for y := 0; y < m.h; y++ {
				for x := 0; x < m.w; x++ {
					if c == m.colours() {
						o.p[c][y*m.w+x] = pm.at(c, x, y)
						continue
					}
					p := func(i, j int) float64 { return pm.at(c, x+i, y+j) }
					gx := p(1, -1) + 2*p(1, 0) + p(1, 1) - p(-1, -1) - 2*p(-1, 0) - p(-1, 1)
					gy := p(-1, 1) + 2*p(0, 1) + p(1, 1) - p(-1, -1) - 2*p(0, -1) - p(1, -1)
					o.p[c][y*m.w+x] = min(math.Hypot(gx, gy), 1)
				}
			}
		}
		return o
	case Median:
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 {
			v := refWindow(m, c, x, y, op.R)
			slices.Sort(v)
			return v[len(v)/2]
		})
	case Erode:
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 { return slices.Min(refWindow(m, c, x, y, op.R)) })
	case Dilate:
		return refArea(m, m.w, m.h, func(m fimg, c, x, y int) float64 { return slices.Max(refWindow(m, c, x, y, op.R)) })
	case Shrink:
		n := op.N
		return refArea(m, m.w/n, m.h/n, func(m fimg, c, x, y int) float64 {
			s := 0.0
			for j := 0; j < n; j++ {
				for i := 0; i < n; i++ {
					s += m.at(c, x*n+i, y*n+j)
				}
			}
			return s / float64(n*n)
		})
	case Resize:
		return refResize(m, op.S, true)
	case Diffuse:
		return refDiffuse(op, m)
	case Crop:
		o := newFimg(op.W, op.H, len(m.p), m.alpha)
		for c := range o.p {
			for y := 0; y < op.H; y++ {
				for x := 0; x < op.W; x++ {
					o.p[c][y*op.W+x] = m.at(c, x+op.X, y+op.Y)
				}
			}
		}
		return o
	case Gray:
		if m.colours() < 3 {
			return m
		}
		o := newFimg(m.w, m.h, len(m.p)-2, m.alpha)
		for i := range o.p[0] {
			o.p[0][i] = 0.299*m.p[0][i] + 0.587*m.p[1][i] + 0.114*m.p[2][i]
		}
		if m.alpha {
			copy(o.p[1], m.p[3])
		}
		return o
	case Invert:
		return refPoint(m, func(v float64) float64 { return 1 - v })
	case Brightness:
		return refPoint(m, func(v float64) float64 { return min(max(v+op.B, 0), 1) })
	case Contrast:
		return refPoint(m, func(v float64) float64 { return min(max((v-0.5)*op.C+0.5, 0), 1) })
	case Gamma:
		return refPoint(m, func(v float64) float64 { return math.Pow(v, 1/op.G) })
	case Threshold:
		return refPoint(m, func(v float64) float64 {
			if v >= op.T {
				return 1
			}
			return 0
		})
	case Levels:
		return refPoint(m, func(v float64) float64 { return min(max((v-op.Lo)/(op.Hi-op.Lo), 0), 1) })
	}
	panic("reference: no reference for " + op.String())
}

// refResize resizes m by s: with box, as Resize does, averaging blocks
// first for a large reduction; without, by the Lanczos kernel alone.
func refResize(m fimg, s float64, box bool) fimg {
	ow := max(1, int(math.Round(float64(m.w)*s)))
	oh := max(1, int(math.Round(float64(m.h)*s)))
	if k := refBox(s); k > 1 && box {
		// Average K×K blocks, the last pixel standing in past the edge,
		// then resize the blocks by S·K.
		m = refArea(m, (m.w+k-1)/k, (m.h+k-1)/k, func(m fimg, c, x, y int) float64 {
			t := 0.0
			for j := 0; j < k; j++ {
				for i := 0; i < k; i++ {
					t += m.at(c, x*k+i, y*k+j)
				}
			}
			return t / float64(k*k)
		})
		s *= float64(k)
	}
	return refArea(m, ow, oh, func(m fimg, c, x, y int) float64 {
		wx, x0 := refLanczosWeights(x, s)
		wy, y0 := refLanczosWeights(y, s)
		t := 0.0
		for j, vy := range wy {
			for i, vx := range wx {
				t += vx * vy * m.at(c, x0+i, y0+j)
			}
		}
		return min(max(t, 0), 1)
	})
}

// refBox is the side of the blocks that a resize by s averages first:
// floor(1/(2s)) from s = 1/4 down, as libvips' resize at its default gap.
func refBox(s float64) int {
	if s > 0.25 {
		return 1
	}
	return int(math.Floor(1/(2*s) + 1e-9))
}

// refLanczosWeights returns the normalised Lanczos-3 weights of output
// pixel i of a resize by s, and the input pixel the first one weighs: every
// input pixel closer to the centre (i+0.5)/s-0.5 than 3/min(s, 1).
func refLanczosWeights(i int, s float64) ([]float64, int) {
	centre := (float64(i)+0.5)/s - 0.5
	stretch := 1.0
	if s < 1 {
		stretch = 1 / s
	}
	reach := 3 * stretch
	var w []float64
	first := math.MinInt
	sum := 0.0
	for k := int(centre - reach - 2); k <= int(centre+reach+2); k++ {
		d := math.Abs(float64(k)-centre) / stretch
		if d >= 3 {
			continue
		}
		if first == math.MinInt {
			first = k
		}
		v := 1.0
		if d == math.Trunc(d) && d > 0 {
			v = 0 // sin(πd) is 0 at whole d, not the 1e-16 it rounds to
		} else if d > 0 {
			v = 3 * math.Sin(math.Pi*d) * math.Sin(math.Pi*d/3) / (math.Pi * math.Pi * d * d)
		}
		w = append(w, v)
		sum += v
	}
	for j := range w {
		w[j] /= sum
	}
	return w, first
}

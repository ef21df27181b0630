package filter

import (
	"image"
	"slices"

	"github.com/sluice-go/sluice/raster"
)

func (Median) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (m Median) need(out, in image.Rectangle) image.Rectangle { return areaNeed(out, in, m.R) }
func (Median) alpha() alphaMode                               { return premulAlpha }

// run is the float path of the median, which the plan takes where no
// integer kernel applies: radius 1 and 2 have one on every format
// (medianNet, medianWide), on alpha after exact samples only. Here radius
// 1 sorts columns;
// larger radii take a sliding histogram on exact 8-bit levels and a
// selection per sample otherwise (premultiplied colour, 16-bit samples).
func (m Median) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	o.levels8 = b.levels8
	for ch := range b.p {
		pad := s.padPlane(b.p[ch], b.r, out, m.R)
		switch {
		case b.levels8 && m.R > 1:
			s.medianHist8(o.p[ch], pad, out.Dx(), out.Dy(), m.R)
		case m.R == 1:
			median3(o.p[ch], pad, out.Dx(), out.Dy())
		default:
			medianN(o.p[ch], pad, out.Dx(), out.Dy(), m.R)
		}
		s.putFloats(pad)
	}
	return o
}

// medianN writes the median of each (2r+1)² window of pad, whose rows are
// w+2r samples apart, into dst, w×h samples.
func medianN(dst, pad []float32, w, h, r int) {
	n := 2*r + 1
	pw := w + 2*r
	win := make([]float32, n*n)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			k := 0
			for j := 0; j < n; j++ {
				k += copy(win[k:], pad[(y+j)*pw+x:(y+j)*pw+x+n])
			}
			dst[y*w+x] = selectK(win, len(win)/2)
		}
	}
}

// selectK returns the k-th smallest of v (0-based), reordering v.
func selectK(v []float32, k int) float32 {
	lo, hi := 0, len(v)-1
	for hi-lo > 16 {
		// Median of three as the pivot, then a Hoare partition.
		mid := lo + (hi-lo)/2
		a, b, c := v[lo], v[mid], v[hi]
		p := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	slices.Sort(v[lo : hi+1])
	return v[k]
}

// cs orders a and b.
func cs(a, b float32) (float32, float32) { return min(a, b), max(a, b) }

// median3 is medianN for r = 1: each 3-sample column is sorted once and
// shared by the three windows that contain it; the median of three sorted
// columns is the median of (the largest minimum, the median of medians, the
// smallest maximum).
func median3(dst, pad []float32, w, h int) {
	pw := w + 2
	lo := make([]float32, pw)
	md := make([]float32, pw)
	hi := make([]float32, pw)
	for y := 0; y < h; y++ {
		r0 := pad[y*pw : (y+1)*pw]
		r1 := pad[(y+1)*pw : (y+2)*pw]
		r2 := pad[(y+2)*pw : (y+3)*pw]
		for x := range r0 {
			a, b := cs(r0[x], r1[x])
			b, c := cs(b, r2[x])
			a, b = cs(a, b)
			lo[x], md[x], hi[x] = a, b, c
		}
		d := dst[y*w : (y+1)*w]
		for x := range d {
			mx := max(lo[x], lo[x+1], lo[x+2])
			mn := min(hi[x], hi[x+1], hi[x+2])
			a, b := cs(md[x], md[x+1])
			b = min(b, md[x+2])
			mm := max(a, b)
			a, b = cs(mx, mm)
			b = min(b, mn)
			d[x] = max(a, b)
		}
	}
}

func (Erode) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (e Erode) need(out, in image.Rectangle) image.Rectangle { return areaNeed(out, in, e.R) }
func (Erode) alpha() alphaMode                               { return premulAlpha }
func (e Erode) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	return s.morph(b, out, e.R, false)
}

func (Dilate) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (d Dilate) need(out, in image.Rectangle) image.Rectangle { return areaNeed(out, in, d.R) }
func (Dilate) alpha() alphaMode                               { return premulAlpha }
func (d Dilate) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	return s.morph(b, out, d.R, true)
}

// morph computes the minimum (or with isMax the maximum) over (2r+1)²
// windows, as a horizontal then a vertical pass.
func (s *scratch) morph(b *planes, out image.Rectangle, r int, isMax bool) *planes {
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	o.levels8 = b.levels8
	w, h := out.Dx(), out.Dy()
	pw, ph := w+2*r, h+2*r
	tmp := s.floats(w * ph)
	for ch := range b.p {
		pad := s.padPlane(b.p[ch], b.r, out, r)
		for j := 0; j < ph; j++ {
			src := pad[j*pw : (j+1)*pw]
			t := tmp[j*w : (j+1)*w]
			copy(t, src[:w])
			for k := 1; k <= 2*r; k++ {
				extreme(t, src[k:k+w], isMax)
			}
		}
		d := o.p[ch]
		for y := 0; y < h; y++ {
			row := d[y*w : (y+1)*w]
			copy(row, tmp[y*w:(y+1)*w])
			for k := 1; k <= 2*r; k++ {
				extreme(row, tmp[(y+k)*w:(y+k+1)*w], isMax)
			}
		}
		s.putFloats(pad)
	}
	s.putFloats(tmp)
	return o
}

// extreme sets d[i] to the minimum (or maximum) of d[i] and v[i].
func extreme(d, v []float32, isMax bool) {
	v = v[:len(d)]
	if isMax {
		for i, x := range v {
			d[i] = max(d[i], x)
		}
		return
	}
	for i, x := range v {
		d[i] = min(d[i], x)
	}
}

package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// blurPM8 is the kernel of a Gaussian blur on 8-bit images with alpha
// (gray+alpha, RGBA), premultiplied as every area operation is.
//
// Each pixel is premultiplied once per strip into float32 words (see
// premulPMGo): colour·alpha, exact (at most 65,025), and alpha. The
// vertical pass weighs the words of 2r+1 rows, the horizontal pass those
// results, with the same float32 weights, each operation rounded on its
// own in a fixed order that the vector kernels follow, so both give the
// same bytes. Straight colour is then the quotient of a colour's sum by
// alpha's, rounded half up, and alpha its sum rounded half up.
//
// Why float32 rather than the 16-bit integers of blur8: the quotient
// divides by alpha, and integer weights of 16 bits stray from the exact
// ones by up to a percent in a kernel's tails, which a small alpha
// stretches to several levels. Every weight and word here is positive, so
// each sum is within a few units of float32's last place of its exact
// value, relative, whatever the alpha: the quotient's error stays far
// below a level (see newBlurPM8). A pixel whose window is transparent
// everywhere gets colour 0, as the float path gives, a transparent pixel
// adds no colour to its neighbours, and a uniform colour stays itself
// whatever the alpha.
type blurPM8 struct {
	r int       // kernel radius
	c int       // samples per pixel, alpha last
	w []float32 // w[0] the centre weight, w[k] the weight at ±k
}

// newBlurPM8 returns the kernel for a Gaussian of the given sigma on c
// channels, alpha last, and the bound of its error in levels before
// rounding.
func newBlurPM8(sigma float64, c int) (*blurPM8, float64) {
	w := gaussWeights(sigma)
	f := &blurPM8{r: len(w) - 1, c: c, w: make([]float32, len(w))}
	for k, v := range w {
		f.w[k] = float32(v)
	}
	// The weights are float32 of the exact ones, off by at most 2^-24 of
	// themselves; each of the 2r+1 terms of a pass adds a rounding of at
	// most 2^-24 of the sum so far, and a pass sums positive terms, so the
	// two passes stray from the exact sums by at most (2·(2r+1)+2)·2^-24
	// of their value, relative. A quotient of two such sums, one more
	// rounding, strays by twice that and one more, relative, of at most
	// 255 levels.
	rel := float64(2*(2*f.r+1)+2) * 0x1p-24
	return f, 255 * (2*rel + 0x1p-24)
}

func (f *blurPM8) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *blurPM8) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	n := 2*r + 1
	no := out.Dx() * c  // output samples in a row
	np := no + 2*r*c    // words in a padded row
	x0 := out.Min.X - r // the pixel at m[0]
	a := max(x0, in.Min.X)
	b := min(out.Max.X+r, in.Max.X)
	lo, hi := (a-x0)*c, (b-x0)*c // the words inside the image
	nw := hi - lo
	buf := s.floats(n*nw + np + no)
	ring, m, sums := buf[:n*nw], buf[n*nw:n*nw+np], buf[n*nw+np:]
	var slotRow [2*maxFixedRadius + 1]int
	for i := range slotRow[:n] {
		slotRow[i] = -1
	}
	var rows [2*maxFixedRadius + 1][]float32
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := 0; k < n; k++ {
			sy := min(max(y+k-r, in.Min.Y), in.Max.Y-1)
			slot := sy % n
			row := ring[slot*nw : (slot+1)*nw]
			if slotRow[slot] != sy {
				o := src.PixOffset(a, sy)
				premulPM(row, src.Pix[o:o+nw], c)
				slotRow[slot] = sy
			}
			rows[k] = row
		}
		vertPM(m[lo:hi], rows[:n], f.w)
		for j := 0; j < lo; j += c {
			copy(m[j:j+c], m[lo:lo+c])
		}
		for j := hi; j < np; j += c {
			copy(m[j:j+c], m[hi-c:hi])
		}
		horizPM(sums, m, c, f.w)
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c:][:no]
		unpremulPM(d, sums, c)
	}
	s.putFloats(buf)
}

// premulPMGo stores into d the premultiplied words of the pixels of p, c
// samples each with alpha last: colour·alpha, and alpha.
func premulPMGo(d []float32, p []byte, c int) {
	d = d[:len(p)]
	for i := 0; i+c <= len(p); i += c {
		px, w := p[i:i+c:i+c], d[i:i+c:i+c]
		a := int32(px[c-1])
		for ch := range c - 1 {
			w[ch] = float32(int32(px[ch]) * a)
		}
		w[c-1] = float32(a)
	}
}

// vertPMGo sets d[i] to the vertical pass at word i of rows, whose middle
// row is the centre: w[0] times the centre, plus w[k] times the sum of
// the rows at ±k, for k = 1 … r in turn, each operation rounded to
// float32.
func vertPMGo(d []float32, rows [][]float32, w []float32) {
	r := len(w) - 1
	ctr := rows[r][:len(d)]
	for i := range d {
		d[i] = w[0] * ctr[i]
	}
	for k := 1; k <= r; k++ {
		u, v, wk := rows[r-k][:len(d)], rows[r+k][:len(d)], w[k]
		for i := range d {
			d[i] += float32(wk * float32(u[i]+v[i]))
		}
	}
}

// horizPMGo sets d[i] to the horizontal pass at word i+r·c of m,
// neighbours c apart, in the order of vertPMGo.
func horizPMGo(d, m []float32, c int, w []float32) {
	r := len(w) - 1
	at := func(k int) []float32 { return m[r*c+k*c:][:len(d)] }
	ctr := at(0)
	for i := range d {
		d[i] = w[0] * ctr[i]
	}
	for k := 1; k <= r; k++ {
		u, v, wk := at(-k), at(k), w[k]
		for i := range d {
			d[i] += float32(wk * float32(u[i]+v[i]))
		}
	}
}

// unpremulPMGo stores into d straight pixels from the premultiplied sums
// h of c channels, alpha last: alpha rounded half up, colour its sum
// divided by alpha's, rounded half up (0 where alpha's sum is 0), both
// clamped to 0 … 255.
func unpremulPMGo(d []byte, h []float32, c int) {
	d = d[:len(h)]
	for i := 0; i+c <= len(h); i += c {
		s, o := h[i:i+c:i+c], d[i:i+c:i+c]
		a := s[c-1]
		o[c-1] = roundLevel(a)
		for ch := range c - 1 {
			q := float32(0)
			if a != 0 {
				q = s[ch] / a
			}
			o[ch] = roundLevel(q)
		}
	}
}

// roundLevel returns v rounded half up (truncating v+0.5, as the vector
// kernels do) and clamped to 0 … 255.
func roundLevel(v float32) byte {
	return byte(min(max(int32(float32(v+0.5)), 0), 255))
}

package filter

import (
	"image"
	"math"

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

	// A sharpen (see newSharpenPM8) takes the blur as its mask.
	sharpen bool
	amount  float32
	minA    float32 // exact gives the pixels whose sharpened alpha lies in -negA … minA
	negA    float32
	ew      []float64 // the exact weights, for exact
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
		if !f.sharpen {
			unpremulPM(d, sums, c)
			continue
		}
		x := rows[r][(out.Min.X-a)*c:][:no]
		unsharpPM(d, x, sums, c, f.amount)
		for i := c - 1; i < no; i += c {
			if x[i] == 0 && sums[i] == 0 {
				continue // a transparent window: exactly transparent
			}
			if v := sharpAlpha(x[i], sums[i], f.amount); v > -f.negA && v < f.minA {
				f.exact(d[i+1-c:i+1], src, in, out.Min.X+i/c, y)
			}
		}
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

// newSharpenPM8 returns the kernel of a sharpen without threshold on c
// channels, alpha last, and the bound of its error in levels before
// rounding. Each premultiplied word x becomes x + amount·(x − blur),
// clamped to full scale, alpha included, and straight colour the
// quotient of colour by alpha, clamped, as the float path computes.
//
// The difference cancels: the blur's relative error (newBlurPM8) becomes
// an absolute one of that much of full scale, times the amount, which a
// quotient by alpha A levels stretches by 255/A. Pixels whose sharpened
// alpha lies between -negA and minA (but not those whose window is
// transparent, exactly 0) take their values from exact, in float64 from
// the exact weights: there the quotient's error could reach a level, or
// the sign of alpha, which decides whether colour is 0, be wrong.
func newSharpenPM8(sh Sharpen, c int) (*blurPM8, float64) {
	f, _ := newBlurPM8(sh.Sigma, c)
	f.sharpen, f.amount = true, float32(sh.Amount)
	f.ew = gaussWeights(sh.Sigma)
	const budget = 0.2
	rel := float64(2*(2*f.r+1)+2) * 0x1p-24
	// The difference, the product and the sum each round once more.
	abs := (sh.Amount*rel + 3*0x1p-24*(1+2*sh.Amount)) * 255 // of alpha, in levels
	// colour·alpha and alpha each off by abs of full scale: the quotient
	// moves by at most 2·255·abs / A.
	f.minA, f.negA = float32(max(2*255*abs/budget, 2*abs)), float32(2*abs)
	return f, budget + abs
}

// sharpAlpha is the sharpened alpha word of unsharpPMGo before its clamp.
func sharpAlpha(x, h, amount float32) float32 {
	return x + float32(amount*float32(x-h))
}

// unsharpPMGo stores into d the straight pixels of the premultiplied
// words x sharpened by their blur h: x + amount·(x − h), each operation
// rounded to float32, clamped to 0 … 65,025 (colour) or 0 … 255 (alpha);
// then alpha rounded half up, and colour divided by alpha (0 where alpha
// is 0), rounded half up and clamped to 0 … 255.
func unsharpPMGo(d []byte, x, h []float32, c int, amount float32) {
	d = d[:len(h)]
	x = x[:len(h)]
	for i := 0; i+c <= len(h); i += c {
		a := min(max(sharpAlpha(x[i+c-1], h[i+c-1], amount), 0), 255)
		d[i+c-1] = roundLevel(a)
		for ch := range c - 1 {
			v := min(max(sharpAlpha(x[i+ch], h[i+ch], amount), 0), 255*255)
			q := float32(0)
			if a != 0 {
				q = v / a
			}
			d[i+ch] = roundLevel(q)
		}
	}
}

// exact stores into px the sharpened pixel x, y, computed in float64 from
// the exact weights, as the reference does.
func (f *blurPM8) exact(px []byte, src *raster.Tile, in image.Rectangle, x, y int) {
	r, c := f.r, f.c
	var b, v [4]float64
	for j := -r; j <= r; j++ {
		sy := min(max(y+j, in.Min.Y), in.Max.Y-1)
		var row [4]float64
		for i := -r; i <= r; i++ {
			sx := min(max(x+i, in.Min.X), in.Max.X-1)
			p := src.Pix[src.PixOffset(sx, sy):][:c]
			premulF64(&v, p)
			for ch := range c {
				row[ch] += f.ew[abs(i)] * v[ch]
			}
		}
		for ch := range c {
			b[ch] += f.ew[abs(j)] * row[ch]
		}
	}
	premulF64(&v, src.Pix[src.PixOffset(x, y):][:c])
	var o [4]float64
	for ch := range c {
		o[ch] = min(max(v[ch]+float64(f.amount)*(v[ch]-b[ch]), 0), 1)
	}
	a := o[c-1]
	px[c-1] = byte(math.Floor(a*255 + 0.5))
	for ch := range c - 1 {
		q := 0.0
		if a > 0 {
			q = min(max(o[ch]/a, 0), 1)
		}
		px[ch] = byte(math.Floor(q*255 + 0.5))
	}
}

// premulF64 sets v to the pixel p premultiplied, in [0, 1].
func premulF64(v *[4]float64, p []byte) {
	c := len(p)
	a := float64(p[c-1]) / 255
	for ch := range c - 1 {
		v[ch] = float64(p[ch]) / 255 * a
	}
	v[c-1] = a
}

func abs(k int) int {
	if k < 0 {
		return -k
	}
	return k
}

package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// blurPM8 is the integer kernel of a Gaussian blur on 8-bit images with
// alpha (gray+alpha, RGBA), premultiplied as every area operation is.
//
// Each colour sample becomes a word holding colour·alpha, exactly (at
// most 65,025), and alpha a word of its own value. Both passes weigh the words with
// integer weights that sum to 1<<blurPMBits, and nothing is rounded
// between them: a word holds at most 65,025·2^46 < 2^62. Straight colour
// is then the quotient of a colour's sum by alpha's, rounded half up: both
// sums have the same weights, so the quotient is a weighted mean of the
// colours under them, and a pixel whose window is transparent everywhere
// gets colour 0, as the float path gives. A uniform colour stays exactly
// itself whatever the alpha.
type blurPM8 struct {
	r int      // kernel radius
	c int      // samples per pixel, alpha last
	w []uint64 // w[0] the centre weight, w[k] the weight at ±k
}

// blurPMBits is the scale of blurPM8's weights.
const blurPMBits = 23

// newBlurPM8 returns the kernel for a Gaussian of the given sigma on c
// channels, alpha last, and the bound of its colour error in levels
// before rounding: the means' weights stray from the exact ones by at
// most twice the largest relative error of a one-dimensional weight.
func newBlurPM8(sigma float64, c int) (*blurPM8, float64) {
	w := gaussWeights(sigma)
	q := fixedWeights(w, blurPMBits)
	rel := 0.0
	for k := range w {
		rel = max(rel, math.Abs(float64(q[k])/(1<<blurPMBits)-w[k])/w[k])
	}
	// A weighted mean of values in [0, 255] moves by at most 255 times
	// twice the relative change of its weights.
	return &blurPM8{r: len(q) - 1, c: c, w: q}, 255 * 2 * 2 * rel
}

func (f *blurPM8) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *blurPM8) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	n := 2*r + 1
	no := out.Dx() * c // output samples in a row
	nw := no + 2*r*c   // words in a padded row
	words := s.words(n*nw + nw + no)
	ring := words[:n*nw]
	acc := words[n*nw : n*nw+nw]
	res := words[n*nw+nw:]
	var slotRow [2*maxFixedRadius + 1]int
	for i := range slotRow[:n] {
		slotRow[i] = -1
	}
	var rows, hrows [2*maxFixedRadius + 1][]uint64
	for k := 0; k < n; k++ {
		hrows[k] = acc[k*c : k*c+no]
	}
	pad := s.bytes(nw + 1)
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := 0; k < n; k++ {
			sy := min(max(y+k-r, in.Min.Y), in.Max.Y-1)
			slot := sy % n
			row := ring[slot*nw : (slot+1)*nw]
			if slotRow[slot] != sy {
				padSamples(pad, src, sy, out.Min.X-r, out.Max.X+r, in, 1)
				packPM8(row, pad, c)
				slotRow[slot] = sy
			}
			rows[k] = row
		}
		symPass(acc, rows[:n], f.w, 0, finRaw)
		symPass(res, hrows[:n], f.w, 0, finRaw)
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c:][:no]
		unpremulPM8(d, res, c)
	}
	s.putBytes(pad)
	s.putWords(words)
}

// packPM8 fills a padded row of words from the bytes of pad: colour times
// alpha, and alpha.
func packPM8(row []uint64, pad []byte, c int) {
	pad = pad[:len(row)]
	for i := 0; i+c <= len(row); i += c {
		px, w := pad[i:i+c:i+c], row[i:i+c:i+c]
		a := uint64(px[c-1])
		for ch := 0; ch < c-1; ch++ {
			w[ch] = uint64(px[ch]) * a
		}
		w[c-1] = a
	}
}

// unpremulPM8 stores straight colour and alpha from the sums res, in units
// of 2^-2·blurPMBits of the packed words.
func unpremulPM8(d []byte, res []uint64, c int) {
	const shift = 2 * blurPMBits
	d = d[:len(res)]
	for i := 0; i+c <= len(res); i += c {
		s, o := res[i:i+c:i+c], d[i:i+c:i+c]
		a := s[c-1]
		o[c-1] = byte((a + 1<<(shift-1)) >> shift)
		if a == 0 {
			for ch := 0; ch < c-1; ch++ {
				o[ch] = 0
			}
			continue
		}
		for ch := 0; ch < c-1; ch++ {
			// colour = Σw·c·a / Σw·a, rounded half up.
			q, rem := s[ch]/a, s[ch]%a
			if 2*rem >= a {
				q++
			}
			o[ch] = byte(min(q, 255))
		}
	}
}

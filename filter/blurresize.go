package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// blurResize is a Gaussian blur followed by a reduction without a box
// (1/4 < S ≤ 1), planned as one stage. Both are linear and separable, and
// the blur's weights are positive and sum to 1, so it keeps samples in
// range and needs no clamp: the pair is one resize whose taps are the
// Lanczos taps convolved with the Gaussian, with the edge replication of
// each step folded exactly into the taps of the rows and columns near the
// edges (see blurredTaps). That saves the blur's two passes over the whole
// input for taps 2·ceil(3σ) wider over the reduced rows and columns, and
// the rounding between the two on the integer path. Which chains merge
// depends on the chain alone (mergesBlur), so every tile takes the same
// taps.
type blurResize struct {
	g Gaussian
	z Resize
}

// mergesBlur reports whether a blur g followed by the resize z plan as
// one blurResize stage: a reduction without a box, where the wider taps
// cost less than the blur's pass, with at most maxMergedTaps taps each
// way.
func mergesBlur(g Gaussian, z Resize) bool {
	taps := 2*int(math.Ceil(z.support())) + 2*gaussRadius(g.Sigma)
	return z.S <= 1 && z.box() == 1 && taps <= maxMergedTaps
}

// maxMergedTaps bounds the taps of a merged blur and resize along an axis:
// the vector passes of the 8-bit resize take up to 64 rows at once.
const maxMergedTaps = 62

// String returns the specs of both operations, e.g. "blur:1 resize:0.5".
func (br blurResize) String() string { return br.g.String() + " " + br.z.String() }

func (br blurResize) validate() error {
	if err := br.g.validate(); err != nil {
		return err
	}
	return br.z.validate()
}

func (br blurResize) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return br.z.shape(w, h, f)
}

// need is the input that the resize reads of the blurred image, and the
// blur's halo around it, clamped to in: what the two stages need one
// after the other.
func (br blurResize) need(out, in image.Rectangle) image.Rectangle {
	return br.g.need(br.z.need(out, in), in)
}

func (blurResize) alpha() alphaMode { return premulAlpha }

func (br blurResize) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return br.z.runLanczos(s, b, out, in, br.g.Sigma)
}

// blurredTaps returns the weights of output i of the resize z (without a
// box) along an axis of m input pixels, after a blur with the half kernel
// g (g[0] the centre), the edges of both replicated: the normalised
// Lanczos weight of each position the resize reads goes to the position
// clamped to the axis, whose blur spreads it over its neighbours by g,
// each clamped to the axis again. lo is the input position of wf[0]; every
// position lies on the axis. wf's storage is reused when large enough.
func blurredTaps(z Resize, g []float64, i, m int, wf []float64) (lo int, _ []float64) {
	first, last := z.span(i)
	u := (float64(i)+0.5)/z.S - 0.5
	fs := min(z.S, 1)
	r := len(g) - 1
	clamp := func(k int) int { return min(max(k, 0), m-1) }
	lo, hi := max(clamp(first)-r, 0), min(clamp(last)+r, m-1)
	wf = wf[:0]
	for range hi - lo + 1 {
		wf = append(wf, 0)
	}
	sum := 0.0
	for k := first; k <= last; k++ {
		sum += lanczos((float64(k) - u) * fs)
	}
	for k := first; k <= last; k++ {
		v := lanczos((float64(k)-u)*fs) / sum
		if v == 0 {
			continue
		}
		j := clamp(k)
		for t := -r; t <= r; t++ {
			wf[clamp(j+t)-lo] += v * g[max(t, -t)]
		}
	}
	return lo, wf
}

// blurKernel is the half kernel of a blur of sigma, or nil for 0: no blur.
func blurKernel(sigma float64) []float64 {
	if sigma == 0 {
		return nil
	}
	return gaussWeights(sigma)
}

// resizeOf returns the resize of a Resize or blurResize stage and the
// sigma of the blur folded into it (0 for none).
func resizeOf(st stage) (Resize, float64) {
	if br, ok := st.(blurResize); ok {
		return br.z, br.g.Sigma
	}
	return st.(Resize), 0
}

package filter

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits on parameters, so that a spec cannot ask for an absurd amount of work.
const (
	maxSigma       = 300  // blur and sharpen sigma
	maxRadius      = 1000 // box, erode, dilate radius
	maxMedianR     = 30   // median radius
	maxKernelSide  = 31   // conv kernel side
	maxAmount      = 100  // sharpen amount
	maxContrast    = 100  // contrast factor
	maxGamma       = 100  // gamma
	maxShrinkRatio = 1 << 16
)

// num formats a parameter as the shortest decimal that reads back the same.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// gaussRadius is the kernel radius of a Gaussian of the given sigma: ceil(3σ).
func gaussRadius(sigma float64) int { return int(math.Ceil(3 * sigma)) }

// rangeErr says that parameter name of op lies outside its range.
func rangeErr(op, name string, v any, allowed string) error {
	return fmt.Errorf("filter: %s: %s must be in %s, got %v", op, name, allowed, v)
}

func checkFloat(op, name string, v, lo, hi float64, loOpen bool) error {
	ok := v <= hi && (v > lo || !loOpen && v == lo)
	if !ok || math.IsNaN(v) {
		open := "["
		if loOpen {
			open = "("
		}
		return rangeErr(op, name, num(v), fmt.Sprintf("%s%s, %s]", open, num(lo), num(hi)))
	}
	return nil
}

func checkInt(op, name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return rangeErr(op, name, v, fmt.Sprintf("[%d, %d]", lo, hi))
	}
	return nil
}

// Gaussian blurs with a Gaussian of standard deviation Sigma, truncated at
// radius ceil(3·Sigma). It is separable: about 2·(2·radius+1) multiply-adds
// per sample. Spec "blur:SIGMA".
type Gaussian struct{ Sigma float64 }

// String returns the spec, e.g. "blur:2".
func (g Gaussian) String() string { return "blur:" + num(g.Sigma) }

// Halo is the kernel radius, ceil(3·Sigma).
func (g Gaussian) Halo() int { return gaussRadius(g.Sigma) }

func (g Gaussian) validate() error { return checkFloat("blur", "sigma", g.Sigma, 0, maxSigma, true) }

// Box blurs with the mean of the (2R+1)² window around each pixel, by
// sliding sums: its cost does not grow with R. Spec "box:R".
type Box struct{ R int }

// String returns the spec, e.g. "box:3".
func (b Box) String() string { return "box:" + strconv.Itoa(b.R) }

// Halo is R.
func (b Box) Halo() int { return b.R }

func (b Box) validate() error { return checkInt("box", "radius", b.R, 1, maxRadius) }

// Sharpen is an unsharp mask: each sample moves away from a Gaussian blur of
// standard deviation Sigma by Amount times the difference, where the
// difference is at least Threshold (a fraction of full scale). Spec
// "sharpen[:SIGMA[,AMOUNT[,THRESHOLD]]]", defaults 1, 1 and 0.
type Sharpen struct{ Sigma, Amount, Threshold float64 }

// DefaultSharpen is the Sharpen that the spec "sharpen" stands for.
var DefaultSharpen = Sharpen{Sigma: 1, Amount: 1, Threshold: 0}

// String returns the spec with every parameter, e.g. "sharpen:1,1,0".
func (s Sharpen) String() string {
	return "sharpen:" + num(s.Sigma) + "," + num(s.Amount) + "," + num(s.Threshold)
}

// Halo is the blur radius, ceil(3·Sigma).
func (s Sharpen) Halo() int { return gaussRadius(s.Sigma) }

func (s Sharpen) validate() error {
	if err := checkFloat("sharpen", "sigma", s.Sigma, 0, maxSigma, true); err != nil {
		return err
	}
	if err := checkFloat("sharpen", "amount", s.Amount, 0, maxAmount, false); err != nil {
		return err
	}
	return checkFloat("sharpen", "threshold", s.Threshold, 0, 1, false)
}

// Sobel replaces each sample with the magnitude of its Sobel gradient,
// sqrt(gx²+gy²), clamped to full scale. With alpha, the gradient is taken of
// premultiplied colour and alpha is kept. Spec "sobel".
type Sobel struct{}

// String returns "sobel".
func (Sobel) String() string { return "sobel" }

// Halo is 1.
func (Sobel) Halo() int { return 1 }

func (Sobel) validate() error { return nil }

// Convolve correlates the image with a square kernel of odd side given row by
// row, Kernel[0] weighing the neighbour up and to the left. The kernel is
// divided by its sum unless the sum is 0. Spec "conv:K1,K2,…".
type Convolve struct{ Kernel []float64 }

// String returns the spec, e.g. "conv:0,-1,0,-1,5,-1,0,-1,0".
func (c Convolve) String() string {
	s := make([]string, len(c.Kernel))
	for i, k := range c.Kernel {
		s[i] = num(k)
	}
	return "conv:" + strings.Join(s, ",")
}

// Halo is half the kernel side, rounded down.
func (c Convolve) Halo() int { return convSide(len(c.Kernel)) / 2 }

// convSide returns the side of a square kernel of n weights, or 0 when n is
// not an odd square.
func convSide(n int) int {
	s := int(math.Sqrt(float64(n)) + 0.5)
	if s*s != n || s%2 == 0 {
		return 0
	}
	return s
}

func (c Convolve) validate() error {
	s := convSide(len(c.Kernel))
	if s == 0 || s > maxKernelSide {
		return fmt.Errorf("filter: conv: the kernel must have an odd square number of weights (1, 9, 25 … %d), got %d",
			maxKernelSide*maxKernelSide, len(c.Kernel))
	}
	for i, k := range c.Kernel {
		if math.IsNaN(k) || math.IsInf(k, 0) || math.Abs(k) > 1e6 {
			return fmt.Errorf("filter: conv: weight %d must be a finite number in [-1e6, 1e6], got %v", i+1, k)
		}
	}
	return nil
}

// Median replaces each sample with the median of the (2R+1)² window around
// it, per channel. Spec "median:R".
type Median struct{ R int }

// String returns the spec, e.g. "median:2".
func (m Median) String() string { return "median:" + strconv.Itoa(m.R) }

// Halo is R.
func (m Median) Halo() int { return m.R }

func (m Median) validate() error { return checkInt("median", "radius", m.R, 1, maxMedianR) }

// Erode replaces each sample with the minimum of the (2R+1)² window around
// it, per channel. Spec "erode:R".
type Erode struct{ R int }

// String returns the spec, e.g. "erode:1".
func (e Erode) String() string { return "erode:" + strconv.Itoa(e.R) }

// Halo is R.
func (e Erode) Halo() int { return e.R }

func (e Erode) validate() error { return checkInt("erode", "radius", e.R, 1, maxRadius) }

// Dilate replaces each sample with the maximum of the (2R+1)² window around
// it, per channel. Spec "dilate:R".
type Dilate struct{ R int }

// String returns the spec, e.g. "dilate:1".
func (d Dilate) String() string { return "dilate:" + strconv.Itoa(d.R) }

// Halo is R.
func (d Dilate) Halo() int { return d.R }

func (d Dilate) validate() error { return checkInt("dilate", "radius", d.R, 1, maxRadius) }

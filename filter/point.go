package filter

import (
	"image"
	"math"
	"strings"

	"github.com/sluice-go/sluice/raster"
)

// pointOp is an operation that maps each colour sample on its own, in
// place, on straight colour. Alpha is left alone.
type pointOp interface {
	Op
	point(v []float32)
}

// pointStage runs consecutive point operations in one pass over a tile.
// On samples that are exact 8-bit levels it looks the result up in table8,
// the operations applied once to each of the 256 levels, which gives the
// same samples as applying them.
type pointStage struct {
	ops    []pointOp
	table8 *[256]float32 // nil until prepare
}

// prepare fills table8.
func (p *pointStage) prepare() {
	t := lut8
	for _, op := range p.ops {
		op.point(t[:])
	}
	p.table8 = &t
}

func (p *pointStage) String() string {
	s := make([]string, len(p.ops))
	for i, op := range p.ops {
		s[i] = op.String()
	}
	return strings.Join(s, " ")
}
func (p *pointStage) validate() error { return nil }
func (p *pointStage) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}
func (p *pointStage) need(out, _ image.Rectangle) image.Rectangle { return out }
func (p *pointStage) alpha() alphaMode                            { return straightAlpha }

// pointChunk is how many samples each operation processes before the next
// takes over, so that a chunk stays in the L1 cache across operations.
const pointChunk = 1024

func (p *pointStage) run(_ *scratch, b *planes, _, _ image.Rectangle) *planes {
	if b.levels8 && p.table8 != nil {
		for _, c := range b.colour() {
			lookup8(c, p.table8)
		}
		b.levels8 = false
		return b
	}
	b.levels8 = false
	for _, c := range b.colour() {
		for i := 0; i < len(c); i += pointChunk {
			chunk := c[i:min(i+pointChunk, len(c))]
			for _, op := range p.ops {
				op.point(chunk)
			}
		}
	}
	return b
}

// lookup8 replaces each sample of v, an exact 8-bit level, with its entry
// in t.
func lookup8(v []float32, t *[256]float32) {
	for i, x := range v {
		v[i] = t[uint8(x*255+0.5)]
	}
}

// pointShape, pointNeed and pointAlpha serve the point operations, which are
// planned through pointStage and never run alone.
func pointShape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return sameShape(w, h, f)
}

// Invert replaces each colour sample v with 1−v. Spec "invert".
type Invert struct{}

// String returns "invert".
func (Invert) String() string { return "invert" }

// Halo is 0.
func (Invert) Halo() int { return 0 }

func (Invert) validate() error { return nil }
func (Invert) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return pointShape(w, h, f)
}
func (Invert) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Invert) alpha() alphaMode                            { return straightAlpha }
func (op Invert) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return (&pointStage{ops: []pointOp{op}}).run(s, b, out, in)
}
func (Invert) point(v []float32) {
	for i, x := range v {
		v[i] = 1 - x
	}
}

// Brightness adds B, a fraction of full scale in [-1, 1], to each colour
// sample. Spec "brightness:B".
type Brightness struct{ B float64 }

// String returns the spec, e.g. "brightness:0.1".
func (op Brightness) String() string { return "brightness:" + num(op.B) }

// Halo is 0.
func (Brightness) Halo() int { return 0 }

func (op Brightness) validate() error {
	return checkFloat("brightness", "amount", op.B, -1, 1, false)
}
func (Brightness) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return pointShape(w, h, f)
}
func (Brightness) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Brightness) alpha() alphaMode                            { return straightAlpha }
func (op Brightness) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return (&pointStage{ops: []pointOp{op}}).run(s, b, out, in)
}
func (op Brightness) point(v []float32) {
	d := float32(op.B)
	for i, x := range v {
		v[i] = min(max(x+d, 0), 1)
	}
}

// Contrast scales each colour sample's distance from mid-grey by C, in
// [0, 100]: 1 leaves the image alone, 0 makes it flat grey. Spec
// "contrast:C".
type Contrast struct{ C float64 }

// String returns the spec, e.g. "contrast:1.5".
func (op Contrast) String() string { return "contrast:" + num(op.C) }

// Halo is 0.
func (Contrast) Halo() int { return 0 }

func (op Contrast) validate() error {
	return checkFloat("contrast", "factor", op.C, 0, maxContrast, false)
}
func (Contrast) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return pointShape(w, h, f)
}
func (Contrast) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Contrast) alpha() alphaMode                            { return straightAlpha }
func (op Contrast) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return (&pointStage{ops: []pointOp{op}}).run(s, b, out, in)
}
func (op Contrast) point(v []float32) {
	c := float32(op.C)
	for i, x := range v {
		v[i] = min(max((x-0.5)*c+0.5, 0), 1)
	}
}

// Gamma raises each colour sample to the power 1/G, G in (0, 100]: above 1
// brightens the mid-tones. Spec "gamma:G".
type Gamma struct{ G float64 }

// String returns the spec, e.g. "gamma:2.2".
func (op Gamma) String() string { return "gamma:" + num(op.G) }

// Halo is 0.
func (Gamma) Halo() int { return 0 }

func (op Gamma) validate() error { return checkFloat("gamma", "gamma", op.G, 0, maxGamma, true) }
func (Gamma) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return pointShape(w, h, f)
}
func (Gamma) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Gamma) alpha() alphaMode                            { return straightAlpha }
func (op Gamma) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return (&pointStage{ops: []pointOp{op}}).run(s, b, out, in)
}
func (op Gamma) point(v []float32) {
	e := 1 / op.G
	for i, x := range v {
		v[i] = float32(math.Pow(float64(min(max(x, 0), 1)), e))
	}
}

// Threshold sets each colour sample to full scale when it is at least T, a
// fraction of full scale in [0, 1], and to 0 otherwise. Spec "threshold:T".
type Threshold struct{ T float64 }

// String returns the spec, e.g. "threshold:0.5".
func (op Threshold) String() string { return "threshold:" + num(op.T) }

// Halo is 0.
func (Threshold) Halo() int { return 0 }

func (op Threshold) validate() error {
	return checkFloat("threshold", "level", op.T, 0, 1, false)
}
func (Threshold) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return pointShape(w, h, f)
}
func (Threshold) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Threshold) alpha() alphaMode                            { return straightAlpha }
func (op Threshold) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return (&pointStage{ops: []pointOp{op}}).run(s, b, out, in)
}
func (op Threshold) point(v []float32) {
	t := float32(op.T)
	for i, x := range v {
		if x >= t {
			v[i] = 1
		} else {
			v[i] = 0
		}
	}
}

// Levels stretches the colour range [Lo, Hi] to full scale, clamping what
// lies outside; 0 ≤ Lo < Hi ≤ 1. Spec "levels:LO,HI".
type Levels struct{ Lo, Hi float64 }

// String returns the spec, e.g. "levels:0.1,0.9".
func (op Levels) String() string { return "levels:" + num(op.Lo) + "," + num(op.Hi) }

// Halo is 0.
func (Levels) Halo() int { return 0 }

func (op Levels) validate() error {
	if err := checkFloat("levels", "low", op.Lo, 0, 1, false); err != nil {
		return err
	}
	if err := checkFloat("levels", "high", op.Hi, 0, 1, false); err != nil {
		return err
	}
	if op.Lo >= op.Hi {
		return rangeErr("levels", "low", num(op.Lo), "[0, high)")
	}
	return nil
}
func (Levels) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return pointShape(w, h, f)
}
func (Levels) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Levels) alpha() alphaMode                            { return straightAlpha }
func (op Levels) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	return (&pointStage{ops: []pointOp{op}}).run(s, b, out, in)
}
func (op Levels) point(v []float32) {
	lo, k := float32(op.Lo), float32(1/(op.Hi-op.Lo))
	for i, x := range v {
		v[i] = min(max((x-lo)*k, 0), 1)
	}
}

// Gray turns colour into luma, 0.299·R + 0.587·G + 0.114·B (the weights of
// image/color), keeping alpha and depth: RGB8 becomes Gray8 and RGBA16
// GrayAlpha16. On a gray image it does nothing. Spec "gray".
type Gray struct{}

// String returns "gray".
func (Gray) String() string { return "gray" }

// Halo is 0.
func (Gray) Halo() int { return 0 }

func (Gray) validate() error { return nil }
func (Gray) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	if f.Color() {
		f.Channels -= 2
	}
	return w, h, f, nil
}
func (Gray) need(out, _ image.Rectangle) image.Rectangle { return out }
func (Gray) alpha() alphaMode                            { return anyAlpha }

// Luma weights of Gray.
const lumaR, lumaG, lumaB = 0.299, 0.587, 0.114

func (Gray) run(s *scratch, b *planes, _, _ image.Rectangle) *planes {
	if len(b.colour()) < 3 {
		return b
	}
	r, g, bl := b.p[0], b.p[1], b.p[2]
	g, bl = g[:len(r)], bl[:len(r)]
	for i, v := range r {
		r[i] = lumaR*v + lumaG*g[i] + lumaB*bl[i]
	}
	b.levels8 = false
	s.putFloats(b.p[1])
	s.putFloats(b.p[2])
	b.p[2] = nil
	if b.alpha {
		b.p[1] = b.p[3]
		b.p = b.p[:2]
	} else {
		b.p = b.p[:1]
	}
	return b
}

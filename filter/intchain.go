package filter

import (
	"fmt"
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// The integer chain: a plan whose every stage has an integer kernel runs
// them one after the other on each tile, in the image's own 8- or 16-bit
// samples, with no float32 planes. A tile is cut into blocks small enough
// for the samples between two kernels to stay in cache.
//
// The quantisation rule. An integer chain rounds to the image's depth
// after each kernel that computes (blur, sharpen, gray, shrink, resize), half up,
// as libvips does after every operation (resizeSharpen8, a resize and the
// sharpen after it in one kernel, rounds to 1/64 of a level between the
// two, and a blur folded into a resize's taps does not round); kernels
// that select (median,
// crop) add no rounding, but for the median on alpha, which rounds its
// straight colour; point operations add none of their own: they
// fold into the kernel before them as a table, indexed by that kernel's
// result at its own precision (1/16 of a level after gray at 8 bits), or
// run as a table over the source when they come first. The plan keeps a
// bound of how far each sample may be from the exact value of the chain
// so far, through every rounding and every stretch of a later operation
// (sharpen by 1+2·amount, resize by the sum of its kernel's absolute
// weights, a table by its steepest step); it takes the
// integer chain only when the bound at the end is below 1.5 levels, which
// puts every output sample within one level of the float64 reference of
// the whole chain rounded once. Otherwise the whole chain runs in float32,
// rounded once, as before.

// maxChainErr bounds the distance, in levels, between an integer chain's
// output and the exact value: below 1.5, the output lies within one level
// of the exact value rounded.
const maxChainErr = 1.45

// blur16Float sends 16-bit chains of blurs and point operations to the
// float32 path (see planInt); tests clear it to reach the fixed-point
// kernels, which other chains still run, through a lone blur. (A 16-bit
// resize with a blur folded in takes resizeFixed's vector kernels: on
// RGB16, blur:1 resize:0.5 costs a third of the float32 pass.)
var blur16Float = true

// blursAndTables reports whether every stage of p is a Gaussian blur or a
// point operation, with at least one blur.
func blursAndTables(p *Plan) bool {
	blur := false
	for _, ps := range p.stages {
		switch ps.st.(type) {
		case Gaussian:
			blur = true
		case *pointStage:
		default:
			return false
		}
	}
	return blur
}

// intStep is one kernel of an integer chain and the plan stages it runs.
type intStep struct {
	k           fixedPath
	first, last int                // the plan stages it runs
	out         raster.PixelFormat // the format of its output
	name        string             // the kernel's name, for Kernels
	pre         float64            // bound of its result's error before rounding
	step        float64            // its rounding step in levels (0 when it selects)
}

// intChain runs the steps of a plan one after the other on each block.
type intChain struct {
	p     *Plan
	steps []intStep
}

// The block an integer chain cuts a tile into: as wide as a kernel's strip,
// and tall enough that the rows recomputed for the halos between kernels
// cost little.
const (
	chainBlockW = stripWidth
	chainBlockH = 128
)

// planInt returns the integer steps of p, or nil when some stage has no
// integer kernel for the plan's format or the error bound is too large.
func planInt(p *Plan) []intStep {
	f := p.in
	if len(p.stages) == 0 {
		return nil
	}
	if f.HasAlpha() {
		return planIntAlpha(p)
	}
	if f.Depth == 16 && blur16Float && blursAndTables(p) {
		// On 16-bit samples the float32 passes, which have vector kernels,
		// cost about 0.6 of the scalar fixed-point ones (fixedSep), and
		// stay as exact: a chain of blurs and point operations runs there.
		return nil
	}
	var steps []intStep
	e := 0.0 // bound of |sample − exact| in levels at the current stage's input
	for i, ps := range p.stages {
		st := intStep{first: i, last: i, out: f}
		switch op := ps.st.(type) {
		case *pointStage:
			if n := len(steps); n > 0 {
				if err, ok := steps[n-1].fold(op); ok {
					steps[n-1].last = i
					steps[n-1].name += "+table"
					e = err
					continue
				}
			}
			k, err := newTablePath(op, f, e)
			st.k, st.name, st.pre = k, fmt.Sprintf("table%d", f.Depth), err
			e = err
		case Gaussian, Sharpen:
			k, d, ok := newBlurFixed(op.(Op), f)
			if !ok {
				return nil
			}
			if sh, ok := op.(Sharpen); ok && len(steps) > 0 {
				// A sharpen right after an 8-bit resize runs in its pass,
				// on the resized samples with fraction bits.
				prev := &steps[len(steps)-1]
				if rz, ok := prev.k.(*resize8); ok && prev.last == i-1 {
					prev.k = newResizeSharpen8(rz, k.(*blur8), ps.inB.Dx(), ps.inB.Dy())
					prev.last, prev.name = i, "resize8+sharpen8"
					mid := prev.pre + 0.5/(1<<resize8Frac)
					prev.pre = (1+2*sh.Amount)*mid + sh.Amount*d + 1e-3
					e = prev.pre + 0.5
					continue
				}
			}
			st.k, st.step = k, 1
			st.pre = e + d
			st.name = "blur"
			if sh, ok := op.(Sharpen); ok {
				st.pre = (1+2*sh.Amount)*e + sh.Amount*d + 1e-3
				st.name = "sharpen"
			}
			st.name += fmt.Sprint(f.Depth)
			e = st.pre + 0.5
		case Median:
			if k := newMedianNet(op.R, f); k != nil {
				st.k, st.name, st.pre = k, "median8", e
				break
			}
			k := newMedianWide(op.R, f)
			if k == nil {
				return nil
			}
			st.k, st.name, st.pre = k, k.name(), e
		case Gray:
			if !f.Color() {
				st.k, st.name, st.pre = copyPath{}, "copy", e
				break
			}
			f.Channels -= 2
			st.out = f
			st.k, st.name, st.step = &grayFixed{depth: f.Depth}, fmt.Sprintf("gray%d", f.Depth), 1
			st.pre = e + grayWeightErr(f.Depth)*float64(f.MaxValue())
			e = st.pre + 0.5
		case Crop:
			st.k, st.name, st.pre = copyPath{dx: op.X, dy: op.Y}, "crop", e
		case Resize, blurResize:
			z, sigma := resizeOf(op)
			var k fixedPath
			k, d, gain := newResizeFixed(z, sigma, ps.inB.Dx(), ps.inB.Dy(), f)
			if f.Depth == 8 {
				if k8, d8, g8, ok := newResize8(z, sigma, ps.inB.Dx(), ps.inB.Dy(), f.Channels); ok {
					k, d, gain = k8, d8, g8
				}
			}
			st.k, st.name, st.step = k, fmt.Sprintf("resize%d", f.Depth), 1
			st.pre = gain*e + d
			e = st.pre + 0.5
		case Shrink:
			st.k, st.name, st.step = shrinkFixed{n: op.N}, fmt.Sprintf("shrink%d", f.Depth), 1
			st.pre = e
			e = st.pre + 0.5
		default:
			return nil
		}
		steps = append(steps, st)
	}
	if e >= maxChainErr {
		return nil
	}
	return steps
}

// planIntAlpha is planInt for formats with alpha: point operations (on
// straight colour, alpha copied), medians of radius 1 and 2
// (premultiplied) and, at 8 bits, Gaussian blurs, sharpens without
// threshold and a resize (premultiplied). The median needs exact samples,
// and the resize must also be the last operation: their straight colour
// is a quotient by alpha that may stretch an error in their input (or the
// resize's own) without a bound the plan can state. A median rounds its
// quotient, so point operations after it fold into its pass.
func planIntAlpha(p *Plan) []intStep {
	f := p.in
	var steps []intStep
	e := 0.0
	for i, ps := range p.stages {
		st := intStep{first: i, last: i, out: f}
		if op, ok := ps.st.(*pointStage); ok && len(steps) > 0 {
			if err, ok := steps[len(steps)-1].fold(op); ok {
				steps[len(steps)-1].last = i
				steps[len(steps)-1].name += "+table"
				e = err
				continue
			}
		}
		switch op := ps.st.(type) {
		case Median:
			// Exact tables (invert, threshold) leave errors of float32
			// noise alone: a few units in the last place of full scale.
			k := newMedianWide(op.R, f)
			if k == nil || e > 1e-6*float64(f.MaxValue()) {
				return nil
			}
			st.k, st.name, st.step = k, k.name(), 1
			st.pre = e
			e = st.pre + 0.5
		case Resize, blurResize:
			// Exact tables (invert, threshold) leave errors of float32
			// noise alone.
			if f.Depth != 8 || e > 1e-3 || i != len(p.stages)-1 {
				return nil
			}
			z, sigma := resizeOf(op)
			k, d, _ := newResizePM(z, sigma, ps.inB.Dx(), ps.inB.Dy(), f.Channels)
			st.k, st.name, st.step = k, "resize8pm", 1
			st.pre = d
			e = st.pre + 0.5
		case *pointStage:
			k, err := newTablePath(op, f, e)
			st.k, st.name, st.pre = k, fmt.Sprintf("table%d", f.Depth), err
			e = err
		case Gaussian:
			if f.Depth != 8 || gaussRadius(op.Sigma) > maxFixedRadius {
				return nil
			}
			k, d := newBlurPM8(op.Sigma, f.Channels)
			st.k, st.name, st.step = k, "blur8pm", 1
			st.pre = e + d
			e = st.pre + 0.5
		case Sharpen:
			if f.Depth != 8 || gaussRadius(op.Sigma) > maxFixedRadius || op.Threshold != 0 || op.Amount > fixedSharpenMaxAmount {
				return nil
			}
			k, d := newSharpenPM8(op, f.Channels)
			st.k, st.name, st.step = k, "sharpen8pm", 1
			st.pre = (1+2*op.Amount)*e + d
			e = st.pre + 0.5
		default:
			return nil
		}
		steps = append(steps, st)
	}
	if e >= maxChainErr {
		return nil
	}
	return steps
}

// fold folds the point operations of ps into st's pass as a table, and
// returns the error bound after them; it reports false when st's kernel
// cannot take a table.
func (st *intStep) fold(ps *pointStage) (float64, bool) {
	// An input rounded to a step of s levels lies within s/2 of the
	// rounded value, plus the error before rounding.
	spread := st.pre + st.step/2
	var t pointTable
	var err float64
	switch k := st.k.(type) {
	case *blur8:
		t, err = newPointTable(ps, 255, 256, 1, spread)
		k.post = t
	case *medianNet:
		t, err = newPointTable(ps, 255, 256, 1, spread)
		k.post = t
	case *resizeSharpen8:
		t, err = newPointTable(ps, 255, 256, 1, spread)
		k.post = t
	case *medianWide:
		if k.depth == 8 {
			t, err = newPointTable(ps, 255, 256, 1, spread)
		} else {
			t, err = newPointTable(ps, 65535, 65536, 1, spread)
		}
		k.post = t
	case *fixedSep:
		t, err = newPointTable(ps, 65535, 65536, 1, spread)
		k.post = t
	case *grayFixed:
		if k.depth == 8 {
			const fine = 1.0 / (1 << grayFineBits)
			t, err = newPointTable(ps, 255, 255<<grayFineBits+1, fine, st.pre+fine/2)
		} else {
			t, err = newPointTable(ps, 65535, 65536, 1, spread)
		}
		k.post = t
	default:
		return 0, false
	}
	return err, true
}

// newBlurFixed returns the integer kernel of a Gaussian or a sharpen
// without threshold on format f (no alpha), and the bound of its error
// before rounding in levels; it reports false when there is none.
func newBlurFixed(op Op, f raster.PixelFormat) (fixedPath, float64, bool) {
	var sigma, amount float64
	sharpen := false
	switch op := op.(type) {
	case Gaussian:
		sigma = op.Sigma
	case Sharpen:
		if op.Threshold != 0 || op.Amount > fixedSharpenMaxAmount {
			return nil, 0, false
		}
		sigma, sharpen, amount = op.Sigma, true, op.Amount
	default:
		return nil, 0, false
	}
	if gaussRadius(sigma) > maxFixedRadius {
		return nil, 0, false
	}
	if f.Depth == 8 {
		// Each pass strays by its weights' rounding; the intermediate is
		// rounded to 1/2^blur8Frac of a level.
		d := 2*weightErr(sigma, blur8Bits)*255 + 0.5/(1<<blur8Frac)
		return newBlur8(sigma, f.Channels, sharpen, amount), d, true
	}
	fs := &fixedSep{r: gaussRadius(sigma), c: f.Channels, maxV: f.MaxValue(), sharpen: sharpen, amount: amount}
	fs.vrnd, fs.hrnd = 1<<15, 1<<31
	if fs.sharpen {
		fs.hrnd = 0
	}
	fs.w = fixedWeights(gaussWeights(sigma), fixedBits16)
	d := 2*weightErr(sigma, fixedBits16)*65535 + 0.5/256
	return fs, d, true
}

// weightErr is the sum over the whole kernel of a Gaussian of how far its
// integer weights of the given bits lie from the exact ones, as a
// fraction of full scale.
func weightErr(sigma float64, bits int) float64 {
	w := gaussWeights(sigma)
	q := fixedWeights(w, bits)
	scale := float64(uint64(1) << bits)
	e := math.Abs(float64(q[0])/scale - w[0])
	for k := 1; k < len(w); k++ {
		e += 2 * math.Abs(float64(q[k])/scale-w[k])
	}
	return e
}

// run computes dst.Rect block by block; in is the input image's bounds.
func (c *intChain) run(s *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	out := dst.Rect
	for y := out.Min.Y; y < out.Max.Y; y += chainBlockH {
		for x := out.Min.X; x < out.Max.X; x += chainBlockW {
			r := image.Rect(x, y, min(x+chainBlockW, out.Max.X), min(y+chainBlockH, out.Max.Y))
			c.block(s, dst, src, r)
		}
	}
}

// block computes the part r of dst through every step, each writing the
// rectangle the next needs into a buffer of the scratch.
func (c *intChain) block(s *scratch, dst, src *raster.Tile, r image.Rectangle) {
	rs := c.p.rects(s.blockRects, r)
	s.blockRects = rs
	cur := src
	var held []byte
	for i, st := range c.steps {
		var t *raster.Tile
		if i == len(c.steps)-1 {
			s.block = raster.Tile{Rect: r, Pix: dst.Pix[dst.PixOffset(r.Min.X, r.Min.Y):], Stride: dst.Stride, Format: dst.Format}
			t = &s.block
		} else {
			or := rs[st.last+1]
			stride := or.Dx() * st.out.BytesPerPixel()
			t = &s.chain[i&1]
			*t = raster.Tile{Rect: or, Pix: s.bytes(stride * or.Dy()), Stride: stride, Format: st.out}
		}
		st.k.run(s, t, cur, c.p.stages[st.first].inB)
		if held != nil {
			s.putBytes(held)
		}
		held = nil
		if i < len(c.steps)-1 {
			held = t.Pix
		}
		cur = t
	}
}

// copyPath copies samples, from dx, dy further right and down in the
// source: crop, and gray on an image that is gray already.
type copyPath struct{ dx, dy int }

func (c copyPath) run(_ *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	n := dst.Rect.Dx() * dst.Format.BytesPerPixel()
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y++ {
		o := src.PixOffset(dst.Rect.Min.X+c.dx, y+c.dy)
		copy(dst.Row(y)[:n], src.Pix[o:o+n])
	}
}

// shrinkFixed is the integer kernel of shrink: the sum of each N×N block,
// divided by N² rounded half up.
type shrinkFixed struct{ n int }

func (k shrinkFixed) run(s *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	f := dst.Format
	n, c := k.n, f.Channels
	w := dst.Rect.Dx() * c
	acc := s.words(w)
	area := uint64(n * n)
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y++ {
		clear(acc)
		for j := 0; j < n; j++ {
			o := src.PixOffset(dst.Rect.Min.X*n, y*n+j)
			if f.Depth == 8 {
				row := src.Pix[o : o+w*n]
				for x := 0; x < w; x += c {
					for i := 0; i < n*c; i++ {
						acc[x+i%c] += uint64(row[x*n+i])
					}
				}
				continue
			}
			row := src.Pix[o : o+2*w*n]
			for x := 0; x < w; x += c {
				for i := 0; i < n*c; i++ {
					p := 2 * (x*n + i)
					acc[x+i%c] += uint64(row[p])<<8 | uint64(row[p+1])
				}
			}
		}
		d := dst.Row(y)
		for i, v := range acc {
			q := (v + area/2) / area
			if f.Depth == 8 {
				d[i] = byte(q)
			} else {
				d[2*i], d[2*i+1] = byte(q>>8), byte(q)
			}
		}
	}
	s.putWords(acc)
}

// stagesString returns the specs of the operations of ps, separated by
// spaces.
func stagesString(ps []planStage) string {
	s := ""
	for i, st := range ps {
		if i > 0 {
			s += " "
		}
		s += st.st.(fmt.Stringer).String()
	}
	return s
}

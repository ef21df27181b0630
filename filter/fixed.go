package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// fixedPath is an integer fast path that computes a whole tile of a plan
// without the float32 planes.
type fixedPath interface {
	// run computes dst.Rect from src; in is the input image's bounds.
	run(s *scratch, dst, src *raster.Tile, in image.Rectangle)
}

// fixedSep is the integer fast path for a chain that is one Gaussian blur,
// or one sharpen without threshold, on a 16-bit image without alpha (8-bit
// images take blur8). It skips the float32 planes: rows are convolved
// straight from the interleaved samples, vertically into an accumulator
// row, then horizontally into the output, with integer weights that sum
// exactly to a power of two. The arithmetic is exact integer arithmetic,
// so every tiling gives the same bytes, and the result lies within one
// level of the float64 reference.
//
// Which path runs depends only on the plan (the chain and the pixel
// format), never on the tile.
type fixedSep struct {
	r       int        // kernel radius
	w       []uint64   // w[0] the centre weight, w[k] the weight at ±k
	c       int        // samples per pixel
	vrnd    uint64     // rounding added to the vertical sums
	hrnd    uint64     // rounding added to the horizontal sums
	sharpen bool       // unsharp mask after the blur
	amount  float64    // sharpen amount
	maxV    int        // largest sample value
	post    pointTable // point operations folded into the pass; empty when none
}

// The fixed-point scale at 16 bits: a word holds at most 65535·2^24 after
// the vertical pass, stored as 1/256 levels (< 2^24), and at most 2^48
// after the horizontal pass.
const fixedBits16 = 24

// fixedSharpenMaxAmount bounds the sharpen amount the fast path takes: the
// blur's error of a few hundredths of a level is multiplied by the amount.
const fixedSharpenMaxAmount = 4

// newFixedPath returns the integer fast path for p, or nil when it has
// none, and the names of the kernels it runs, one per step.
func newFixedPath(p *Plan) (fixedPath, []string) {
	steps := planInt(p)
	if steps == nil {
		return nil, nil
	}
	names := make([]string, len(steps))
	for i, st := range steps {
		names[i] = st.name + "(" + stagesString(p.stages[st.first:st.last+1]) + ")"
	}
	if len(steps) == 1 {
		return steps[0].k, names
	}
	return &intChain{p: p, steps: steps}, names
}

// maxFixedRadius bounds the kernel radius of the fast path, so that its
// row tables stay small; larger blurs are rare and take the float path.
const maxFixedRadius = 24

// fixedWeights rounds the half kernel w (w[0] the centre) to integers that
// sum, over the whole kernel, to exactly 1<<bits; the centre takes up the
// rounding.
func fixedWeights(w []float64, bits int) []uint64 {
	scale := float64(uint64(1) << bits)
	q := make([]uint64, len(w))
	sum := uint64(0)
	for k := len(w) - 1; k >= 1; k-- {
		q[k] = uint64(math.Round(w[k] * scale))
		sum += 2 * q[k]
	}
	q[0] = uint64(1)<<bits - sum
	return q
}

// stripWidth is how many output pixels wide a strip is: its rows of words
// stay in the L1 and L2 caches between the two passes.
const stripWidth = 256

// stripper is an integer fast path that computes a tile strip by strip.
type stripper interface {
	// strip computes the part out of dst from src; in is the input
	// image's bounds.
	strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle)
}

// runStrips computes dst.Rect in strips at most stripWidth pixels wide.
func runStrips(f stripper, s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	out := dst.Rect
	for x0 := out.Min.X; x0 < out.Max.X; x0 += stripWidth {
		x1 := min(x0+stripWidth, out.Max.X)
		f.strip(s, dst, src, in, image.Rect(x0, out.Min.Y, x1, out.Max.Y))
	}
}

// run computes dst.Rect from src; in is the input image's bounds.
func (f *fixedSep) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *fixedSep) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	n := 2*r + 1
	no := out.Dx() * c // output samples in a row
	half := no         // words in an output row
	nw := half + 2*r*c // words in a padded row
	np := no + 2*r*c   // samples in a padded row

	words := s.words(n*nw + nw + half)
	ring := words[:n*nw]
	acc := words[n*nw : n*nw+nw]
	res := words[n*nw+nw:]
	var slotRow [2*maxFixedRadius + 1]int
	for i := range slotRow[:n] {
		slotRow[i] = -1
	}
	var rows, hrows [2*maxFixedRadius + 1][]uint64
	for k := 0; k < n; k++ {
		hrows[k] = acc[k*c : k*c+half]
	}
	const bps = 2
	pad := s.bytes((np + 1) * bps)
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := 0; k < n; k++ {
			sy := min(max(y+k-r, in.Min.Y), in.Max.Y-1)
			slot := sy % n
			row := ring[slot*nw : (slot+1)*nw]
			if slotRow[slot] != sy {
				padSamples(pad, src, sy, out.Min.X-r, out.Max.X+r, in, bps)
				pack16(row, pad)
				slotRow[slot] = sy
			}
			rows[k] = row
		}
		symPass(acc, rows[:n], f.w, f.vrnd, fin16)
		symPass(res, hrows[:n], f.w, f.hrnd, finRaw)
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c*bps:][:no*bps]
		if f.sharpen {
			f.unsharp(d, res, src, y, out)
		} else {
			unpack16(d, res)
		}
		if f.post.t16 != nil {
			f.post.apply(d)
		}
	}
	s.putBytes(pad)
	s.putWords(words)
}

// padSamples copies the samples of source row y from pixel x0 to x1-1 into
// pad, replicating the edge pixels of the image in outside it, and zeroes
// the rest of pad.
func padSamples(pad []byte, src *raster.Tile, y, x0, x1 int, in image.Rectangle, bps int) {
	bpp := src.Format.BytesPerPixel()
	a, b := max(x0, in.Min.X), min(x1, in.Max.X)
	o := src.PixOffset(a, y)
	i := (a - x0) * bpp
	k := copy(pad[i:], src.Pix[o:o+(b-a)*bpp])
	first := pad[i : i+bpp]
	for j := 0; j < i; j += bpp {
		copy(pad[j:j+bpp], first)
	}
	last := pad[i+k-bpp : i+k]
	end := (x1 - x0) * bpp
	for j := i + k; j < end; j += bpp {
		copy(pad[j:j+bpp], last)
	}
	clear(pad[end:])
}

// pack16 fills the words of a padded 16-bit row, one big-endian sample
// each.
func pack16(row []uint64, pad []byte) {
	pad = pad[:2*len(row)]
	for j := range row {
		row[j] = uint64(pad[2*j])<<8 | uint64(pad[2*j+1])
	}
}

// unpack16 stores the 16-bit samples of the rounded sums res, in units of
// 2^-32 levels, big-endian.
func unpack16(d []byte, res []uint64) {
	d = d[:2*len(res)]
	for j, v := range res {
		d[2*j] = byte(v >> 40)
		d[2*j+1] = byte(v >> 32)
	}
}

// unsharp stores the sharpened samples of row y of out into d: res holds
// the raw horizontal sums of the blur, in units of 2^-32 levels.
func (f *fixedSep) unsharp(d []byte, res []uint64, src *raster.Tile, y int, out image.Rectangle) {
	o := src.PixOffset(out.Min.X, y)
	v := src.Pix[o : o+len(d)]
	a := f.amount
	m := float64(f.maxV)
	v = v[:2*len(res)]
	d = d[:len(v)]
	for j, s := range res {
		x := float64(int(v[2*j])<<8 | int(v[2*j+1]))
		b := float64(s) * 0x1p-32
		q := min(max(int(x+a*(x-b)+0.5), 0), int(m))
		d[2*j], d[2*j+1] = byte(q>>8), byte(q)
	}
}

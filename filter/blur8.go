package filter

//go:generate sh -c "cd internal/asmgen && go run . -out ../../blur_amd64.s -stubs ../../blur_amd64_stub.go -pkg filter -net ../../median8_net.go"

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// blur8 is the integer fast path for one Gaussian blur, or one sharpen
// without threshold, on an 8-bit image without alpha. Rows are convolved
// straight from the source tile: vertically into a row of int16 holding
// levels with blur8Frac fractional bits, then horizontally into the output.
//
// The scheme is chosen to map onto AVX2's VPMADDWD (int16 × int16 pairs
// summed into int32) while staying exact integer arithmetic that the pure-Go
// kernels reproduce bit for bit:
//
//   - the weights are integers that sum, over the whole kernel, to exactly
//     1<<blur8Bits, and each fits an int16 (the centre is split in two);
//   - vertically, a mirrored pair of samples is added first (at most 510),
//     and the sum plus 1<<(blur8VShift-1) is shifted right by blur8VShift,
//     which leaves at most 255<<blur8Frac = 32640, an int16;
//   - horizontally, the int16 intermediates at ±k·channels are weighed, the
//     sum (below 2^30) plus 1<<(blur8HShift-1) is shifted right by
//     blur8HShift, which leaves a level in 0…255.
//
// Which path runs depends only on the plan, never on the tile, so every
// tiling gives the same bytes; the kernels (vector or not) are chosen once
// per process and give identical integers.
type blur8 struct {
	r       int     // kernel radius
	c       int     // samples per pixel
	w       []int32 // w[0] the centre weight, w[k] the weight at ±k
	vt      []uint32
	ht      []uint32
	sharpen bool
	amount  float32
	post    pointTable // point operations folded into the pass; empty when none
}

// The fixed-point layout of the 8-bit blur.
const (
	blur8Bits   = 15                    // the weights sum to 1<<blur8Bits
	blur8Frac   = 7                     // fractional bits between the passes
	blur8VShift = blur8Bits - blur8Frac // vertical sums to intermediates
	blur8HShift = blur8Bits + blur8Frac // horizontal sums to levels
)

// newBlur8 returns the 8-bit fast path for a blur of the given sigma, with
// an unsharp mask of the given amount when sharpen is set.
func newBlur8(sigma float64, c int, sharpen bool, amount float64) *blur8 {
	q := fixedWeights(gaussWeights(sigma), blur8Bits)
	f := &blur8{r: len(q) - 1, c: c, sharpen: sharpen, amount: float32(amount)}
	f.w = make([]int32, len(q))
	for k, v := range q {
		f.w[k] = int32(v)
	}
	f.vt, f.ht = blur8Tables(f.w)
	return f
}

// blur8Tables packs the half kernel w into the weight pairs the vector
// kernels multiply by, low half first. Both tables start with the centre
// weight split in two halves, for the centre sample taken twice. vt then
// pairs the weights of mirrored pairs k and k+1 (k odd; zero past the
// radius); ht repeats each weight k in both halves.
func blur8Tables(w []int32) (vt, ht []uint32) {
	r := len(w) - 1
	pair := func(a, b int32) uint32 { return uint32(uint16(a)) | uint32(uint16(b))<<16 }
	centre := pair(w[0]-w[0]/2, w[0]/2)
	vt = []uint32{centre}
	for k := 1; k <= r; k += 2 {
		var b int32
		if k+1 <= r {
			b = w[k+1]
		}
		vt = append(vt, pair(w[k], b))
	}
	ht = []uint32{centre}
	for k := 1; k <= r; k++ {
		ht = append(ht, pair(w[k], w[k]))
	}
	return vt, ht
}

// run computes dst.Rect from src; in is the input image's bounds.
func (f *blur8) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *blur8) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	no := out.Dx() * c  // output samples in a row
	np := no + 2*r*c    // intermediates in a padded row
	x0 := out.Min.X - r // the pixel at m[0]
	a := max(x0, in.Min.X)
	b := min(out.Max.X+r, in.Max.X)
	lo, hi := (a-x0)*c, (b-x0)*c // the intermediates inside the image
	m := s.shorts(np)
	var rows [2*maxFixedRadius + 1][]byte
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := -r; k <= r; k++ {
			sy := min(max(y+k, in.Min.Y), in.Max.Y-1)
			o := src.PixOffset(a, sy)
			rows[k+r] = src.Pix[o : o+hi-lo]
		}
		f.vert(m[lo:hi], rows[:2*r+1])
		for j := 0; j < lo; j += c {
			copy(m[j:j+c], m[lo:lo+c])
		}
		for j := hi; j < np; j += c {
			copy(m[j:j+c], m[hi-c:hi])
		}
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c:][:no]
		if f.sharpen {
			o := src.PixOffset(out.Min.X, y)
			f.sharpenRow(d, src.Pix[o:o+no], m)
		} else {
			f.horiz(d, m)
		}
		if f.post.t8 != nil {
			f.post.apply(d)
		}
	}
	s.putShorts(m)
}

// unsharp8 stores x + a·(x − b) for the samples x of v, where b is the blur
// held in sums with blur8HShift fractional bits, rounded half up and
// clamped. Each float32 operation rounds on its own (the conversions forbid
// fused multiply-adds), as the vector kernel does.
func unsharp8(d, v []byte, sums []int32, a float32) {
	v = v[:len(d)]
	sums = sums[:len(d)]
	for j, x := range v {
		fx := float32(x)
		b := float32(sums[j]) * (1.0 / (1 << blur8HShift))
		u := float32(a * (fx - b))
		y := float32(fx+u) + 0.5
		d[j] = byte(min(max(int32(y), 0), 255))
	}
}

// sharpen8Go stores the sharpened samples x into d: the horizontal pass at
// intermediate i+r·c of m, neighbours c apart, is the blur that unsharp8
// takes.
func sharpen8Go(d, x []byte, m []int16, c int, w []int32, a float32) {
	var acc [goChunk]int32
	for i0 := 0; i0 < len(d); i0 += goChunk {
		s := acc[:min(goChunk, len(d)-i0)]
		horizSums8(s, m, i0, c, w, 0)
		unsharp8(d[i0:i0+len(s)], x[i0:i0+len(s)], s, a)
	}
}

// goChunk is how many samples the pure-Go kernels sum at a time, in an
// accumulator on the stack.
const goChunk = 512

// vert8Go sets d[i] to the vertical pass at sample i of rows, whose middle
// row is the centre: the weighted sum, rounded, in units of 2^-blur8Frac
// levels. Taps go two mirrored pairs at a time over a chunk of samples;
// the sums are exact integers, so the order does not change them.
func vert8Go(d []int16, rows [][]byte, w []int32) {
	r := len(w) - 1
	var acc [goChunk]int32
	for i0 := 0; i0 < len(d); i0 += goChunk {
		a := acc[:min(goChunk, len(d)-i0)]
		n := len(a)
		at := func(k int) []byte { return rows[k][i0 : i0+n] }
		c, w0 := at(r)[:n], w[0]
		for i := range a {
			a[i] = 1<<(blur8VShift-1) + w0*int32(c[i])
		}
		k := 1
		for ; k+1 <= r; k += 2 {
			u1, v1, u2, v2 := at(r - k)[:n], at(r + k)[:n], at(r - k - 1)[:n], at(r + k + 1)[:n]
			w1, w2 := w[k], w[k+1]
			for i := range a {
				a[i] += w1*(int32(u1[i])+int32(v1[i])) + w2*(int32(u2[i])+int32(v2[i]))
			}
		}
		if k == r {
			u1, v1, w1 := at(r - k)[:n], at(r + k)[:n], w[k]
			for i := range a {
				a[i] += w1 * (int32(u1[i]) + int32(v1[i]))
			}
		}
		out := d[i0 : i0+n]
		for i, v := range a {
			out[i] = int16(v >> blur8VShift)
		}
	}
}

// horizSums8 sets a[i] to rnd plus the horizontal convolution at
// intermediate i0+i+r·c of m, neighbours c apart.
func horizSums8(a []int32, m []int16, i0, c int, w []int32, rnd int32) {
	r := len(w) - 1
	n := len(a)
	at := func(k int) []int16 { return m[i0+r*c+k*c : i0+r*c+k*c+n] }
	ctr, w0 := at(0)[:n], w[0]
	for i := range a {
		a[i] = rnd + w0*int32(ctr[i])
	}
	k := 1
	for ; k+1 <= r; k += 2 {
		u1, v1, u2, v2 := at(-k)[:n], at(k)[:n], at(-k - 1)[:n], at(k + 1)[:n]
		w1, w2 := w[k], w[k+1]
		for i := range a {
			a[i] += w1*(int32(u1[i])+int32(v1[i])) + w2*(int32(u2[i])+int32(v2[i]))
		}
	}
	if k == r {
		u1, v1, w1 := at(-k)[:n], at(k)[:n], w[k]
		for i := range a {
			a[i] += w1 * (int32(u1[i]) + int32(v1[i]))
		}
	}
}

// horiz8Go sets d[i] to the horizontal pass at intermediate i+r·c of m,
// neighbours c apart, rounded to a level.
func horiz8Go(d []byte, m []int16, c int, w []int32) {
	var acc [goChunk]int32
	for i0 := 0; i0 < len(d); i0 += goChunk {
		a := acc[:min(goChunk, len(d)-i0)]
		horizSums8(a, m, i0, c, w, 1<<(blur8HShift-1))
		out := d[i0 : i0+len(a)]
		for i, v := range a {
			out[i] = byte(v >> blur8HShift)
		}
	}
}

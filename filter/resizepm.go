package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// resizePM is the kernel of resize on 8-bit images with alpha (gray+alpha,
// RGBA), premultiplied, in float32 like blurPM8. Each input row is
// premultiplied once per tile into float32 words as blurPM8 does
// (colour·alpha and alpha, exact), or each row of K×K block averages
// after a box by premulBoxRow (colour·alpha and alpha·255 in 1/16
// units). The vertical pass weighs the rows of an output row, the
// horizontal pass those sums, with the Lanczos weights as float32, each
// operation rounded on its own in the order of vresPMGo and hresPMGo,
// which the vector kernels follow, so both give the same bytes. unpremulResPM then clamps alpha to full scale and colour to 0 …
// 255 after the division, as the float path clamps the kernel's ringing.
//
// The edges fold into the first and last pixel, so the passes read only
// the image; the horizontal taps are padded with zero weights to one even
// count for every column, and the row between the passes has room for
// them.
type resizePM struct {
	c      int
	box    int // K, 1 when there is no box
	xs, ys resizeTaps
	xw, yw []float32 // xs's and ys's weights
	k1, k2 float32   // the quotient's and alpha's factors
	fullA  float32   // alpha's full scale in words
}

// resizePMBits is the scale of the integer weights that resizePM's
// float32 weights come from: far finer than float32's own precision.
const resizePMBits = 30

// newResizePM returns the kernel of z from a w×h image of c channels,
// alpha last, after a blur of sigma (0 for none, else z has no box), and
// the bounds of its error before rounding and of its gain.
func newResizePM(z Resize, sigma float64, w, h, c int) (*resizePM, float64, float64) {
	ow, oh := z.resizedLen(w), z.resizedLen(h)
	l := z.lanczos()
	g := blurKernel(sigma)
	k := &resizePM{c: c, box: z.box()}
	k.xs = newResizeTaps(l, g, z.boxedLen(w), ow, resizePMBits, 2, true, true)
	k.ys = newResizeTaps(l, g, z.boxedLen(h), oh, resizePMBits, 1, false, true)
	k.xw = make([]float32, len(k.xs.w))
	for i, v := range k.xs.w {
		k.xw[i] = float32(float64(v) / (1 << resizePMBits))
	}
	k.yw = make([]float32, len(k.ys.w))
	for i, v := range k.ys.w {
		k.yw[i] = float32(float64(v) / (1 << resizePMBits))
	}
	// Without a box the words are premulPM's, colour·alpha and alpha;
	// after one, premulBoxRow's, colour·alpha and alpha·255 in 1/16 units.
	k.k1, k.k2, k.fullA = 1, 1, 255
	if k.box > 1 {
		unit := 255.0 * (1 << boxFrac) // alpha's words per level
		k.k1, k.k2, k.fullA = 255, float32(1/unit), float32(255*unit)
	}
	gain := k.xs.gain * k.ys.gain
	// The weights' own error, and float32's: each weight off by 2^-24 of
	// itself, each sum of n terms by n roundings of at most 2^-24 of the
	// magnitudes summed, so at most (n+1)·2^-24 of the gain times full
	// scale per pass.
	d := (k.xs.err*k.ys.gain + k.ys.err*k.xs.gain) * 255
	d += float64(k.xs.most+k.ys.most+2) * 0x1p-24 * gain * 255
	if k.box > 1 {
		d += gain * 0.5 / (1 << boxFrac) // the averages' rounding
	}
	return k, d, gain
}

func (k *resizePM) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	c, out := k.c, dst.Rect
	// The input columns (or blocks) that the output columns read.
	x0 := k.xs.first[out.Min.X]
	x1 := x0
	for x := out.Min.X; x < out.Max.X; x++ {
		x1 = max(x1, k.xs.first[x]+k.xs.n[x])
	}
	n := (x1 - x0) * c
	// The row between the passes, with room for the zero-weight taps.
	mid := s.floats((k.xs.first[out.Max.X-1]-x0+k.xs.most)*c + n)
	clear(mid)
	ring := s.floats(k.ys.most * n)
	words := s.longs(n)
	boxAcc := s.words(n)
	sums := s.floats(out.Dx() * c)
	offs := s.longs(out.Dx())
	for x := range offs {
		offs[x] = int32((k.xs.first[out.Min.X+x] - x0) * c)
	}
	slotRow := s.idx[:0]
	for range k.ys.most {
		slotRow = append(slotRow, -1)
	}
	rows := make([][]float32, k.ys.most)
	for y := out.Min.Y; y < out.Max.Y; y++ {
		fy := k.ys.first[y]
		ws := k.yw[k.ys.off[y]:k.ys.off[y+1]]
		for j := range ws {
			by := fy + j
			slot := by % k.ys.most
			r := ring[slot*n : (slot+1)*n]
			if slotRow[slot] != by {
				if k.box == 1 {
					o := src.PixOffset(in.Min.X+x0, in.Min.Y+by)
					premulPM(r, src.Pix[o:o+n], c)
				} else {
					premulBoxRow(words, boxAcc, src, by, x0, x1, k.box, in)
					for i, v := range words {
						r[i] = float32(v)
					}
				}
				slotRow[slot] = by
			}
			rows[j] = r
		}
		vresPM(mid[:n], rows[:len(ws)], ws)
		hresPM(sums, mid, offs, k.xw[k.xs.off[out.Min.X]:], k.xs.most, c)
		unpremulResPM(dst.Row(y)[:out.Dx()*c], sums, c, k.k1, k.k2, k.fullA)
	}
	s.idx = slotRow
	s.putLongs(offs)
	s.putFloats(sums)
	s.putLongs(words)
	s.putWords(boxAcc)
	s.putFloats(ring)
	s.putFloats(mid)
}

// vresPMGo sets d[i] to the sum of rows[j][i] weighed by w[j]: w[0]'s term
// first, then each next term added, each operation rounded to float32.
func vresPMGo(d []float32, rows [][]float32, w []float32) {
	r0 := rows[0][:len(d)]
	for i := range d {
		d[i] = w[0] * r0[i]
	}
	for j := 1; j < len(w); j++ {
		r, wj := rows[j][:len(d)], w[j]
		for i := range d {
			d[i] += float32(wj * r[i])
		}
	}
}

// hresPMGo stores into d the horizontal pass over the words m of c
// channels: output pixel x weighs the taps pixels from word offs[x] of m
// by w[x·taps:], taps even. The even taps and the odd ones are summed
// apart, each from its first term on, then added, each operation rounded
// to float32.
func hresPMGo(d, m []float32, offs []int32, w []float32, taps, c int) {
	for x, o := range offs {
		ws := w[x*taps : (x+1)*taps]
		v := m[o : int(o)+taps*c]
		for ch := range c {
			even, odd := ws[0]*v[ch], ws[1]*v[c+ch]
			for j := 2; j < taps; j += 2 {
				even += float32(ws[j] * v[j*c+ch])
				odd += float32(ws[j+1] * v[(j+1)*c+ch])
			}
			d[x*c+ch] = even + odd
		}
	}
}

// unpremulResPMGo stores into d straight pixels from the premultiplied
// sums h of c channels, alpha last: alpha clamped to 0 … fullA, colour to
// 0 and above; alpha times k2, colour divided by alpha and times k1 (0
// where alpha is 0), each rounded half up and clamped to 0 … 255, which
// clamps colour to alpha's full scale.
func unpremulResPMGo(d []byte, h []float32, c int, k1, k2, fullA float32) {
	d = d[:len(h)]
	for i := 0; i+c <= len(h); i += c {
		s, o := h[i:i+c:i+c], d[i:i+c:i+c]
		a := min(max(s[c-1], 0), fullA)
		o[c-1] = roundLevel(float32(a * k2))
		for ch := range c - 1 {
			q := float32(0)
			if a != 0 {
				q = float32(max(s[ch], 0)/a) * k1
			}
			o[ch] = roundLevel(q)
		}
	}
}

// premulBoxRow stores into dst the premultiplied averages of the k×k
// blocks x0 … x1−1 of block row by of src, an 8-bit image with alpha and
// bounds in: colour·alpha, and alpha·255, in units of 2^-boxFrac, rounded
// half up. The last row and column stand in past the edges. acc is
// working space of len(dst).
func premulBoxRow(dst []int32, acc []uint64, src *raster.Tile, by, x0, x1, k int, in image.Rectangle) {
	c := src.Format.Channels
	acc = acc[:(x1-x0)*c]
	clear(acc)
	w := in.Dx()
	// Blocks that lie wholly inside the image read their pixels in a run;
	// the last block of the image may need the edge repeated.
	full := max(min(x1, w/k), x0)
	for j := range k {
		y := min(in.Min.Y+by*k+j, in.Max.Y-1)
		o := src.PixOffset(in.Min.X+x0*k, y)
		row := src.Pix[o : o+(full-x0)*k*c] // the full blocks
		if c == 4 {
			for bx := x0; bx < full; bx++ {
				px := row[(bx-x0)*k*4 : (bx-x0+1)*k*4]
				var t0, t1, t2, ta uint64
				for i := 0; i+4 <= len(px); i += 4 {
					p := px[i : i+4 : i+4]
					a := uint64(p[3])
					t0 += uint64(p[0]) * a
					t1 += uint64(p[1]) * a
					t2 += uint64(p[2]) * a
					ta += a
				}
				s := acc[(bx-x0)*4 : (bx-x0)*4+4 : (bx-x0)*4+4]
				s[0] += t0
				s[1] += t1
				s[2] += t2
				s[3] += ta * 255
			}
		}
		from := x0
		if c == 4 {
			from = full
		}
		for bx := from; bx < x1; bx++ {
			s := acc[(bx-x0)*c : (bx-x0+1)*c]
			for i := range k {
				x := min(bx*k+i, w-1)
				p := src.Pix[src.PixOffset(in.Min.X+x, y):][:c]
				a := uint64(p[c-1])
				for ch := range c - 1 {
					s[ch] += uint64(p[ch]) * a
				}
				s[c-1] += a * 255
			}
		}
	}
	area := uint64(k * k)
	for i, v := range acc {
		dst[i] = int32((v<<boxFrac + area/2) / area)
	}
}

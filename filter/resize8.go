package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// resize8 is the integer kernel of resize on 8-bit images without alpha,
// in the 16-bit lanes that vector units multiply fastest. The weights are
// rounded to as many bits as 16-bit lanes and 32-bit sums allow (16 when
// reducing by 2, 14 when a weight reaches 1, as upsizing can) and sum to
// exactly one. The vertical pass weighs the rows of input
// samples, or of block averages in 1/16 levels after a box, into 32-bit
// sums, rounded half up to 16-bit samples with resize8Frac fraction bits
// (the ringing of the kernel kept: no clamp between the passes); the
// horizontal pass weighs those into 32-bit sums, rounded half up and
// clamped to 0 … 255. The edges repeat: rows past them are the edge row,
// and the samples between the passes are extended by the edge pixel's, so
// that the weights stay unfolded and small. Every weight count is padded with zero weights, to
// an even count for the rows and to one count for all the columns of an
// axis, so that the vector kernels take pairs and quads of taps. The
// pure-Go kernels (vres8Go, vres16Go, hres8Go) do the same integer
// arithmetic as the AVX2 ones, so both give the same bytes.
type resize8 struct {
	c        int
	box      int        // K, 1 when there is no box
	xs, ys   resizeTaps // ys padded to even counts, xs to one count for all
	xw       []int16    // xs's weights as 16-bit integers
	yw       []uint32   // ys's weights in pairs: w[2g] | w[2g+1]<<16
	vshift   uint       // the vertical sums' shift to resize8Frac bits
	hshift   uint       // the horizontal sums' shift to levels
	xbits    int        // xs's scale
	pairMask *[32]byte  // the byte shuffle that pairs the taps of a channel
}

// resize8Frac is how many fraction bits the samples between resize8's
// passes keep.
const resize8Frac = 6

// newResize8 returns the kernel of z from a w×h 8-bit image of c channels,
// after a blur of sigma (0 for none, else z has no box), the bounds of its
// error before rounding and of its gain, or false when its sums could
// overflow their 32 bits (no Lanczos kernel comes close).
func newResize8(z Resize, sigma float64, w, h, c int) (*resize8, float64, float64, bool) {
	ow, oh := z.resizedLen(w), z.resizedLen(h)
	l := z.lanczos()
	g := blurKernel(sigma)
	k := &resize8{c: c, box: z.box()}
	// The horizontal pass takes pairs of taps, four at a time (eight for
	// one channel).
	xpad := 4
	if c == 1 {
		xpad = 8
	}
	bw, bh := z.boxedLen(w), z.boxedLen(h)
	inFrac := 0
	maxIn := 255.0
	if k.box > 1 {
		inFrac, maxIn = boxFrac, 255<<boxFrac
	}
	// Each axis takes the most bits, up to 16, that keep every weight in
	// 16 bits and every sum in 32: the vertical sums, the samples between
	// the passes (the ringing reaches (gain−1)/2 of full scale either
	// side) and the horizontal sums.
	const limit = math.MaxInt32 * 0.9
	ybits, mmax := 0, 0.0
	for b := 16; b >= 12 && ybits == 0; b-- {
		t := newResizeTaps(l, g, bh, oh, b, 2, false, false)
		mmax = (1+t.gain)/2*maxIn*float64(int(1)<<resize8Frac)/float64(int(1)<<inFrac) + 1
		if t.big*float64(int(1)<<b) <= math.MaxInt16 && t.gain*maxIn*float64(int(1)<<b) < limit && mmax < math.MaxInt16 {
			ybits, k.ys = b, t
		}
	}
	for b := 16; b >= 12 && k.xbits == 0; b-- {
		t := newResizeTaps(l, g, bw, ow, b, xpad, true, false)
		if t.big*float64(int(1)<<b) <= math.MaxInt16 && t.gain*mmax*float64(int(1)<<b) < limit {
			k.xbits, k.xs = b, t
		}
	}
	if ybits == 0 || k.xbits == 0 {
		return nil, 0, 0, false
	}
	k.vshift = uint(ybits + inFrac - resize8Frac)
	k.hshift = uint(k.xbits + resize8Frac)
	k.xw = make([]int16, len(k.xs.w))
	for i, v := range k.xs.w {
		k.xw[i] = int16(v)
	}
	for i := 0; i < len(k.ys.w); i += 2 {
		k.yw = append(k.yw, uint32(uint16(k.ys.w[i]))|uint32(uint16(k.ys.w[i+1]))<<16)
	}
	k.pairMask = pairMasks[c]
	gain := k.xs.gain * k.ys.gain
	d := (k.xs.err*k.ys.gain + k.ys.err*k.xs.gain) * 255
	d += k.xs.gain * 0.5 / (1 << resize8Frac) // the rounding between the passes
	if k.box > 1 {
		d += gain * 0.5 / (1 << boxFrac) // the averages' rounding
	}
	return k, d, gain, true
}

// pairMasks are, for 2, 3 and 4 channels, the byte shuffles that turn two
// pixels of 16-bit samples, p0 then p1, into the pairs p0[ch], p1[ch] of
// each channel, in each 128-bit lane.
var pairMasks = func() (m [5]*[32]byte) {
	for c := 2; c <= 4; c++ {
		var b [32]byte
		for i := range b {
			b[i] = 0x80
		}
		for lane := range 2 {
			for ch := range c {
				for p := range 2 {
					s := 2 * (p*c + ch) // the sample's first byte
					d := lane*16 + 4*ch + 2*p
					b[d], b[d+1] = byte(s), byte(s+1)
				}
			}
		}
		m[c] = &b
	}
	return m
}()

func (k *resize8) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	c, out := k.c, dst.Rect
	w := k.xw[k.xs.off[out.Min.X]:]
	k.rows(s, out, src, in, func(y int, mid []int16, offs []int32) {
		hres8(dst.Row(y)[:out.Dx()*c], mid, offs, w, k.xs.most, c, k.hshift, k.pairMask)
	})
}

// rows runs the vertical pass of every row y of out, from top to bottom,
// and hands each to emit: mid holds the samples between the passes, from
// the first column the row's taps read, the edge samples repeated past
// the image, and offs the offset in mid of each output pixel's first tap.
// Both are valid until emit returns.
func (k *resize8) rows(s *scratch, out image.Rectangle, src *raster.Tile, in image.Rectangle, emit func(y int, mid []int16, offs []int32)) {
	c := k.c
	// The columns (or blocks) the output reads, x0 … x1−1, reach past the
	// edges of the image, 0 … iw−1; the vertical pass computes those
	// inside, a0 … a1−1, and the edge samples are repeated past them.
	iw, ih := in.Dx(), in.Dy()
	if k.box > 1 {
		iw, ih = (iw+k.box-1)/k.box, (ih+k.box-1)/k.box
	}
	x0 := k.xs.first[out.Min.X]
	x1 := k.xs.first[out.Max.X-1] + k.xs.n[out.Max.X-1]
	a0, a1 := min(max(x0, 0), iw-1), max(min(x1, iw), 1)
	n := (a1 - a0) * c
	// The samples between the passes, with room for the zero-weight taps
	// past the last column and the vector loads' overreach.
	mid := s.shorts((x1-x0)*c + k.xs.most*c + 16)
	row := mid[(a0-x0)*c:][:n]
	offs := s.longs(out.Dx())
	for x := range offs {
		offs[x] = int32((k.xs.first[out.Min.X+x] - x0) * c)
	}
	var ring []int16
	var boxAcc []uint64
	var slotRow []int
	if k.box > 1 {
		ring = s.shorts(k.ys.most * n)
		boxAcc = s.words(n)
		slotRow = s.idx[:0]
		for range k.ys.most {
			slotRow = append(slotRow, -1)
		}
	}
	var rows8 [][]byte
	var rows16 [][]int16
	for y := out.Min.Y; y < out.Max.Y; y++ {
		fy, real := k.ys.first[y], k.ys.n[y]
		wt := k.yw[k.ys.off[y]/2 : k.ys.off[y+1]/2]
		taps := 2 * len(wt)
		if k.box == 1 {
			rows8 = rows8[:0]
			for j := range taps {
				sy := min(max(fy+min(j, real-1), 0), ih-1)
				o := src.PixOffset(in.Min.X+a0, in.Min.Y+sy)
				rows8 = append(rows8, src.Pix[o:o+n])
			}
			vres8(row, rows8, wt, k.vshift)
		} else {
			rows16 = rows16[:0]
			for j := range taps {
				by := min(max(fy+min(j, real-1), 0), ih-1)
				slot := by % k.ys.most
				r := ring[slot*n : (slot+1)*n]
				if slotRow[slot] != by {
					boxRow(r, boxAcc, src, by, a0, a1, k.box, in)
					slotRow[slot] = by
				}
				rows16 = append(rows16, r)
			}
			vres16(row, rows16, wt, k.vshift)
		}
		for i := (a0 - x0) * c; i > 0; i -= c {
			copy(mid[i-c:i], row[:c])
		}
		for i := (a1 - x0) * c; i < (x1-x0)*c; i += c {
			copy(mid[i:i+c], row[n-c:])
		}
		emit(y, mid, offs)
	}
	if ring != nil {
		s.idx = slotRow
		s.putShorts(ring)
		s.putWords(boxAcc)
	}
	s.putLongs(offs)
	s.putShorts(mid)
}

// vres8Go stores into d the vertical pass over rows of 8-bit samples:
// rows come in pairs, weighed by the pairs of wt, and each sum is rounded
// half up and shifted right by shift.
func vres8Go(d []int16, rows [][]byte, wt []uint32, shift uint) {
	rnd := int32(1) << (shift - 1)
	for i := range d {
		acc := rnd
		for g, w := range wt {
			acc += int32(int16(w))*int32(rows[2*g][i]) + int32(int16(w>>16))*int32(rows[2*g+1][i])
		}
		d[i] = int16(acc >> shift)
	}
}

// vres16Go is vres8Go over rows of 16-bit samples.
func vres16Go(d []int16, rows [][]int16, wt []uint32, shift uint) {
	rnd := int32(1) << (shift - 1)
	for i := range d {
		acc := rnd
		for g, w := range wt {
			acc += int32(int16(w))*int32(rows[2*g][i]) + int32(int16(w>>16))*int32(rows[2*g+1][i])
		}
		d[i] = int16(acc >> shift)
	}
}

// hres8Go stores into d the horizontal pass over the samples m of c
// channels: output pixel x weighs the taps pixels from sample offs[x] of m
// by w[x·taps:], and each sum is rounded half up, shifted right by shift
// and clamped to 0 … 255.
func hres8Go(d []byte, m []int16, offs []int32, w []int16, taps, c int, shift uint) {
	hresGo(d, m, offs, w, taps, c, shift, 255)
}

// hresGo is the horizontal pass of hres8Go, clamping to 0 … top and
// storing bytes or 16-bit samples.
func hresGo[T byte | int16](d []T, m []int16, offs []int32, w []int16, taps, c int, shift uint, top int32) {
	rnd := int32(1) << (shift - 1)
	for x, o := range offs {
		ws := w[x*taps : (x+1)*taps]
		v := m[o : int(o)+taps*c]
		for ch := range c {
			acc := rnd
			for j, wj := range ws {
				acc += int32(wj) * int32(v[j*c+ch])
			}
			d[x*c+ch] = T(min(max(acc>>shift, 0), top))
		}
	}
}

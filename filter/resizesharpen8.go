package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// resizeSharpen8 is a resize on an 8-bit image without alpha (resize8, a
// blur folded in or not) and the sharpen without threshold that follows
// it, run as one kernel. Between the two, the resized samples keep
// resize8Frac fraction bits, clamped to 0 … 255 as the float path clamps
// the kernel's ringing, instead of being rounded to levels: sharpen
// stretches what comes before it up to 1+2·amount times, and half a level
// of rounding stretched threefold (the default amount) already strays
// more than the one level a chain allows, while 1/128 of a level does not.
//
// The resized rows are made once each, from top to bottom, into a ring of
// 2r+1 rows (r the sharpen's radius), and each sharpened row is computed
// as soon as the ring holds the rows it reads: the vertical pass of the
// sharpen's blur by vres16, which weighs 16-bit samples, the centre weight
// split in two halves so that every weight fits 16 bits, into rows with
// blur8Frac fraction bits, as blur8's; the horizontal pass and the unsharp
// mask as blur8's, on samples with fraction bits (sharpen8w). Every step
// is exact integer arithmetic, or float32 in a fixed order, that the AVX2
// kernels and the pure-Go ones both follow, so each tiling and either
// kernel give the same bytes.
type resizeSharpen8 struct {
	rz     *resize8
	sh     *blur8   // the sharpen: its radius, weights and amount
	vw     []uint32 // its vertical weights, in pairs, for vres16
	ow, oh int      // the size of the resized image
	post   pointTable
}

// The shift that turns the vertical sums of the sharpen, of samples with
// resize8Frac fraction bits by weights that sum to 1<<blur8Bits, into
// samples with blur8Frac fraction bits.
const resizeSharpenVShift = blur8Bits + resize8Frac - blur8Frac

// newResizeSharpen8 returns the kernel of the resize rz, whose output is
// ow×oh, followed by the sharpen sh.
func newResizeSharpen8(rz *resize8, sh *blur8, ow, oh int) *resizeSharpen8 {
	k := &resizeSharpen8{rz: rz, sh: sh, ow: ow, oh: oh}
	// The rows are taken as -r … r, then the centre again: the weights
	// w[r] … w[1], the first half of w[0], w[1] … w[r], the second half.
	r := sh.r
	var ws []int32
	for j := -r; j <= r; j++ {
		switch {
		case j == 0:
			ws = append(ws, sh.w[0]-sh.w[0]/2)
		default:
			ws = append(ws, sh.w[max(j, -j)])
		}
	}
	ws = append(ws, sh.w[0]/2)
	for i := 0; i < len(ws); i += 2 {
		k.vw = append(k.vw, uint32(uint16(ws[i]))|uint32(uint16(ws[i+1]))<<16)
	}
	return k
}

func (k *resizeSharpen8) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	out := dst.Rect
	r, c := k.sh.r, k.rz.c
	n := 2*r + 1
	// The resized pixels the sharpen reads, and the ring of their rows.
	rm := areaNeed(out, image.Rect(0, 0, k.ow, k.oh), r)
	rw := rm.Dx() * c
	ring := s.shorts(n * rw)
	// The sharpen's vertical pass, padded by r pixels either side as
	// blur8's, the edge pixels repeated past the image.
	no := out.Dx() * c
	np := no + 2*r*c
	m := s.shorts(np)
	x0 := out.Min.X - r
	lo, hi := (rm.Min.X-x0)*c, (rm.Max.X-x0)*c
	row := func(y int) []int16 {
		y = min(max(y, rm.Min.Y), rm.Max.Y-1)
		return ring[(y%n)*rw:][:rw]
	}
	var rows [2*maxFixedRadius + 2][]int16
	sharpen := func(y int) {
		for j := -r; j <= r; j++ {
			rows[j+r] = row(y + j)
		}
		rows[n] = rows[r]
		vres16(m[lo:hi], rows[:n+1], k.vw, resizeSharpenVShift)
		for j := 0; j < lo; j += c {
			copy(m[j:j+c], m[lo:lo+c])
		}
		for j := hi; j < np; j += c {
			copy(m[j:j+c], m[hi-c:hi])
		}
		d := dst.Row(y)[:no]
		k.sh.sharpenRowW(d, row(y)[(out.Min.X-rm.Min.X)*c:][:no], m)
		if k.post.t8 != nil {
			k.post.apply(d)
		}
	}
	w := k.rz.xw[k.rz.xs.off[rm.Min.X]:]
	shift := k.rz.hshift - resize8Frac
	next := out.Min.Y // the next row to sharpen
	k.rz.rows(s, rm, src, in, func(y int, mid []int16, offs []int32) {
		hres8w(row(y), mid, offs, w, k.rz.xs.most, c, shift, k.rz.pairMask)
		for next < out.Max.Y && min(next+r, rm.Max.Y-1) <= y {
			sharpen(next)
			next++
		}
	})
	s.putShorts(m)
	s.putShorts(ring)
}

// hres8wGo is hres8Go storing 16-bit samples, clamped to 0 … 255 with
// resize8Frac fraction bits, when shift leaves them.
func hres8wGo(d []int16, m []int16, offs []int32, w []int16, taps, c int, shift uint) {
	hresGo(d, m, offs, w, taps, c, shift, 255<<resize8Frac)
}

// unsharp8w is unsharp8 on samples x with resize8Frac fraction bits.
func unsharp8w(d []byte, v []int16, sums []int32, a float32) {
	v = v[:len(d)]
	sums = sums[:len(d)]
	for j, x := range v {
		fx := float32(x) * (1.0 / (1 << resize8Frac))
		b := float32(sums[j]) * (1.0 / (1 << blur8HShift))
		u := float32(a * (fx - b))
		y := float32(fx+u) + 0.5
		d[j] = byte(min(max(int32(y), 0), 255))
	}
}

// sharpen8wGo is sharpen8Go on samples x with resize8Frac fraction bits.
func sharpen8wGo(d []byte, x []int16, m []int16, c int, w []int32, a float32) {
	var acc [goChunk]int32
	for i0 := 0; i0 < len(d); i0 += goChunk {
		s := acc[:min(goChunk, len(d)-i0)]
		horizSums8(s, m, i0, c, w, 0)
		unsharp8w(d[i0:i0+len(s)], x[i0:i0+len(s)], s, a)
	}
}

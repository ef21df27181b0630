package jpegio

import (
	"fmt"
	"math"
)

// Shrink on load: a file can be decoded at 1/2, 1/4 or 1/8 of its size
// through a reduced inverse DCT, as libjpeg's scaled decoding does. The
// Huffman decoding is the same; the transform of each 8×8 block keeps its
// lowest n×n frequencies (n = 4, 2, 1) and evaluates them on an n×n grid,
// which samples the block's continuous reconstruction at the centres of
// its 2×2, 4×4 or 8×8 groups of pixels. It costs a fraction of the full
// transform, and upsampling and colour conversion run on a fraction of
// the pixels.

// scaling is the size a frame is decoded at. As libjpeg does, a
// subsampled component is decoded at a larger scale than the luma, up to
// its full 8×8 transform, where that takes away (some of) its upsampling:
// at 1/2 of a 4:2:0 file the chroma blocks are transformed whole and need
// no upsampling, at 1/8 they are transformed at 2×2.
type scaling struct {
	n             int // luma samples per block side: 8, 4, 2 or 1
	div           int // 8 / n: the scale's denominator
	width, height int // the image decoded: ceil(width / div) × ceil(height / div)
	// Per component: samples per block across and down, the samples that
	// hold image data, and how many output pixels one sample covers.
	nh, nv []int
	dw, dh []int
	hr, vr []int
}

// setScale makes the frame decode at 1/div of its size; div is 1, 2, 4
// or 8.
func (f *frame) setScale(div int) {
	sc := &f.sc
	sc.div, sc.n = div, 8/div
	sc.width, sc.height = (f.width+div-1)/div, (f.height+div-1)/div
	k := len(f.comps)
	sc.nh, sc.nv = make([]int, k), make([]int, k)
	sc.dw, sc.dh = make([]int, k), make([]int, k)
	sc.hr, sc.vr = make([]int, k), make([]int, k)
	for i, c := range f.comps {
		// libjpeg's rule (jdmaster.c, with fancy upsampling): double
		// the block while it stays within 8 and the ratio to the luma
		// stays whole.
		gh, gv := 1, 1
		for sc.n*gh*2 <= 8 && f.hmax%(c.h*gh*2) == 0 {
			gh *= 2
		}
		for sc.n*gv*2 <= 8 && f.vmax%(c.v*gv*2) == 0 {
			gv *= 2
		}
		sc.nh[i], sc.nv[i] = sc.n*gh, sc.n*gv
		sc.hr[i], sc.vr[i] = c.hr/gh, c.vr/gv
		sc.dw[i] = (f.width*c.h*sc.nh[i] + f.hmax*8 - 1) / (f.hmax * 8)
		sc.dh[i] = (f.height*c.v*sc.nv[i] + f.vmax*8 - 1) / (f.vmax * 8)
	}
}

// checkScale returns the denominator a ReaderOptions.Shrink asked for,
// which must be 1, 2, 4 or 8.
func checkScale(div int) (int, error) {
	switch div {
	case 0:
		return 1, nil
	case 1, 2, 4, 8:
		return div, nil
	}
	return 0, fmt.Errorf("jpeg: cannot decode at 1/%d of the size: the scales are 1, 1/2, 1/4 and 1/8", div)
}

// reducedBits is the fixed-point precision of the reduced transform.
const reducedBits = 13

// reducedK[n][x*n+u] is C(u)/2 · cos((2x+1)uπ/2n) in fixed point, with
// C(0) = 1/√2 and C(u) = 1 otherwise: the weight of frequency u at output
// sample x of an n-point reduced IDCT.
var reducedK = func() (k [9][]int32) {
	for _, n := range []int{1, 2, 4, 8} {
		k[n] = make([]int32, n*n)
		for x := range n {
			for u := range n {
				c := 1.0
				if u == 0 {
					c = 1 / math.Sqrt2
				}
				v := c / 2 * math.Cos(float64((2*x+1)*u)*math.Pi/float64(2*n))
				k[n][x*n+u] = int32(math.Round(v * (1 << reducedBits)))
			}
		}
	}
	return
}()

// idctReduced dequantises the lowest nv×nh coefficients of blk (natural
// order) with q and writes their reduced transform, nv rows of nh samples,
// to dst, stride bytes apart; nh and nv are 8, 4, 2 or 1. The arithmetic
// is integer, so the samples are the same on every machine.
func idctReduced(blk []int16, q *[64]uint16, dst []byte, stride, nh, nv int) {
	blk = blk[:64]
	if nh == 1 && nv == 1 {
		// C(0)²/4 = 1/8 of the DC coefficient, rounded.
		v := int32(blk[0]) * int32(q[0])
		dst[0] = clamp8((v+4)>>3 + 128)
		return
	}
	switch {
	case nh == 2 && nv == 2:
		idct2x2(blk, q, dst, stride)
		return
	case nh == 4 && nv == 4:
		idct4x4(blk, q, dst, stride)
		return
	}
	idctReducedN(blk, q, dst, stride, nh, nv)
}

// idctReducedN is idctReduced for any nh and nv but 1, by the weights of
// reducedK.
func idctReducedN(blk []int16, q *[64]uint16, dst []byte, stride, nh, nv int) {
	kh, kv := reducedK[nh], reducedK[nv]
	var tmp [64]int32 // rows of frequencies v, columns of samples x
	for v := range nv {
		for x := range nh {
			var sum int32
			for u := range nh {
				sum += kh[x*nh+u] * (int32(blk[v*8+u]) * int32(q[v*8+u]))
			}
			// Keep pass1Bits more bits than the samples for the columns.
			tmp[v*nh+x] = (sum + 1<<(reducedBits-pass1Bits-1)) >> (reducedBits - pass1Bits)
		}
	}
	const shift = reducedBits + pass1Bits
	for y := range nv {
		row := dst[y*stride : y*stride+nh]
		for x := range nh {
			var sum int32
			for v := range nv {
				sum += kv[y*nv+v] * tmp[v*nh+x]
			}
			row[x] = clamp8((sum+1<<(shift-1))>>shift + 128)
		}
	}
}

// idct2x2 is idctReduced for nh = nv = 2, unrolled: the same products and
// sums, so the same samples.
func idct2x2(blk []int16, q *[64]uint16, dst []byte, stride int) {
	blk = blk[:10]
	k := reducedK[2][:4]
	c00 := int32(blk[0]) * int32(q[0])
	c01 := int32(blk[1]) * int32(q[1])
	c10 := int32(blk[8]) * int32(q[8])
	c11 := int32(blk[9]) * int32(q[9])
	const r1 = 1 << (reducedBits - pass1Bits - 1)
	const s1 = reducedBits - pass1Bits
	t00 := (k[0]*c00 + k[1]*c01 + r1) >> s1
	t01 := (k[2]*c00 + k[3]*c01 + r1) >> s1
	t10 := (k[0]*c10 + k[1]*c11 + r1) >> s1
	t11 := (k[2]*c10 + k[3]*c11 + r1) >> s1
	const shift = reducedBits + pass1Bits
	const r2 = 1 << (shift - 1)
	row0 := dst[0:2:2]
	row1 := dst[stride : stride+2 : stride+2]
	row0[0] = clamp8((k[0]*t00+k[1]*t10+r2)>>shift + 128)
	row0[1] = clamp8((k[0]*t01+k[1]*t11+r2)>>shift + 128)
	row1[0] = clamp8((k[2]*t00+k[3]*t10+r2)>>shift + 128)
	row1[1] = clamp8((k[2]*t01+k[3]*t11+r2)>>shift + 128)
}

// idct4x4 is idctReduced for nh = nv = 4, on arrays of fixed size: the
// same products and sums, so the same samples.
func idct4x4(blk []int16, q *[64]uint16, dst []byte, stride int) {
	blk = blk[:28]
	k := (*[16]int32)(reducedK[4])
	const r1 = 1 << (reducedBits - pass1Bits - 1)
	const s1 = reducedBits - pass1Bits
	const shift = reducedBits + pass1Bits
	const r2 = 1 << (shift - 1)
	if blk[1]|blk[2]|blk[3]|blk[8]|blk[9]|blk[10]|blk[11]|blk[16]|blk[17]|blk[18]|blk[19]|blk[24]|blk[25]|blk[26]|blk[27] == 0 {
		// Only the DC coefficient among those used (smooth chroma, most
		// often): the same sums as below without their zero terms.
		c0 := int32(blk[0]) * int32(q[0])
		var t [4]int32
		for x := range 4 {
			t[x] = (k[x*4]*c0 + r1) >> s1
		}
		for y := range 4 {
			k0 := k[y*4]
			row := dst[y*stride : y*stride+4 : y*stride+4]
			for x := range 4 {
				row[x] = clamp8((k0*t[x]+r2)>>shift + 128)
			}
		}
		return
	}
	var c, tmp [16]int32
	for v := range 4 {
		for u := range 4 {
			c[v*4+u] = int32(blk[v*8+u]) * int32(q[v*8+u])
		}
	}
	for v := range 4 {
		c0, c1, c2, c3 := c[v*4], c[v*4+1], c[v*4+2], c[v*4+3]
		for x := range 4 {
			tmp[v*4+x] = (k[x*4]*c0 + k[x*4+1]*c1 + k[x*4+2]*c2 + k[x*4+3]*c3 + r1) >> s1
		}
	}
	for y := range 4 {
		k0, k1, k2, k3 := k[y*4], k[y*4+1], k[y*4+2], k[y*4+3]
		row := dst[y*stride : y*stride+4 : y*stride+4]
		for x := range 4 {
			row[x] = clamp8((k0*tmp[x]+k1*tmp[4+x]+k2*tmp[8+x]+k3*tmp[12+x]+r2)>>shift + 128)
		}
	}
}

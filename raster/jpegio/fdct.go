package jpegio

import "math/bits"

// divisors are a quantisation table prepared for fdct: each step is 8
// times the table's (the DCT's output is 8 times the true one), divided
// by multiplying with a reciprocal, which gives the quotient exactly for
// the DCT's range (n·d < 2³²), as libjpeg-turbo's quantize does.
type divisors struct {
	half  [64]int32  // half the step, for rounding
	recip [64]uint32 // ⌊2³²/step⌋ + 1 (the step is at least 8)
	// w16 is the same division on 16-bit words, for the vector kernel:
	// the reciprocal, the rounding and the shift as a multiplier (see
	// recip16).
	w16 [3][64]uint16
}

func newDivisors(q *[64]uint16) *divisors {
	d := new(divisors)
	for i, v := range q {
		step := uint64(v) << 3
		d.half[i] = int32(step >> 1)
		d.recip[i] = uint32(1<<32/step + 1)
		d.w16[0][i], d.w16[1][i], d.w16[2][i] = recip16(uint32(step))
	}
	return d
}

// recip16 returns the 16-bit factors that round a 16-bit magnitude x to
// the nearest multiple of step (at least 8, halves away from zero) as
// libjpeg-turbo's compute_reciprocal does: ⌊(x + step/2) / step⌋ is
// ((x + corr)·recip >> 16)·scale >> 16, the high words of two products,
// exactly for every x below 2¹⁵ + step/2 (TestRecip16Exact checks them
// all). recip is ⌊2ʳ/step⌋, r = 16 + ⌊log₂ step⌋, rounded up, or kept and
// the dividend raised by one when the remainder is at most step/2.
func recip16(step uint32) (recip, corr, scale uint16) {
	r := 16 + bits.Len32(step) - 1
	fq, fr := uint32(1)<<r/step, uint32(1)<<r%step
	c := step / 2
	switch {
	case fr == 0: // a power of two
		fq >>= 1
		r--
	case fr <= step/2:
		c++
	default:
		fq++
	}
	return uint16(fq), uint16(c), uint16(1 << (32 - r))
}

// fdct is libjpeg's accurate integer forward DCT (jfdctint.c, cjpeg's
// default), followed by quantisation with rounding as libjpeg does. blk
// holds 64 samples already level-shifted (sample - 128) in natural order;
// on return it holds the quantised coefficients in natural order.
func fdct(blk *[64]int32, div *divisors) {
	// Pass 1: rows, results scaled up by 2^pass1Bits.
	for r := range 8 {
		d := blk[8*r : 8*r+8 : 8*r+8]
		tmp0, tmp7 := d[0]+d[7], d[0]-d[7]
		tmp1, tmp6 := d[1]+d[6], d[1]-d[6]
		tmp2, tmp5 := d[2]+d[5], d[2]-d[5]
		tmp3, tmp4 := d[3]+d[4], d[3]-d[4]
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		d[0] = (tmp10 + tmp11) << pass1Bits
		d[4] = (tmp10 - tmp11) << pass1Bits
		z1 := (tmp12 + tmp13) * fix0_541196100
		const sh = constBits - pass1Bits
		const rnd = 1 << (sh - 1)
		d[2] = (z1 + tmp13*fix0_765366865 + rnd) >> sh
		d[6] = (z1 + tmp12*-fix1_847759065 + rnd) >> sh
		z1 = tmp4 + tmp7
		z2 := tmp5 + tmp6
		z3 := tmp4 + tmp6
		z4 := tmp5 + tmp7
		z5 := (z3 + z4) * fix1_175875602
		tmp4 *= fix0_298631336
		tmp5 *= fix2_053119869
		tmp6 *= fix3_072711026
		tmp7 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		d[7] = (tmp4 + z1 + z3 + rnd) >> sh
		d[5] = (tmp5 + z2 + z4 + rnd) >> sh
		d[3] = (tmp6 + z2 + z3 + rnd) >> sh
		d[1] = (tmp7 + z1 + z4 + rnd) >> sh
	}
	// Pass 2: columns, descaled by 2^pass1Bits; the result is 8 times the
	// true DCT, which quantisation divides out.
	for c := range 8 {
		tmp0, tmp7 := blk[c]+blk[56+c], blk[c]-blk[56+c]
		tmp1, tmp6 := blk[8+c]+blk[48+c], blk[8+c]-blk[48+c]
		tmp2, tmp5 := blk[16+c]+blk[40+c], blk[16+c]-blk[40+c]
		tmp3, tmp4 := blk[24+c]+blk[32+c], blk[24+c]-blk[32+c]
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		const r1 = 1 << (pass1Bits - 1)
		blk[c] = (tmp10 + tmp11 + r1) >> pass1Bits
		blk[32+c] = (tmp10 - tmp11 + r1) >> pass1Bits
		z1 := (tmp12 + tmp13) * fix0_541196100
		const sh = constBits + pass1Bits
		const rnd = 1 << (sh - 1)
		blk[16+c] = (z1 + tmp13*fix0_765366865 + rnd) >> sh
		blk[48+c] = (z1 + tmp12*-fix1_847759065 + rnd) >> sh
		z1 = tmp4 + tmp7
		z2 := tmp5 + tmp6
		z3 := tmp4 + tmp6
		z4 := tmp5 + tmp7
		z5 := (z3 + z4) * fix1_175875602
		tmp4 *= fix0_298631336
		tmp5 *= fix2_053119869
		tmp6 *= fix3_072711026
		tmp7 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		blk[56+c] = (tmp4 + z1 + z3 + rnd) >> sh
		blk[40+c] = (tmp5 + z2 + z4 + rnd) >> sh
		blk[24+c] = (tmp6 + z2 + z3 + rnd) >> sh
		blk[8+c] = (tmp7 + z1 + z4 + rnd) >> sh
	}
	// Quantise |v| and restore the sign, without branches: the sign of a
	// coefficient is as good as random.
	for i, v := range blk {
		blk[i] = quantize(v, div, i)
	}
}

// quantize divides v by step i of div, rounding half away from zero.
func quantize(v int32, div *divisors, i int) int32 {
	sign := v >> 31
	a := uint64((v^sign)-sign) + uint64(div.half[i])
	q := int32(a * uint64(div.recip[i]) >> 32)
	return (q ^ sign) - sign
}

// fdctQuantGo transforms and quantises the 8×8 samples at src, rows
// stride bytes apart, into blk in natural order, and returns the mask of
// its nonzero coefficients in natural order: bit i set when blk[i] ≠ 0.
// It is the reference of the vector kernel (fdctQuantAVX2). The
// quantised coefficients of 8-bit samples fit 16 bits (at most 1024 in
// magnitude).
func fdctQuantGo(blk *[64]int16, src []byte, stride int, div *divisors) uint64 {
	var w [64]int32
	for r := range 8 {
		row := src[r*stride : r*stride+8 : r*stride+8]
		for k, s := range row {
			w[8*r+k] = int32(s) - 128
		}
	}
	fdct(&w, div)
	var mask uint64
	for i, v := range w {
		blk[i] = int16(v)
		if v != 0 {
			mask |= 1 << i
		}
	}
	return mask
}

// zigzagMasks maps each byte j of a mask in natural order to the same
// bits in zigzag order: a block's mask in zigzag order is the OR of
// zigzagMasks[j][byte j] over its 8 bytes.
var zigzagMasks = func() (t [8][256]uint64) {
	var pos [64]int // zigzag position of each natural index
	for k := range 64 {
		pos[zigzag[k]] = k
	}
	for j := range 8 {
		for v := range 256 {
			for b := range 8 {
				if v>>b&1 != 0 {
					t[j][v] |= 1 << pos[8*j+b]
				}
			}
		}
	}
	return t
}()

// toZigzag returns mask, a mask in natural order, in zigzag order.
func toZigzag(mask uint64) uint64 {
	t := &zigzagMasks
	return t[0][uint8(mask)] | t[1][uint8(mask>>8)] | t[2][uint8(mask>>16)] | t[3][uint8(mask>>24)] |
		t[4][uint8(mask>>32)] | t[5][uint8(mask>>40)] | t[6][uint8(mask>>48)] | t[7][uint8(mask>>56)]
}

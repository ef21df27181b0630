package jpegio

//go:generate sh -c "cd internal/asmgen && go run . -group dec -out ../../dec_amd64.s -stubs ../../dec_amd64_stub.go -pkg jpegio"

// The inverse DCT is libjpeg's accurate integer one (jidctint.c, the
// "islow" method djpeg uses by default), so that pixels match libjpeg's.

const (
	constBits = 13
	pass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

// clamp8 limits v to 0..255.
func clamp8(v int32) uint8 {
	if uint32(v) <= 255 {
		return uint8(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// idct dequantises the 64 coefficients of blk with q, transforms them and
// writes 8×8 samples to dst, stride bytes apart.
func idct(blk []int16, q *[64]uint16, dst []byte, stride int) {
	blk = blk[:64]
	if allACZero(blk) {
		// Only the DC coefficient: every sample is the same, computed as
		// the two passes below would.
		v := clamp8((int32(blk[0])*int32(q[0])<<pass1Bits+(1<<(pass1Bits+2)))>>(pass1Bits+3) + 128)
		for r := range 8 {
			out := dst[r*stride : r*stride+8 : r*stride+8]
			for i := range out {
				out[i] = v
			}
		}
		return
	}
	var ws [64]int32
	// Pass 1: columns from input, results scaled up by 2^pass1Bits.
	for col := range 8 {
		if blk[8+col] == 0 && blk[16+col] == 0 && blk[24+col] == 0 && blk[32+col] == 0 &&
			blk[40+col] == 0 && blk[48+col] == 0 && blk[56+col] == 0 {
			dc := int32(blk[col]) * int32(q[col]) << pass1Bits
			for r := range 8 {
				ws[8*r+col] = dc
			}
			continue
		}
		z2 := int32(blk[16+col]) * int32(q[16+col])
		z3 := int32(blk[48+col]) * int32(q[48+col])
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 + z3*-fix1_847759065
		tmp3 := z1 + z2*fix0_765366865
		z2 = int32(blk[col]) * int32(q[col])
		z3 = int32(blk[32+col]) * int32(q[32+col])
		tmp0 := (z2 + z3) << constBits
		tmp1 := (z2 - z3) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		tmp0 = int32(blk[56+col]) * int32(q[56+col])
		tmp1 = int32(blk[40+col]) * int32(q[40+col])
		tmp2 = int32(blk[24+col]) * int32(q[24+col])
		tmp3 = int32(blk[8+col]) * int32(q[8+col])
		z1, z2, z3 = tmp0+tmp3, tmp1+tmp2, tmp0+tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175875602
		tmp0 *= fix0_298631336
		tmp1 *= fix2_053119869
		tmp2 *= fix3_072711026
		tmp3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4

		const sh = constBits - pass1Bits
		const rnd = 1 << (sh - 1)
		ws[col] = (tmp10 + tmp3 + rnd) >> sh
		ws[56+col] = (tmp10 - tmp3 + rnd) >> sh
		ws[8+col] = (tmp11 + tmp2 + rnd) >> sh
		ws[48+col] = (tmp11 - tmp2 + rnd) >> sh
		ws[16+col] = (tmp12 + tmp1 + rnd) >> sh
		ws[40+col] = (tmp12 - tmp1 + rnd) >> sh
		ws[24+col] = (tmp13 + tmp0 + rnd) >> sh
		ws[32+col] = (tmp13 - tmp0 + rnd) >> sh
	}
	// Pass 2: rows, descaled by 2^pass1Bits and 8, level-shifted by 128.
	for r := range 8 {
		w := ws[8*r : 8*r+8 : 8*r+8]
		out := dst[r*stride : r*stride+8 : r*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := clamp8((w[0]+(1<<(pass1Bits+2)))>>(pass1Bits+3) + 128)
			for i := range out {
				out[i] = v
			}
			continue
		}
		z2, z3 := w[2], w[6]
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 + z3*-fix1_847759065
		tmp3 := z1 + z2*fix0_765366865
		tmp0 := (w[0] + w[4]) << constBits
		tmp1 := (w[0] - w[4]) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		tmp0, tmp1, tmp2, tmp3 = w[7], w[5], w[3], w[1]
		z1, z2, z3 = tmp0+tmp3, tmp1+tmp2, tmp0+tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175875602
		tmp0 *= fix0_298631336
		tmp1 *= fix2_053119869
		tmp2 *= fix3_072711026
		tmp3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4

		const sh = constBits + pass1Bits + 3
		const rnd = 1 << (sh - 1)
		out[0] = clamp8((tmp10+tmp3+rnd)>>sh + 128)
		out[7] = clamp8((tmp10-tmp3+rnd)>>sh + 128)
		out[1] = clamp8((tmp11+tmp2+rnd)>>sh + 128)
		out[6] = clamp8((tmp11-tmp2+rnd)>>sh + 128)
		out[2] = clamp8((tmp12+tmp1+rnd)>>sh + 128)
		out[5] = clamp8((tmp12-tmp1+rnd)>>sh + 128)
		out[3] = clamp8((tmp13+tmp0+rnd)>>sh + 128)
		out[4] = clamp8((tmp13-tmp0+rnd)>>sh + 128)
	}
}

// idctRowGo is idct on each of the len(coef)/64 blocks of coef, block k
// written at dst[8k:], stride bytes a row: the pure-Go twin of
// idctRowAVX2.
func idctRowGo(coef []int16, q *[64]uint16, dst []byte, stride int) {
	for k := range len(coef) / 64 {
		idct(coef[k*64:k*64+64], q, dst[k*8:], stride)
	}
}

// allACZero reports whether the 63 AC coefficients of blk are zero.
func allACZero(blk []int16) bool {
	var or int16
	for _, v := range blk[1:64] {
		or |= v
	}
	return or == 0
}

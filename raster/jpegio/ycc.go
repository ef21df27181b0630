package jpegio

// These are color.YCbCrToRGB and color.RGBToYCbCr written out over whole
// rows, giving the same results; the per-pixel calls are not inlined and
// cost about three times as much.

// yccRow converts a row of Y samples with chroma at cb[x>>shift],
// cr[x>>shift] to RGB8 in dst. The chroma terms are computed once per
// chroma sample, so subsampled rows cost less.
func yccRow(dst, ys, cbs, crs []byte, shift uint) {
	dst = dst[:3*len(ys)]
	step := 1 << shift
	for x0 := 0; x0 < len(ys); x0 += step {
		c := x0 >> shift
		cb1 := int32(cbs[c]) - 128
		cr1 := int32(crs[c]) - 128
		rc, gc, bc := 91881*cr1, -22554*cb1-46802*cr1, 116130*cb1
		for x := x0; x < min(x0+step, len(ys)); x++ {
			yy1 := int32(ys[x]) * 0x10101
			r, g, b := yy1+rc, yy1+gc, yy1+bc
			if uint32(r)&0xff000000 == 0 {
				r >>= 16
			} else {
				r = ^(r >> 31)
			}
			if uint32(g)&0xff000000 == 0 {
				g >>= 16
			} else {
				g = ^(g >> 31)
			}
			if uint32(b)&0xff000000 == 0 {
				b >>= 16
			} else {
				b = ^(b >> 31)
			}
			d := dst[3*x : 3*x+3 : 3*x+3]
			d[0], d[1], d[2] = uint8(r), uint8(g), uint8(b)
		}
	}
}

// rgbRow converts a row of RGB8 pixels to Y, Cb and Cr samples.
func rgbRow(src, ys, cbs, crs []byte) {
	ys, cbs, crs = ys[:len(src)/3], cbs[:len(src)/3], crs[:len(src)/3]
	for x := range ys {
		s := src[3*x : 3*x+3 : 3*x+3]
		r1, g1, b1 := int32(s[0]), int32(s[1]), int32(s[2])
		ys[x] = uint8((19595*r1 + 38470*g1 + 7471*b1 + 1<<15) >> 16)
		cb := -11056*r1 - 21712*g1 + 32768*b1 + 257<<15
		if uint32(cb)&0xff000000 == 0 {
			cb >>= 16
		} else {
			cb = ^(cb >> 31)
		}
		cbs[x] = uint8(cb)
		cr := 32768*r1 - 27440*g1 - 5328*b1 + 257<<15
		if uint32(cr)&0xff000000 == 0 {
			cr >>= 16
		} else {
			cr = ^(cr >> 31)
		}
		crs[x] = uint8(cr)
	}
}

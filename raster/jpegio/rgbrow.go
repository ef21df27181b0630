package jpegio

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

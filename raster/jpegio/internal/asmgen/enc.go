package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The encoder's kernels (group "enc"): the forward DCT with quantisation
// (fdct.go's fdctQuantGo), colour conversion (encband.go's rgbToYCCGo) and
// chroma downsampling (down2x1Go, down2x2Go).
func init() {
	register("enc", func() {
		fdctQuant()
		rgbToYCC()
		down2(false)
		down2(true)
	})
}

// The fixed-point constants of jfdctint.c, as in package jpegio.
const (
	constBits      = 13
	pass1Bits      = 2
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

// splats holds the 32-byte constants made so far, by value.
var splats = map[uint32]Mem{}

// splat returns a 32-byte constant holding v in each of its 8 dwords.
func splat(v uint32) Mem {
	if m, ok := splats[v]; ok {
		return m
	}
	m := GLOBL(fmt.Sprintf("splat_%08x", v), RODATA|NOPTR)
	for i := range 8 {
		DATA(4*i, U32(v))
	}
	splats[v] = m
	return m
}

// words returns the dword holding the 16-bit words lo and hi.
func words(lo, hi int) uint32 { return uint32(uint16(int16(lo))) | uint32(uint16(int16(hi)))<<16 }

// table returns a constant of 32-bit values.
func table(name string, v []uint32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i, x := range v {
		DATA(4*i, U32(x))
	}
	return m
}

// bytesTable returns a constant of bytes.
func bytesTable(name string, v []byte) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i, x := range v {
		DATA(i, U8(x))
	}
	return m
}

// transpose8 transposes the 8×8 dwords of r in place (r[i] lane j
// becomes r[j] lane i).
func transpose8(r *[8]VecVirtual) {
	var t [8]VecVirtual
	for i := 0; i < 8; i += 2 {
		t[i], t[i+1] = YMM(), YMM()
		VPUNPCKLDQ(r[i+1], r[i], t[i])
		VPUNPCKHDQ(r[i+1], r[i], t[i+1])
	}
	// t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7, …
	var u [8]VecVirtual
	for _, g := range [2]int{0, 4} {
		u[g], u[g+1], u[g+2], u[g+3] = YMM(), YMM(), YMM(), YMM()
		VPUNPCKLQDQ(t[g+2], t[g], u[g])
		VPUNPCKHQDQ(t[g+2], t[g], u[g+1])
		VPUNPCKLQDQ(t[g+3], t[g+1], u[g+2])
		VPUNPCKHQDQ(t[g+3], t[g+1], u[g+3])
	}
	// u[c] = column c of rows 0-3 | column c+4 of rows 0-3; u[4+c] the
	// same of rows 4-7.
	for c := range 4 {
		r[c], r[c+4] = YMM(), YMM()
		VPERM2I128(Imm(0x20), u[4+c], u[c], r[c])
		VPERM2I128(Imm(0x31), u[4+c], u[c], r[c+4])
	}
}

// fdctPass is one pass of jfdctint.c on the 8 vectors d, each lane a
// separate 1-D transform; output k goes to out(k). The first pass scales
// its results up by 2^pass1Bits, the second descales them.
func fdctPass(d [8]VecVirtual, first bool, out func(k int, v VecVirtual)) {
	sh := constBits - pass1Bits
	if !first {
		sh = constBits + pass1Bits
	}
	rnd := splat(1 << (sh - 1))
	var tmp [8]VecVirtual
	for i := range 4 {
		tmp[i], tmp[7-i] = YMM(), YMM()
		VPADDD(d[7-i], d[i], tmp[i])
		VPSUBD(d[7-i], d[i], tmp[7-i])
	}
	t10, t13, t11, t12 := YMM(), YMM(), YMM(), YMM()
	VPADDD(tmp[3], tmp[0], t10)
	VPSUBD(tmp[3], tmp[0], t13)
	VPADDD(tmp[2], tmp[1], t11)
	VPSUBD(tmp[2], tmp[1], t12)
	o0, o4 := YMM(), YMM()
	VPADDD(t11, t10, o0)
	VPSUBD(t11, t10, o4)
	if first {
		VPSLLD(Imm(pass1Bits), o0, o0)
		VPSLLD(Imm(pass1Bits), o4, o4)
	} else {
		r1 := splat(1 << (pass1Bits - 1))
		VPADDD(r1, o0, o0)
		VPADDD(r1, o4, o4)
		VPSRAD(Imm(pass1Bits), o0, o0)
		VPSRAD(Imm(pass1Bits), o4, o4)
	}
	out(0, o0)
	out(4, o4)
	// Even part: z1 = (tmp12 + tmp13)·c.
	z1 := YMM()
	VPADDD(t13, t12, z1)
	VPMULLD(splat(fix0_541196100), z1, z1)
	o2, o6 := YMM(), YMM()
	VPMULLD(splat(fix0_765366865), t13, o2)
	VPADDD(z1, o2, o2)
	VPADDD(rnd, o2, o2)
	VPSRAD(Imm(uint64(sh)), o2, o2)
	out(2, o2)
	VPMULLD(splat(uint32(-fix1_847759065&0xffffffff)), t12, o6)
	VPADDD(z1, o6, o6)
	VPADDD(rnd, o6, o6)
	VPSRAD(Imm(uint64(sh)), o6, o6)
	out(6, o6)
	// Odd part.
	t4, t5, t6, t7 := tmp[4], tmp[5], tmp[6], tmp[7]
	y1, y2, y3, y4, y5 := YMM(), YMM(), YMM(), YMM(), YMM()
	VPADDD(t7, t4, y1)
	VPADDD(t6, t5, y2)
	VPADDD(t6, t4, y3)
	VPADDD(t7, t5, y4)
	VPADDD(y4, y3, y5)
	VPMULLD(splat(fix1_175875602), y5, y5)
	VPMULLD(splat(fix0_298631336), t4, t4)
	VPMULLD(splat(fix2_053119869), t5, t5)
	VPMULLD(splat(fix3_072711026), t6, t6)
	VPMULLD(splat(fix1_501321110), t7, t7)
	neg := func(c int) Mem { return splat(uint32(-c & 0xffffffff)) }
	VPMULLD(neg(fix0_899976223), y1, y1)
	VPMULLD(neg(fix2_562915447), y2, y2)
	VPMULLD(neg(fix1_961570560), y3, y3)
	VPADDD(y5, y3, y3)
	VPMULLD(neg(fix0_390180644), y4, y4)
	VPADDD(y5, y4, y4)
	odd := func(k int, t, a, b VecVirtual) {
		VPADDD(a, t, t)
		VPADDD(b, t, t)
		VPADDD(rnd, t, t)
		VPSRAD(Imm(uint64(sh)), t, t)
		out(k, t)
	}
	odd(7, t4, y1, y3)
	odd(5, t5, y2, y4)
	odd(3, t6, y2, y3)
	odd(1, t7, y1, y4)
}

// fdctQuant writes fdctQuantAVX2.
func fdctQuant() {
	c128 := splat(128)
	TEXT("fdctQuantAVX2", NOSPLIT, "func(blk *[64]int32, src *byte, stride int, half *[64]int32, recip *[64]uint32) uint64")
	Pragma("noescape")
	Doc(
		"fdctQuantAVX2 is fdctQuantGo on the 8×8 samples at src, rows stride bytes",
		"apart: the forward DCT of jfdctint.c on 8 lanes of 32 bits, quantisation by",
		"the divisors' half and recip, and the mask of the nonzero coefficients.",
	)
	blk := Load(Param("blk"), GP64())
	src := Load(Param("src"), GP64())
	stride := Load(Param("stride"), GP64())
	half := Load(Param("half"), GP64())
	recip := Load(Param("recip"), GP64())
	Comment("Rows, level-shifted, then columns: lanes are rows.")
	var r [8]VecVirtual
	for i := range r {
		r[i] = YMM()
		VPMOVZXBD(Mem{Base: src}, r[i])
		VPSUBD(c128, r[i], r[i])
		if i < 7 {
			ADDQ(stride, src)
		}
	}
	transpose8(&r)
	Comment("Pass 1 on the rows; the results go through blk.")
	fdctPass(r, true, func(k int, v VecVirtual) { VMOVDQU(v, Mem{Base: blk, Disp: 32 * k}) })
	for i := range r {
		r[i] = YMM()
		VMOVDQU(Mem{Base: blk, Disp: 32 * i}, r[i])
	}
	transpose8(&r)
	// zero is made from a defined register: avo would take VPXOR X, X, X
	// as a use of X from the start of the function, and run out of
	// registers.
	zero := YMM()
	VMOVDQU(c128, zero)
	VPXOR(zero, zero, zero)
	mask, bitsr := GP64(), GP64()
	XORQ(mask, mask)
	Comment("Pass 2 on the columns, then quantisation: |v| + half, times the",
		"reciprocal, the top 32 bits of the 64-bit products, v's sign; and a",
		"bit per zero coefficient.")
	fdctPass(r, false, func(k int, v VecVirtual) {
		a, rc, ao, ro := YMM(), YMM(), YMM(), YMM()
		VPABSD(v, a)
		VPADDD(Mem{Base: half, Disp: 32 * k}, a, a)
		VMOVDQU(Mem{Base: recip, Disp: 32 * k}, rc)
		VPSRLQ(Imm(32), a, ao)
		VPSRLQ(Imm(32), rc, ro)
		VPMULUDQ(rc, a, a)
		VPMULUDQ(ro, ao, ao)
		VPSRLQ(Imm(32), a, a)
		VPBLENDD(Imm(0xaa), ao, a, a)
		VPSIGND(v, a, a)
		VMOVDQU(a, Mem{Base: blk, Disp: 32 * k})
		VPCMPEQD(zero, a, a)
		VMOVMSKPS(a, bitsr.As32())
		if k > 0 {
			SHLQ(Imm(uint64(8*k)), bitsr)
		}
		ORQ(bitsr, mask)
	})
	NOTQ(mask)
	Store(mask, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// rgbToYCC writes rgbToYCCAVX2: 16 pixels a step, 8 in each half of a
// pair of registers, as pairs of 16-bit samples (r, g) and (g, b) in each
// dword, which VPMADDWD weighs:
//
//	Y  = 19595r − 27066g + 7471b + 65536g + 2¹⁵
//	Cb = −11059r − 21709g − (−32768)b + 128·2¹⁶ + 2¹⁵ − 1
//	Cr = −27439g − 5329b − (−32768)r + 128·2¹⁶ + 2¹⁵ − 1
//
// each then shifted down 16 bits, as rgbToYCCGo.
func rgbToYCC() {
	var rg, gb []byte
	for l := range 2 {
		_ = l
		for i := range 4 {
			rg = append(rg, byte(3*i), 0x80, byte(3*i+1), 0x80)
			gb = append(gb, byte(3*i+1), 0x80, byte(3*i+2), 0x80)
		}
	}
	shufRG := bytesTable("ycc_rg", rg)
	shufGB := bytesTable("ycc_gb", gb)
	order := table("ycc_order", []uint32{0, 4, 1, 5, 2, 6, 3, 7})
	kY1, kY2 := splat(words(19595, -27066)), splat(words(0, 7471))
	kCb1, kCb2 := splat(words(-11059, -21709)), splat(words(0, -32768))
	kCr1, kCr2 := splat(words(-27439, -5329)), splat(words(-32768, 0))
	hiWord := splat(0xffff0000)
	half := splat(1 << 15)
	off := splat(128<<16 + 1<<15 - 1)

	TEXT("rgbToYCCAVX2", NOSPLIT, "func(src, ys, cbs, crs []byte)")
	Pragma("noescape")
	Doc(
		"rgbToYCCAVX2 is rgbToYCCGo on the first len(ys) pixels, a multiple of 16;",
		"src must hold 4 bytes more than they take.",
	)
	src := Load(Param("src").Base(), GP64())
	ys := Load(Param("ys").Base(), GP64())
	n := Load(Param("ys").Len(), GP64())
	cbs := Load(Param("cbs").Base(), GP64())
	crs := Load(Param("crs").Base(), GP64())
	idx := YMM()
	VMOVDQU(order, idx)
	Label("ycc_loop")
	CMPQ(n, Imm(16))
	JB(LabelRef("ycc_done"))
	var y, cb, cr [2]VecVirtual
	for h := range 2 {
		p := YMM()
		VMOVDQU(Mem{Base: src, Disp: 24 * h}, p.AsX())
		VINSERTI128(Imm(1), Mem{Base: src, Disp: 24*h + 12}, p, p)
		a, b := YMM(), YMM()
		VPSHUFB(shufRG, p, a)
		VPSHUFB(shufGB, p, b)
		y[h], cb[h], cr[h] = YMM(), YMM(), YMM()
		t := YMM()
		VPMADDWD(kY1, a, y[h])
		VPMADDWD(kY2, b, t)
		VPADDD(t, y[h], y[h])
		VPAND(hiWord, a, t)
		VPADDD(t, y[h], y[h])
		VPADDD(half, y[h], y[h])
		VPSRLD(Imm(16), y[h], y[h])
		VPMADDWD(kCb1, a, cb[h])
		VPMADDWD(kCb2, b, t)
		VPSUBD(t, cb[h], cb[h])
		VPADDD(off, cb[h], cb[h])
		VPSRLD(Imm(16), cb[h], cb[h])
		VPMADDWD(kCr1, b, cr[h])
		VPMADDWD(kCr2, a, t)
		VPSUBD(t, cr[h], cr[h])
		VPADDD(off, cr[h], cr[h])
		VPSRLD(Imm(16), cr[h], cr[h])
	}
	Comment("Pack: words of both halves, then bytes of Y and Cb together",
		"and of Cr twice, put in order by VPERMD.")
	VPACKUSDW(y[1], y[0], y[0])
	VPACKUSDW(cb[1], cb[0], cb[0])
	VPACKUSDW(cr[1], cr[0], cr[0])
	VPACKUSWB(cb[0], y[0], y[0])
	VPACKUSWB(cr[0], cr[0], cr[0])
	VPERMD(y[0], idx, y[0])
	VPERMD(cr[0], idx, cr[0])
	VMOVDQU(y[0].AsX(), Mem{Base: ys})
	VEXTRACTI128(Imm(1), y[0], Mem{Base: cbs})
	VMOVDQU(cr[0].AsX(), Mem{Base: crs})
	ADDQ(Imm(48), src)
	ADDQ(Imm(16), ys)
	ADDQ(Imm(16), cbs)
	ADDQ(Imm(16), crs)
	SUBQ(Imm(16), n)
	JMP(LabelRef("ycc_loop"))
	Label("ycc_done")
	VZEROUPPER()
	RET()
}

// down2 writes down2x2AVX2 (two rows) or down2x1AVX2 (one): 32 outputs a
// step, pairs of samples summed by VPMADDUBSW with ones, libjpeg's
// alternating bias added and the sum shifted down.
func down2(rows2 bool) {
	name, sig, bias, sh := "down2x1AVX2", "func(out, a []byte)", words(0, 1), 1
	if rows2 {
		name, sig, bias, sh = "down2x2AVX2", "func(out, a, b []byte)", words(1, 2), 2
	}
	ones := splat(0x01010101)
	biasM := splat(bias)
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	if rows2 {
		Doc(name + " is down2x2Go on the first len(out) &^ 31 outputs.")
	} else {
		Doc(name + " is down2x1Go on the first len(out) &^ 31 outputs.")
	}
	out := Load(Param("out").Base(), GP64())
	n := Load(Param("out").Len(), GP64())
	a := Load(Param("a").Base(), GP64())
	var b Register
	if rows2 {
		b = Load(Param("b").Base(), GP64())
	}
	loop, done := name+"_loop", name+"_done"
	Label(loop)
	CMPQ(n, Imm(32))
	JB(LabelRef(done))
	var s [2]VecVirtual
	for h := range 2 {
		s[h] = YMM()
		VMOVDQU(Mem{Base: a, Disp: 32 * h}, s[h])
		VPMADDUBSW(ones, s[h], s[h])
		if rows2 {
			t := YMM()
			VMOVDQU(Mem{Base: b, Disp: 32 * h}, t)
			VPMADDUBSW(ones, t, t)
			VPADDW(t, s[h], s[h])
		}
		VPADDW(biasM, s[h], s[h])
		VPSRLW(Imm(uint64(sh)), s[h], s[h])
	}
	VPACKUSWB(s[1], s[0], s[0])
	VPERMQ(Imm(0xd8), s[0], s[0])
	VMOVDQU(s[0], Mem{Base: out})
	ADDQ(Imm(32), out)
	ADDQ(Imm(64), a)
	if rows2 {
		ADDQ(Imm(64), b)
	}
	SUBQ(Imm(32), n)
	JMP(LabelRef(loop))
	Label(done)
	VZEROUPPER()
	RET()
}

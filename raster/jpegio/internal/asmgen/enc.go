package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The encoder's kernels (group "enc"): the forward DCT with quantisation
// (fdct.go's fdctQuantGo), colour conversion (encband.go's rgbToYCCGo),
// chroma downsampling (down2x1Go, down2x2Go) and the Huffman coding of a
// block (huff.go).
func init() {
	register("enc", func() {
		fdctQuant()
		rgbToYCC()
		down2(false)
		down2(true)
		huffBlock()
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

// lanes returns a 32-byte constant whose low 128-bit lane holds the word
// pair (a, b) four times and whose high lane the pair (c, d).
func lanes(name string, a, b, c, d int) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 8 {
		v := words(a, b)
		if i >= 4 {
			v = words(c, d)
		}
		DATA(4*i, U32(v))
	}
	return m
}

// swapLanes returns a new register holding the 128-bit lanes of v
// swapped.
func swapLanes(v VecVirtual) VecVirtual {
	s := YMM()
	VPERM2I128(Imm(0x01), v, v, s)
	return s
}

// transposeW transposes 8×8 words held two rows to a register: on entry
// r[i] holds rows i and i+4 (low and high lane); on return r holds the
// columns in the lane pairs 1|0, 3|2, 4|5 and 6|7 that fdctPassW takes,
// as libjpeg-turbo's jfdctint-avx2 arranges them.
func transposeW(r *[4]VecVirtual) {
	var t [4]VecVirtual
	for i := range t {
		t[i] = YMM()
	}
	VPUNPCKLWD(r[1], r[0], t[0])
	VPUNPCKHWD(r[1], r[0], t[1])
	VPUNPCKLWD(r[3], r[2], t[2])
	VPUNPCKHWD(r[3], r[2], t[3])
	var u [4]VecVirtual
	for i := range u {
		u[i] = YMM()
	}
	VPUNPCKLDQ(t[2], t[0], u[0])
	VPUNPCKHDQ(t[2], t[0], u[1])
	VPUNPCKLDQ(t[3], t[1], u[2])
	VPUNPCKHDQ(t[3], t[1], u[3])
	// u[0] holds columns 0 and 1 of rows 0-3 and of rows 4-7, …; the
	// quadword permutations gather each column's eight words in a lane.
	for i := range r {
		r[i] = YMM()
	}
	VPERMQ(Imm(0x8d), u[0], r[0])
	VPERMQ(Imm(0x8d), u[1], r[1])
	VPERMQ(Imm(0xd8), u[2], r[2])
	VPERMQ(Imm(0xd8), u[3], r[3])
}

// fdctConsts are the constants of fdctPassW.
type fdctConsts struct {
	sign, rndW, rnd1, rnd2, even, z, odd45, odd67 Mem
}

// fdctPassW is one pass of jfdctint.c on 16-bit words, eight transforms
// at once in the way of libjpeg-turbo's jfdctint-avx2: d holds inputs 1|0
// (input 1 of the eight transforms in the low lane, input 0 in the high),
// 3|2, 4|5 and 6|7, and it returns outputs 0|4, 3|1, 2|6 and 7|5. VPMADDWD
// sums the products in 32 bits with the factors regrouped (z1·c + t·c' as
// t·(c+c') + u·c), the same integers; the results of pass 1 fit 16 bits,
// as libjpeg-turbo's DCTELEM holds them.
func fdctPassW(d [4]VecVirtual, first bool, k *fdctConsts) [4]VecVirtual {
	sh, rnd := uint64(constBits-pass1Bits), k.rnd1
	if !first {
		sh, rnd = constBits+pass1Bits, k.rnd2
	}
	t67, t10, t32, t45 := YMM(), YMM(), YMM(), YMM()
	VPSUBW(d[3], d[0], t67)
	VPADDW(d[3], d[0], t10)
	VPADDW(d[2], d[1], t32)
	VPSUBW(d[2], d[1], t45)
	// Even part.
	t01 := swapLanes(t10)
	t1011, t1312 := YMM(), YMM()
	VPADDW(t32, t01, t1011)
	VPSUBW(t32, t01, t1312)
	t1110 := swapLanes(t1011)
	VPSIGNW(k.sign, t1011, t1011)
	VPADDW(t1011, t1110, t1110)
	o04 := YMM()
	if first {
		VPSLLW(Imm(pass1Bits), t1110, o04)
	} else {
		VPADDW(k.rndW, t1110, t1110)
		VPSRAW(Imm(pass1Bits), t1110, o04)
	}
	descale := func(a, b VecVirtual) VecVirtual {
		VPADDD(rnd, a, a)
		VPADDD(rnd, b, b)
		VPSRAD(Imm(sh), a, a)
		VPSRAD(Imm(sh), b, b)
		o := YMM()
		VPACKSSDW(b, a, o)
		return o
	}
	t1213 := swapLanes(t1312)
	el, eh := YMM(), YMM()
	VPUNPCKLWD(t1213, t1312, el)
	VPUNPCKHWD(t1213, t1312, eh)
	VPMADDWD(k.even, el, el)
	VPMADDWD(k.even, eh, eh)
	o26 := descale(el, eh)
	// Odd part.
	z34 := YMM()
	VPADDW(t67, t45, z34)
	z43 := swapLanes(z34)
	zl, zh := YMM(), YMM()
	VPUNPCKLWD(z43, z34, zl)
	VPUNPCKHWD(z43, z34, zh)
	VPMADDWD(k.z, zl, zl)
	VPMADDWD(k.z, zh, zh)
	t76 := swapLanes(t67)
	al, ah := YMM(), YMM()
	VPUNPCKLWD(t76, t45, al)
	VPUNPCKHWD(t76, t45, ah)
	VPMADDWD(k.odd45, al, al)
	VPMADDWD(k.odd45, ah, ah)
	VPADDD(zl, al, al)
	VPADDD(zh, ah, ah)
	o75 := descale(al, ah)
	t54 := swapLanes(t45)
	bl, bh := YMM(), YMM()
	VPUNPCKLWD(t54, t67, bl)
	VPUNPCKHWD(t54, t67, bh)
	VPMADDWD(k.odd67, bl, bl)
	VPMADDWD(k.odd67, bh, bh)
	VPADDD(zl, bl, bl)
	VPADDD(zh, bh, bh)
	o31 := descale(bl, bh)
	return [4]VecVirtual{o04, o31, o26, o75}
}

// fdctQuant writes fdctQuantAVX2.
func fdctQuant() {
	k := &fdctConsts{
		sign: lanes("fdct_sign", 1, 1, -1, -1),
		rndW: splat(words(1<<(pass1Bits-1), 1<<(pass1Bits-1))),
		rnd1: splat(1 << (constBits - pass1Bits - 1)),
		rnd2: splat(1 << (constBits + pass1Bits - 1)),
		even: lanes("fdct_even", fix0_541196100+fix0_765366865, fix0_541196100,
			fix0_541196100-fix1_847759065, fix0_541196100),
		z: lanes("fdct_z", fix1_175875602-fix1_961570560, fix1_175875602,
			fix1_175875602-fix0_390180644, fix1_175875602),
		odd45: lanes("fdct_odd45", fix0_298631336-fix0_899976223, -fix0_899976223,
			fix2_053119869-fix2_562915447, -fix2_562915447),
		odd67: lanes("fdct_odd67", fix3_072711026-fix2_562915447, -fix2_562915447,
			fix1_501321110-fix0_899976223, -fix0_899976223),
	}
	c128 := splat(words(128, 128))
	TEXT("fdctQuantAVX2", NOSPLIT, "func(blk *[64]int16, src *byte, stride int, div *[3][64]uint16) uint64")
	Pragma("noescape")
	Doc(
		"fdctQuantAVX2 is fdctQuantGo on the 8×8 samples at src, rows stride bytes",
		"apart: the forward DCT of jfdctint.c on 16-bit words, two rows to a",
		"register, then quantisation by 16-bit reciprocals: |v| plus the rounding",
		"div[1], the high word of its product with div[0], then with div[2].",
	)
	blk := Load(Param("blk"), GP64())
	src := Load(Param("src"), GP64())
	stride := Load(Param("stride"), GP64())
	div := Load(Param("div"), GP64())
	Comment("Rows i and i+4 in the lanes of r[i], widened and level-shifted.")
	s3, src4 := GP64(), GP64()
	LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, s3)
	LEAQ(Mem{Base: src, Index: stride, Scale: 4}, src4)
	row := func(i int) Mem {
		base := src
		if i >= 4 {
			base, i = src4, i-4
		}
		switch i {
		case 0:
			return Mem{Base: base}
		case 3:
			return Mem{Base: base, Index: s3, Scale: 1}
		}
		return Mem{Base: base, Index: stride, Scale: uint8(i)}
	}
	var r [4]VecVirtual
	for i := range r {
		x := XMM()
		VMOVQ(row(i), x)
		VPINSRQ(Imm(1), row(i+4), x, x)
		r[i] = YMM()
		VPMOVZXBW(x, r[i])
		VPSUBW(c128, r[i], r[i])
	}
	Comment("Pass 1 on the rows.")
	transposeW(&r)
	o := fdctPassW(r, true, k)
	Comment("Pass 2 on the columns: outputs 3|1 and 7|5 regrouped as 1|5 and 3|7.")
	r = [4]VecVirtual{o[0], YMM(), o[2], YMM()}
	VPERM2I128(Imm(0x20), o[3], o[1], r[3])
	VPERM2I128(Imm(0x31), o[3], o[1], r[1])
	transposeW(&r)
	o = fdctPassW(r, false, k)
	// Coefficient rows 0|1, 2|3, 4|5 and 6|7.
	var c [4]VecVirtual
	for i := range c {
		c[i] = YMM()
	}
	VPERM2I128(Imm(0x30), o[1], o[0], c[0])
	VPERM2I128(Imm(0x20), o[1], o[2], c[1])
	VPERM2I128(Imm(0x31), o[3], o[0], c[2])
	VPERM2I128(Imm(0x21), o[3], o[2], c[3])
	Comment("Quantisation, and a bit per zero coefficient.")
	zero := YMM()
	VMOVDQU(c128, zero)
	VPXOR(zero, zero, zero)
	for i, v := range c {
		a := YMM()
		VPABSW(v, a)
		VPADDW(Mem{Base: div, Disp: 128 + 32*i}, a, a)
		VPMULHUW(Mem{Base: div, Disp: 32 * i}, a, a)
		VPMULHUW(Mem{Base: div, Disp: 256 + 32*i}, a, a)
		VPSIGNW(v, a, a)
		VMOVDQU(a, Mem{Base: blk, Disp: 32 * i})
		VPCMPEQW(zero, a, a)
		c[i] = a
	}
	lo, hi := GP64(), GP64()
	for h, g := range [2]GPVirtual{lo, hi} {
		p := YMM()
		VPACKSSWB(c[2*h+1], c[2*h], p)
		VPERMQ(Imm(0xd8), p, p)
		VPMOVMSKB(p, g.As32())
	}
	SHLQ(Imm(32), hi)
	ORQ(hi, lo)
	NOTQ(lo)
	Store(lo, ReturnIndex(0))
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

package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// yccRowKernel writes yccRowAVX2: YCbCr to RGB8, 16 pixels a step, with
// the values of libjpeg's tables as raster/jpegio/band.go builds them
// (crR, cbB, crG, cbG), in 16-bit lanes.
func yccRowKernel() {
	TEXT("yccRowAVX2", NOSPLIT, "func(out *byte, ys, cbs, crs *byte, n int)")
	Pragma("noescape")
	Doc(
		"yccRowAVX2 is yccRow on the first n &^ 15 pixels: out receives 3 bytes",
		"a pixel; ys, cbs and crs hold n samples each.",
	)
	op := Load(Param("out"), GP64())
	yp := Load(Param("ys"), GP64())
	bp := Load(Param("cbs"), GP64())
	rp := Load(Param("crs"), GP64())
	n := Load(Param("n"), GP64())
	SHRQ(U8(4), n)

	// In 16-bit lanes: with x = cb-128 or cr-128 and c = 65536·a + c16,
	// (c·x + 32768) >> 16 = a·x + hi(c16·x) + lo(c16·x)>>15, hi and lo
	// the high and low halves of the 32-bit product, lo unsigned: the
	// values of libjpeg's tables exactly. G's two products go through
	// VPMADDWD in 32 bits.
	c128 := vec16("w128", 128)
	kR := vec16("yccR16", 91881-65536)
	kB := vec16("yccB16", 116130-2*65536)
	kG := GLOBL("yccG16", RODATA|NOPTR) // pairs -22554, -46802+65536
	gb, gr := int16(-22554), int16(-46802+65536)
	for i := range 8 {
		DATA(4*i, U16(uint16(gb)))
		DATA(4*i+2, U16(uint16(gr)))
	}
	half := vec32("half16", 1<<15)

	// Masks that spread the R, G and B bytes of 16 pixels over the three
	// 16-byte chunks of their output.
	masks := GLOBL("yccmasks", RODATA|NOPTR)
	for c := range 3 {
		for ch := range 3 {
			for j := range 16 {
				g := 16*c + j
				v := byte(0x80)
				if g%3 == ch {
					v = byte(g / 3)
				}
				DATA((c*3+ch)*16+j, U8(v))
			}
		}
	}

	Label("ycc")
	TESTQ(n, n)
	JZ(LabelRef("yccdone"))
	y, cb, cr := YMM(), YMM(), YMM()
	VPMOVZXBW(Mem{Base: yp}, y)
	VPMOVZXBW(Mem{Base: bp}, cb)
	VPMOVZXBW(Mem{Base: rp}, cr)
	VPSUBW(c128, cb, cb)
	VPSUBW(c128, cr, cr)
	// term returns a·x + ((c16·x + 32768) >> 16) + y.
	term := func(x VecVirtual, c16 Mem, a int) VecVirtual {
		hi, lo := YMM(), YMM()
		VPMULHW(c16, x, hi)
		VPMULLW(c16, x, lo)
		VPSRLW(U8(15), lo, lo)
		VPADDW(lo, hi, hi)
		for range a {
			VPADDW(x, hi, hi)
		}
		VPADDW(y, hi, hi)
		return hi
	}
	r16 := term(cr, kR, 1)
	b16 := term(cb, kB, 2)
	// G = y - xr + ((-22554·xb + 18734·xr + 32768) >> 16).
	lo, hi := YMM(), YMM()
	VPUNPCKLWD(cr, cb, lo)
	VPUNPCKHWD(cr, cb, hi)
	VPMADDWD(kG, lo, lo)
	VPMADDWD(kG, hi, hi)
	VPADDD(half, lo, lo)
	VPADDD(half, hi, hi)
	VPSRAD(U8(16), lo, lo)
	VPSRAD(U8(16), hi, hi)
	g16 := YMM()
	VPACKSSDW(hi, lo, g16)
	VPSUBW(cr, g16, g16)
	VPADDW(y, g16, g16)
	rg, bb := YMM(), YMM()
	VPACKUSWB(g16, r16, rg)
	VPERMQ(U8(0xd8), rg, rg)
	VPACKUSWB(b16, b16, bb)
	VPERMQ(U8(0xd8), bb, bb)
	rx, gx, bx := XMM(), XMM(), XMM()
	VMOVDQA(rg.AsX(), rx)
	VEXTRACTI128(U8(1), rg, gx)
	VMOVDQA(bb.AsX(), bx)
	for c := range 3 {
		o, t := XMM(), XMM()
		VPSHUFB(masks.Offset((c*3+0)*16), rx, o)
		VPSHUFB(masks.Offset((c*3+1)*16), gx, t)
		VPOR(t, o, o)
		VPSHUFB(masks.Offset((c*3+2)*16), bx, t)
		VPOR(t, o, o)
		VMOVDQU(o, Mem{Base: op, Disp: 16 * c})
	}
	ADDQ(U8(16), yp)
	ADDQ(U8(16), bp)
	ADDQ(U8(16), rp)
	ADDQ(U8(48), op)
	DECQ(n)
	JMP(LabelRef("ycc"))

	Label("yccdone")
	VZEROUPPER()
	RET()
}

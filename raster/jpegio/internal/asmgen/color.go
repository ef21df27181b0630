package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// yccRowKernel writes yccRowAVX2: YCbCr to RGB8, 16 pixels a step, with
// the arithmetic of libjpeg's tables as raster/jpegio/band.go builds
// them (crR, cbB, crG, cbG), in 32-bit lanes.
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

	c128 := vec32("c128", 128)
	half := vec32("half16", 1<<15)
	kR := vec32("yccR", 91881)
	kB := vec32("yccB", 116130)
	kGb := vec32("yccGb", -22554)
	kGr := vec32("yccGr", -46802)

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
	var r, g, b [2]VecVirtual
	for h := range 2 {
		y, cb, cr := YMM(), YMM(), YMM()
		VPMOVZXBD(Mem{Base: yp, Disp: 8 * h}, y)
		VPMOVZXBD(Mem{Base: bp, Disp: 8 * h}, cb)
		VPMOVZXBD(Mem{Base: rp, Disp: 8 * h}, cr)
		VPSUBD(c128, cb, cb)
		VPSUBD(c128, cr, cr)
		r[h], g[h], b[h] = YMM(), YMM(), YMM()
		VPMULLD(kR, cr, r[h])
		VPADDD(half, r[h], r[h])
		VPSRAD(U8(16), r[h], r[h])
		VPADDD(y, r[h], r[h])
		VPMULLD(kB, cb, b[h])
		VPADDD(half, b[h], b[h])
		VPSRAD(U8(16), b[h], b[h])
		VPADDD(y, b[h], b[h])
		VPMULLD(kGb, cb, g[h])
		VPADDD(half, g[h], g[h])
		VPMULLD(kGr, cr, cr)
		VPADDD(cr, g[h], g[h])
		VPSRAD(U8(16), g[h], g[h])
		VPADDD(y, g[h], g[h])
	}
	pack16 := func(v [2]VecVirtual) VecVirtual {
		w := YMM()
		VPACKSSDW(v[1], v[0], w)
		VPERMQ(U8(0xd8), w, w)
		return w
	}
	r16, g16, b16 := pack16(r), pack16(g), pack16(b)
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

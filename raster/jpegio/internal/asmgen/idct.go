package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The decoder's kernels: group "dec", written to dec_amd64.s.
func init() {
	register("dec", func() {
		idctRow()
		yccRowKernel()
		fancyKernels()
	})
}

// The fixed-point constants (constBits, pass1Bits, fix…) are enc.go's:
// the islow IDCT uses the same ones as the forward DCT.

// consts holds the vector constants, made once.
var consts = map[string]Mem{}

// vec32 returns a global of eight int32 lanes equal to v.
func vec32(name string, v int32) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 8 {
		DATA(i*4, U32(uint32(v)))
	}
	consts[name] = m
	return m
}

// butterfly is one pass of the islow IDCT on eight lanes at once: in[k]
// gives input k (a register, loaded on demand), and the eight outputs,
// before the final shift, are returned in order 0..7 with rnd added.
// Every operation is 32-bit and wraps as Go's int32 arithmetic does; the
// order of additions may differ from idct.go's, which in wrapping
// arithmetic gives the same values.
func butterfly(in func(k int) VecVirtual, rnd Mem) [8]VecVirtual {
	// Even part.
	z2, z3 := in(2), in(6)
	z1 := YMM()
	VPADDD(z3, z2, z1)
	VPMULLD(vec32("fix0541", fix0_541196100), z1, z1)
	tmp2, tmp3 := YMM(), YMM()
	VPMULLD(vec32("fixm1847", -fix1_847759065), z3, tmp2)
	VPADDD(z1, tmp2, tmp2)
	VPMULLD(vec32("fix0765", fix0_765366865), z2, tmp3)
	VPADDD(z1, tmp3, tmp3)
	a, b := in(0), in(4)
	tmp0, tmp1 := YMM(), YMM()
	VPADDD(b, a, tmp0)
	VPSUBD(b, a, tmp1)
	VPSLLD(U8(constBits), tmp0, tmp0)
	VPSLLD(U8(constBits), tmp1, tmp1)
	VPADDD(rnd, tmp0, tmp0)
	VPADDD(rnd, tmp1, tmp1)
	tmp10, tmp13, tmp11, tmp12 := YMM(), YMM(), YMM(), YMM()
	VPADDD(tmp3, tmp0, tmp10)
	VPSUBD(tmp3, tmp0, tmp13)
	VPADDD(tmp2, tmp1, tmp11)
	VPSUBD(tmp2, tmp1, tmp12)

	// Odd part.
	t0, t1, t2, t3 := in(7), in(5), in(3), in(1)
	o1, o2, o3, o4 := YMM(), YMM(), YMM(), YMM()
	VPADDD(t3, t0, o1)
	VPADDD(t2, t1, o2)
	VPADDD(t2, t0, o3)
	VPADDD(t3, t1, o4)
	z5 := YMM()
	VPADDD(o4, o3, z5)
	VPMULLD(vec32("fix1175", fix1_175875602), z5, z5)
	VPMULLD(vec32("fix0298", fix0_298631336), t0, t0)
	VPMULLD(vec32("fix2053", fix2_053119869), t1, t1)
	VPMULLD(vec32("fix3072", fix3_072711026), t2, t2)
	VPMULLD(vec32("fix1501", fix1_501321110), t3, t3)
	VPMULLD(vec32("fixm0899", -fix0_899976223), o1, o1)
	VPMULLD(vec32("fixm2562", -fix2_562915447), o2, o2)
	VPMULLD(vec32("fixm1961", -fix1_961570560), o3, o3)
	VPADDD(z5, o3, o3)
	VPMULLD(vec32("fixm0390", -fix0_390180644), o4, o4)
	VPADDD(z5, o4, o4)
	VPADDD(o1, t0, t0)
	VPADDD(o3, t0, t0)
	VPADDD(o2, t1, t1)
	VPADDD(o4, t1, t1)
	VPADDD(o2, t2, t2)
	VPADDD(o3, t2, t2)
	VPADDD(o1, t3, t3)
	VPADDD(o4, t3, t3)

	var out [8]VecVirtual
	for i := range out {
		out[i] = YMM()
	}
	VPADDD(t3, tmp10, out[0])
	VPSUBD(t3, tmp10, out[7])
	VPADDD(t2, tmp11, out[1])
	VPSUBD(t2, tmp11, out[6])
	VPADDD(t1, tmp12, out[2])
	VPSUBD(t1, tmp12, out[5])
	VPADDD(t0, tmp13, out[3])
	VPSUBD(t0, tmp13, out[4])
	return out
}

// idctRow writes idctRowAVX2, the islow IDCT of a row of blocks.
func idctRow() {
	TEXT("idctRowAVX2", NOSPLIT, "func(coef []int16, q *[64]uint16, dst *byte, stride int)")
	Pragma("noescape")
	Doc(
		"idctRowAVX2 is idct on each of the len(coef)/64 blocks of coef, block k",
		"written at dst[8k:], stride bytes a row; the caller checks that dst",
		"holds 7·stride + 8·len(coef)/64 bytes.",
	)
	cp := Load(Param("coef").Base(), GP64())
	n := Load(Param("coef").Len(), GP64())
	qp := Load(Param("q"), GP64())
	dp := Load(Param("dst"), GP64())
	st := Load(Param("stride"), GP64())
	SHRQ(U8(6), n)
	st3 := GP64()
	LEAQ(Mem{Base: st, Index: st, Scale: 2}, st3)

	acMask := GLOBL("idctacmask", RODATA|NOPTR)
	DATA(0, U16(0))
	for i := 1; i < 16; i++ {
		DATA(2*i, U16(0xffff))
	}
	shuf := GLOBL("idctshuf", RODATA|NOPTR)
	for lane := range 2 {
		for j := range 16 {
			DATA(lane*16+j, U8((j%4)*4+j/4))
		}
	}
	rnd1 := vec32("rnd1", 1<<(constBits-pass1Bits-1))
	rnd2 := vec32("rnd2", 1<<(constBits+pass1Bits+3-1))
	c16 := vec32("c16", 1<<(pass1Bits+2))
	c128 := vec32("c128", 128)

	Label("block")
	TESTQ(n, n)
	JZ(LabelRef("done"))

	// Only a DC coefficient: every sample is the same.
	acc := YMM()
	VMOVDQU(Mem{Base: cp}, acc)
	VPAND(acMask, acc, acc)
	VPOR(Mem{Base: cp, Disp: 32}, acc, acc)
	VPOR(Mem{Base: cp, Disp: 64}, acc, acc)
	VPOR(Mem{Base: cp, Disp: 96}, acc, acc)
	VPTEST(acc, acc)
	JNZ(LabelRef("full"))
	{
		v, qv := GP32(), GP32()
		MOVWLSX(Mem{Base: cp}, v)
		MOVWLZX(Mem{Base: qp}, qv)
		IMULL(qv, v)
		SHLL(U8(pass1Bits), v)
		ADDL(U32(1<<(pass1Bits+2)), v)
		SARL(U8(pass1Bits+3), v)
		ADDL(U32(128), v)
		x := XMM()
		VMOVD(v, x)
		VPACKSSDW(x, x, x)
		VPACKUSWB(x, x, x)
		VPBROADCASTB(x, x)
		d4 := GP64()
		LEAQ(Mem{Base: dp, Index: st, Scale: 4}, d4)
		for _, base := range []Register{dp, d4} {
			VMOVQ(x, Mem{Base: base})
			VMOVQ(x, Mem{Base: base, Index: st, Scale: 1})
			VMOVQ(x, Mem{Base: base, Index: st, Scale: 2})
			VMOVQ(x, Mem{Base: base, Index: st3, Scale: 1})
		}
		JMP(LabelRef("next"))
	}

	Label("full")
	// Pass 1: columns, a lane each; rows are registers. A column whose AC
	// coefficients are zero takes the shortcut idct.go takes, which differs
	// from the full pass only where the arithmetic wraps.
	row := func(k int) VecVirtual {
		r := YMM()
		VPMOVSXWD(Mem{Base: cp, Disp: 16 * k}, r)
		qr := YMM()
		VPMOVZXWD(Mem{Base: qp, Disp: 16 * k}, qr)
		VPMULLD(qr, r, r)
		return r
	}
	ws := butterfly(row, rnd1)
	colAC := XMM()
	VMOVDQU(Mem{Base: cp, Disp: 16}, colAC)
	for k := 2; k < 8; k++ {
		VPOR(Mem{Base: cp, Disp: 16 * k}, colAC, colAC)
	}
	zero := XMM()
	VPXOR(zero, zero, zero)
	VPCMPEQW(zero, colAC, colAC)
	mask := YMM()
	VPMOVSXWD(colAC, mask)
	dc := row(0)
	VPSLLD(U8(pass1Bits), dc, dc)
	for i := range ws {
		VPSRAD(U8(constBits-pass1Bits), ws[i], ws[i])
		VPBLENDVB(mask, dc, ws[i], ws[i])
	}
	transpose8(&ws)

	// Pass 2: rows, a lane each; columns are registers. A row whose AC
	// terms are zero takes idct.go's shortcut.
	acc2 := YMM()
	VPOR(ws[2], ws[1], acc2)
	for k := 3; k < 8; k++ {
		VPOR(ws[k], acc2, acc2)
	}
	zero2 := YMM()
	VPXOR(zero2, zero2, zero2)
	VPCMPEQD(zero2, acc2, acc2)
	dc2 := YMM()
	VPADDD(c16, ws[0], dc2)
	VPSRAD(U8(pass1Bits+3), dc2, dc2)
	out := butterfly(func(k int) VecVirtual { return ws[k] }, rnd2)
	for i := range out {
		VPSRAD(U8(constBits+pass1Bits+3), out[i], out[i])
		VPBLENDVB(acc2, dc2, out[i], out[i])
		VPADDD(c128, out[i], out[i])
	}
	// out[k] holds sample k of rows 0..7: saturate to bytes and transpose.
	p01, p23, p45, p67 := YMM(), YMM(), YMM(), YMM()
	VPACKSSDW(out[1], out[0], p01)
	VPACKSSDW(out[3], out[2], p23)
	VPACKSSDW(out[5], out[4], p45)
	VPACKSSDW(out[7], out[6], p67)
	b0, b1 := YMM(), YMM()
	VPACKUSWB(p23, p01, b0)
	VPACKUSWB(p67, p45, b1)
	VPSHUFB(shuf, b0, b0)
	VPSHUFB(shuf, b1, b1)
	r01, r23 := YMM(), YMM()
	VPUNPCKLDQ(b1, b0, r01) // rows 0, 1 | 4, 5
	VPUNPCKHDQ(b1, b0, r23) // rows 2, 3 | 6, 7
	d4 := GP64()
	LEAQ(Mem{Base: dp, Index: st, Scale: 4}, d4)
	lo01, lo23 := r01.AsX(), r23.AsX()
	VMOVQ(lo01, Mem{Base: dp})
	VPEXTRQ(U8(1), lo01, Mem{Base: dp, Index: st, Scale: 1})
	VMOVQ(lo23, Mem{Base: dp, Index: st, Scale: 2})
	VPEXTRQ(U8(1), lo23, Mem{Base: dp, Index: st3, Scale: 1})
	hi01, hi23 := XMM(), XMM()
	VEXTRACTI128(U8(1), r01, hi01)
	VEXTRACTI128(U8(1), r23, hi23)
	VMOVQ(hi01, Mem{Base: d4})
	VPEXTRQ(U8(1), hi01, Mem{Base: d4, Index: st, Scale: 1})
	VMOVQ(hi23, Mem{Base: d4, Index: st, Scale: 2})
	VPEXTRQ(U8(1), hi23, Mem{Base: d4, Index: st3, Scale: 1})

	Label("next")
	ADDQ(U32(128), cp)
	ADDQ(U8(8), dp)
	DECQ(n)
	JMP(LabelRef("block"))

	Label("done")
	VZEROUPPER()
	RET()
}

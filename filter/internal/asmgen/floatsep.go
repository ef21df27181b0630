package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The float32 kernels of the planes path (filter/gaussian.go, filter/conv.go),
// eight samples at a time. They round exactly as the pure-Go loops do: the
// same products and sums in the same order, one rounding each, no fused
// multiply-add, so both give the same bits.

// convColSymF32 writes convColSymAVX2, the symmetric convolution of
// convColSymGo: d = w0·c + w1·(l1+r1), then for each group of three taps
// d += (wa·(la+ra) + wb·(lb+rb)) + wc·(lc+rc), then one tap at a time
// d += wk·(lk+rk).
func convColSymF32() {
	TEXT("convColSymAVX2", NOSPLIT, "func(d []float32, rows []*float32, w []float32)")
	Pragma("noescape")
	Doc(
		"convColSymAVX2 is convColSymGo on the first len(d) &^ 7 samples;",
		"rows holds the first sample of each of the 2·(len(w)-1)+1 rows.",
	)
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	wp := Load(Param("w").Base(), GP64())
	r := Load(Param("w").Len(), GP64())
	DECQ(r)
	SHRQ(U8(3), n)
	centre := GP64()
	LEAQ(Mem{Base: rp, Index: r, Scale: 8}, centre)
	off := GP64()
	XORQ(off, off)

	Label("csblock")
	TESTQ(n, n)
	JZ(LabelRef("csdone"))
	acc, wv, t, u := YMM(), YMM(), YMM(), YMM()
	p, q := GP64(), GP64()
	MOVQ(Mem{Base: centre}, p)
	VBROADCASTSS(Mem{Base: wp}, wv)
	VMULPS(Mem{Base: p, Index: off, Scale: 1}, wv, acc)
	lp, rq, wk, rem := GP64(), GP64(), GP64(), GP64()
	MOVQ(r, rem)
	TESTQ(rem, rem)
	JZ(LabelRef("csstore"))
	LEAQ(Mem{Base: centre, Disp: -8}, lp)
	LEAQ(Mem{Base: centre, Disp: 8}, rq)
	LEAQ(Mem{Base: wp, Disp: 4}, wk)
	// The first tap joins the centre's product directly.
	pair := func(dst VecVirtual) {
		MOVQ(Mem{Base: lp}, p)
		MOVQ(Mem{Base: rq}, q)
		VMOVUPS(Mem{Base: p, Index: off, Scale: 1}, dst)
		VADDPS(Mem{Base: q, Index: off, Scale: 1}, dst, dst)
		VBROADCASTSS(Mem{Base: wk}, wv)
		VMULPS(wv, dst, dst)
		SUBQ(U8(8), lp)
		ADDQ(U8(8), rq)
		ADDQ(U8(4), wk)
	}
	pair(t)
	VADDPS(t, acc, acc)
	DECQ(rem)

	Label("cstriple")
	CMPQ(rem, U8(3))
	JB(LabelRef("cssingle"))
	pair(t)
	pair(u)
	VADDPS(u, t, t)
	pair(u)
	VADDPS(u, t, t)
	VADDPS(t, acc, acc)
	SUBQ(U8(3), rem)
	JMP(LabelRef("cstriple"))

	Label("cssingle")
	TESTQ(rem, rem)
	JZ(LabelRef("csstore"))
	pair(t)
	VADDPS(t, acc, acc)
	DECQ(rem)
	JMP(LabelRef("cssingle"))

	Label("csstore")
	VMOVUPS(acc, Mem{Base: dp, Index: off, Scale: 1})
	ADDQ(U8(32), off)
	DECQ(n)
	JMP(LabelRef("csblock"))

	Label("csdone")
	VZEROUPPER()
	RET()
}

// axpy3F32 writes axpy3AVX2: d = ((d + ka·a) + kb·b) + kc·c, as axpy3.
func axpy3F32() {
	TEXT("axpy3AVX2", NOSPLIT, "func(d, a, b, c []float32, ka, kb, kc float32)")
	Pragma("noescape")
	Doc("axpy3AVX2 is axpy3 on the first len(d) &^ 7 samples.")
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	ap := Load(Param("a").Base(), GP64())
	bp := Load(Param("b").Base(), GP64())
	cp := Load(Param("c").Base(), GP64())
	ka, kb, kc := YMM(), YMM(), YMM()
	for _, k := range []struct {
		name string
		r    VecVirtual
	}{{"ka", ka}, {"kb", kb}, {"kc", kc}} {
		b, err := Param(k.name).Resolve()
		if err != nil {
			panic(err)
		}
		VBROADCASTSS(b.Addr, k.r)
	}
	SHRQ(U8(3), n)
	off := GP64()
	XORQ(off, off)

	Label("axblock")
	TESTQ(n, n)
	JZ(LabelRef("axdone"))
	acc, t := YMM(), YMM()
	VMOVUPS(Mem{Base: dp, Index: off, Scale: 1}, acc)
	VMULPS(Mem{Base: ap, Index: off, Scale: 1}, ka, t)
	VADDPS(t, acc, acc)
	VMULPS(Mem{Base: bp, Index: off, Scale: 1}, kb, t)
	VADDPS(t, acc, acc)
	VMULPS(Mem{Base: cp, Index: off, Scale: 1}, kc, t)
	VADDPS(t, acc, acc)
	VMOVUPS(acc, Mem{Base: dp, Index: off, Scale: 1})
	ADDQ(U8(32), off)
	DECQ(n)
	JMP(LabelRef("axblock"))

	Label("axdone")
	VZEROUPPER()
	RET()
}

// hresLanczosF32 writes hresLanczosAVX2, the horizontal Lanczos pass of the
// float32 path on groups of eight output samples: lane i of group g sums
// w[k·8+i]·src[idx[g·8+i]+k] for k from 0 to n[g]-1, from 0, one term at
// a time in k's order (each product and sum rounded to float32), then
// clamps the sum to 0 … 1 as Resize.runLanczos does.
func hresLanczosF32() {
	TEXT("hresLanczosAVX2", NOSPLIT, "func(d []float32, src []float32, idx []int32, w []float32, n []int32)")
	Pragma("noescape")
	Doc("hresLanczosAVX2 is hresLanczosGo: see the generator's hresLanczosF32.")
	dp := Load(Param("d").Base(), GP64())
	g := Load(Param("n").Len(), GP64())
	sp := Load(Param("src").Base(), GP64())
	ip := Load(Param("idx").Base(), GP64())
	wp := Load(Param("w").Base(), GP64())
	np := Load(Param("n").Base(), GP64())
	zero, one, inc := YMM(), YMM(), YMM()
	VXORPS(zero, zero, zero)
	VBROADCASTSS(ConstData("hlone", U32(0x3f800000)), one) // 1.0
	VPBROADCASTD(ConstData("hlinc", U32(1)), inc)

	Label("hlgroup")
	TESTQ(g, g)
	JZ(LabelRef("hldone"))
	acc, vidx, mask, vv, t := YMM(), YMM(), YMM(), YMM(), YMM()
	VXORPS(acc, acc, acc)
	VMOVDQU(Mem{Base: ip}, vidx)
	k := GP64()
	MOVLQSX(Mem{Base: np}, k)

	Label("hltap")
	TESTQ(k, k)
	JZ(LabelRef("hlstore"))
	VPCMPEQD(mask, mask, mask)
	VGATHERDPS(mask, Mem{Base: sp, Index: vidx, Scale: 4}, vv)
	VMULPS(Mem{Base: wp}, vv, t)
	VADDPS(t, acc, acc)
	VPADDD(inc, vidx, vidx)
	ADDQ(U8(32), wp)
	DECQ(k)
	JMP(LabelRef("hltap"))

	Label("hlstore")
	VMAXPS(zero, acc, acc)
	VMINPS(one, acc, acc)
	VMOVUPS(acc, Mem{Base: dp})
	ADDQ(U8(32), dp)
	ADDQ(U8(32), ip)
	ADDQ(U8(4), np)
	DECQ(g)
	JMP(LabelRef("hlgroup"))

	Label("hldone")
	VZEROUPPER()
	RET()
}

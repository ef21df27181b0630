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

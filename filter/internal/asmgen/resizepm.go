package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of filter/resizepm.go, the premultiplied resize of 8-bit
// images with alpha, in float32 with exactly the operations, in the same
// order, of vresPMGo, hresPMGo and unpremulResPMGo.

// resizePM writes the vertical pass, the horizontal pass for 4 channels
// and the division for 2 and 4.
func resizePM() {
	vresPM()
	hresPM4()
	for _, c := range []int{2, 4} {
		unpremulResPM(c)
	}
}

// vresPM writes vresPMAVX2: passUnroll vectors of 8 words at a time, the
// rows in turn, then one vector at a time.
func vresPM() {
	const name = "vresPMAVX2"
	TEXT(name, NOSPLIT, "func(d []float32, rows []*float32, w []float32)")
	Pragma("noescape")
	Doc(name + " is vresPMGo on the first len(d) &^ 7 words.")
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	wp := Load(Param("w").Base(), GP64())
	nw := Load(Param("w").Len(), GP64())
	DECQ(nw)
	SHRQ(U8(3), n)
	w0 := YMM()
	VBROADCASTSS(Mem{Base: wp}, w0)
	i := GP64()
	XORQ(i, i)
	for _, u := range []int{passUnroll, 1} {
		l := func(s string) string { return fmt.Sprintf("%s%d%s", name, u, s) }
		Label(l("block"))
		CMPQ(n, U8(u))
		JB(LabelRef(l("done")))
		p := GP64()
		MOVQ(Mem{Base: rp}, p)
		acc := make([]VecVirtual, u)
		for j := range acc {
			acc[j] = YMM()
			VMULPS(Mem{Base: p, Index: i, Scale: 1, Disp: 32 * j}, w0, acc[j])
		}
		q, wq, k := GP64(), GP64(), GP64()
		LEAQ(Mem{Base: rp, Disp: 8}, q)
		LEAQ(Mem{Base: wp, Disp: 4}, wq)
		MOVQ(nw, k)

		Label(l("tap"))
		TESTQ(k, k)
		JZ(LabelRef(l("store")))
		MOVQ(Mem{Base: q}, p)
		w := YMM()
		VBROADCASTSS(Mem{Base: wq}, w)
		for j := range acc {
			v := YMM()
			VMULPS(Mem{Base: p, Index: i, Scale: 1, Disp: 32 * j}, w, v)
			VADDPS(v, acc[j], acc[j])
		}
		ADDQ(U8(8), q)
		ADDQ(U8(4), wq)
		DECQ(k)
		JMP(LabelRef(l("tap")))

		Label(l("store"))
		for j := range acc {
			VMOVUPS(acc[j], Mem{Base: dp, Index: i, Scale: 1, Disp: 32 * j})
		}
		ADDQ(U32(32*u), i)
		SUBQ(U8(u), n)
		JMP(LabelRef(l("block")))
		Label(l("done"))
	}
	VZEROUPPER()
	RET()
}

// hresPM4 writes hresPM4AVX2: one output pixel at a time, two taps a
// time, the even taps summed in the low lane and the odd ones in the high
// lane, as hresPMGo sums them apart.
func hresPM4() {
	const name = "hresPM4AVX2"
	TEXT(name, NOSPLIT, "func(d []float32, m []float32, offs []int32, w []float32, taps int)")
	Pragma("noescape")
	Doc(name+" is hresPMGo on 4-channel words, for every pixel of offs;",
		"taps is even and at least 2.")
	dp := Load(Param("d").Base(), GP64())
	mp := Load(Param("m").Base(), GP64())
	op := Load(Param("offs").Base(), GP64())
	nx := Load(Param("offs").Len(), GP64())
	wq := Load(Param("w").Base(), GP64())
	taps := Load(Param("taps"), GP64())
	SHRQ(U8(1), taps)
	DECQ(taps) // pairs after the first
	idx := YMM()
	VMOVDQU(ConstData(name+"idx", idxData()), idx)
	l := func(s string) string { return name + s }

	Label(l("pixel"))
	TESTQ(nx, nx)
	JZ(LabelRef(l("done")))
	o, p, t := GP64(), GP64(), GP64()
	MOVLQSX(Mem{Base: op}, o)
	LEAQ(Mem{Base: mp, Index: o, Scale: 4}, p)
	MOVQ(taps, t)
	acc, w := YMM(), YMM()
	VPBROADCASTQ(Mem{Base: wq}, w)
	VPERMD(w, idx, w)
	VMULPS(Mem{Base: p}, w, acc)
	ADDQ(U8(32), p)
	ADDQ(U8(8), wq)

	Label(l("tap"))
	TESTQ(t, t)
	JZ(LabelRef(l("sum")))
	u := YMM()
	VPBROADCASTQ(Mem{Base: wq}, w)
	VPERMD(w, idx, w)
	VMULPS(Mem{Base: p}, w, u)
	VADDPS(u, acc, acc)
	ADDQ(U8(32), p)
	ADDQ(U8(8), wq)
	DECQ(t)
	JMP(LabelRef(l("tap")))

	Label(l("sum"))
	hi := XMM()
	VEXTRACTF128(U8(1), acc, hi)
	VADDPS(hi, acc.AsX(), hi)
	VMOVUPS(hi, Mem{Base: dp})
	ADDQ(U8(16), dp)
	ADDQ(U8(4), op)
	DECQ(nx)
	JMP(LabelRef(l("pixel")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// unpremulResPM writes unpremulResPMcAVX2. Where alpha is 0 the quotient
// is NaN (or 0/0), which the conversion turns into the smallest int32 and
// the packing into 0, the byte unpremulResPMGo stores.
func unpremulResPM(c int) {
	name := fmt.Sprintf("unpremulResPM%dAVX2", c)
	TEXT(name, NOSPLIT, "func(d []byte, h []float32, k1, k2, fullA float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is unpremulResPMGo on the first len(h) &^ 7 sums of %d-channel pixels.", name, c))
	dp := Load(Param("d").Base(), GP64())
	hp := Load(Param("h").Base(), GP64())
	n := Load(Param("h").Len(), GP64())
	k1, k2, full := YMM(), YMM(), YMM()
	VBROADCASTSS(Load(Param("k1"), XMM()), k1)
	VBROADCASTSS(Load(Param("k2"), XMM()), k2)
	VBROADCASTSS(Load(Param("fullA"), XMM()), full)
	SHRQ(U8(3), n)
	spread, blend := alphaImm(c)
	half, zero := YMM(), YMM()
	VBROADCASTSS(ConstData(name+"half", U32(0x3f000000)), half) // 0.5
	VXORPS(zero, zero, zero)
	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	x, a, q := YMM(), YMM(), YMM()
	VMOVUPS(Mem{Base: hp}, x)
	VPERMILPS(U8(spread), x, a)
	VMAXPS(zero, a, a)
	VMINPS(full, a, a)
	VMAXPS(zero, x, q)
	VDIVPS(a, q, q)
	VMULPS(k1, q, q)
	VMULPS(k2, a, a)
	VBLENDPS(U8(blend), a, q, q)
	VADDPS(half, q, q)
	VCVTTPS2DQ(q, q)
	top := XMM()
	VEXTRACTI128(U8(1), q, top)
	VPACKSSDW(top, q.AsX(), top)
	VPACKUSWB(top, top, top)
	VMOVQ(top, Mem{Base: dp})
	ADDQ(U8(32), hp)
	ADDQ(U8(8), dp)
	DECQ(n)
	JMP(LabelRef(l("block")))
	Label(l("done"))
	VZEROUPPER()
	RET()
}

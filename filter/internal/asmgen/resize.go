package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// resize8Frac is filter's: the fraction bits of the samples between
// resize8's passes, and of those it hands to the sharpen after it.
const resize8Frac = 6

// The kernels of filter/resize8.go: the vertical pass over rows of 8-bit
// or 16-bit samples, and the horizontal pass over the 16-bit samples
// between the passes, with exactly the integer arithmetic of vres8Go,
// vres16Go and hres8Go.

// shiftAndRound loads the shift parameter into the low quadword of an XMM
// register, for the vector shifts, and returns it with a YMM register
// holding 1<<(shift-1) in every doubleword (quad false), or in every
// quadword (quad true), the rounding of the sums.
func shiftAndRound(prefix string, quad bool) (VecVirtual, VecVirtual) {
	sh := Load(Param("shift"), GP64())
	cnt := XMM()
	MOVQ(sh, cnt)
	DECQ(sh)
	c1 := XMM()
	MOVQ(sh, c1)
	rnd := YMM()
	if quad {
		VPBROADCASTQ(ConstData(prefix+"one", U64(1)), rnd)
		VPSLLQ(c1, rnd, rnd)
	} else {
		VPBROADCASTD(ConstData(prefix+"one", U32(1)), rnd)
		VPSLLD(c1, rnd, rnd)
	}
	return cnt, rnd
}

// vres writes the vertical pass vres8AVX2 (wide false: rows of bytes) or
// vres16AVX2 (rows of int16): 16 samples at a time, the rows taken in
// pairs weighed by one doubleword of wt each.
func vres(wide bool) {
	name, elem, gofn := "vres8AVX2", "byte", "vres8Go"
	if wide {
		name, elem, gofn = "vres16AVX2", "int16", "vres16Go"
	}
	TEXT(name, NOSPLIT, fmt.Sprintf("func(d []int16, rows []*%s, wt []uint32, shift uint64)", elem))
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is %s on the first len(d) &^ 15 samples: rows holds", name, gofn),
		"2·len(wt) rows, weighed in pairs by wt[g] = w[2g] | w[2g+1]<<16.",
	)
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	wp := Load(Param("wt").Base(), GP64())
	ng := Load(Param("wt").Len(), GP64())
	cnt, rnd := shiftAndRound(name, false)
	SHRQ(U8(4), n)
	i := GP64()
	XORQ(i, i)
	l := func(s string) string { return name + s }

	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	a0, a1 := YMM(), YMM()
	VMOVDQU(rnd, a0)
	VMOVDQU(rnd, a1)
	q, wq, g := GP64(), GP64(), GP64()
	MOVQ(rp, q)
	MOVQ(wp, wq)
	MOVQ(ng, g)

	Label(l("tap"))
	p0, p1 := GP64(), GP64()
	MOVQ(Mem{Base: q}, p0)
	MOVQ(Mem{Base: q, Disp: 8}, p1)
	y0, y1, lo, hi, w := YMM(), YMM(), YMM(), YMM(), YMM()
	if wide {
		VMOVDQU(Mem{Base: p0, Index: i, Scale: 2}, y0)
		VMOVDQU(Mem{Base: p1, Index: i, Scale: 2}, y1)
	} else {
		VPMOVZXBW(Mem{Base: p0, Index: i, Scale: 1}, y0)
		VPMOVZXBW(Mem{Base: p1, Index: i, Scale: 1}, y1)
	}
	VPUNPCKLWD(y1, y0, lo)
	VPUNPCKHWD(y1, y0, hi)
	VPBROADCASTD(Mem{Base: wq}, w)
	VPMADDWD(w, lo, lo)
	VPMADDWD(w, hi, hi)
	VPADDD(lo, a0, a0)
	VPADDD(hi, a1, a1)
	ADDQ(U8(16), q)
	ADDQ(U8(4), wq)
	DECQ(g)
	JNZ(LabelRef(l("tap")))

	VPSRAD(cnt, a0, a0)
	VPSRAD(cnt, a1, a1)
	VPACKSSDW(a1, a0, a0)
	VMOVDQU(a0, Mem{Base: dp, Index: i, Scale: 2})
	ADDQ(U8(16), i)
	DECQ(n)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// hres writes the horizontal pass hres8cNAVX2 for c channels: one output
// pixel at a time, its taps four at a time (eight for one channel). With
// wide, it writes hres8wcNAVX2, which stores 16-bit samples clamped to
// 0 … 255<<resize8Frac, as hres8wGo.
func hres(c int, wide bool) {
	name, elem, gofn, unit := fmt.Sprintf("hres8c%dAVX2", c), "byte", "hres8Go", "bytes"
	if wide {
		name, elem, gofn, unit = fmt.Sprintf("hres8wc%dAVX2", c), "int16", "hres8wGo", "samples"
	}
	sig := fmt.Sprintf("func(d []%s, m []int16, offs []int32, w []int16, taps int, shift uint64)", elem)
	if c > 1 {
		sig = fmt.Sprintf("func(d []%s, m []int16, offs []int32, w []int16, taps int, shift uint64, mask *[32]byte)", elem)
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	if c == 1 {
		Doc(fmt.Sprintf("%s is %s on 1-channel samples, for every pixel of offs;", name, gofn),
			"taps is a multiple of 8.")
	} else {
		Doc(fmt.Sprintf("%s is %s on %d-channel samples, for every pixel of offs;", name, gofn, c),
			"taps is a multiple of 4, and mask pairs the taps of each channel in a",
			fmt.Sprintf("lane. It stores 4 %s a pixel: d must have room past its last.", unit))
	}
	dp := Load(Param("d").Base(), GP64())
	mp := Load(Param("m").Base(), GP64())
	op := Load(Param("offs").Base(), GP64())
	nx := Load(Param("offs").Len(), GP64())
	wq := Load(Param("w").Base(), GP64())
	taps := Load(Param("taps"), GP64())
	cnt, rnd := shiftAndRound(name, false)
	var msk, idx VecVirtual
	if c > 1 {
		msk = YMM()
		VMOVDQU(Mem{Base: Load(Param("mask"), GP64())}, msk)
		idx = YMM()
		VMOVDQU(ConstData(name+"idx", idxData()), idx)
		SHRQ(U8(2), taps)
	} else {
		SHRQ(U8(3), taps)
	}
	var zero, top VecVirtual
	if wide {
		zero, top = YMM(), YMM()
		VPXOR(zero, zero, zero)
		VPBROADCASTW(ConstData(name+"top", U16(255<<resize8Frac)), top)
	}
	l := func(s string) string { return name + s }

	Label(l("pixel"))
	TESTQ(nx, nx)
	JZ(LabelRef(l("done")))
	o, p, t := GP64(), GP64(), GP64()
	MOVLQSX(Mem{Base: op}, o)
	LEAQ(Mem{Base: mp, Index: o, Scale: 2}, p)
	MOVQ(taps, t)
	acc := YMM()
	VPXOR(acc, acc, acc)

	Label(l("tap"))
	if c == 1 {
		x := XMM()
		VMOVDQU(Mem{Base: p}, x)
		VPMADDWD(Mem{Base: wq}, x, x)
		VPADDD(x, acc.AsX(), acc.AsX())
		ADDQ(U8(16), p)
		ADDQ(U8(16), wq)
	} else {
		x, w := YMM(), YMM()
		VMOVDQU(Mem{Base: p}, x.AsX())
		VINSERTI128(U8(1), Mem{Base: p, Disp: 4 * c}, x, x)
		VPSHUFB(msk, x, x)
		VPBROADCASTQ(Mem{Base: wq}, w)
		VPERMD(w, idx, w)
		VPMADDWD(w, x, x)
		VPADDD(x, acc, acc)
		ADDQ(U8(8*c), p)
		ADDQ(U8(8), wq)
	}
	DECQ(t)
	JNZ(LabelRef(l("tap")))

	s := XMM()
	if c == 1 {
		VPSHUFD(U8(0x4e), acc.AsX(), s)
		VPADDD(s, acc.AsX(), acc.AsX())
		VPSHUFD(U8(0xb1), acc.AsX(), s)
		VPADDD(s, acc.AsX(), acc.AsX())
	} else {
		VEXTRACTI128(U8(1), acc, s)
		VPADDD(s, acc.AsX(), acc.AsX())
	}
	VPADDD(rnd.AsX(), acc.AsX(), acc.AsX())
	VPSRAD(cnt, acc.AsX(), acc.AsX())
	VPACKSSDW(acc.AsX(), acc.AsX(), acc.AsX())
	if wide {
		VPMAXSW(zero.AsX(), acc.AsX(), acc.AsX())
		VPMINSW(top.AsX(), acc.AsX(), acc.AsX())
		if c == 1 {
			v := GP32()
			VMOVD(acc.AsX(), v)
			MOVW(v.As16(), Mem{Base: dp})
		} else {
			VMOVQ(acc.AsX(), Mem{Base: dp})
		}
		ADDQ(U8(2*c), dp)
	} else {
		VPACKUSWB(acc.AsX(), acc.AsX(), acc.AsX())
		v := GP32()
		VMOVD(acc.AsX(), v)
		if c == 1 {
			MOVB(v.As8(), Mem{Base: dp})
		} else {
			MOVL(v, Mem{Base: dp})
		}
		ADDQ(U8(c), dp)
	}
	ADDQ(U8(4), op)
	DECQ(nx)
	JMP(LabelRef(l("pixel")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// idxData is the VPERMD index that spreads doubleword 0 over the low lane
// and doubleword 1 over the high lane.
func idxData() Constant {
	return String(string([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}))
}

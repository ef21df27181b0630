package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of filter/blurpm.go, the premultiplied blur of 8-bit images
// with alpha, in float32 with exactly the operations, in the same order,
// of premulPMGo, vertPMGo, horizPMGo and unpremulPMGo: eight samples at a
// time, the caller finishing any remainder in Go. No fused multiply-add:
// its single rounding would differ from Go's two.

// blurPM writes the four kernels, premultiplying and unpremultiplying for
// 2 and 4 channels.
func blurPM() {
	for _, c := range []int{2, 4} {
		premulPM(c)
	}
	vertPM()
	horizPM()
	for _, c := range []int{2, 4} {
		unpremulPM(c)
		unsharpPM(c)
	}
}

// alphaImm returns, for c channels, the VPSHUFD immediate that copies each
// pixel's alpha over its samples in a lane, and the blend mask of the
// alpha samples among eight.
func alphaImm(c int) (spread, blend uint8) {
	if c == 2 {
		return 0xf5, 0xaa
	}
	return 0xff, 0x88
}

// premulPM writes premulPMcAVX2.
func premulPM(c int) {
	name := fmt.Sprintf("premulPM%dAVX2", c)
	TEXT(name, NOSPLIT, "func(d []float32, p []byte)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is premulPMGo on the first len(p) &^ 7 samples of %d-channel pixels.", name, c))
	dp := Load(Param("d").Base(), GP64())
	pp := Load(Param("p").Base(), GP64())
	n := Load(Param("p").Len(), GP64())
	SHRQ(U8(3), n)
	spread, blend := alphaImm(c)
	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	x, a := YMM(), YMM()
	VPMOVZXBD(Mem{Base: pp}, x)
	VPSHUFD(U8(spread), x, a)
	VPMULLD(x, a, a)
	VPBLENDD(U8(blend), x, a, a)
	VCVTDQ2PS(a, a)
	VMOVUPS(a, Mem{Base: dp})
	ADDQ(U8(8), pp)
	ADDQ(U8(32), dp)
	DECQ(n)
	JMP(LabelRef(l("block")))
	Label(l("done"))
	VZEROUPPER()
	RET()
}

// passUnroll is how many vectors of 8 words the passes compute at once
// before they go on 8 at a time.
const passUnroll = 4

// vertPM writes vertPMAVX2: passUnroll vectors at a time, then one.
func vertPM() {
	const name = "vertPMAVX2"
	TEXT(name, NOSPLIT, "func(d []float32, rows []*float32, w []float32)")
	Pragma("noescape")
	Doc(
		name+" is vertPMGo on the first len(d) &^ 7 words: rows[0] is the",
		"centre row, rows[2k-1] and rows[2k] the rows at -k and +k.",
	)
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	wp := Load(Param("w").Base(), GP64())
	r := Load(Param("w").Len(), GP64())
	DECQ(r)
	SHRQ(U8(3), n)
	wc := YMM()
	VBROADCASTSS(Mem{Base: wp}, wc)
	i := GP64()
	XORQ(i, i)
	for _, u := range []int{passUnroll, 1} {
		l := func(s string) string { return fmt.Sprintf("%s%d%s", name, u, s) }
		Label(l("block"))
		CMPQ(n, U8(u))
		JB(LabelRef(l("done")))
		p0, p1 := GP64(), GP64()
		MOVQ(Mem{Base: rp}, p0)
		acc := make([]VecVirtual, u)
		for j := range acc {
			acc[j] = YMM()
			VMULPS(Mem{Base: p0, Index: i, Scale: 1, Disp: 32 * j}, wc, acc[j])
		}
		q, wq, k := GP64(), GP64(), GP64()
		LEAQ(Mem{Base: rp, Disp: 8}, q)
		LEAQ(Mem{Base: wp, Disp: 4}, wq)
		MOVQ(r, k)

		Label(l("tap"))
		TESTQ(k, k)
		JZ(LabelRef(l("store")))
		MOVQ(Mem{Base: q}, p0)
		MOVQ(Mem{Base: q, Disp: 8}, p1)
		w := YMM()
		VBROADCASTSS(Mem{Base: wq}, w)
		for j := range acc {
			v := YMM()
			VMOVUPS(Mem{Base: p0, Index: i, Scale: 1, Disp: 32 * j}, v)
			VADDPS(Mem{Base: p1, Index: i, Scale: 1, Disp: 32 * j}, v, v)
			VMULPS(w, v, v)
			VADDPS(v, acc[j], acc[j])
		}
		ADDQ(U8(16), q)
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

// horizPM writes horizPMAVX2: passUnroll vectors at a time, then one.
func horizPM() {
	const name = "horizPMAVX2"
	TEXT(name, NOSPLIT, "func(d []float32, m []float32, c int, w []float32)")
	Pragma("noescape")
	Doc(name + " is horizPMGo on the first len(d) &^ 7 words.")
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	mp := Load(Param("m").Base(), GP64())
	cb := Load(Param("c"), GP64())
	wp := Load(Param("w").Base(), GP64())
	r := Load(Param("w").Len(), GP64())
	DECQ(r)
	SHLQ(U8(2), cb) // bytes between neighbours
	// The centre of output word 0 is m[r·c].
	cp := GP64()
	MOVQ(r, cp)
	IMULQ(cb, cp)
	ADDQ(mp, cp)
	SHRQ(U8(3), n)
	wc := YMM()
	VBROADCASTSS(Mem{Base: wp}, wc)
	for _, u := range []int{passUnroll, 1} {
		l := func(s string) string { return fmt.Sprintf("%s%d%s", name, u, s) }
		Label(l("block"))
		CMPQ(n, U8(u))
		JB(LabelRef(l("done")))
		acc := make([]VecVirtual, u)
		for j := range acc {
			acc[j] = YMM()
			VMULPS(Mem{Base: cp, Disp: 32 * j}, wc, acc[j])
		}
		left, right, wq, k := GP64(), GP64(), GP64(), GP64()
		MOVQ(cp, left)
		SUBQ(cb, left)
		MOVQ(cp, right)
		ADDQ(cb, right)
		LEAQ(Mem{Base: wp, Disp: 4}, wq)
		MOVQ(r, k)

		Label(l("tap"))
		TESTQ(k, k)
		JZ(LabelRef(l("store")))
		w := YMM()
		VBROADCASTSS(Mem{Base: wq}, w)
		for j := range acc {
			v := YMM()
			VMOVUPS(Mem{Base: left, Disp: 32 * j}, v)
			VADDPS(Mem{Base: right, Disp: 32 * j}, v, v)
			VMULPS(w, v, v)
			VADDPS(v, acc[j], acc[j])
		}
		SUBQ(cb, left)
		ADDQ(cb, right)
		ADDQ(U8(4), wq)
		DECQ(k)
		JMP(LabelRef(l("tap")))

		Label(l("store"))
		for j := range acc {
			VMOVUPS(acc[j], Mem{Base: dp, Disp: 32 * j})
		}
		ADDQ(U32(32*u), dp)
		ADDQ(U32(32*u), cp)
		SUBQ(U8(u), n)
		JMP(LabelRef(l("block")))
		Label(l("done"))
	}
	VZEROUPPER()
	RET()
}

// unpremulPM writes unpremulPMcAVX2. A transparent window's 0/0 is NaN,
// which the conversion turns into the smallest int32 and the packing
// into 0, the byte unpremulPMGo stores.
func unpremulPM(c int) {
	name := fmt.Sprintf("unpremulPM%dAVX2", c)
	TEXT(name, NOSPLIT, "func(d []byte, h []float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is unpremulPMGo on the first len(h) &^ 7 sums of %d-channel pixels.", name, c))
	dp := Load(Param("d").Base(), GP64())
	hp := Load(Param("h").Base(), GP64())
	n := Load(Param("h").Len(), GP64())
	SHRQ(U8(3), n)
	spread, blend := alphaImm(c)
	half := YMM()
	VBROADCASTSS(ConstData(name+"half", U32(0x3f000000)), half) // 0.5
	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	x := YMM()
	VMOVUPS(Mem{Base: hp}, x)
	divideStore(x, spread, blend, half, dp)
	ADDQ(U8(32), hp)
	ADDQ(U8(8), dp)
	DECQ(n)
	JMP(LabelRef(l("block")))
	Label(l("done"))
	VZEROUPPER()
	RET()
}

// divideStore divides the colour words of v by their pixel's alpha word
// (spread and blend from alphaImm), rounds half up (half holds 0.5 in
// every lane) and stores the eight bytes at dp: unpremulPMGo's division.
func divideStore(v VecVirtual, spread, blend uint8, half VecVirtual, dp Register) {
	a := YMM()
	VPERMILPS(U8(spread), v, a)
	VDIVPS(a, v, a)
	VBLENDPS(U8(blend), v, a, a)
	VADDPS(half, a, a)
	VCVTTPS2DQ(a, a)
	hi := XMM()
	VEXTRACTI128(U8(1), a, hi)
	VPACKSSDW(hi, a.AsX(), hi)
	VPACKUSWB(hi, hi, hi)
	VMOVQ(hi, Mem{Base: dp})
}

// unsharpPM writes unsharpPMcAVX2: the words sharpened by their blur,
// clamped to full scale lane by lane, then divided as unpremulPM does.
// Where alpha is 0 the quotient is NaN or +Inf, which the conversion and
// the packing turn into 0, the byte unsharpPMGo stores.
func unsharpPM(c int) {
	name := fmt.Sprintf("unsharpPM%dAVX2", c)
	TEXT(name, NOSPLIT, "func(d []byte, x []float32, h []float32, amount float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is unsharpPMGo on the first len(h) &^ 7 words of %d-channel pixels.", name, c))
	dp := Load(Param("d").Base(), GP64())
	xp := Load(Param("x").Base(), GP64())
	hp := Load(Param("h").Base(), GP64())
	n := Load(Param("h").Len(), GP64())
	amt := YMM()
	VBROADCASTSS(Load(Param("amount"), XMM()), amt)
	SHRQ(U8(3), n)
	spread, blend := alphaImm(c)
	// Full scale of each of eight lanes: colour·alpha, or alpha.
	var full []byte
	for i := range 8 {
		v := float32(255 * 255)
		if i%c == c-1 {
			v = 255
		}
		b := math.Float32bits(v)
		full = append(full, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
	}
	top, half, zero := YMM(), YMM(), YMM()
	VMOVUPS(ConstData(name+"full", String(string(full))), top)
	VBROADCASTSS(ConstData(name+"half", U32(0x3f000000)), half) // 0.5
	VXORPS(zero, zero, zero)
	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	x, v := YMM(), YMM()
	VMOVUPS(Mem{Base: xp}, x)
	VSUBPS(Mem{Base: hp}, x, v) // x - h
	VMULPS(amt, v, v)           // amount·(x - h)
	VADDPS(x, v, v)             // x + amount·(x - h)
	VMAXPS(zero, v, v)
	VMINPS(top, v, v)
	divideStore(v, spread, blend, half, dp)
	ADDQ(U8(32), xp)
	ADDQ(U8(32), hp)
	ADDQ(U8(8), dp)
	DECQ(n)
	JMP(LabelRef(l("block")))
	Label(l("done"))
	VZEROUPPER()
	RET()
}

package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// fancyKernels writes h2v1FancyAVX2 and h2v2FancyAVX2: libjpeg's fancy
// upsampling (the triangle filter) of the inner samples of a row, 16
// input samples a step in 16-bit lanes, as h2v1FancyGo and h2v2FancyGo
// in raster/jpegio/band.go compute them.
func fancyKernels() {
	for _, v2 := range []bool{false, true} {
		name, sig := "h2v1FancyAVX2", "func(out, in *byte, k int)"
		if v2 {
			name, sig = "h2v2FancyAVX2", "func(out, cur, near *byte, k int)"
		}
		TEXT(name, NOSPLIT, sig)
		Pragma("noescape")
		Doc(
			name+" writes output samples 2..32k+1 of the row doubled across",
			"(and, for h2v2, down) from input samples 0..16k+1: the steps of the",
			"pure-Go twin for inner samples 1..16k.",
		)
		op := Load(Param("out"), GP64())
		var cp, np Register
		if v2 {
			cp = Load(Param("cur"), GP64())
			np = Load(Param("near"), GP64())
		} else {
			cp = Load(Param("in"), GP64())
		}
		k := Load(Param("k"), GP64())
		ADDQ(U8(2), op)
		lbl := func(s string) string { return name + s }
		var r1, r2 Mem
		if v2 {
			r1, r2 = vec16("w8", 8), vec16("w7", 7)
		} else {
			r1, r2 = vec16("w1", 1), vec16("w2", 2)
		}
		Label(lbl("loop"))
		TESTQ(k, k)
		JZ(LabelRef(lbl("done")))
		// col(d) is input column x-1+d: the sample, or 3·cur + near.
		col := func(d int) VecVirtual {
			t := YMM()
			VPMOVZXBW(Mem{Base: cp, Disp: d}, t)
			if v2 {
				t3, nr := YMM(), YMM()
				VPADDW(t, t, t3)
				VPADDW(t3, t, t)
				VPMOVZXBW(Mem{Base: np, Disp: d}, nr)
				VPADDW(nr, t, t)
			}
			return t
		}
		last, this, next := col(0), col(1), col(2)
		t3 := YMM()
		VPADDW(this, this, t3)
		VPADDW(t3, this, this)
		even, odd := YMM(), YMM()
		VPADDW(last, this, even)
		VPADDW(r1, even, even)
		VPADDW(next, this, odd)
		VPADDW(r2, odd, odd)
		sh := U8(2)
		if v2 {
			sh = U8(4)
		}
		VPSRLW(sh, even, even)
		VPSRLW(sh, odd, odd)
		VPSLLW(U8(8), odd, odd)
		VPOR(odd, even, even)
		VMOVDQU(even, Mem{Base: op})
		ADDQ(U8(16), cp)
		if v2 {
			ADDQ(U8(16), np)
		}
		ADDQ(U8(32), op)
		DECQ(k)
		JMP(LabelRef(lbl("loop")))
		Label(lbl("done"))
		VZEROUPPER()
		RET()
	}
}

// vec16 returns a global of sixteen int16 lanes equal to v.
func vec16(name string, v int16) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 16 {
		DATA(i*2, U16(uint16(v)))
	}
	consts[name] = m
	return m
}

package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of filter/resizefixed.go, the resize of 16-bit images: the
// vertical pass over rows of big-endian 16-bit samples into 32-bit
// samples, the horizontal pass over those into big-endian 16-bit samples,
// and the column sums of a box. Their sums are 64-bit integers, which
// VPMULDQ gives four at a time, so they are exactly those of vresFixedGo,
// hresFixedGo and addRow16Go, in whatever order they are added.
func resize16() {
	vresU16(false)
	vresU16(true)
	hresU16(1)
	hresU16(3)
	addRowU16()
}

// swapData returns a VPSHUFB mask that, in each 128-bit lane, moves the
// big-endian 16-bit sample at byte src[i] of the lane to the low bytes of
// lane element i of size bytes, the rest zero.
func swapData(size int, src ...int) Constant {
	b := make([]byte, 32)
	for i := range b {
		b[i] = 0x80
	}
	for lane := range 2 {
		for i, s := range src {
			b[lane*16+i*size], b[lane*16+i*size+1] = byte(s+1), byte(s)
		}
	}
	return String(string(b))
}

// vresU16 writes vresU16AVX2 (box false) or vresBoxAVX2 (rows of 32-bit
// block averages): 16 samples at a time, each tap one row weighed by one
// doubleword. Over 16-bit samples, quadword lanes take samples 0 and 2 of
// each eight (a), 1 and 3 (b), 4 and 6 (c), 5 and 7 (d); over block
// averages, samples 0…3, 4…7, 8…11 and 12…15. The sums start at the
// rounding plus 2^30 shifted left by shift, so that they stay positive and
// shift right logically (AVX2 has no arithmetic shift of quadwords), and
// lose the 2^30 again as doublewords.
func vresU16(box bool) {
	name, elem, gofn, what := "vresU16AVX2", "byte", "vresFixedGo", "16-bit samples"
	if box {
		name, elem, gofn, what = "vresBoxAVX2", "int32", "vresBoxGo", "block averages"
	}
	TEXT(name, NOSPLIT, "func(d []int32, rows []*"+elem+", w []int32, shift uint64)")
	Pragma("noescape")
	Doc(name+" is "+gofn+" on rows of "+what+", on the first",
		"len(d) &^ 15 samples: row j is weighed by w[j].")
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	nt := Load(Param("rows").Len(), GP64())
	wp := Load(Param("w").Base(), GP64())
	cnt, bias := shiftAndRound(name, true)
	big, bigD := YMM(), YMM()
	VPBROADCASTQ(ConstData(name+"big", U64(1<<30)), big)
	VPSLLQ(cnt, big, big)
	VPADDQ(big, bias, bias)
	VPBROADCASTD(ConstData(name+"bigd", U32(1<<30)), bigD)
	var masks [4]VecVirtual
	if !box {
		for k, src := range [][]int{{0, 4}, {2, 6}, {8, 12}, {10, 14}} {
			masks[k] = YMM()
			VMOVDQU(ConstData(name+"m"+string(rune('a'+k)), swapData(8, src...)), masks[k])
		}
	} else {
		masks[0] = YMM()
		VMOVDQU(ConstData(name+"perm", String(string([]byte{0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
			0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0}))), masks[0])
	}
	SHRQ(U8(4), n)
	i := GP64()
	XORQ(i, i)
	l := func(s string) string { return name + s }

	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	var acc [4]VecVirtual
	for k := range acc {
		acc[k] = YMM()
		VMOVDQU(bias, acc[k])
	}
	q, wq, t := GP64(), GP64(), GP64()
	MOVQ(rp, q)
	MOVQ(wp, wq)
	MOVQ(nt, t)

	Label(l("tap"))
	p := GP64()
	MOVQ(Mem{Base: q}, p)
	x, w := YMM(), YMM()
	VPBROADCASTD(Mem{Base: wq}, w)
	if !box {
		VMOVDQU(Mem{Base: p, Index: i, Scale: 2}, x)
	}
	for k := range acc {
		a := YMM()
		if box {
			VPMOVZXDQ(Mem{Base: p, Index: i, Scale: 4, Disp: 16 * k}, a)
		} else {
			VPSHUFB(masks[k], x, a)
		}
		VPMULDQ(w, a, a)
		VPADDQ(a, acc[k], acc[k])
	}
	ADDQ(U8(8), q)
	ADDQ(U8(4), wq)
	DECQ(t)
	JNZ(LabelRef(l("tap")))

	for k := range acc {
		VPSRLQ(cnt, acc[k], acc[k])
	}
	lo, hi := YMM(), YMM()
	if box {
		// Samples 0…3 and 4…7, then 8…11 and 12…15, as doublewords.
		for k := range acc {
			VPERMD(acc[k], masks[0], acc[k])
		}
		VPBLENDD(U8(0xf0), acc[1], acc[0], lo)
		VPBLENDD(U8(0xf0), acc[3], acc[2], hi)
	} else {
		// Samples 0…3 | 8…11, then 4…7 | 12…15, as doublewords.
		VPSLLQ(U8(32), acc[1], acc[1])
		VPBLENDD(U8(0xaa), acc[1], acc[0], acc[0])
		VPSLLQ(U8(32), acc[3], acc[3])
		VPBLENDD(U8(0xaa), acc[3], acc[2], acc[2])
		VPERM2I128(U8(0x20), acc[2], acc[0], lo)
		VPERM2I128(U8(0x31), acc[2], acc[0], hi)
	}
	VPSUBD(bigD, lo, lo)
	VPSUBD(bigD, hi, hi)
	VMOVDQU(lo, Mem{Base: dp, Index: i, Scale: 4})
	VMOVDQU(hi, Mem{Base: dp, Index: i, Scale: 4, Disp: 32})
	ADDQ(U8(16), i)
	DECQ(n)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// hresU16 writes the horizontal pass hresU16cNAVX2 for c channels (1 or
// 3): one output pixel at a time, its taps four at a time for one channel
// (a tap's weights against four samples), two at a time for three (a
// tap's weight against its pixel's three samples and one past them). The
// sums are clamped at zero, shifted, and packed with unsigned saturation,
// which clamps them to 65535.
func hresU16(c int) {
	name := "hresU16c1AVX2"
	if c == 3 {
		name = "hresU16c3AVX2"
	}
	TEXT(name, NOSPLIT, "func(d []byte, m []int32, offs []int32, w []int32, taps int, shift uint64)")
	Pragma("noescape")
	if c == 1 {
		Doc(name+" is hresFixedGo on 1-channel 16-bit samples, for every pixel",
			"of offs; taps is a multiple of 4.")
	} else {
		Doc(name+" is hresFixedGo on 3-channel 16-bit samples, for every pixel",
			"of offs; taps is a multiple of 2. It stores 8 bytes a pixel: d must",
			"have room past its last, and m one sample past the last tap's.")
	}
	dp := Load(Param("d").Base(), GP64())
	mp := Load(Param("m").Base(), GP64())
	op := Load(Param("offs").Base(), GP64())
	nx := Load(Param("offs").Len(), GP64())
	wq := Load(Param("w").Base(), GP64())
	taps := Load(Param("taps"), GP64())
	cnt, rnd := shiftAndRound(name, true)
	zero, perm, swap := YMM(), YMM(), XMM()
	VPXOR(zero, zero, zero)
	VMOVDQU(ConstData(name+"perm", String(string([]byte{0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))), perm)
	VMOVDQU(ConstData(name+"swap", String(string([]byte{1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14}))), swap)
	if c == 1 {
		SHRQ(U8(2), taps)
	} else {
		SHRQ(U8(1), taps)
	}
	l := func(s string) string { return name + s }

	Label(l("pixel"))
	TESTQ(nx, nx)
	JZ(LabelRef(l("done")))
	o, p, t := GP64(), GP64(), GP64()
	MOVLQSX(Mem{Base: op}, o)
	LEAQ(Mem{Base: mp, Index: o, Scale: 4}, p)
	MOVQ(taps, t)
	// Three channels' sums start at the rounding, lane by lane; one
	// channel's four lanes add up to one sum, which gets it after.
	acc := YMM()
	var acc1 VecVirtual
	if c == 1 {
		VPXOR(acc, acc, acc)
	} else {
		VMOVDQU(rnd, acc)
		acc1 = YMM()
		VPXOR(acc1, acc1, acc1)
	}

	Label(l("tap"))
	if c == 1 {
		x, w := YMM(), YMM()
		VPMOVZXDQ(Mem{Base: p}, x)
		VPMOVZXDQ(Mem{Base: wq}, w)
		VPMULDQ(w, x, x)
		VPADDQ(x, acc, acc)
		ADDQ(U8(16), p)
		ADDQ(U8(16), wq)
	} else {
		for k, a := range []VecVirtual{acc, acc1} {
			x, w := YMM(), YMM()
			VPMOVZXDQ(Mem{Base: p, Disp: 12 * k}, x)
			VPBROADCASTD(Mem{Base: wq, Disp: 4 * k}, w)
			VPMULDQ(w, x, x)
			VPADDQ(x, a, a)
		}
		ADDQ(U8(24), p)
		ADDQ(U8(8), wq)
	}
	DECQ(t)
	JNZ(LabelRef(l("tap")))

	if c == 1 {
		s := XMM()
		VEXTRACTI128(U8(1), acc, s)
		VPADDQ(s, acc.AsX(), acc.AsX())
		VPSHUFD(U8(0x4e), acc.AsX(), s)
		VPADDQ(s, acc.AsX(), acc.AsX())
		VPADDQ(rnd.AsX(), acc.AsX(), acc.AsX())
	} else {
		VPADDQ(acc1, acc, acc)
	}
	m := YMM()
	VPCMPGTQ(zero, acc, m)
	VPAND(m, acc, acc)
	VPSRLQ(cnt, acc, acc)
	VPERMD(acc, perm, acc)
	VPACKUSDW(acc.AsX(), acc.AsX(), acc.AsX())
	VPSHUFB(swap, acc.AsX(), acc.AsX())
	if c == 1 {
		v := GP32()
		VMOVD(acc.AsX(), v)
		MOVW(v.As16(), Mem{Base: dp})
	} else {
		VMOVQ(acc.AsX(), Mem{Base: dp})
	}
	ADDQ(U8(2*c), dp)
	ADDQ(U8(4), op)
	DECQ(nx)
	JMP(LabelRef(l("pixel")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// addRowU16 writes addRowU16AVX2: 16 samples at a time, zero-extended to
// doublewords and their bytes swapped.
func addRowU16() {
	name := "addRowU16AVX2"
	TEXT(name, NOSPLIT, "func(cols []int32, row []byte)")
	Pragma("noescape")
	Doc(name + " is addRow16Go on the first len(cols) &^ 15 samples.")
	cp := Load(Param("cols").Base(), GP64())
	n := Load(Param("cols").Len(), GP64())
	rp := Load(Param("row").Base(), GP64())
	swap := YMM()
	VMOVDQU(ConstData(name+"swap", swapData(4, 0, 4, 8, 12)), swap)
	SHRQ(U8(4), n)
	l := func(s string) string { return name + s }

	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	for k := range 2 {
		x := YMM()
		VPMOVZXWD(Mem{Base: rp, Disp: 16 * k}, x)
		VPSHUFB(swap, x, x)
		VPADDD(Mem{Base: cp, Disp: 32 * k}, x, x)
		VMOVDQU(x, Mem{Base: cp, Disp: 32 * k})
	}
	ADDQ(U8(32), rp)
	ADDQ(U8(64), cp)
	DECQ(n)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

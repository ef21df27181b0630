// Command asmgen writes the AVX2 kernels of package filter with avo:
// blur_amd64.s and the Go declarations in blur_amd64_stub.go. It lives in
// its own module so that building sluice never needs avo; run it through
// go generate in package filter.
//
// The kernels implement exactly the integer arithmetic of the pure-Go
// kernels in filter/blur8.go (vert8Go, horiz8Go, sharpen8Go) on whole
// blocks of 16 samples; the caller finishes any remainder in Go.
//
// It also writes the kernels of the 8-bit resize (see resize.go), with
// the arithmetic of filter/resize8.go.
//
// It also writes the kernels of the premultiplied float32 blur and resize
// of 8-bit images with alpha (see blurpm.go and resizepm.go), with the
// operations of filter/blurpm.go and filter/resizepm.go.
//
// It also writes the median kernels (see medianet.go): the selection
// networks, checked here on every 0-1 input, as AVX2 code in the same file
// and as pure Go in the file named by -net, so both compute the same
// network; on bytes for 8-bit images, on 16-bit words (median16.go) for
// 16-bit images and for 8-bit images with alpha, premultiplied, and on
// 32-bit words for 16-bit images with alpha.
package main

import (
	"flag"
	"log"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The fixed-point layout of filter/blur8.go.
const (
	blur8Bits   = 15
	blur8Frac   = 7
	blur8VShift = blur8Bits - blur8Frac
	blur8HShift = blur8Bits + blur8Frac
)

var netOut = flag.String("net", "", "write the pure-Go median networks to `file`")

func main() {
	ConstraintExpr("amd64,!purego")
	vert8()
	horiz8()
	sharpen8()
	vres(false)
	vres(true)
	for _, c := range []int{1, 3, 4} {
		hres(c, false)
	}
	for _, c := range []int{1, 3, 4} {
		hres(c, true)
	}
	sharpen8w()
	blurPM()
	resizePM()
	resize16()
	convColSymF32()
	axpy3F32()
	hresLanczosF32()
	nets := map[int]network{3: medianNetwork(3), 5: medianNetwork(5)}
	for _, n := range []int{3, 5} {
		sortKernel(n)
		for _, c := range []int{1, 3} {
			medianKernel(n, c, nets[n])
		}
	}
	medianKernels16(nets)
	medianPM()
	Generate()
	if *netOut != "" {
		if err := os.WriteFile(*netOut, goNetworks(nets), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// vert8 writes vert8AVX2: the vertical pass over 16 samples at a time.
// rows holds the centre row first, then for each weight pair of wt the
// rows above and below at k, then above and below at k+1.
func vert8() {
	TEXT("vert8AVX2", NOSPLIT, "func(d []int16, rows []*byte, wt []uint32)")
	Pragma("noescape")
	Doc(
		"vert8AVX2 is vert8Go on the first len(d) &^ 15 samples: rows[0] is the",
		"centre row, rows[4g-3:4g+1] the rows at -k, +k, -(k+1), +(k+1) for the",
		"weight pair wt[g] = w[k] | w[k+1]<<16, k = 2g-1, and wt[0] splits the",
		"centre weight in two halves.",
	)
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	wp := Load(Param("wt").Base(), GP64())
	wend := Load(Param("wt").Len(), GP64())
	SHLQ(U8(2), wend)
	ADDQ(wp, wend)
	SHRQ(U8(4), n)

	rnd := YMM()
	VPBROADCASTD(ConstData("vround", U32(1<<(blur8VShift-1))), rnd)
	wc := YMM()
	VPBROADCASTD(Mem{Base: wp}, wc)
	i := GP64()
	XORQ(i, i)

	Label("vblock")
	TESTQ(n, n)
	JZ(LabelRef("vdone"))
	p0, p1, p2, p3 := GP64(), GP64(), GP64(), GP64()
	MOVQ(Mem{Base: rp}, p0)
	x := YMM()
	VPMOVZXBW(Mem{Base: p0, Index: i, Scale: 1}, x)
	a0, a1 := YMM(), YMM()
	lo, hi := YMM(), YMM()
	VPUNPCKLWD(x, x, lo)
	VPUNPCKHWD(x, x, hi)
	VPMADDWD(wc, lo, a0)
	VPMADDWD(wc, hi, a1)
	VPADDD(rnd, a0, a0)
	VPADDD(rnd, a1, a1)
	q, wq := GP64(), GP64()
	LEAQ(Mem{Base: rp, Disp: 8}, q)
	LEAQ(Mem{Base: wp, Disp: 4}, wq)

	Label("vtap")
	CMPQ(wq, wend)
	JAE(LabelRef("vtapdone"))
	MOVQ(Mem{Base: q}, p0)
	MOVQ(Mem{Base: q, Disp: 8}, p1)
	MOVQ(Mem{Base: q, Disp: 16}, p2)
	MOVQ(Mem{Base: q, Disp: 24}, p3)
	y0, y1, y2, y3, w := YMM(), YMM(), YMM(), YMM(), YMM()
	VPMOVZXBW(Mem{Base: p0, Index: i, Scale: 1}, y0)
	VPMOVZXBW(Mem{Base: p1, Index: i, Scale: 1}, y1)
	VPADDW(y1, y0, y0)
	VPMOVZXBW(Mem{Base: p2, Index: i, Scale: 1}, y1)
	VPMOVZXBW(Mem{Base: p3, Index: i, Scale: 1}, y2)
	VPADDW(y2, y1, y1)
	VPUNPCKLWD(y1, y0, y2)
	VPUNPCKHWD(y1, y0, y3)
	VPBROADCASTD(Mem{Base: wq}, w)
	VPMADDWD(w, y2, y2)
	VPMADDWD(w, y3, y3)
	VPADDD(y2, a0, a0)
	VPADDD(y3, a1, a1)
	ADDQ(U8(32), q)
	ADDQ(U8(4), wq)
	JMP(LabelRef("vtap"))

	Label("vtapdone")
	VPSRAD(U8(blur8VShift), a0, a0)
	VPSRAD(U8(blur8VShift), a1, a1)
	VPACKSSDW(a1, a0, a0)
	VMOVDQU(a0, Mem{Base: dp})
	ADDQ(U8(16), i)
	ADDQ(U8(32), dp)
	DECQ(n)
	JMP(LabelRef("vblock"))

	Label("vdone")
	VZEROUPPER()
	RET()
}

// horiz8 writes horiz8AVX2: the horizontal pass over 16 samples at a
// time.
func horiz8() {
	const name = "horiz8AVX2"
	TEXT(name, NOSPLIT, "func(d []byte, m []int16, c int, wt []uint32)")
	Pragma("noescape")
	Doc(
		"horiz8AVX2 is horiz8Go on the first len(d) &^ 15 samples, with the",
		"weights packed as ht: wt[0] splits the centre weight in two halves,",
		"wt[k] holds w[k] in both.",
	)
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	mp := Load(Param("m").Base(), GP64())
	cb := Load(Param("c"), GP64())
	wp := Load(Param("wt").Base(), GP64())
	wend := Load(Param("wt").Len(), GP64())
	SHLQ(U8(1), cb) // bytes between neighbours
	// The centre of output sample 0 is m[r·c], r = len(wt)-1.
	cp := GP64()
	MOVQ(wend, cp)
	DECQ(cp)
	IMULQ(cb, cp)
	ADDQ(mp, cp)
	SHLQ(U8(2), wend)
	ADDQ(wp, wend)
	SHRQ(U8(4), n)

	rnd := YMM()
	VPBROADCASTD(ConstData("hround", U32(1<<(blur8HShift-1))), rnd)
	wc := YMM()
	VPBROADCASTD(Mem{Base: wp}, wc)

	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	x := YMM()
	VMOVDQU(Mem{Base: cp}, x)
	a0, a1 := YMM(), YMM()
	lo, hi := YMM(), YMM()
	VPUNPCKLWD(x, x, lo)
	VPUNPCKHWD(x, x, hi)
	VPMADDWD(wc, lo, a0)
	VPMADDWD(wc, hi, a1)
	VPADDD(rnd, a0, a0)
	VPADDD(rnd, a1, a1)
	left, right, wq := GP64(), GP64(), GP64()
	MOVQ(cp, left)
	SUBQ(cb, left)
	MOVQ(cp, right)
	ADDQ(cb, right)
	LEAQ(Mem{Base: wp, Disp: 4}, wq)

	Label(l("tap"))
	CMPQ(wq, wend)
	JAE(LabelRef(l("tapdone")))
	y0, y1, y2, y3, w := YMM(), YMM(), YMM(), YMM(), YMM()
	VMOVDQU(Mem{Base: left}, y0)
	VMOVDQU(Mem{Base: right}, y1)
	VPUNPCKLWD(y1, y0, y2)
	VPUNPCKHWD(y1, y0, y3)
	VPBROADCASTD(Mem{Base: wq}, w)
	VPMADDWD(w, y2, y2)
	VPMADDWD(w, y3, y3)
	VPADDD(y2, a0, a0)
	VPADDD(y3, a1, a1)
	SUBQ(cb, left)
	ADDQ(cb, right)
	ADDQ(U8(4), wq)
	JMP(LabelRef(l("tap")))

	Label(l("tapdone"))
	VPSRAD(U8(blur8HShift), a0, a0)
	VPSRAD(U8(blur8HShift), a1, a1)
	VPACKSSDW(a1, a0, a0)
	top := XMM()
	VEXTRACTI128(U8(1), a0, top)
	VPACKUSWB(top, a0.AsX(), top)
	VMOVDQU(top, Mem{Base: dp})
	ADDQ(U8(16), dp)
	ADDQ(U8(32), cp)
	DECQ(n)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// sharpen8 writes sharpen8AVX2: the horizontal pass without rounding,
// followed by the unsharp mask of unsharp8, in float32 with the same
// roundings in the same order.
func sharpen8() { sharpenKernel(false) }

// sharpen8w writes sharpen8wAVX2: sharpen8AVX2 on samples x of 16 bits
// with resize8Frac fraction bits, as unsharp8w.
func sharpen8w() { sharpenKernel(true) }

func sharpenKernel(wide bool) {
	name, elem, gofn := "sharpen8AVX2", "byte", "sharpen8Go"
	if wide {
		name, elem, gofn = "sharpen8wAVX2", "int16", "sharpen8wGo"
	}
	TEXT(name, NOSPLIT, "func(d []byte, x []"+elem+", m []int16, c int, wt []uint32, a float32)")
	Pragma("noescape")
	Doc(
		name+" is "+gofn+" on the first len(d) &^ 15 samples, with the",
		"weights packed as for horiz8AVX2.",
	)
	l := func(s string) string {
		if wide {
			return "w" + s
		}
		return s
	}
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	xp := Load(Param("x").Base(), GP64())
	mp := Load(Param("m").Base(), GP64())
	cb := Load(Param("c"), GP64())
	wp := Load(Param("wt").Base(), GP64())
	wend := Load(Param("wt").Len(), GP64())
	amt := YMM()
	VBROADCASTSS(Load(Param("a"), XMM()), amt)
	SHLQ(U8(1), cb)
	cp := GP64()
	MOVQ(wend, cp)
	DECQ(cp)
	IMULQ(cb, cp)
	ADDQ(mp, cp)
	SHLQ(U8(2), wend)
	ADDQ(wp, wend)
	SHRQ(U8(4), n)
	scale, half := YMM(), YMM()
	VBROADCASTSS(ConstData(l("sharpscale"), U32(0x34800000)), scale) // 2^-22
	VBROADCASTSS(ConstData(l("sharphalf"), U32(0x3f000000)), half)   // 0.5
	var frac VecVirtual
	if wide {
		frac = YMM()
		VBROADCASTSS(ConstData("sharpfrac", U32(0x3c800000)), frac) // 2^-resize8Frac
	}
	wc := YMM()
	VPBROADCASTD(Mem{Base: wp}, wc)

	Label(l("sblock"))
	TESTQ(n, n)
	JZ(LabelRef(l("sdone")))
	x := YMM()
	VMOVDQU(Mem{Base: cp}, x)
	a0, a1, lo, hi := YMM(), YMM(), YMM(), YMM()
	VPUNPCKLWD(x, x, lo)
	VPUNPCKHWD(x, x, hi)
	VPMADDWD(wc, lo, a0)
	VPMADDWD(wc, hi, a1)
	left, right, wq := GP64(), GP64(), GP64()
	MOVQ(cp, left)
	SUBQ(cb, left)
	MOVQ(cp, right)
	ADDQ(cb, right)
	LEAQ(Mem{Base: wp, Disp: 4}, wq)

	Label(l("stap"))
	CMPQ(wq, wend)
	JAE(LabelRef(l("staptail")))
	y0, y1, y2, y3, w := YMM(), YMM(), YMM(), YMM(), YMM()
	VMOVDQU(Mem{Base: left}, y0)
	VMOVDQU(Mem{Base: right}, y1)
	VPUNPCKLWD(y1, y0, y2)
	VPUNPCKHWD(y1, y0, y3)
	VPBROADCASTD(Mem{Base: wq}, w)
	VPMADDWD(w, y2, y2)
	VPMADDWD(w, y3, y3)
	VPADDD(y2, a0, a0)
	VPADDD(y3, a1, a1)
	SUBQ(cb, left)
	ADDQ(cb, right)
	ADDQ(U8(4), wq)
	JMP(LabelRef(l("stap")))

	Label(l("staptail"))
	// a0 holds sums 0-3 and 8-11, a1 sums 4-7 and 12-15.
	b0, b1 := YMM(), YMM()
	VPERM2I128(U8(0x20), a1, a0, b0)
	VPERM2I128(U8(0x31), a1, a0, b1)
	out := []VecVirtual{}
	for j, b := range []VecVirtual{b0, b1} {
		xf := YMM()
		if wide {
			VPMOVSXWD(Mem{Base: xp, Disp: 16 * j}, xf)
			VCVTDQ2PS(xf, xf)
			VMULPS(frac, xf, xf) // exact: a power of two
		} else {
			VPMOVZXBD(Mem{Base: xp, Disp: 8 * j}, xf)
			VCVTDQ2PS(xf, xf)
		}
		VCVTDQ2PS(b, b)
		VMULPS(scale, b, b) // the blur
		VSUBPS(b, xf, b)    // x - blur
		VMULPS(amt, b, b)   // a·(x - blur)
		VADDPS(b, xf, b)    // x + a·(x - blur)
		VADDPS(half, b, b)  // + 0.5
		VCVTTPS2DQ(b, b)    // truncated
		out = append(out, b)
	}
	// Words come out as 0-3, 8-11, 4-7, 12-15; put them in order.
	VPACKSSDW(out[1], out[0], out[0])
	VPERMQ(U8(0xd8), out[0], out[0])
	top := XMM()
	VEXTRACTI128(U8(1), out[0], top)
	VPACKUSWB(top, out[0].AsX(), top)
	VMOVDQU(top, Mem{Base: dp})
	ADDQ(U8(16), dp)
	if wide {
		ADDQ(U8(32), xp)
	} else {
		ADDQ(U8(16), xp)
	}
	ADDQ(U8(32), cp)
	DECQ(n)
	JMP(LabelRef(l("sblock")))

	Label(l("sdone"))
	VZEROUPPER()
	RET()
}

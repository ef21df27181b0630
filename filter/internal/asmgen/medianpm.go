package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels around the premultiplied median of 8-bit images with alpha
// (filter/medianwide.go): packing pixels into 16-bit words, colour·alpha
// and alpha, even pixels apart from odd ones (packPMSplitGo); the medians
// of pairs of neighbouring windows (medianpair.go); and dividing the
// median words back to straight 8-bit colour, rounded half up
// (unpremulWordsGo).

// medianPM writes the packing, median and unpacking kernels for 2 and 4
// channels.
func medianPM() {
	pairNets = map[int]pairNet{3: pairNetwork(3), 5: pairNetwork(5)}
	for _, c := range []int{2, 4} {
		packPMSplit(c)
		for _, n := range []int{3, 5} {
			medianPairKernel(n, c, pairNets[n])
		}
		unpremulWords(c)
	}
}

// pairNets are the pair networks medianPM wrote, which goNetworks writes
// in Go too.
var pairNets map[int]pairNet

// bytesConst returns a constant of the bytes b.
func bytesConst(b []byte) Constant { return String(string(b)) }

// packPMSplit writes packPMSplitcAVX2: 16 bytes of pixels, zero-extended
// to 16 words, times the alpha of their pixel (VPMULLW: the products, at
// most 65,025, fit the word), the alpha words blended back; the words of
// the even pixels stored at e, those of the odd ones at o.
func packPMSplit(c int) {
	name := fmt.Sprintf("packPMSplit%dAVX2", c)
	TEXT(name, NOSPLIT, "func(e []byte, o []byte, px []byte)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is packPMSplitGo on the first len(px) &^ 15 bytes of", name),
		fmt.Sprintf("%d-channel pixels.", c),
	)
	ep := Load(Param("e").Base(), GP64())
	op := Load(Param("o").Base(), GP64())
	pp := Load(Param("px").Base(), GP64())
	n := Load(Param("px").Len(), GP64())
	SHRQ(U8(4), n)
	// In each 128-bit lane, every word takes the low byte of its pixel's
	// alpha word and a zero high byte.
	spread := make([]byte, 32)
	for i := range 8 {
		a := (i/c*c + c - 1) * 2 // the alpha word of word i's pixel
		spread[2*i], spread[2*i+1] = byte(a), 0x80
		spread[16+2*i], spread[16+2*i+1] = byte(a), 0x80
	}
	// The double words of the even pixels, then of the odd ones.
	split := []byte{0, 2, 4, 6, 1, 3, 5, 7}
	blend := uint8(0xaa)
	if c == 4 {
		split = []byte{0, 1, 4, 5, 2, 3, 6, 7}
		blend = 0x88
	}
	var idx []byte
	for _, v := range split {
		idx = append(idx, v, 0, 0, 0)
	}
	sm, sx := YMM(), YMM()
	VMOVDQU(ConstData(name+"spread", bytesConst(spread)), sm)
	VMOVDQU(ConstData(name+"split", bytesConst(idx)), sx)
	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	x, a := YMM(), YMM()
	VPMOVZXBW(Mem{Base: pp}, x)
	VPSHUFB(sm, x, a)
	VPMULLW(x, a, a)
	VPBLENDW(U8(blend), x, a, a)
	VPERMD(a, sx, a)
	VMOVDQU(a.AsX(), Mem{Base: ep})
	VEXTRACTI128(U8(1), a, Mem{Base: op})
	ADDQ(U8(16), pp)
	ADDQ(U8(16), ep)
	ADDQ(U8(16), op)
	DECQ(n)
	JMP(LabelRef(l("block")))
	Label(l("done"))
	VZEROUPPER()
	RET()
}

// unpremulWords writes unpremulWordscAVX2: 32 words at a time, each
// widened to a float32 and divided by its pixel's alpha (by 1 under a zero
// alpha, whose colour words are 0), plus ½, truncated; the alpha words
// blended back, and all narrowed to bytes.
//
// The quotient is exact as unpremulWordsGo's: for a colour word P ≤ 255·A,
// P/A + ½ is a fraction of denominator 2A ≤ 510, so it is an integer or at
// least 1/510 away from one, while the two float32 roundings (of P/A and
// of the sum, both below 512) err by at most 2^-15 together.
func unpremulWords(c int) {
	name := fmt.Sprintf("unpremulWords%dAVX2", c)
	TEXT(name, NOSPLIT, "func(d []byte, res []byte)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is unpremulWordsGo without a table on the first", name),
		fmt.Sprintf("len(d) &^ 31 samples of %d-channel pixels.", c),
	)
	dp := Load(Param("d").Base(), GP64())
	n := Load(Param("d").Len(), GP64())
	rp := Load(Param("res").Base(), GP64())
	SHRQ(U8(5), n)
	spread, blend := uint8(0xff), uint8(0x88)
	if c == 2 {
		spread, blend = 0xf5, 0xaa
	}
	one, half, perm := YMM(), YMM(), YMM()
	VBROADCASTSS(ConstData(name+"one", U32(0x3f800000)), one)   // 1.0
	VBROADCASTSS(ConstData(name+"half", U32(0x3f000000)), half) // 0.5
	// The packs leave double words of bytes in the order 0 2 4 6 1 3 5 7.
	VMOVDQU(ConstData(name+"perm", bytesConst([]byte{
		0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0,
		2, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0,
	})), perm)
	l := func(s string) string { return name + s }
	Label(l("block"))
	TESTQ(n, n)
	JZ(LabelRef(l("done")))
	q := make([]VecVirtual, 4)
	for j := range q {
		x, a, p := YMM(), YMM(), YMM()
		VPMOVZXWD(Mem{Base: rp, Disp: 16 * j}, x)
		VPSHUFD(U8(spread), x, a)
		VCVTDQ2PS(a, a)
		VMAXPS(one, a, a)
		VCVTDQ2PS(x, p)
		VDIVPS(a, p, p)
		VADDPS(half, p, p)
		VCVTTPS2DQ(p, p)
		VPBLENDD(U8(blend), x, p, p)
		q[j] = p
	}
	VPACKUSDW(q[1], q[0], q[0])
	VPACKUSDW(q[3], q[2], q[2])
	VPACKUSWB(q[2], q[0], q[0])
	VPERMD(q[0], perm, q[0])
	VMOVDQU(q[0], Mem{Base: dp})
	ADDQ(U8(64), rp)
	ADDQ(U8(32), dp)
	DECQ(n)
	JMP(LabelRef(l("block")))
	Label(l("done"))
	VZEROUPPER()
	RET()
}

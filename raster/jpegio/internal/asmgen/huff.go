package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// zigzag maps the position in the coded order to the natural order.
var zigzag = []byte{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// huffBlock writes huffBlockBMI2, encband.go's bitWriter.blockGo in scalar
// code with BMI1 and BMI2 (flag-free shifts, TZCNT, BLSR, BZHI): the bit
// buffer, the table pointers and the block stay in registers, and each
// code goes out with its extra bits in one put.
func huffBlock() {
	zz := bytesTable("huff_zigzag", zigzag)
	TEXT("huffBlockBMI2", NOSPLIT, "func(dst *byte, acc, n uint64, blk *[64]int16, mask uint64, diff int32, dc, ac *[256]uint32) (written int, accOut, nOut uint64)")
	Pragma("noescape")
	Doc(
		"huffBlockBMI2 is bitWriter.blockGo: it codes the DC difference diff with",
		"table dc and the AC coefficients of blk (natural order; mask marks the",
		"nonzero ones in zigzag order, bit 0 clear) with table ac, after the n",
		"pending bits of acc, writing whole bytes (a zero stuffed after each 0xff)",
		"at dst, which must have room for 512. It returns the bytes written and",
		"the pending bits.",
	)
	dst := Load(Param("dst"), GP64())
	acc := Load(Param("acc"), GP64())
	n := Load(Param("n"), GP64())
	blk := Load(Param("blk"), GP64())
	mask := Load(Param("mask"), GP64())
	dc := Load(Param("dc"), GP64())
	ac := Load(Param("ac"), GP64())
	zzp := GP64()
	LEAQ(zz, zzp)

	labels := 0
	label := func(s string) string {
		return fmt.Sprintf("huff_%s_%d", s, labels)
	}
	// put appends the k low bits of v (k ≤ 32); it clobbers k. Registers
	// are reused where they die: 14 are all there are.
	put := func(v, k GPVirtual) {
		labels++
		spill, done := label("spill"), label("done")
		n2 := GP64()
		LEAQ(Mem{Base: n, Index: k, Scale: 1}, n2)
		CMPQ(n2, Imm(64))
		JAE(LabelRef(spill))
		SHLXQ(k, acc, acc)
		ORQ(v, acc)
		MOVQ(n2, n)
		JMP(LabelRef(done))

		Label(spill)
		Comment("acc is full: its 64 bits, then the bits of v left over.")
		SUBQ(Imm(64), n2) // the bits of v left over
		MOVQ(U32(64), k)
		SUBQ(n, k)
		SHLXQ(k, acc, acc)
		SHRXQ(n2, v, n)
		ORQ(n, acc)
		Comment("Eight bytes at once when none is 0xff.")
		MOVQ(U64(0x0101010101010101), k)
		MOVQ(acc, n)
		NOTQ(n)
		SUBQ(n, k)
		NEGQ(k) // n - ones
		ANDNQ(k, n, k)
		MOVQ(U64(0x8080808080808080), n)
		TESTQ(n, k)
		JNZ(LabelRef(label("stuff")))
		BSWAPQ(acc)
		MOVQ(acc, Mem{Base: dst})
		ADDQ(Imm(8), dst)
		JMP(LabelRef(label("kept")))

		Label(label("stuff"))
		MOVQ(U32(8), k)
		Label(label("byte"))
		ROLQ(Imm(8), acc)
		MOVB(acc.(GPVirtual).As8(), Mem{Base: dst})
		INCQ(dst)
		CMPB(acc.(GPVirtual).As8(), U8(0xff))
		JNE(LabelRef(label("next")))
		MOVB(U8(0), Mem{Base: dst})
		INCQ(dst)
		Label(label("next"))
		DECQ(k)
		JNZ(LabelRef(label("byte")))
		Label(label("kept"))
		MOVQ(v, acc)
		MOVQ(n2, n)
		Label(done)
	}
	// coef puts v (clobbered) with the code of symbol
	// run<<4 | size(v) of table tab; run holds run<<4, or is nil for the
	// DC table.
	coef := func(v GPVirtual, run Op, tab Register) {
		s, a := GP64(), GP64()
		Comment("size(v), and v's low size bits (v-1 for a negative v)")
		MOVQ(v, s)
		SARQ(Imm(63), s)
		MOVQ(v, a)
		XORQ(s, a)
		SUBQ(s, a)
		LEAQ(Mem{Base: a, Index: a, Scale: 1, Disp: 1}, a)
		BSRQ(a, a) // size(v) = ⌊log₂(2|v|+1)⌋, without a branch for 0
		ADDQ(s, v)
		BZHIQ(a, v, v)
		if run != nil {
			ADDQ(run, a)
		}
		MOVL(Mem{Base: tab, Index: a, Scale: 4}, s.As32())
		if run != nil {
			ANDQ(Imm(15), a)
		}
		k := GP64()
		MOVBQZX(s.As8(), k)
		ADDQ(a, k)
		SHRL(Imm(8), s.As32())
		SHLXQ(a, s, s)
		ORQ(v, s)
		put(s, k)
	}
	// code puts symbol sym of table tab, with no extra bits.
	code := func(tab Register, sym int) {
		e, k := GP64(), GP64()
		MOVL(Mem{Base: tab, Disp: 4 * sym}, e.As32())
		MOVBQZX(e.As8(), k)
		SHRL(Imm(8), e.As32())
		put(e, k)
	}

	Comment("The DC difference.")
	d32, d := Load(Param("diff"), GP32()), GP64()
	MOVLQSX(d32, d)
	coef(d, nil, dc)

	Comment("The AC coefficients: run lengths from the mask.")
	last := GP64()
	XORQ(last, last)
	Label("huff_loop")
	TESTQ(mask, mask)
	JZ(LabelRef("huff_end"))
	k, run := GP64(), GP64()
	TZCNTQ(mask, k)
	BLSRQ(mask, mask)
	MOVQ(k, run)
	SUBQ(last, run)
	DECQ(run)
	MOVQ(k, last)
	Label("huff_zrl")
	CMPQ(run, Imm(15))
	JLE(LabelRef("huff_coef"))
	code(ac, 0xf0)
	SUBQ(Imm(16), run)
	JMP(LabelRef("huff_zrl"))
	Label("huff_coef")
	SHLQ(Imm(4), run)
	idx, v := GP64(), GP64()
	MOVBQZX(Mem{Base: zzp, Index: k, Scale: 1}, idx)
	MOVWQSX(Mem{Base: blk, Index: idx, Scale: 2}, v)
	coef(v, run, ac)
	JMP(LabelRef("huff_loop"))

	Label("huff_end")
	CMPQ(last, Imm(63))
	JEQ(LabelRef("huff_out"))
	Comment("End of block.")
	code(ac, 0)
	Label("huff_out")
	dst0 := Load(Param("dst"), GP64())
	SUBQ(dst0, dst)
	Store(dst, ReturnIndex(0))
	Store(acc, ReturnIndex(1))
	Store(n, ReturnIndex(2))
	RET()
}

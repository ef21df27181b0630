package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The median kernels on 16-bit words: the networks of medianet.go on
// sixteen unsigned words a vector (VPMINUW, VPMAXUW), for 16-bit images and
// for 8-bit images with alpha held premultiplied in words. Planes and rows
// are words in memory order (little-endian); the caller converts.

// sortKernel16 writes the AVX2 kernel that sorts n rows of words sample
// by sample into n planes, smallest first.
func sortKernel16(n int) {
	name := fmt.Sprintf("sortCols%dW16AVX2", n)
	TEXT(name, NOSPLIT, "func(planes []*byte, rows []*byte, n int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is sortCols16Go on the first n &^ 31 bytes (16 words a", name),
		"block) of n rows: plane r receives the r-th smallest of the rows' words",
		"at each index.",
	)
	pp := Load(Param("planes").Base(), GP64())
	rp := Load(Param("rows").Base(), GP64())
	cnt := Load(Param("n"), GP64())
	ptr := func(base Register, k int) GPVirtual {
		g := GP64()
		MOVQ(Mem{Base: base, Disp: 8 * k}, g)
		return g
	}
	planes := make([]GPVirtual, n)
	rows := make([]GPVirtual, n)
	for k := range n {
		planes[k] = ptr(pp, k)
		rows[k] = ptr(rp, k)
	}
	SHRQ(U8(5), cnt)
	i := GP64()
	XORQ(i, i)
	l := func(s string) string { return name + s }

	Label(l("block"))
	TESTQ(cnt, cnt)
	JZ(LabelRef(l("done")))
	keep := make([]int, n)
	for k := range keep {
		keep[k] = k
	}
	a := newVecAlloc(sortNetwork(n), n, func(w int) Mem { return Mem{Base: rows[w], Index: i, Scale: 1} }, keep)
	a.vmin, a.vmax = VPMINUW, VPMAXUW
	a.emit()
	for k := range n {
		VMOVDQU(a.operand(k), Mem{Base: planes[k], Index: i, Scale: 1})
	}
	if a.nslots > 0 {
		panic("sorting network spilled")
	}
	ADDQ(U8(32), i)
	DECQ(cnt)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// medianKernel16 writes the AVX2 kernel for the n×n median on c-channel
// rows of words: it reads n sorted-column planes and writes one word per
// output sample, 16 at a time.
func medianKernel16(n, c int, net network) {
	name := fmt.Sprintf("median%dx%dc%dW16AVX2", n, n, c)
	TEXT(name, NOSPLIT, "func(d []byte, p []*byte)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is median%dWords16 on the first len(d) &^ 31 bytes (16 words", name, n),
		fmt.Sprintf("a block) of %d-channel rows: p[r] points at word 0 of sorted-column plane r,", c),
		fmt.Sprintf("0 ≤ r < %d.", n),
	)
	dp := Load(Param("d").Base(), GP64())
	cnt := Load(Param("d").Len(), GP64())
	pp := Load(Param("p").Base(), GP64())
	planes := make([]GPVirtual, n)
	for r := range planes {
		planes[r] = GP64()
		MOVQ(Mem{Base: pp, Disp: 8 * r}, planes[r])
	}
	SHRQ(U8(5), cnt)
	i := GP64()
	XORQ(i, i)
	l := func(s string) string { return name + s }

	Label(l("block"))
	TESTQ(cnt, cnt)
	JZ(LabelRef(l("done")))
	in := func(w int) Mem {
		j, r := w/n, w%n
		return Mem{Base: planes[r], Index: i, Scale: 1, Disp: 2 * j * c}
	}
	a := newVecAlloc(net.ops, n*n, in, []int{net.out})
	a.vmin, a.vmax = VPMINUW, VPMAXUW
	a.emit()
	VMOVDQU(a.operand(net.out), Mem{Base: dp, Index: i, Scale: 1})
	if a.nslots > 0 {
		// The spill slots are addressed from SP; make avo reserve them.
		AllocLocal(a.frame())
	}
	ADDQ(U8(32), i)
	DECQ(cnt)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// medianKernels16 writes the word kernels: the column sorts of 3 and 5
// rows, and the networks for gray, gray+alpha, RGB and RGBA rows.
func medianKernels16(nets map[int]network) {
	for _, n := range []int{3, 5} {
		sortKernel16(n)
		for _, c := range []int{1, 2, 3, 4} {
			medianKernel16(n, c, nets[n])
		}
	}
}

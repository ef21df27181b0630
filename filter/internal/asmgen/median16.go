package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The median kernels on 16- and 32-bit words: the networks of medianet.go
// on sixteen unsigned words a vector (VPMINUW, VPMAXUW), for 16-bit images
// and for 8-bit images with alpha held premultiplied in words, and on
// eight double words (VPMINUD, VPMAXUD) for 16-bit images with alpha.
// Planes and rows are words in memory order (little-endian); the caller
// converts.

// lanes returns the min and max instructions on bits-wide lanes.
func lanes(bits int) (vmin, vmax func(...Op)) {
	if bits == 32 {
		return VPMINUD, VPMAXUD
	}
	return VPMINUW, VPMAXUW
}

// sortKernel16 writes the AVX2 kernel that sorts n rows of bits-wide
// words sample by sample into n planes, smallest first.
func sortKernel16(n, bits int) {
	name := fmt.Sprintf("sortCols%dW%dAVX2", n, bits)
	TEXT(name, NOSPLIT, "func(planes []*byte, rows []*byte, n int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is sortCols%dGo on the first n &^ 31 bytes (%d words a", name, bits, 256/bits),
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
	a.vmin, a.vmax = lanes(bits)
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
// rows of bits-wide words: it reads n sorted-column planes and writes one
// word per output sample, a vector at a time.
func medianKernel16(n, c, bits int, net network) {
	name := fmt.Sprintf("median%dx%dc%dW%dAVX2", n, n, c, bits)
	TEXT(name, NOSPLIT, "func(d []byte, p []*byte)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is median%dWords%d on the first len(d) &^ 31 bytes (%d words", name, n, bits, 256/bits),
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
		return Mem{Base: planes[r], Index: i, Scale: 1, Disp: bits / 8 * j * c}
	}
	a := newVecAlloc(net.ops, n*n, in, []int{net.out})
	a.vmin, a.vmax = lanes(bits)
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
// rows, and the networks for gray and RGB rows of 16-bit words, and for
// gray+alpha and RGBA rows of 32-bit words. (Gray+alpha and RGBA rows of
// 16-bit words take the pair kernels of medianpair.go.)
func medianKernels16(nets map[int]network) {
	for _, n := range []int{3, 5} {
		sortKernel16(n, 16)
		for _, c := range []int{1, 3} {
			medianKernel16(n, c, 16, nets[n])
		}
	}
	for _, n := range []int{3, 5} {
		sortKernel16(n, 32)
		for _, c := range []int{2, 4} {
			medianKernel16(n, c, 32, nets[n])
		}
	}
}

package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// vecAlloc emits a min/max network over 32-byte vectors with the sixteen
// YMM registers, loading inputs where they are first needed (or reading
// them straight from memory as the second operand) and spilling to the
// stack the value whose next use is farthest when it runs out of
// registers. The network is straight-line code, so the allocation is done
// here, once, instead of by avo's allocator, which cannot spill.
type vecAlloc struct {
	ops    []netOp
	in     func(w int) Mem // where input wire w lies
	keep   map[int]bool    // wires read after the network
	uses   [][]int         // for each wire, the ops that read it, in order
	reg    []int           // the register holding each wire, or -1
	slot   []int           // the stack slot holding each wire, or -1
	orig   []bool          // the wire still holds its input
	holder [16]int         // the wire in each register, or -1
	free   []int           // free stack slots
	nslots int
	vmin   func(...Op) // the lane-wise minimum: VPMINUB unless set
	vmax   func(...Op) // the lane-wise maximum: VPMAXUB unless set
}

func newVecAlloc(ops []netOp, wires int, in func(int) Mem, keep []int) *vecAlloc {
	a := &vecAlloc{ops: ops, in: in, keep: map[int]bool{}, vmin: VPMINUB, vmax: VPMAXUB}
	for _, w := range keep {
		a.keep[w] = true
	}
	a.uses = make([][]int, wires)
	for i, op := range ops {
		a.uses[op.A] = append(a.uses[op.A], i)
		a.uses[op.B] = append(a.uses[op.B], i)
	}
	a.reg = make([]int, wires)
	a.slot = make([]int, wires)
	a.orig = make([]bool, wires)
	for w := range wires {
		a.reg[w], a.slot[w], a.orig[w] = -1, -1, true
	}
	for r := range a.holder {
		a.holder[r] = -1
	}
	return a
}

// nextUse is the index of the first op at or after i that reads w, or
// len(ops) for a wire read after the network, or MaxInt.
func (a *vecAlloc) nextUse(w, i int) int {
	for _, u := range a.uses[w] {
		if u >= i {
			return u
		}
	}
	if a.keep[w] {
		return len(a.ops)
	}
	return math.MaxInt
}

func ymm(r int) VecPhysical {
	return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}[r]
}

// operand returns where the value of wire w can be read.
func (a *vecAlloc) operand(w int) Op {
	switch {
	case a.reg[w] >= 0:
		return ymm(a.reg[w])
	case a.orig[w]:
		return a.in(w)
	case a.slot[w] >= 0:
		return a.slotMem(a.slot[w])
	}
	panic(fmt.Sprintf("wire %d has no value", w))
}

// slotMem is spill slot s, counted from the start of the function's local
// frame, which the kernel allocates once the number of slots is known.
func (a *vecAlloc) slotMem(s int) Mem {
	return NewStackAddr(32 * s)
}

// alloc returns a free register at op i, evicting the value whose next use
// is farthest; protect lists registers that must stay.
func (a *vecAlloc) alloc(i int, protect ...int) int {
	for r, w := range a.holder {
		if w < 0 {
			return r
		}
	}
	victim, far := -1, -1
	for r, w := range a.holder {
		if contains(protect, r) {
			continue
		}
		if u := a.nextUse(w, i); u > far {
			victim, far = r, u
		}
	}
	w := a.holder[victim]
	if !a.orig[w] && a.slot[w] < 0 {
		s := a.nslots
		if n := len(a.free); n > 0 {
			s, a.free = a.free[n-1], a.free[:n-1]
		} else {
			a.nslots++
		}
		a.slot[w] = s
		VMOVDQU(ymm(victim), a.slotMem(s))
	}
	a.reg[w] = -1
	a.holder[victim] = -1
	return victim
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ensure puts wire w in a register at op i.
func (a *vecAlloc) ensure(w, i int, protect ...int) int {
	if a.reg[w] >= 0 {
		return a.reg[w]
	}
	r := a.alloc(i, protect...)
	VMOVDQU(a.operand(w), ymm(r))
	a.bind(w, r)
	return r
}

// bind records that register r holds wire w.
func (a *vecAlloc) bind(w, r int) {
	a.reg[w] = r
	a.holder[r] = w
}

// set records that wire w now holds a computed value in register r.
func (a *vecAlloc) set(w, r int) {
	if old := a.reg[w]; old >= 0 && old != r {
		a.holder[old] = -1
	}
	if a.slot[w] >= 0 {
		a.free = append(a.free, a.slot[w])
		a.slot[w] = -1
	}
	a.orig[w] = false
	a.bind(w, r)
}

// drop forgets wire w if nothing reads it after op i.
func (a *vecAlloc) drop(w, i int) {
	if a.nextUse(w, i+1) != math.MaxInt {
		return
	}
	if r := a.reg[w]; r >= 0 {
		a.holder[r] = -1
		a.reg[w] = -1
	}
	if a.slot[w] >= 0 {
		a.free = append(a.free, a.slot[w])
		a.slot[w] = -1
	}
	a.orig[w] = false
}

// emit writes the network.
func (a *vecAlloc) emit() {
	for i, op := range a.ops {
		x, y := op.A, op.B
		switch op.Kind {
		case opCE:
			ra := a.ensure(x, i, a.reg[y])
			if rb := a.reg[y]; rb >= 0 {
				t := a.alloc(i, ra, rb)
				a.vmin(ymm(rb), ymm(ra), ymm(t))
				a.vmax(ymm(rb), ymm(ra), ymm(rb))
				a.holder[ra], a.reg[x] = -1, -1
				a.set(x, t)
				a.set(y, rb)
			} else {
				m := a.operand(y)
				rb := a.alloc(i, ra)
				a.vmax(m, ymm(ra), ymm(rb))
				a.vmin(m, ymm(ra), ymm(ra))
				a.set(x, ra)
				a.set(y, rb)
			}
		case opMin, opMax:
			dst, other := x, y // the wire that keeps the result, the one that dies
			if op.Kind == opMax {
				dst, other = y, x
			}
			ins := a.vmin
			if op.Kind == opMax {
				ins = a.vmax
			}
			var r int
			switch {
			case a.reg[dst] >= 0:
				r = a.reg[dst]
				ins(a.operand(other), ymm(r), ymm(r))
			case a.reg[other] >= 0:
				r = a.reg[other]
				ins(a.operand(dst), ymm(r), ymm(r))
				a.holder[r], a.reg[other] = -1, -1
			default:
				r = a.ensure(dst, i)
				ins(a.operand(other), ymm(r), ymm(r))
			}
			a.set(dst, r)
		}
		a.drop(x, i)
		a.drop(y, i)
	}
}

// frame is the stack the spills need, in bytes.
func (a *vecAlloc) frame() int { return 32 * a.nslots }

// medianKernel writes the AVX2 kernel for the n×n median on c-channel
// rows: it reads n sorted-column planes and writes one output sample per
// byte, 32 at a time.
func medianKernel(n, c int, net network) {
	name := fmt.Sprintf("median%dx%dc%dAVX2", n, n, c)
	TEXT(name, NOSPLIT, "func(d []byte, p []*byte)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is median%dNet on the first len(d) &^ 31 samples of %d-channel", name, n, c),
		fmt.Sprintf("rows: p[r] points at sample 0 of sorted-column plane r, 0 ≤ r < %d.", n),
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
		return Mem{Base: planes[r], Index: i, Scale: 1, Disp: j * c}
	}
	a := newVecAlloc(net.ops, n*n, in, []int{net.out})
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

// sortKernel writes the AVX2 kernel that sorts n rows sample by sample
// into n planes, smallest first.
func sortKernel(n int) {
	name := fmt.Sprintf("sortCols%dAVX2", n)
	TEXT(name, NOSPLIT, "func(planes []*byte, rows []*byte, n int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is sortCols%dGo on the first n &^ 31 samples: plane r", name, n),
		"receives the r-th smallest of the rows' samples at each index.",
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
	ops := sortNetwork(n)
	keep := make([]int, n)
	for k := range keep {
		keep[k] = k
	}
	a := newVecAlloc(ops, n, func(w int) Mem { return Mem{Base: rows[w], Index: i, Scale: 1} }, keep)
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

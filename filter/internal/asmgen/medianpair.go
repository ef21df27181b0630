package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The median of two neighbouring windows at once. The windows of output
// pixels 2k and 2k+1 share n-1 of their n columns; the pair network sorts
// the shared columns only as far as either median needs (the ranks
// n(n-1)/2 - … below), and each median then takes the (n+1)-th smallest
// of those n+1 candidates and its own column's n samples, as
// min over i of max(A_i, C_(n+1-i)): n maxima and n minima each, on values
// the network leaves intact.

// pairNet is the network on the shared columns: wires j·n + r for shared
// column j and rank r, outs the wires that end up holding the candidates,
// smallest first.
type pairNet struct {
	n    int
	ops  []netOp
	outs []int
}

// pairRanks returns the ranks (from 0) of the shared columns' union that
// can be the median of a window: with n more samples, the median of n²
// is at least the rank (n²-1)/2 - n of the n(n-1) shared samples, and at
// most (n²-1)/2.
func pairRanks(n int) (lo, hi int) {
	k := (n*n - 1) / 2
	return k - n, k
}

// columnInputs returns every 0-1 input of m sorted columns of n samples.
func columnInputs(m, n int) [][]uint8 {
	var all [][]uint8
	k := make([]int, m)
	for {
		v := make([]uint8, m*n)
		for j := range m {
			for r := k[j]; r < n; r++ {
				v[j*n+r] = 1
			}
		}
		all = append(all, v)
		j := 0
		for ; j < m; j++ {
			k[j]++
			if k[j] <= n {
				break
			}
			k[j] = 0
		}
		if j == m {
			return all
		}
	}
}

// pruneOuts is prune on m sorted columns of n samples, keeping what the
// wires outs depend on.
func pruneOuts(m, n int, ops []netOp, outs []int) []netOp {
	keep := make([]bool, len(ops))
	for _, v := range columnInputs(m, n) {
		for i, op := range ops {
			if v[op.A] > v[op.B] {
				keep[i] = true
				v[op.A], v[op.B] = v[op.B], v[op.A]
			}
		}
	}
	need := map[int]bool{}
	for _, w := range outs {
		need[w] = true
	}
	var rev []netOp
	for i := len(ops) - 1; i >= 0; i-- {
		op := ops[i]
		if !keep[i] {
			continue
		}
		na, nb := need[op.A], need[op.B]
		switch {
		case na && nb:
			rev = append(rev, op)
		case na:
			rev = append(rev, netOp{opMin, op.A, op.B})
		case nb:
			rev = append(rev, netOp{opMax, op.A, op.B})
		default:
			continue
		}
		need[op.A], need[op.B] = true, true
	}
	slices.Reverse(rev)
	return rev
}

// check runs p on every 0-1 input of sorted shared columns and reports
// one where the candidates are not the ranks pairRanks names.
func (p pairNet) check() error {
	n, m := p.n, p.n-1
	lo, _ := pairRanks(n)
	for _, v := range columnInputs(m, n) {
		zeros := 0
		for _, b := range v {
			zeros += int(1 - b)
		}
		w := slices.Clone(v)
		network{n: n, ops: p.ops}.apply(w)
		for t, o := range p.outs {
			want := uint8(0)
			if lo+t >= zeros {
				want = 1
			}
			if w[o] != want {
				return fmt.Errorf("pair network for %d×%d: input %v gives rank %d = %d, want %d", n, n, v, lo+t, w[o], want)
			}
		}
	}
	return nil
}

// checkPair checks the whole pair computation on every 0-1 input of n+1
// sorted columns: both medians, from the candidates of the shared columns
// and the column of each window's own.
func (p pairNet) checkPair() error {
	n := p.n
	for _, v := range columnInputs(n+1, n) {
		w := slices.Clone(v[n : n*n])
		network{n: n, ops: p.ops}.apply(w)
		for side, own := range [][]uint8{v[:n], v[n*n:]} {
			win := v[:n*n]
			if side == 1 {
				win = v[n:]
			}
			ones := 0
			for _, b := range win {
				ones += int(b)
			}
			want := uint8(0)
			if ones > n*n/2 {
				want = 1
			}
			got := w[p.outs[n]]
			for i := 1; i <= n; i++ {
				got = min(got, max(w[p.outs[i-1]], own[n-i]))
			}
			if got != want {
				return fmt.Errorf("pair median %d×%d: input %v side %d gives %d, want %d", n, n, v, side, got, want)
			}
		}
	}
	return nil
}

// pairNetwork returns the cheapest pruned merge network for the candidates
// of the n-1 shared columns of n samples, checked on every 0-1 input.
func pairNetwork(n int) pairNet {
	lo, hi := pairRanks(n)
	var best pairNet
	cost := func(ops []netOp) int { return network{ops: ops}.cost() }
	for _, t := range trees(0, n-1) {
		var ops []netOp
		sorted := t.build(&ops, n)
		outs := sorted[lo : hi+1]
		p := pairNet{n: n, ops: pruneOuts(n-1, n, ops, outs), outs: outs}
		if p.check() != nil {
			continue
		}
		if best.ops == nil || cost(p.ops) < cost(best.ops) {
			best = p
		}
	}
	if best.ops == nil {
		panic(fmt.Sprintf("no pair network for %d×%d", n, n))
	}
	if err := best.checkPair(); err != nil {
		panic(err)
	}
	return best
}

// medianPairKernel writes the AVX2 kernel for the n×n median on c-channel
// rows of 16-bit words laid out in halves, the words of the even padded
// pixels, then those of the odd ones: a block reads 16 words of each half
// of the n sorted-column planes and writes the 32 medians of 16/c pairs of
// output pixels, in pixel order.
func medianPairKernel(n, c int, p pairNet) {
	name := fmt.Sprintf("medianPair%dx%dc%dAVX2", n, n, c)
	TEXT(name, NOSPLIT, "func(d []byte, p []*byte, half int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is medianPairsGo on the first len(d) &^ 63 bytes of", name),
		fmt.Sprintf("%d-channel rows: p[r] points at word 0 of sorted-column plane r,", c),
		fmt.Sprintf("0 ≤ r < %d, whose odd pixels start half bytes after.", n),
	)
	dp := Load(Param("d").Base(), GP64())
	cnt := Load(Param("d").Len(), GP64())
	pp := Load(Param("p").Base(), GP64())
	hf := Load(Param("half"), GP64())
	ev, od := make([]GPVirtual, n), make([]GPVirtual, n)
	for r := range n {
		ev[r], od[r] = GP64(), GP64()
		MOVQ(Mem{Base: pp, Disp: 8 * r}, ev[r])
		LEAQ(Mem{Base: ev[r], Index: hf, Scale: 1}, od[r])
	}
	SHRQ(U8(6), cnt)
	i := GP64()
	XORQ(i, i)
	// col is rank r of column j of the pair's n+1: padded pixel 2k+j.
	col := func(j, r int) Mem {
		base := ev[r]
		if j%2 == 1 {
			base = od[r]
		}
		return Mem{Base: base, Index: i, Scale: 1, Disp: 2 * c * (j / 2)}
	}
	l := func(s string) string { return name + s }

	Label(l("block"))
	TESTQ(cnt, cnt)
	JZ(LabelRef(l("done")))
	a := newVecAlloc(p.ops, (n-1)*n, func(w int) Mem { return col(w/n+1, w%n) }, p.outs)
	a.vmin, a.vmax = VPMINUW, VPMAXUW
	a.emit()
	var free []VecPhysical
	for r, w := range a.holder {
		if w < 0 {
			free = append(free, ymm(r))
		}
	}
	take := func() VecPhysical {
		v := free[0]
		free = free[1:]
		return v
	}
	// The candidates, smallest first, in registers.
	cand := make([]VecPhysical, n+1)
	for t, w := range p.outs {
		switch v := a.operand(w).(type) {
		case VecPhysical:
			cand[t] = v
		default:
			cand[t] = take()
			VMOVDQU(v, cand[t])
		}
	}
	var med [2]VecPhysical
	for side, j := range []int{0, n} {
		acc, tmp := take(), take()
		VPMAXUW(col(j, n-1), cand[0], acc)
		for t := 2; t <= n; t++ {
			VPMAXUW(col(j, n-t), cand[t-1], tmp)
			VPMINUW(tmp, acc, acc)
		}
		VPMINUW(cand[n], acc, acc)
		med[side] = acc
		free = append(free, tmp)
	}
	lo, hi := take(), take()
	if c == 4 {
		VPUNPCKLQDQ(med[1], med[0], lo)
		VPUNPCKHQDQ(med[1], med[0], hi)
	} else {
		VPUNPCKLDQ(med[1], med[0], lo)
		VPUNPCKHDQ(med[1], med[0], hi)
	}
	VPERM2I128(U8(0x20), hi, lo, med[0])
	VPERM2I128(U8(0x31), hi, lo, med[1])
	VMOVDQU(med[0], Mem{Base: dp, Index: i, Scale: 2})
	VMOVDQU(med[1], Mem{Base: dp, Index: i, Scale: 2, Disp: 32})
	if a.nslots > 0 {
		AllocLocal(a.frame())
	}
	ADDQ(U8(32), i)
	DECQ(cnt)
	JMP(LabelRef(l("block")))

	Label(l("done"))
	VZEROUPPER()
	RET()
}

// goPairs writes the pure-Go pair kernels, one per window size, each a
// straight-line copy of its network on four 16-bit words a uint64.
func goPairs(b *bytes.Buffer, nets map[int]pairNet) {
	for _, n := range []int{3, 5} {
		goPair(b, nets[n])
	}
}

// goPair writes medianPair<n>Words16.
func goPair(b *bytes.Buffer, p pairNet) {
	n := p.n
	params := make([]string, n)
	for r := range params {
		params[r] = fmt.Sprintf("p%d", r)
	}
	fmt.Fprintf(b, "\n// medianPair%dWords16 is medianPairsGo's network for %d×%d windows: for the\n", n, n, n)
	fmt.Fprintf(b, "// first len(d) &^ 15 bytes, which it returns, the medians of pixels 2k and\n")
	fmt.Fprintf(b, "// 2k+1 of c channels (2 or 4) of 16-bit words, in pixel order, from the\n")
	fmt.Fprintf(b, "// planes p<r> in halves, the odd pixels half bytes after the even: %d min\n", network{ops: p.ops}.cost()+4*n)
	fmt.Fprintf(b, "// and max operations a pair on four words at a time, held in a word.\n")
	fmt.Fprintf(b, "func medianPair%dWords16(d []byte, %s []byte, half, c int) int {\n", n, strings.Join(params, ", "))
	b.WriteString("\tle := binary.LittleEndian\n\tpw := 2 * c\n\tj := 0\n")
	b.WriteString("\tfor ; j+16 <= len(d); j += 16 {\n\t\ti := j / 2\n")
	// col is the index expression of rank r of column k of the pair.
	col := func(k, r int) string {
		idx := "i"
		if k%2 == 1 {
			idx = "half+i"
		}
		if k/2 > 0 {
			idx += fmt.Sprintf("+%d*pw", k/2)
		}
		return fmt.Sprintf("le.Uint64(p%d[%s:])", r, idx)
	}
	used := make([]bool, (n-1)*n)
	for _, op := range p.ops {
		used[op.A], used[op.B] = true, true
	}
	for _, w := range p.outs {
		used[w] = true
	}
	for w, u := range used {
		if u {
			fmt.Fprintf(b, "\t\tw%d := %s\n", w, col(w/n+1, w%n))
		}
	}
	for _, op := range p.ops {
		x, y := op.A, op.B
		switch op.Kind {
		case opCE:
			fmt.Fprintf(b, "\t\tw%d, w%d = minMax16(w%d, w%d)\n", x, y, x, y)
		case opMin:
			fmt.Fprintf(b, "\t\tw%d = min16(w%d, w%d)\n", x, x, y)
		case opMax:
			fmt.Fprintf(b, "\t\tw%d = max16(w%d, w%d)\n", y, x, y)
		}
	}
	for side, k := range []int{0, n} {
		v := []string{"e", "o"}[side]
		fmt.Fprintf(b, "\t\t%s := min16(w%d, max16(w%d, %s))\n", v, p.outs[n], p.outs[0], col(k, n-1))
		for t := 2; t <= n; t++ {
			fmt.Fprintf(b, "\t\t%s = min16(%s, max16(w%d, %s))\n", v, v, p.outs[t-1], col(k, n-t))
		}
	}
	b.WriteString("\t\tif c == 4 {\n\t\t\tle.PutUint64(d[j:], e)\n\t\t\tle.PutUint64(d[j+8:], o)\n")
	b.WriteString("\t\t} else {\n\t\t\tle.PutUint64(d[j:], e&0xffffffff|o<<32)\n\t\t\tle.PutUint64(d[j+8:], e>>32|o&^0xffffffff)\n\t\t}\n")
	b.WriteString("\t}\n\treturn j\n}\n")
}

package main

import (
	"fmt"
	"slices"
)

// The median of an n×n window whose n columns are already sorted is found
// by a selection network: a comparator network that merges the sorted
// columns, pruned to what its middle output depends on. The network is
// built and checked here, once, and written out twice — as AVX2 code and as
// pure Go — so both kernels compute the same function of the same inputs.
//
// Wires are numbered j·n + r for column j (left to right) and rank r
// (smallest first) within the sorted column.

// opKind is what a step of a network stores.
type opKind uint8

const (
	opCE  opKind = iota // a, b = min(a, b), max(a, b)
	opMin               // a = min(a, b)
	opMax               // b = max(a, b)
)

// netOp is one step of a network on wires A and B.
type netOp struct {
	Kind opKind
	A, B int
}

// network is a pruned selection network for the median of n sorted
// columns of n samples.
type network struct {
	n   int
	ops []netOp
	out int // the wire that ends up holding the median
}

// cost counts the min and max operations of net.
func (net network) cost() int {
	c := 0
	for _, op := range net.ops {
		if op.Kind == opCE {
			c += 2
		} else {
			c++
		}
	}
	return c
}

// oddEvenMerge appends to ops Batcher's odd-even merge of the sorted wire
// lists a and b, of any lengths, and returns the wires in sorted order.
func oddEvenMerge(ops *[]netOp, a, b []int) []int {
	switch {
	case len(a) == 0:
		return b
	case len(b) == 0:
		return a
	case len(a) == 1 && len(b) == 1:
		*ops = append(*ops, netOp{opCE, a[0], b[0]})
		return []int{a[0], b[0]}
	}
	every := func(s []int, from int) []int {
		var o []int
		for i := from; i < len(s); i += 2 {
			o = append(o, s[i])
		}
		return o
	}
	v := oddEvenMerge(ops, every(a, 0), every(b, 0))
	w := oddEvenMerge(ops, every(a, 1), every(b, 1))
	out := make([]int, 0, len(v)+len(w))
	out = append(out, v[0])
	for i := range w {
		if i+1 < len(v) {
			*ops = append(*ops, netOp{opCE, w[i], v[i+1]})
			out = append(out, w[i], v[i+1])
		} else {
			out = append(out, w[i])
		}
	}
	for i := len(w) + 1; i < len(v); i++ {
		out = append(out, v[i])
	}
	return out
}

// mergeTree describes the order in which sorted lists are merged: a leaf
// is a column, an inner node merges its two subtrees.
type mergeTree struct {
	col         int // the column of a leaf, or -1
	left, right *mergeTree
}

// build appends the merges of t and returns its sorted wires.
func (t *mergeTree) build(ops *[]netOp, n int) []int {
	if t.col >= 0 {
		w := make([]int, n)
		for r := range w {
			w[r] = t.col*n + r
		}
		return w
	}
	return oddEvenMerge(ops, t.left.build(ops, n), t.right.build(ops, n))
}

// trees returns every binary merge tree over the columns lo…hi-1, keeping
// their left-to-right order.
func trees(lo, hi int) []*mergeTree {
	if hi-lo == 1 {
		return []*mergeTree{{col: lo}}
	}
	var out []*mergeTree
	for m := lo + 1; m < hi; m++ {
		for _, l := range trees(lo, m) {
			for _, r := range trees(m, hi) {
				out = append(out, &mergeTree{col: -1, left: l, right: r})
			}
		}
	}
	return out
}

// sortedInputs returns every 0-1 input with sorted columns: column j holds
// zeros above ones, with k[j] zeros. By the 0-1 principle, a min/max
// network that selects the median of all of them selects the median of
// any input whose columns are sorted.
func sortedInputs(n int) [][]uint8 {
	var all [][]uint8
	k := make([]int, n)
	for {
		v := make([]uint8, n*n)
		for j := range n {
			for r := k[j]; r < n; r++ {
				v[j*n+r] = 1
			}
		}
		all = append(all, v)
		j := 0
		for ; j < n; j++ {
			k[j]++
			if k[j] <= n {
				break
			}
			k[j] = 0
		}
		if j == n {
			return all
		}
	}
}

// prune drops the comparators of ops that never swap on sorted columns,
// then those the output wire out does not depend on, and turns those whose
// other output is unused into a single min or max.
func prune(n int, ops []netOp, out int) []netOp {
	inputs := sortedInputs(n)
	keep := make([]bool, len(ops))
	for _, v := range inputs {
		for i, op := range ops {
			if v[op.A] > v[op.B] {
				keep[i] = true
				v[op.A], v[op.B] = v[op.B], v[op.A]
			}
		}
	}
	var live []netOp
	for i, op := range ops {
		if keep[i] {
			live = append(live, op)
		}
	}
	need := map[int]bool{out: true}
	var rev []netOp
	for i := len(live) - 1; i >= 0; i-- {
		op := live[i]
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

// medianNetwork returns the cheapest of several pruned merge networks for
// the median of n sorted columns of n samples, checked on every 0-1 input.
// The candidates merge the columns in every order; or they first sort each
// rank across the columns, which leaves the wires that are certainly below
// or certainly above the median out of the final merge.
func medianNetwork(n int) network {
	var best network
	try := func(ops []netOp, out int) {
		net := network{n: n, ops: prune(n, ops, out), out: out}
		if net.check() != nil {
			return
		}
		if best.ops == nil || net.cost() < best.cost() {
			best = net
		}
	}
	for _, t := range trees(0, n) {
		var ops []netOp
		sorted := t.build(&ops, n)
		try(ops, sorted[n*n/2])
	}
	rows := rowSorts(n)
	below, above := bounds(n, rows)
	var lists [][]int
	nb := 0
	for r := range n {
		var l []int
		for j := range n {
			w := j*n + r
			switch {
			case below[w]:
				nb++
			case !above[w]:
				l = append(l, w)
			}
		}
		if len(l) > 0 {
			lists = append(lists, l)
		}
	}
	for _, t := range trees(0, len(lists)) {
		ops := append([]netOp(nil), rows...)
		sorted := t.merge(&ops, lists)
		if k := n*n/2 - nb; k >= 0 && k < len(sorted) {
			try(ops, sorted[k])
		}
	}
	if best.ops == nil {
		panic(fmt.Sprintf("no median network for %d×%d", n, n))
	}
	if err := best.check(); err != nil {
		panic(err)
	}
	return best
}

// merge appends the merges of t over the sorted wire lists and returns the
// sorted wires; a leaf's col indexes lists.
func (t *mergeTree) merge(ops *[]netOp, lists [][]int) []int {
	if t.col >= 0 {
		return lists[t.col]
	}
	return oddEvenMerge(ops, t.left.merge(ops, lists), t.right.merge(ops, lists))
}

// bounds runs ops on every 0-1 input with sorted columns and reports the
// wires that never exceed the median and those never below it.
func bounds(n int, ops []netOp) (below, above []bool) {
	below, above = make([]bool, n*n), make([]bool, n*n)
	for w := range below {
		below[w], above[w] = true, true
	}
	for _, v := range sortedInputs(n) {
		ones := 0
		for _, b := range v {
			ones += int(b)
		}
		med := uint8(0)
		if ones > n*n/2 {
			med = 1
		}
		network{n: n, ops: ops}.apply(v)
		for w, b := range v {
			if b > med {
				below[w] = false
			}
			if b < med {
				above[w] = false
			}
		}
	}
	return below, above
}

// check runs net on every 0-1 input with sorted columns and reports one
// whose output is not the median.
func (net network) check() error {
	n := net.n
	for _, v := range sortedInputs(n) {
		ones := 0
		for _, b := range v {
			ones += int(b)
		}
		want := uint8(0)
		if ones > n*n/2 {
			want = 1
		}
		w := slices.Clone(v)
		net.apply(w)
		if w[net.out] != want {
			return fmt.Errorf("median network for %d×%d: input %v gives %d, want %d", n, n, v, w[net.out], want)
		}
	}
	return nil
}

// apply runs net on the wires v.
func (net network) apply(v []uint8) {
	for _, op := range net.ops {
		a, b := v[op.A], v[op.B]
		switch op.Kind {
		case opCE:
			v[op.A], v[op.B] = min(a, b), max(a, b)
		case opMin:
			v[op.A] = min(a, b)
		case opMax:
			v[op.B] = max(a, b)
		}
	}
}

// rowSorts returns the comparators that sort each rank across the columns:
// after them, both rows and columns are sorted, which leaves far fewer
// candidates for the median.
func rowSorts(n int) []netOp {
	var ops []netOp
	for r := range n {
		for _, op := range sortNetwork(n) {
			ops = append(ops, netOp{opCE, op.A*n + r, op.B*n + r})
		}
	}
	return ops
}

// sortNetwork returns a sorting network for n wires (n = 3 or 5), smallest
// first: the optimal ones of 3 and 9 comparators.
func sortNetwork(n int) []netOp {
	var pairs [][2]int
	switch n {
	case 3:
		pairs = [][2]int{{0, 1}, {1, 2}, {0, 1}}
	case 5:
		pairs = [][2]int{{0, 1}, {3, 4}, {2, 4}, {2, 3}, {0, 3}, {0, 2}, {1, 4}, {1, 3}, {1, 2}}
	default:
		panic("no sorting network for this size")
	}
	ops := make([]netOp, len(pairs))
	for i, p := range pairs {
		ops[i] = netOp{opCE, p[0], p[1]}
	}
	return ops
}

//go:build amd64 && !purego

package filter

import "golang.org/x/sys/cpu"

// asmAvailable reports whether this build has vector kernels.
const asmAvailable = true

// useAsm selects the AVX2 kernels; it is set once, from the CPU, before
// any plan runs. Tests clear it to run the pure-Go kernels.
var useAsm = cpu.X86.HasAVX2

// vert runs the vertical pass of f on rows into d.
func (f *blur8) vert(d []int16, rows [][]byte) {
	n := 0
	if useAsm && len(d) >= 16 {
		n = len(d) &^ 15
		var p [4*(maxFixedRadius/2+1) + 1]*byte
		vert8AVX2(d[:n], p[:f.rowPointers(&p, rows)], f.vt)
	}
	if n < len(d) {
		var tail [2*maxFixedRadius + 1][]byte
		for k, row := range rows {
			tail[k] = row[n:]
		}
		vert8Go(d[n:], tail[:len(rows)], f.w)
	}
}

// rowPointers sets p to the first samples of rows in the order vert8AVX2
// takes them, and returns how many it set: the centre, then each pair of
// mirrored rows at k and k+1 for odd k, with the centre standing in past
// the radius.
func (f *blur8) rowPointers(p *[4*(maxFixedRadius/2+1) + 1]*byte, rows [][]byte) int {
	r := f.r
	row := func(k int) *byte { return &rows[k][0] }
	p[0] = row(r)
	n := 1
	for k := 1; k <= r; k += 2 {
		if k+1 > r {
			p[n], p[n+1], p[n+2], p[n+3] = row(r-k), row(r+k), row(r), row(r)
		} else {
			p[n], p[n+1], p[n+2], p[n+3] = row(r-k), row(r+k), row(r-k-1), row(r+k+1)
		}
		n += 4
	}
	return n
}

// horiz runs the horizontal pass of f on m into d.
func (f *blur8) horiz(d []byte, m []int16) {
	n := 0
	if useAsm && len(d) >= 16 {
		n = len(d) &^ 15
		horiz8AVX2(d[:n], m, f.c, f.ht)
	}
	if n < len(d) {
		horiz8Go(d[n:], m[n:], f.c, f.w)
	}
}

// sharpenRow stores the samples x of a row sharpened into d; m holds the
// row's vertical pass.
func (f *blur8) sharpenRow(d, x []byte, m []int16) {
	n := 0
	if useAsm && len(d) >= 16 {
		n = len(d) &^ 15
		sharpen8AVX2(d[:n], x, m, f.c, f.ht, f.amount)
	}
	if n < len(d) {
		sharpen8Go(d[n:], x[n:], m[n:], f.c, f.w, f.amount)
	}
}

// sharpenRowW is sharpenRow on samples x with resize8Frac fraction bits.
func (f *blur8) sharpenRowW(d []byte, x, m []int16) {
	n := 0
	if useAsm && len(d) >= 16 {
		n = len(d) &^ 15
		sharpen8wAVX2(d[:n], x, m, f.c, f.ht, f.amount)
	}
	if n < len(d) {
		sharpen8wGo(d[n:], x[n:], m[n:], f.c, f.w, f.amount)
	}
}

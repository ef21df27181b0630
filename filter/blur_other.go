//go:build !amd64 || purego

package filter

// asmAvailable reports whether this build has vector kernels; it has none.
const asmAvailable = false

// useAsm is false: the pure-Go kernels always run.
var useAsm = false

// vert, horiz and sharpenRow run the passes of f with the pure-Go kernels;
// blur_amd64.go documents them.
func (f *blur8) vert(d []int16, rows [][]byte)     { vert8Go(d, rows, f.w) }
func (f *blur8) horiz(d []byte, m []int16)         { horiz8Go(d, m, f.c, f.w) }
func (f *blur8) sharpenRow(d, x []byte, m []int16) { sharpen8Go(d, x, m, f.c, f.w, f.amount) }

// sharpenRowW is sharpenRow on samples x with resize8Frac fraction bits.
func (f *blur8) sharpenRowW(d []byte, x, m []int16) { sharpen8wGo(d, x, m, f.c, f.w, f.amount) }

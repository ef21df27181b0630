//go:build amd64 && !purego

package jpegio

import "golang.org/x/sys/cpu"

// decAVX2 selects the decoder's AVX2 kernels (dec_amd64.s); it is set
// once, from the CPU. Tests clear it to run the pure-Go kernels, which
// give the same bytes.
var decAVX2 = cpu.X86.HasAVX2

// idctRow runs idct on each block of coef, block k written at dst[8k:],
// stride bytes a row.
func idctRow(coef []int16, q *[64]uint16, dst []byte, stride int) {
	n := len(coef) / 64
	if n == 0 {
		return
	}
	if decAVX2 {
		if len(dst) < 7*stride+8*n {
			panic("jpegio: idctRow: dst too short")
		}
		idctRowAVX2(coef[:64*n], q, &dst[0], stride)
		return
	}
	idctRowGo(coef, q, dst, stride)
}

// yccRow converts a row of full-width Y, Cb and Cr samples to RGB8.
func yccRow(out, ys, cbs, crs []byte) {
	n := 0
	if decAVX2 && len(ys) >= 16 {
		n = len(ys) &^ 15
		_, _, _ = out[3*n-1], cbs[n-1], crs[n-1]
		yccRowAVX2(&out[0], &ys[0], &cbs[0], &crs[0], n)
	}
	if n < len(ys) {
		yccRowGo(out[3*n:], ys[n:], cbs[n:], crs[n:])
	}
}

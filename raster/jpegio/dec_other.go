//go:build !amd64 || purego

package jpegio

// decAVX2 is false: this build has no vector kernels.
var decAVX2 = false

// idctRow runs idct on each block of coef, block k written at dst[8k:],
// stride bytes a row.
func idctRow(coef []int16, q *[64]uint16, dst []byte, stride int) {
	idctRowGo(coef, q, dst, stride)
}

// yccRow converts a row of full-width Y, Cb and Cr samples to RGB8.
func yccRow(out, ys, cbs, crs []byte) { yccRowGo(out, ys, cbs, crs) }

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

// h2v1Fancy doubles a row across with the triangle filter, as libjpeg's
// h2v1_fancy_upsample; len(in) > 2.
func h2v1Fancy(out, in []byte) { h2v1FancyGo(out, in, 1) }

// h2v2Fancy doubles a row across and down with the triangle filter, as
// libjpeg's h2v2_fancy_upsample: cur is the nearest input row, near the
// next nearest; len(cur) > 2.
func h2v2Fancy(out, cur, near []byte) { h2v2FancyGo(out, cur, near, 1) }

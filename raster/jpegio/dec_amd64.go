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

// h2v1Fancy doubles a row across with the triangle filter, as libjpeg's
// h2v1_fancy_upsample; len(in) > 2.
func h2v1Fancy(out, in []byte) {
	x0 := 1
	if n := len(in); decAVX2 && n >= 18 {
		k := (n - 2) / 16
		_ = out[2*n-1]
		h2v1FancyAVX2(&out[0], &in[0], k)
		x0 += 16 * k
	}
	h2v1FancyGo(out, in, x0)
}

// h2v2Fancy doubles a row across and down with the triangle filter, as
// libjpeg's h2v2_fancy_upsample: cur is the nearest input row, near the
// next nearest; len(cur) > 2.
func h2v2Fancy(out, cur, near []byte) {
	x0 := 1
	if n := len(cur); decAVX2 && n >= 18 {
		k := (n - 2) / 16
		_, _ = out[2*n-1], near[n-1]
		h2v2FancyAVX2(&out[0], &cur[0], &near[0], k)
		x0 += 16 * k
	}
	h2v2FancyGo(out, cur, near, x0)
}

//go:build amd64 && !purego

package jpegio

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2 encoding kernels (enc_amd64.s, written by
// internal/asmgen); it is set once, from the CPU. Tests clear it to run
// the pure-Go kernels, which give the same bytes.
var useAsm = cpu.X86.HasAVX2

// fdctQuant is fdctQuantGo: the forward DCT and quantisation of the 8×8
// samples at src, rows stride bytes apart, into blk, and the mask of the
// nonzero coefficients.
func fdctQuant(blk *[64]int16, src []byte, stride int, div *divisors) uint64 {
	if !useAsm {
		return fdctQuantGo(blk, src, stride, div)
	}
	_ = src[7*stride+7]
	return fdctQuantAVX2(blk, &src[0], stride, &div.w16)
}

// rgbToYCC is rgbToYCCGo: RGB8 pixels to Y, Cb and Cr rows.
func rgbToYCC(src, ys, cbs, crs []byte) {
	k := 0
	if useAsm && len(src) >= 52 {
		k = (len(src) - 4) / 48 * 16
		rgbToYCCAVX2(src, ys[:k], cbs[:k], crs[:k])
	}
	if 3*k < len(src) {
		rgbToYCCGo(src[3*k:], ys[k:], cbs[k:], crs[k:])
	}
}

// down2x1 is down2x1Go: pairs of samples of a averaged into out.
func down2x1(out, a []byte) {
	k := 0
	if useAsm {
		k = len(out) &^ 31
		down2x1AVX2(out[:k], a[:2*k])
	}
	if k < len(out) {
		down2x1Go(out[k:], a[2*k:])
	}
}

// down2x2 is down2x2Go: squares of samples of rows a and b averaged into
// out.
func down2x2(out, a, b []byte) {
	k := 0
	if useAsm {
		k = len(out) &^ 31
		down2x2AVX2(out[:k], a[:2*k], b[:2*k])
	}
	if k < len(out) {
		down2x2Go(out[k:], a[2*k:], b[2*k:])
	}
}

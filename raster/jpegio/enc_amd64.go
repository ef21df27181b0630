//go:build amd64 && !purego

package jpegio

import (
	"slices"

	"golang.org/x/sys/cpu"
)

// useAsm selects the AVX2 encoding kernels (enc_amd64.s, written by
// internal/asmgen); it is set once, from the CPU. Tests clear it to run
// the pure-Go kernels, which give the same bytes.
var useAsm = cpu.X86.HasAVX2

// hasBMI reports the bit manipulation instructions of huffBlockBMI2,
// which runs when useAsm is set too.
var hasBMI = cpu.X86.HasBMI1 && cpu.X86.HasBMI2

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

// block is bitWriter.blockGo: a block's Huffman codes into bw.
func (bw *bitWriter) block(dc, ac *huffCode, blk *[64]int16, mask uint64, diff int32) {
	if !useAsm || !hasBMI {
		bw.blockGo(dc, ac, blk, mask, diff)
		return
	}
	if cap(bw.buf)-len(bw.buf) < maxBlockBytes {
		bw.buf = slices.Grow(bw.buf, maxBlockBytes)
	}
	free := bw.buf[len(bw.buf):cap(bw.buf)]
	k, acc, n := huffBlockBMI2(&free[0], bw.acc, uint64(bw.n), blk, mask, diff, &dc.e, &ac.e)
	bw.buf = bw.buf[:len(bw.buf)+k]
	bw.acc, bw.n = acc, uint(n)
}

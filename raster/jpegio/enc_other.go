//go:build !amd64 || purego

package jpegio

// fdctQuant, rgbToYCC, down2x1, down2x2 and block run the pure-Go kernels;
// enc_amd64.go documents them.
func fdctQuant(blk *[64]int16, src []byte, stride int, div *divisors) uint64 {
	return fdctQuantGo(blk, src, stride, div)
}
func rgbToYCC(src, ys, cbs, crs []byte) { rgbToYCCGo(src, ys, cbs, crs) }
func down2x1(out, a []byte)             { down2x1Go(out, a) }
func down2x2(out, a, b []byte)          { down2x2Go(out, a, b) }

func (bw *bitWriter) block(dc, ac *huffCode, blk *[64]int16, mask uint64, diff int32) {
	bw.blockGo(dc, ac, blk, mask, diff)
}

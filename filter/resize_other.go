//go:build !amd64 || purego

package filter

// vres8, vres16 and hres8 run resize8's passes with the pure-Go kernels;
// resize_amd64.go documents them.
func vres8(d []int16, rows [][]byte, wt []uint32, shift uint)   { vres8Go(d, rows, wt, shift) }
func vres16(d []int16, rows [][]int16, wt []uint32, shift uint) { vres16Go(d, rows, wt, shift) }
func hres8(d []byte, m []int16, offs []int32, w []int16, taps, c int, shift uint, _ *[32]byte) {
	hres8Go(d, m, offs, w, taps, c, shift)
}

// hres8w is hres8 storing samples with fraction bits (hres8wGo).
func hres8w(d []int16, m []int16, offs []int32, w []int16, taps, c int, shift uint, _ *[32]byte) {
	hres8wGo(d, m, offs, w, taps, c, shift)
}

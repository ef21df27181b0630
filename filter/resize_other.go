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

// vresFixed16, vresBox, hresFixed and addRow16 run resizeFixed's steps with the
// pure-Go kernels; resize_amd64.go documents them.
func vresFixed16(d []int32, rows [][]byte, w []int32, shift uint) {
	vresFixedGo(d, rows, w, shift, 2)
}
func vresBox(d []int32, rows [][]int32, w []int32, shift uint) { vresBoxGo(d, rows, w, shift) }
func hresFixed(d []byte, m []int32, offs []int32, w []int32, taps, c int, shift uint, depth int) {
	hresFixedGo(d, m, offs, w, taps, c, shift, depth)
}
func addRow16(cols []int32, row []byte) { addRow16Go(cols, row) }

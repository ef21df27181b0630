//go:build !amd64 || purego

package filter

// vresPM, hresPM and unpremulResPM run resizePM's steps with the pure-Go
// kernels; resizepm_amd64.go documents them.
func vresPM(d []float32, rows [][]float32, w []float32) { vresPMGo(d, rows, w) }
func hresPM(d, m []float32, offs []int32, w []float32, taps, c int) {
	hresPMGo(d, m, offs, w, taps, c)
}
func unpremulResPM(d []byte, h []float32, c int, k1, k2, fullA float32) {
	unpremulResPMGo(d, h, c, k1, k2, fullA)
}

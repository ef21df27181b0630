//go:build !amd64 || purego

package filter

// premulPM, vertPM, horizPM and unpremulPM run blurPM8's steps with the
// pure-Go kernels; blurpm_amd64.go documents them.
func premulPM(d []float32, p []byte, c int)             { premulPMGo(d, p, c) }
func vertPM(d []float32, rows [][]float32, w []float32) { vertPMGo(d, rows, w) }
func horizPM(d, m []float32, c int, w []float32)        { horizPMGo(d, m, c, w) }
func unpremulPM(d []byte, h []float32, c int)           { unpremulPMGo(d, h, c) }

func unsharpPM(d []byte, x, h []float32, c int, amount float32) { unsharpPMGo(d, x, h, c, amount) }

//go:build !amd64 || purego

package filter

// convColSym and axpy3 run the pure-Go kernels; floatsep_amd64.go
// documents them.
func convColSym(d []float32, rows [][]float32, w []float32) { convColSymGo(d, rows, w) }
func axpy3(d, a, b, c []float32, ka, kb, kc float32)        { axpy3Go(d, a, b, c, ka, kb, kc) }

// hresLanczos runs the pure-Go kernel.
func hresLanczos(d, src []float32, idx []int32, w []float32, n []int32) {
	hresLanczosGo(d, src, idx, w, n)
}

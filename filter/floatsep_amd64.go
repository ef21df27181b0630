//go:build amd64 && !purego

package filter

// convColSym runs convColSymGo, eight samples at a time with AVX2 when the
// radius allows, the rest in Go; both give the same bits.
func convColSym(d []float32, rows [][]float32, w []float32) {
	if !useAsm || len(d) < 8 || len(w)-1 > maxSepTaps {
		convColSymGo(d, rows, w)
		return
	}
	n := len(d) &^ 7
	var p [2*maxSepTaps + 1]*float32
	for k, row := range rows {
		p[k] = &row[:n][0]
	}
	convColSymAVX2(d[:n], p[:len(rows)], w)
	if n < len(d) {
		var tail [2*maxSepTaps + 1][]float32
		for k, row := range rows {
			tail[k] = row[n:]
		}
		convColSymGo(d[n:], tail[:len(rows)], w)
	}
}

// axpy3 runs axpy3Go, eight samples at a time with AVX2, the rest in Go.
func axpy3(d, a, b, c []float32, ka, kb, kc float32) {
	n := 0
	if useAsm {
		n = len(d) &^ 7
		a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
		axpy3AVX2(d[:n], a[:n], b[:n], c[:n], ka, kb, kc)
	}
	if n < len(d) {
		axpy3Go(d[n:], a[n:], b[n:], c[n:], ka, kb, kc)
	}
}

// hresLanczos runs hresLanczosGo, with AVX2 gathers when it can.
func hresLanczos(d, src []float32, idx []int32, w []float32, n []int32) {
	if !useAsm {
		hresLanczosGo(d, src, idx, w, n)
		return
	}
	hresLanczosAVX2(d[:8*len(n)], src, idx[:8*len(n)], w, n)
}

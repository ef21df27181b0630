//go:build amd64 && !purego

package filter

// premulPM premultiplies the pixels of p into d (premulPMGo): the AVX2
// kernel on whole blocks of 8 samples, Go on the rest.
func premulPM(d []float32, p []byte, c int) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(p) &^ 7
		if c == 2 {
			premulPM2AVX2(d[:n], p[:n])
		} else {
			premulPM4AVX2(d[:n], p[:n])
		}
	}
	if n < len(p) {
		premulPMGo(d[n:], p[n:], c)
	}
}

// vertPM runs the vertical pass of blurPM8 on rows into d (vertPMGo).
func vertPM(d []float32, rows [][]float32, w []float32) {
	n := 0
	if useAsm && len(d) >= 8 {
		n = len(d) &^ 7
		r := len(w) - 1
		var p [2*maxFixedRadius + 1]*float32
		p[0] = &rows[r][0]
		for k := 1; k <= r; k++ {
			p[2*k-1], p[2*k] = &rows[r-k][0], &rows[r+k][0]
		}
		vertPMAVX2(d[:n], p[:2*r+1], w)
	}
	if n < len(d) {
		var tail [2*maxFixedRadius + 1][]float32
		for k, row := range rows {
			tail[k] = row[n:]
		}
		vertPMGo(d[n:], tail[:len(rows)], w)
	}
}

// horizPM runs the horizontal pass of blurPM8 on m into d (horizPMGo).
func horizPM(d, m []float32, c int, w []float32) {
	n := 0
	if useAsm && len(d) >= 8 {
		n = len(d) &^ 7
		horizPMAVX2(d[:n], m, c, w)
	}
	if n < len(d) {
		horizPMGo(d[n:], m[n:], c, w)
	}
}

// unpremulPM stores the straight pixels of the sums h into d
// (unpremulPMGo).
func unpremulPM(d []byte, h []float32, c int) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(h) &^ 7
		if c == 2 {
			unpremulPM2AVX2(d[:n], h[:n])
		} else {
			unpremulPM4AVX2(d[:n], h[:n])
		}
	}
	if n < len(h) {
		unpremulPMGo(d[n:], h[n:], c)
	}
}

// unsharpPM stores the sharpened straight pixels of the words x and their
// blur h into d (unsharpPMGo).
func unsharpPM(d []byte, x, h []float32, c int, amount float32) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(h) &^ 7
		if c == 2 {
			unsharpPM2AVX2(d[:n], x[:n], h[:n], amount)
		} else {
			unsharpPM4AVX2(d[:n], x[:n], h[:n], amount)
		}
	}
	if n < len(h) {
		unsharpPMGo(d[n:], x[n:], h[n:], c, amount)
	}
}

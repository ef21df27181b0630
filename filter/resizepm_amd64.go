//go:build amd64 && !purego

package filter

// vresPM runs the vertical pass of resizePM on rows into d (vresPMGo):
// the AVX2 kernel on whole blocks of 8 words, Go on the rest.
func vresPM(d []float32, rows [][]float32, w []float32) {
	n := 0
	if useAsm && len(d) >= 8 && len(rows) <= maxVecRows {
		n = len(d) &^ 7
		var p [maxVecRows]*float32
		for i, r := range rows {
			p[i] = &r[0]
		}
		vresPMAVX2(d[:n], p[:len(rows)], w)
	}
	if n < len(d) {
		var tail [maxVecRows][]float32
		t := tail[:0]
		for _, r := range rows {
			t = append(t, r[n:])
		}
		vresPMGo(d[n:], t, w)
	}
}

// hresPM runs the horizontal pass of resizePM (hresPMGo): the AVX2 kernel
// on 4 channels, Go on 2.
func hresPM(d, m []float32, offs []int32, w []float32, taps, c int) {
	if useAsm && c == 4 {
		hresPM4AVX2(d[:len(offs)*4], m, offs, w, taps)
		return
	}
	hresPMGo(d, m, offs, w, taps, c)
}

// unpremulResPM stores the straight pixels of resizePM's sums h into d
// (unpremulResPMGo): the AVX2 kernel on whole blocks of 8 sums, Go on the
// rest.
func unpremulResPM(d []byte, h []float32, c int, k1, k2, fullA float32) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(h) &^ 7
		if c == 2 {
			unpremulResPM2AVX2(d[:n], h[:n], k1, k2, fullA)
		} else {
			unpremulResPM4AVX2(d[:n], h[:n], k1, k2, fullA)
		}
	}
	if n < len(h) {
		unpremulResPMGo(d[n:], h[n:], c, k1, k2, fullA)
	}
}

//go:build amd64 && !purego

package filter

// packPMWords sets w to the premultiplied words of the 8-bit pixels px
// (packPMWordsGo): the AVX2 kernel on whole blocks of 16 bytes for 2 and
// 4 channels, Go on the rest.
func packPMWords(w, px []byte, c int) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(px) &^ 15
		if c == 2 {
			packPMWords2AVX2(w[:2*n], px[:n])
		} else {
			packPMWords4AVX2(w[:2*n], px[:n])
		}
	}
	if n < len(px) {
		packPMWordsGo(w[2*n:], px[n:], c)
	}
}

// unpremulWords stores the straight pixels of the median words res into d
// (unpremulWordsGo): the AVX2 kernel on whole blocks of 32 samples for 2
// and 4 channels, then the table, Go on the rest.
func unpremulWords(d, res []byte, c int, post []byte) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(res) / 2 &^ 31
		if c == 2 {
			unpremulWords2AVX2(d[:n], res[:2*n])
		} else {
			unpremulWords4AVX2(d[:n], res[:2*n])
		}
		if post != nil {
			postColour(d[:n], c, post)
		}
	}
	if 2*n < len(res) {
		unpremulWordsGo(d[n:], res[2*n:], c, post)
	}
}

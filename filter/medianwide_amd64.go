//go:build amd64 && !purego

package filter

// packPMSplit sets e and o to the premultiplied words of the even and odd
// 8-bit pixels px (packPMSplitGo): the AVX2 kernel on whole blocks of 16
// bytes for 2 and 4 channels, Go on the rest.
func packPMSplit(e, o, px []byte, c int) {
	n := 0
	if useAsm && (c == 2 || c == 4) {
		n = len(px) &^ 15
		packPMSplitAVX2(e[:n], o[:n], px[:n], c)
	}
	if n < len(px) {
		packPMSplitGo(e[n:], o[n:], px[n:], c)
	}
}

func packPMSplitAVX2(e, o, px []byte, c int) {
	if c == 2 {
		packPMSplit2AVX2(e, o, px)
	} else {
		packPMSplit4AVX2(e, o, px)
	}
}

// medianPairs sets d to the medians of c-channel 16-bit words whose
// sorted-column planes are laid out in halves (medianPairsGo): the AVX2
// kernel on whole blocks of 64 bytes of d, Go on the rest.
func medianPairs(d []byte, planes [][]byte, c, half int, tmp []byte) {
	done := 0
	if useAsm && (c == 2 || c == 4) && len(d) >= 64 {
		done = len(d) &^ 63
		var pp [5]*byte
		for k := range planes {
			pp[k] = &planes[k][0]
		}
		// A direct call each: through a function value, pp would escape.
		switch 10*len(planes) + c {
		case 32:
			medianPair3x3c2AVX2(d[:done], pp[:3], half)
		case 34:
			medianPair3x3c4AVX2(d[:done], pp[:3], half)
		case 52:
			medianPair5x5c2AVX2(d[:done], pp[:5], half)
		default:
			medianPair5x5c4AVX2(d[:done], pp[:5], half)
		}
	}
	if done < len(d) {
		medianPairsGo(d[done:], planes, c, half, done/2, tmp)
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

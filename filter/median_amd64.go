//go:build amd64 && !purego

package filter

// sortCols sets planes[k][i] to the k-th smallest of the rows' samples at
// i, for every i < len(planes[0]): whole blocks of 32 with AVX2 when
// useAsm is set, the rest in Go.
func sortCols(planes, rows [][]byte) {
	n := len(planes[0])
	done := 0
	if useAsm && n >= 32 {
		done = n &^ 31
		var pp, rp [5]*byte
		for k := range planes {
			pp[k], rp[k] = &planes[k][0], &rows[k][0]
		}
		if len(planes) == 3 {
			sortCols3AVX2(pp[:3], rp[:3], done)
		} else {
			sortCols5AVX2(pp[:5], rp[:5], done)
		}
	}
	if done < n {
		var pt, rt [5][]byte
		for k := range planes {
			pt[k], rt[k] = planes[k][done:], rows[k][done:n]
		}
		sortColsWGo(pt[:len(planes)], rt[:len(planes)], 8)
	}
}

// medianRow sets d[i] to the median of the window whose sorted columns are
// planes[·][i+j·c]: whole blocks of 32 with AVX2 when useAsm is set, the
// rest in Go.
func medianRow(d []byte, planes [][]byte, c int) {
	done := 0
	if useAsm && len(d) >= 32 {
		done = len(d) &^ 31
		var pp [5]*byte
		for k := range planes {
			pp[k] = &planes[k][0]
		}
		switch {
		case len(planes) == 3 && c == 1:
			median3x3c1AVX2(d[:done], pp[:3])
		case len(planes) == 3:
			median3x3c3AVX2(d[:done], pp[:3])
		case c == 1:
			median5x5c1AVX2(d[:done], pp[:5])
		default:
			median5x5c3AVX2(d[:done], pp[:5])
		}
	}
	if done < len(d) {
		var pt [5][]byte
		for k := range planes {
			pt[k] = planes[k][done:]
		}
		medianRowWGo(d[done:], pt[:len(planes)], c, 8)
	}
}

// sortColsW is sortCols on rows of bits-wide words (16 or 32): whole
// blocks of 32 bytes with AVX2 when useAsm is set, the rest in Go.
func sortColsW(planes, rows [][]byte, bits int) {
	n := len(planes[0])
	done := 0
	if useAsm && n >= 32 {
		done = n &^ 31
		var pp, rp [5]*byte
		for k := range planes {
			pp[k], rp[k] = &planes[k][0], &rows[k][0]
		}
		switch {
		case bits == 16 && len(planes) == 3:
			sortCols3W16AVX2(pp[:3], rp[:3], done)
		case bits == 16:
			sortCols5W16AVX2(pp[:5], rp[:5], done)
		case len(planes) == 3:
			sortCols3W32AVX2(pp[:3], rp[:3], done)
		default:
			sortCols5W32AVX2(pp[:5], rp[:5], done)
		}
	}
	if done < n {
		var pt, rt [5][]byte
		for k := range planes {
			pt[k], rt[k] = planes[k][done:], rows[k][done:n]
		}
		sortColsWGo(pt[:len(planes)], rt[:len(planes)], bits)
	}
}

// medianRowW is medianRow on bits-wide words (16 or 32) of c-channel
// pixels: whole blocks of 32 bytes with AVX2 when useAsm is set, the rest
// in Go. Gray+alpha and RGBA rows of 16-bit words, which medianPairs
// takes, run in Go.
func medianRowW(d []byte, planes [][]byte, c, bits int) {
	done := 0
	if useAsm && len(d) >= 32 && (bits == 32 || c%2 == 1) {
		done = len(d) &^ 31
		var pp [5]*byte
		for k := range planes {
			pp[k] = &planes[k][0]
		}
		// A direct call each: through a function value, pp would escape.
		switch 100*bits + 10*len(planes) + c {
		case 1631:
			median3x3c1W16AVX2(d[:done], pp[:3])
		case 1633:
			median3x3c3W16AVX2(d[:done], pp[:3])
		case 1651:
			median5x5c1W16AVX2(d[:done], pp[:5])
		case 1653:
			median5x5c3W16AVX2(d[:done], pp[:5])
		case 3232:
			median3x3c2W32AVX2(d[:done], pp[:3])
		case 3234:
			median3x3c4W32AVX2(d[:done], pp[:3])
		case 3252:
			median5x5c2W32AVX2(d[:done], pp[:5])
		default:
			median5x5c4W32AVX2(d[:done], pp[:5])
		}
	}
	if done < len(d) {
		var pt [5][]byte
		for k := range planes {
			pt[k] = planes[k][done:]
		}
		medianRowWGo(d[done:], pt[:len(planes)], c, bits)
	}
}

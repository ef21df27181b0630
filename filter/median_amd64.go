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
		sortColsGo(pt[:len(planes)], rt[:len(planes)])
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
		medianRowGo(d[done:], pt[:len(planes)], c)
	}
}

// sortCols16 is sortCols on rows of 16-bit words: whole blocks of 16
// words with AVX2 when useAsm is set, the rest in Go.
func sortCols16(planes, rows [][]byte) {
	n := len(planes[0])
	done := 0
	if useAsm && n >= 32 {
		done = n &^ 31
		var pp, rp [5]*byte
		for k := range planes {
			pp[k], rp[k] = &planes[k][0], &rows[k][0]
		}
		if len(planes) == 3 {
			sortCols3W16AVX2(pp[:3], rp[:3], done)
		} else {
			sortCols5W16AVX2(pp[:5], rp[:5], done)
		}
	}
	if done < n {
		var pt, rt [5][]byte
		for k := range planes {
			pt[k], rt[k] = planes[k][done:], rows[k][done:n]
		}
		sortCols16Go(pt[:len(planes)], rt[:len(planes)])
	}
}

// medianRow16 is medianRow on words of c-channel pixels: whole blocks of
// 16 words with AVX2 when useAsm is set, the rest in Go.
func medianRow16(d []byte, planes [][]byte, c int) {
	done := 0
	if useAsm && len(d) >= 32 {
		done = len(d) &^ 31
		var pp [5]*byte
		for k := range planes {
			pp[k] = &planes[k][0]
		}
		// A direct call each: through a function value, pp would escape.
		switch 10*len(planes) + c {
		case 31:
			median3x3c1W16AVX2(d[:done], pp[:3])
		case 32:
			median3x3c2W16AVX2(d[:done], pp[:3])
		case 33:
			median3x3c3W16AVX2(d[:done], pp[:3])
		case 34:
			median3x3c4W16AVX2(d[:done], pp[:3])
		case 51:
			median5x5c1W16AVX2(d[:done], pp[:5])
		case 52:
			median5x5c2W16AVX2(d[:done], pp[:5])
		case 53:
			median5x5c3W16AVX2(d[:done], pp[:5])
		default:
			median5x5c4W16AVX2(d[:done], pp[:5])
		}
	}
	if done < len(d) {
		var pt [5][]byte
		for k := range planes {
			pt[k] = planes[k][done:]
		}
		medianRow16Go(d[done:], pt[:len(planes)], c)
	}
}

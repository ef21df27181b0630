//go:build amd64 && !purego

package filter

// maxVecRows bounds the rows the vector vertical passes take at once; a
// resize by more than 1/4 reads at most 26, a box keeps the rest below.
const maxVecRows = 64

// vres8 runs the vertical pass of resize8 over rows of 8-bit samples: the
// AVX2 kernel on whole blocks of 16 samples, vres8Go on the rest.
func vres8(d []int16, rows [][]byte, wt []uint32, shift uint) {
	n := 0
	if useAsm && len(d) >= 16 && len(rows) <= maxVecRows {
		n = len(d) &^ 15
		var p [maxVecRows]*byte
		for i, r := range rows {
			p[i] = &r[0]
		}
		vres8AVX2(d[:n], p[:len(rows)], wt, uint64(shift))
	}
	if n < len(d) {
		var tail [maxVecRows][]byte
		t := tail[:0]
		for _, r := range rows {
			t = append(t, r[n:])
		}
		vres8Go(d[n:], t, wt, shift)
	}
}

// vres16 is vres8 over rows of 16-bit samples.
func vres16(d []int16, rows [][]int16, wt []uint32, shift uint) {
	n := 0
	if useAsm && len(d) >= 16 && len(rows) <= maxVecRows {
		n = len(d) &^ 15
		var p [maxVecRows]*int16
		for i, r := range rows {
			p[i] = &r[0]
		}
		vres16AVX2(d[:n], p[:len(rows)], wt, uint64(shift))
	}
	if n < len(d) {
		var tail [maxVecRows][]int16
		t := tail[:0]
		for _, r := range rows {
			t = append(t, r[n:])
		}
		vres16Go(d[n:], t, wt, shift)
	}
}

// hres8 runs the horizontal pass of resize8: the AVX2 kernel of c
// channels on every output pixel but the last (whose vector store would
// reach past d), hres8Go on the last. mask pairs the taps of a channel
// for 2 to 4 channels.
func hres8(d []byte, m []int16, offs []int32, w []int16, taps, c int, shift uint, mask *[32]byte) {
	n := 0
	if useAsm && len(offs) > 1 {
		n = len(offs) - 1
		switch c {
		case 1:
			hres8c1AVX2(d[:n], m, offs[:n], w, taps, uint64(shift))
		case 3:
			hres8c3AVX2(d[:n*3], m, offs[:n], w, taps, uint64(shift), mask)
		case 4:
			hres8c4AVX2(d[:n*4], m, offs[:n], w, taps, uint64(shift), mask)
		default:
			n = 0
		}
	}
	hres8Go(d[n*c:], m, offs[n:], w[n*taps:], taps, c, shift)
}

// hres8w is hres8 storing 16-bit samples with the fraction bits shift
// leaves, clamped to 0 … 255 (hres8wGo).
func hres8w(d []int16, m []int16, offs []int32, w []int16, taps, c int, shift uint, mask *[32]byte) {
	n := 0
	if useAsm && len(offs) > 1 {
		n = len(offs) - 1
		switch c {
		case 1:
			hres8wc1AVX2(d[:n], m, offs[:n], w, taps, uint64(shift))
		case 3:
			hres8wc3AVX2(d[:n*3], m, offs[:n], w, taps, uint64(shift), mask)
		case 4:
			hres8wc4AVX2(d[:n*4], m, offs[:n], w, taps, uint64(shift), mask)
		default:
			n = 0
		}
	}
	hres8wGo(d[n*c:], m, offs[n:], w[n*taps:], taps, c, shift)
}

// vresFixed16 runs the vertical pass of resizeFixed over rows of 16-bit
// samples (vresFixedGo): the AVX2 kernel on whole blocks of 16 samples,
// vresFixedGo on the rest.
func vresFixed16(d []int32, rows [][]byte, w []int32, shift uint) {
	n := 0
	if useAsm && len(d) >= 16 && len(rows) <= maxVecRows {
		n = len(d) &^ 15
		var p [maxVecRows]*byte
		for i, r := range rows {
			p[i] = &r[0]
		}
		vresU16AVX2(d[:n], p[:len(rows)], w, uint64(shift))
	}
	if n < len(d) {
		var tail [maxVecRows][]byte
		t := tail[:0]
		for _, r := range rows {
			t = append(t, r[2*n:])
		}
		vresFixedGo(d[n:], t, w, shift, 2)
	}
}

// hresFixed runs the horizontal pass of resizeFixed (hresFixedGo): on
// 16-bit samples of 1 or 3 channels, the AVX2 kernel on every output
// pixel but the last (whose vector store would reach past d), and
// hresFixedGo on the rest.
func hresFixed(d []byte, m []int32, offs []int32, w []int32, taps, c int, shift uint, depth int) {
	n := 0
	if useAsm && depth == 16 && len(offs) > 1 {
		n = len(offs) - 1
		switch c {
		case 1:
			hresU16c1AVX2(d[:2*n], m, offs[:n], w, taps, uint64(shift))
		case 3:
			hresU16c3AVX2(d[:6*n], m, offs[:n], w, taps, uint64(shift))
		default:
			n = 0
		}
	}
	hresFixedGo(d[n*c*depth/8:], m, offs[n:], w[n*taps:], taps, c, shift, depth)
}

// addRow16 adds each big-endian 16-bit sample of row to the sum of its
// column in cols (addRow16Go): the AVX2 kernel on whole blocks of 16.
func addRow16(cols []int32, row []byte) {
	n := 0
	if useAsm {
		n = len(cols) &^ 15
		addRowU16AVX2(cols[:n], row)
	}
	addRow16Go(cols[n:], row[2*n:])
}

// vresBox is vresFixed16 over rows of block averages (vresBoxGo).
func vresBox(d []int32, rows [][]int32, w []int32, shift uint) {
	n := 0
	if useAsm && len(d) >= 16 && len(rows) <= maxVecRows {
		n = len(d) &^ 15
		var p [maxVecRows]*int32
		for i, r := range rows {
			p[i] = &r[0]
		}
		vresBoxAVX2(d[:n], p[:len(rows)], w, uint64(shift))
	}
	if n < len(d) {
		var tail [maxVecRows][]int32
		t := tail[:0]
		for _, r := range rows {
			t = append(t, r[n:])
		}
		vresBoxGo(d[n:], t, w, shift)
	}
}

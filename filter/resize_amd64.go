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

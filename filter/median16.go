package filter

// The pure-Go word kernels hold four 16-bit words, or two 32-bit ones, in
// a uint64 and take their minimum and maximum lane by lane without
// branches, as the byte kernels of median8x.go do.

// ge16 and ge32 are ge8 on 16- and 32-bit lanes.
func ge16(a, b uint64) uint64 { return geLanes(a, b, top16, 16) }
func ge32(a, b uint64) uint64 { return geLanes(a, b, top32, 32) }

// min16, max16, min32 and max32 are the lane-wise minimum and maximum of
// a and b, as min8 and max8.
func min16(a, b uint64) uint64 {
	m := ge16(b, a)
	return a&m | b&^m
}

func max16(a, b uint64) uint64 {
	m := ge16(b, a)
	return b&m | a&^m
}

func min32(a, b uint64) uint64 {
	m := ge32(b, a)
	return a&m | b&^m
}

func max32(a, b uint64) uint64 {
	m := ge32(b, a)
	return b&m | a&^m
}

// minMax16 and minMax32 are minMax8 on 16- and 32-bit lanes.
func minMax16(a, b uint64) (uint64, uint64) { return minMaxLanes(a, b, top16, 16) }
func minMax32(a, b uint64) (uint64, uint64) { return minMaxLanes(a, b, top32, 32) }

// sortColsWGo sorts rows of bits-wide words (8, 16 or 32) into planes with
// the pure-Go kernels. The last few bytes go through the same kernel, from
// copies padded to a whole word.
func sortColsWGo(planes, rows [][]byte, bits int) {
	done := sortWords(planes, rows, uint(bits))
	n := len(planes[0])
	if done == n {
		return
	}
	var rt, pt [5][8]byte
	var rs, ps [5][]byte
	for k := range planes {
		copy(rt[k][:], rows[k][done:n])
		rs[k], ps[k] = rt[k][:], pt[k][:]
	}
	sortWords(ps[:len(planes)], rs[:len(planes)], uint(bits))
	for k := range planes {
		copy(planes[k][done:], pt[k][:n-done])
	}
}

// medianWordsW runs the generated network for the window size on
// bits-wide words (8, 16 or 32); c is the number of channels.
func medianWordsW(d []byte, planes [][]byte, c, bits int) int {
	b := bits / 8 * c // bytes a pixel
	switch {
	case bits == 8 && len(planes) == 3:
		return median3Words(d, planes[0], planes[1], planes[2], b)
	case bits == 8:
		return median5Words(d, planes[0], planes[1], planes[2], planes[3], planes[4], b)
	case bits == 32 && len(planes) == 3:
		return median3Words32(d, planes[0], planes[1], planes[2], b)
	case bits == 32:
		return median5Words32(d, planes[0], planes[1], planes[2], planes[3], planes[4], b)
	case len(planes) == 3:
		return median3Words16(d, planes[0], planes[1], planes[2], b)
	}
	return median5Words16(d, planes[0], planes[1], planes[2], planes[3], planes[4], b)
}

// medianRowWGo sets d[i] to the median of the window whose sorted columns
// are planes[·][i+j·p], p the bytes of a pixel of c channels of bits-wide
// words (8, 16 or 32), with the pure-Go networks. The last few bytes go
// through the same network, from copies of the planes padded to a whole
// word.
func medianRowWGo(d []byte, planes [][]byte, c, bits int) {
	done := medianWordsW(d, planes, c, bits)
	if done == len(d) {
		return
	}
	const most = 8 + 4*4*4 // a word, and four pixels of four 32-bit words
	var pt [5][most]byte
	var ps [5][]byte
	for k := range planes {
		copy(pt[k][:], planes[k][done:])
		ps[k] = pt[k][:]
	}
	var dt [8]byte
	medianWordsW(dt[:], ps[:len(planes)], c, bits)
	copy(d[done:], dt[:len(d)-done])
}

package filter

import "encoding/binary"

// The pure-Go word kernels hold four 16-bit words, or two 32-bit ones, in
// a uint64 and take their minimum and maximum lane by lane without
// branches, as the byte kernels of median8x.go do.

// ge16 returns a word with 0xffff in each 16-bit lane where the lane of a
// is at least that of b, and 0 elsewhere.
func ge16(a, b uint64) uint64 {
	const h = 0x8000800080008000
	d := (a | h) - (b &^ h)         // top bit: a's low fifteen bits ≥ b's
	ge := (a &^ b) | (^(a ^ b) & d) // top bit: a ≥ b
	return (ge & h) >> 15 * 0xffff
}

// min16 returns the lane-wise minimum of a and b.
func min16(a, b uint64) uint64 {
	m := ge16(b, a)
	return a&m | b&^m
}

// max16 returns the lane-wise maximum of a and b.
func max16(a, b uint64) uint64 {
	m := ge16(b, a)
	return b&m | a&^m
}

// minMax16 returns the lane-wise minimum and maximum of a and b.
func minMax16(a, b uint64) (uint64, uint64) {
	m := ge16(b, a)
	return a&m | b&^m, b&m | a&^m
}

// ge32, min32, max32 and minMax32 are ge16, min16, max16 and minMax16 on
// two 32-bit lanes.
func ge32(a, b uint64) uint64 {
	const h = 0x8000000080000000
	d := (a | h) - (b &^ h)
	ge := (a &^ b) | (^(a ^ b) & d)
	return (ge & h) >> 31 * 0xffffffff
}

func min32(a, b uint64) uint64 {
	m := ge32(b, a)
	return a&m | b&^m
}

func max32(a, b uint64) uint64 {
	m := ge32(b, a)
	return b&m | a&^m
}

func minMax32(a, b uint64) (uint64, uint64) {
	m := ge32(b, a)
	return a&m | b&^m, b&m | a&^m
}

// sortWords16 is sortWords on 16-bit words held little-endian: it sorts
// the first len(planes[0]) &^ 7 bytes, which it returns.
func sortWords16(planes, rows [][]byte) int {
	le := binary.LittleEndian
	n := len(planes[0]) &^ 7
	i := 0
	if len(planes) == 3 {
		r0, r1, r2 := rows[0][:n], rows[1][:n], rows[2][:n]
		p0, p1, p2 := planes[0][:n], planes[1][:n], planes[2][:n]
		for ; i < n; i += 8 {
			a, b, c := le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:])
			a, b = minMax16(a, b)
			b, c = minMax16(b, c)
			a, b = minMax16(a, b)
			le.PutUint64(p0[i:], a)
			le.PutUint64(p1[i:], b)
			le.PutUint64(p2[i:], c)
		}
		return n
	}
	r0, r1, r2, r3, r4 := rows[0][:n], rows[1][:n], rows[2][:n], rows[3][:n], rows[4][:n]
	p0, p1, p2, p3, p4 := planes[0][:n], planes[1][:n], planes[2][:n], planes[3][:n], planes[4][:n]
	for ; i < n; i += 8 {
		a, b, c := le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:])
		d, e := le.Uint64(r3[i:]), le.Uint64(r4[i:])
		a, b = minMax16(a, b)
		d, e = minMax16(d, e)
		c, e = minMax16(c, e)
		c, d = minMax16(c, d)
		a, d = minMax16(a, d)
		a, c = minMax16(a, c)
		b, e = minMax16(b, e)
		b, d = minMax16(b, d)
		b, c = minMax16(b, c)
		le.PutUint64(p0[i:], a)
		le.PutUint64(p1[i:], b)
		le.PutUint64(p2[i:], c)
		le.PutUint64(p3[i:], d)
		le.PutUint64(p4[i:], e)
	}
	return n
}

// sortWords32 is sortWords on 32-bit words held little-endian: it sorts
// the first len(planes[0]) &^ 7 bytes, which it returns.
func sortWords32(planes, rows [][]byte) int {
	le := binary.LittleEndian
	n := len(planes[0]) &^ 7
	i := 0
	if len(planes) == 3 {
		r0, r1, r2 := rows[0][:n], rows[1][:n], rows[2][:n]
		p0, p1, p2 := planes[0][:n], planes[1][:n], planes[2][:n]
		for ; i < n; i += 8 {
			a, b, c := le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:])
			a, b = minMax32(a, b)
			b, c = minMax32(b, c)
			a, b = minMax32(a, b)
			le.PutUint64(p0[i:], a)
			le.PutUint64(p1[i:], b)
			le.PutUint64(p2[i:], c)
		}
		return n
	}
	r0, r1, r2, r3, r4 := rows[0][:n], rows[1][:n], rows[2][:n], rows[3][:n], rows[4][:n]
	p0, p1, p2, p3, p4 := planes[0][:n], planes[1][:n], planes[2][:n], planes[3][:n], planes[4][:n]
	for ; i < n; i += 8 {
		a, b, c := le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:])
		d, e := le.Uint64(r3[i:]), le.Uint64(r4[i:])
		a, b = minMax32(a, b)
		d, e = minMax32(d, e)
		c, e = minMax32(c, e)
		c, d = minMax32(c, d)
		a, d = minMax32(a, d)
		a, c = minMax32(a, c)
		b, e = minMax32(b, e)
		b, d = minMax32(b, d)
		b, c = minMax32(b, c)
		le.PutUint64(p0[i:], a)
		le.PutUint64(p1[i:], b)
		le.PutUint64(p2[i:], c)
		le.PutUint64(p3[i:], d)
		le.PutUint64(p4[i:], e)
	}
	return n
}

// sortWordsW is sortWords16 or sortWords32, by the width of the words.
func sortWordsW(planes, rows [][]byte, bits int) int {
	if bits == 32 {
		return sortWords32(planes, rows)
	}
	return sortWords16(planes, rows)
}

// sortColsWGo sorts rows of bits-wide words into planes with the pure-Go
// kernels.
func sortColsWGo(planes, rows [][]byte, bits int) {
	done := sortWordsW(planes, rows, bits)
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
	sortWordsW(ps[:len(planes)], rs[:len(planes)], bits)
	for k := range planes {
		copy(planes[k][done:], pt[k][:n-done])
	}
}

// medianWordsW runs the generated network for the window size on
// bits-wide words; c is the number of channels.
func medianWordsW(d []byte, planes [][]byte, c, bits int) int {
	b := bits / 8 * c // bytes a pixel
	switch {
	case bits == 32 && len(planes) == 3:
		return median3Words32(d, planes[0], planes[1], planes[2], b)
	case bits == 32:
		return median5Words32(d, planes[0], planes[1], planes[2], planes[3], planes[4], b)
	case len(planes) == 3:
		return median3Words16(d, planes[0], planes[1], planes[2], b)
	}
	return median5Words16(d, planes[0], planes[1], planes[2], planes[3], planes[4], b)
}

// medianRowWGo is medianRowGo on bits-wide words: d holds len(d)·8/bits
// words, and the pixels have c channels.
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

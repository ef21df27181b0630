package filter

import "encoding/binary"

// The pure-Go word kernels hold four 16-bit words in a uint64 and take
// their minimum and maximum lane by lane without branches, as the byte
// kernels of median8x.go do.

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

// sortCols16Go sorts rows of words into planes with the pure-Go kernels.
func sortCols16Go(planes, rows [][]byte) {
	done := sortWords16(planes, rows)
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
	sortWords16(ps[:len(planes)], rs[:len(planes)])
	for k := range planes {
		copy(planes[k][done:], pt[k][:n-done])
	}
}

// medianWords16 runs the generated word network for the window size; c
// is the number of channels.
func medianWords16(d []byte, planes [][]byte, c int) int {
	if len(planes) == 3 {
		return median3Words16(d, planes[0], planes[1], planes[2], 2*c)
	}
	return median5Words16(d, planes[0], planes[1], planes[2], planes[3], planes[4], 2*c)
}

// medianRow16Go is medianRowGo on words: d holds len(d)/2 words, and the
// pixels have c channels.
func medianRow16Go(d []byte, planes [][]byte, c int) {
	done := medianWords16(d, planes, c)
	if done == len(d) {
		return
	}
	const most = 8 + 4*2*4
	var pt [5][most]byte
	var ps [5][]byte
	for k := range planes {
		copy(pt[k][:], planes[k][done:])
		ps[k] = pt[k][:]
	}
	var dt [8]byte
	medianWords16(dt[:], ps[:len(planes)], c)
	copy(d[done:], dt[:len(d)-done])
}

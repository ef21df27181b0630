package filter

// finish says how a pass turns its sums into the words it stores.
type finish uint8

const (
	finRaw finish = iota // store the sums as they are
	fin16                // one word: sum >> 16
)

// symPass sets d[i] to rnd plus the symmetric convolution at i of rows,
// whose middle row is the centre, with the integer half kernel w (w[0] the
// centre, w[k] weighing rows r-k and r+k), finished by fin. Mirrored rows
// are added before they are multiplied, and taps go three pairs at a time,
// so each d[i] is loaded and stored about r/3 times. For the horizontal
// pass, the rows are one row of words offset by multiples of the channel
// count.
func symPass(d []uint64, rows [][]uint64, w []uint64, rnd uint64, fin finish) {
	r := len(w) - 1
	n := len(d)
	c := rows[r][:n]
	// pair returns rows r-k and r+k and their weight; past the radius it
	// returns the centre with weight 0, so every group has three pairs.
	pair := func(k int) ([]uint64, []uint64, uint64) {
		if k > r {
			return c, c, 0
		}
		return rows[r-k][:n], rows[r+k][:n], w[k]
	}
	for k := 1; k == 1 || k <= r; k += 3 {
		l1, r1, w1 := pair(k)
		l2, r2, w2 := pair(k + 1)
		l3, r3, w3 := pair(k + 2)
		f := finRaw
		if k+3 > r {
			f = fin
		}
		if k == 1 {
			set3(d, c, l1, r1, l2, r2, l3, r3, w[0], w1, w2, w3, rnd)
		} else {
			add3(d, l1, r1, l2, r2, l3, r3, w1, w2, w3)
		}
		if f == fin16 {
			for i, s := range d {
				d[i] = s >> 16
			}
		}
	}
}

// set3 sets d to rnd plus the centre c weighted w0 plus three mirrored
// pairs.
func set3(d, c, l1, r1, l2, r2, l3, r3 []uint64, w0, w1, w2, w3, rnd uint64) {
	n := len(d)
	c, l1, r1, l2, r2, l3, r3 = c[:n], l1[:n], r1[:n], l2[:n], r2[:n], l3[:n], r3[:n]
	for i := range d {
		d[i] = rnd + w0*c[i] + w1*(l1[i]+r1[i]) + w2*(l2[i]+r2[i]) + w3*(l3[i]+r3[i])
	}
}

// add3 adds three mirrored pairs to d.
func add3(d, l1, r1, l2, r2, l3, r3 []uint64, w1, w2, w3 uint64) {
	n := len(d)
	l1, r1, l2, r2, l3, r3 = l1[:n], r1[:n], l2[:n], r2[:n], l3[:n], r3[:n]
	for i, s := range d {
		d[i] = s + w1*(l1[i]+r1[i]) + w2*(l2[i]+r2[i]) + w3*(l3[i]+r3[i])
	}
}

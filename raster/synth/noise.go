package synth

// Everything that decides a pixel is integer arithmetic, so the bytes are the
// same on every architecture: Go may fuse floating-point multiply-adds on some
// machines and not on others.

// mix64 is the splitmix64 finaliser: a bijection on 64 bits that spreads
// every input bit over the whole output.
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// rng is a splitmix64 generator. It builds the scene from the seed; it has
// no global state, so two readers never disturb each other.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

// at returns a position in [0, n) drawn so that the same draw lands at the
// same fraction of n whatever n is: scenes of different sizes match.
func (r *rng) at(n int) int { return int(int64(r.intn(1<<16)) * int64(n) >> 16) }

// frac returns n*num/den for a number num drawn from [lo, hi]: a fraction of
// a length, in integers.
func (r *rng) frac(n, lo, hi, den int) int {
	return int(int64(n) * int64(r.between(lo, hi)) / int64(den))
}

// lattice is the value-noise lattice: a pseudo-random value in
// [-32768, 32767] for the point (i, j) of the grid named by key.
func lattice(key uint64, i, j int) int32 {
	h := mix64(key ^ uint64(i)*0x9e3779b97f4a7c15 ^ uint64(j)*0xc2b2ae3d27d4eb4f)
	return int32(int16(h >> 48))
}

// smooth is the smoothstep 3t²−2t³ for t in [0, 4096], in Q12.
func smooth(t int64) int32 { return int32(t * t * (3*4096 - 2*t) >> 24) }

// ramp is smooth((v-lo)/(hi-lo)), clamped to [0, 4096].
func ramp(v, lo, hi int64) int32 {
	switch {
	case v <= lo:
		return 0
	case v >= hi:
		return 4096
	}
	return smooth((v - lo) * 4096 / (hi - lo))
}

// octave is one layer of value noise whose lattice cells are period pixels
// wide, scaled so that its values lie within ±amp.
type octave struct {
	period int
	amp    int64
	key    uint64
	fx     []int32 // smooth weight for x%period, Q12
}

func newOctave(period int, amp int64, key uint64) octave {
	period = max(period, 2)
	o := octave{period: period, amp: amp, key: key, fx: make([]int32, period)}
	for i := range o.fx {
		o.fx[i] = smooth(int64(i) * 4096 / int64(period))
	}
	return o
}

// cells is the number of lattice columns a row of width w needs.
func (o *octave) cells(w int) int { return (w-1)/o.period + 2 }

// row writes (add false) or adds (add true) the octave's values on row y
// into dst. lat is scratch of at least 2*cells(len(dst)) values.
func (o *octave) row(y int, dst, lat []int32, add bool) {
	n := o.cells(len(dst))
	l, d := lat[:n], lat[n:2*n]
	j := y / o.period
	fy := int64(o.fx[y%o.period])
	for i := range l {
		a := int64(lattice(o.key, i, j))
		b := int64(lattice(o.key, i, j+1))
		l[i] = int32((a + (b-a)*fy>>12) * o.amp >> 15)
	}
	for i := 0; i < n-1; i++ {
		d[i] = l[i+1] - l[i]
	}
	for i, x0 := 0, 0; x0 < len(dst); i, x0 = i+1, x0+o.period {
		seg := dst[x0:min(x0+o.period, len(dst))]
		fx := o.fx[:len(seg)]
		li, di := l[i], d[i]
		if add {
			for k := range seg {
				seg[k] += li + di*fx[k]>>12
			}
		} else {
			for k := range seg {
				seg[k] = li + di*fx[k]>>12
			}
		}
	}
}

// texture is a square of value noise that wraps at its edges, so that it
// tiles the plane seamlessly. Two textures of coprime sizes (256 and 243)
// added with offsets repeat only every 62,208 pixels.
type texture struct {
	size   int
	v      []int32 // size×size values
	ox, oy int     // where pixel (0, 0) of the image falls in the texture
}

// newTexture sums octaves of value noise with the given periods (each must
// divide size) and amplitudes.
func newTexture(size int, periods []int, amps []int64, r *rng) texture {
	t := texture{size: size, v: make([]int32, size*size), ox: r.intn(size), oy: r.intn(size)}
	for k, p := range periods {
		o := newOctave(p, amps[k], r.next())
		cells := size / p
		grid := make([]int32, cells*cells)
		for j := range cells {
			for i := range cells {
				grid[j*cells+i] = lattice(o.key, i, j)
			}
		}
		// Per coordinate: lattice cell, next cell (wrapping), weight.
		c0, c1, f := make([]int, size), make([]int, size), make([]int64, size)
		for x := range size {
			c0[x], c1[x], f[x] = x/p, (x/p+1)%cells, int64(o.fx[x%p])
		}
		for y := range size {
			j0, j1, fy := c0[y]*cells, c1[y]*cells, f[y]
			row := t.v[y*size : (y+1)*size]
			for x := range row {
				i0, i1, fx := c0[x], c1[x], f[x]
				a := lerp(grid[j0+i0], grid[j0+i1], fx)
				b := lerp(grid[j1+i0], grid[j1+i1], fx)
				row[x] += int32(lerp(int32(a), int32(b), fy) * o.amp >> 15)
			}
		}
	}
	return t
}

func lerp(a, b int32, f int64) int64 { return int64(a) + (int64(b)-int64(a))*f>>12 }

// row writes (add false) or adds (add true) the texture's values on image
// row y into dst.
func (t *texture) row(y int, dst []int32, add bool) {
	src := t.v[(y+t.oy)%t.size*t.size:][:t.size]
	start := t.ox
	for x := 0; x < len(dst); {
		seg := dst[x:min(x+t.size-start, len(dst))]
		s := src[start : start+len(seg)]
		if add {
			for k := range seg {
				seg[k] += s[k]
			}
		} else {
			copy(seg, s)
		}
		x += len(seg)
		start = 0
	}
}

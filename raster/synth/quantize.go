package synth

// The last step of a row adds a little noise to each colour sample (a
// triangular distribution of about ±3 8-bit levels, like sensor noise),
// clamps, and packs the planes into interleaved samples. Alpha gets no
// noise, so opaque stays exactly opaque. An 8-bit sample is the 16-bit one
// rounded: s8 = round(s16 / 257).

// pixelHash returns 64 random bits for pixel x of the row with key k.
func pixelHash(k uint64, x int) uint64 {
	h := k + uint64(x)*0x9e3779b97f4a7c15
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	h ^= h >> 32
	return h
}

// noise turns 10 bits of h into a value in [−767, 767] with a triangular
// distribution, by table.
func noise(h uint64) int32 { return noiseTable[h&1023] }

// noiseTable is the inverse of the triangular distribution's cumulative
// function, sampled at 1024 evenly spaced probabilities.
var noiseTable = func() (t [1024]int32) {
	const a = 767
	for i := range t {
		// p = (i+0.5)/1024; for p < 1/2, v = −a + a·√(2p), and symmetric.
		j := int64(min(i, 1023-i))
		v := isqrt((2*j+1)*a*a/1024) - a
		if i >= 512 {
			v = -v
		}
		t[i] = int32(v)
	}
	return t
}()

// s16 adds noise to v and clamps it to a 16-bit sample.
func s16(v int32, h uint64) int32 { return min(max(v+noise(h), 0), 65535) }

// to8 rounds a 16-bit sample to 8 bits: round(v/257) for v in [0, 65535].
func to8(v int32) byte { return byte((v*255 + 32895) >> 16) }

func (r *renderer) quantize(y int, out []byte) {
	k := mix64(r.s.seed ^ uint64(y)*0xc2b2ae3d27d4eb4f)
	c0 := r.ch[0]
	n := len(c0)
	switch pf := r.s.pf; {
	case pf.Depth == 8 && pf.Channels == 1:
		o := out[:n]
		for x := range o {
			o[x] = to8(s16(c0[x], pixelHash(k, x)))
		}
	case pf.Depth == 8 && pf.Channels == 2:
		o, a := out[:2*n], r.alpha[:n]
		for x := range a {
			p := o[2*x : 2*x+2 : 2*x+2]
			p[0] = to8(s16(c0[x], pixelHash(k, x)))
			p[1] = to8(a[x])
		}
	case pf.Depth == 8 && pf.Channels == 3:
		o, c1, c2 := out[:3*n], r.ch[1][:n], r.ch[2][:n]
		for x := range c1 {
			h := pixelHash(k, x)
			p := o[3*x : 3*x+3 : 3*x+3]
			p[0] = to8(s16(c0[x], h))
			p[1] = to8(s16(c1[x], h>>10))
			p[2] = to8(s16(c2[x], h>>20))
		}
	case pf.Depth == 8:
		o, c1, c2, a := out[:4*n], r.ch[1][:n], r.ch[2][:n], r.alpha[:n]
		for x := range a {
			h := pixelHash(k, x)
			p := o[4*x : 4*x+4 : 4*x+4]
			p[0] = to8(s16(c0[x], h))
			p[1] = to8(s16(c1[x], h>>10))
			p[2] = to8(s16(c2[x], h>>20))
			p[3] = to8(a[x])
		}
	case pf.Channels == 1:
		o := out[:2*n]
		for x := range c0 {
			put16(o[2*x:], s16(c0[x], pixelHash(k, x)))
		}
	case pf.Channels == 2:
		o, a := out[:4*n], r.alpha[:n]
		for x := range a {
			p := o[4*x : 4*x+4 : 4*x+4]
			put16(p, s16(c0[x], pixelHash(k, x)))
			put16(p[2:], a[x])
		}
	case pf.Channels == 3:
		o, c1, c2 := out[:6*n], r.ch[1][:n], r.ch[2][:n]
		for x := range c1 {
			h := pixelHash(k, x)
			p := o[6*x : 6*x+6 : 6*x+6]
			put16(p, s16(c0[x], h))
			put16(p[2:], s16(c1[x], h>>10))
			put16(p[4:], s16(c2[x], h>>20))
		}
	default:
		o, c1, c2, a := out[:8*n], r.ch[1][:n], r.ch[2][:n], r.alpha[:n]
		for x := range a {
			h := pixelHash(k, x)
			p := o[8*x : 8*x+8 : 8*x+8]
			put16(p, s16(c0[x], h))
			put16(p[2:], s16(c1[x], h>>10))
			put16(p[4:], s16(c2[x], h>>20))
			put16(p[6:], a[x])
		}
	}
}

// put16 stores v big-endian in p[0:2].
func put16(p []byte, v int32) {
	_ = p[1]
	p[0], p[1] = byte(v>>8), byte(v)
}

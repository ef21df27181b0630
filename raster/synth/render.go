package synth

// renderer draws rows of a scene. Each worker owns one; its buffers hold
// one row, one plane per channel, in 16-bit units before noise and
// clamping.
type renderer struct {
	s     *scene
	low   []int32 // large-scale field
	tex   []int32 // fine texture
	ch    [3][]int32
	alpha []int32
	lat   []int32 // lattice scratch for the octaves
}

func newRenderer(s *scene) *renderer {
	r := &renderer{s: s, low: make([]int32, s.w), tex: make([]int32, s.w)}
	for c := range s.nc {
		r.ch[c] = make([]int32, s.w)
	}
	if s.pf.HasAlpha() {
		r.alpha = make([]int32, s.w)
	}
	r.lat = make([]int32, 2*max(s.low[0].cells(s.w), s.low[1].cells(s.w)))
	return r
}

// row draws row y into out, which holds one row in the scene's format.
func (r *renderer) row(y int, out []byte) {
	s := r.s
	s.low[0].row(y, r.low, r.lat, false)
	s.low[1].row(y, r.low, r.lat, true)
	s.fine[0].row(y, r.tex, false)
	s.fine[1].row(y, r.tex, true)
	r.background(y)
	r.glow(y)
	for i := range s.shapes {
		r.shape(&s.shapes[i], y)
	}
	if r.alpha != nil {
		r.blobs(y)
	}
	r.quantize(y, out)
}

func (r *renderer) background(y int) {
	s := r.s
	col, tk := s.background(y)
	low, tex := r.low, r.tex[:len(r.low)]
	// The horizontal gradient runs from −g·w/2 at x = 0 to g·w/2 at x = w.
	var acc [3]int64
	for c := range s.nc {
		acc[c] = -s.gradX[c] * int64(s.w) / 2
	}
	if s.nc == 1 {
		c0 := r.ch[0][:len(low)]
		acc, g, rc, lk := acc[0], s.gradX[0], col[0], s.lowK[0]
		for x := range c0 {
			c0[x] = rc + int32(acc>>16) + (lk*low[x]+tk*tex[x])>>8
			acc += g
		}
		return
	}
	c0, c1, c2 := r.ch[0][:len(low)], r.ch[1][:len(low)], r.ch[2][:len(low)]
	a0, a1, a2 := acc[0], acc[1], acc[2]
	g0, g1, g2 := s.gradX[0], s.gradX[1], s.gradX[2]
	r0, r1, r2 := col[0], col[1], col[2]
	k0, k1, k2 := s.lowK[0], s.lowK[1], s.lowK[2]
	for x := range c0 {
		l, t := low[x], tk*tex[x]
		c0[x] = r0 + int32(a0>>16) + (k0*l+t)>>8
		c1[x] = r1 + int32(a1>>16) + (k1*l+t)>>8
		c2[x] = r2 + int32(a2>>16) + (k2*l+t)>>8
		a0 += g0
		a1 += g1
		a2 += g2
	}
}

func (r *renderer) glow(y int) {
	g := &r.s.glow
	dy := int64(y - g.cy)
	if dy < -int64(g.r) || dy > int64(g.r) || g.qx == nil {
		return
	}
	qy := int32(dy * dy * 1024 / (int64(g.r) * int64(g.r)))
	// The glow covers the columns where qx < 1024−qy: a run around cx,
	// found by halving on each side since qx falls, then rises.
	lim := 1024 - qy
	mid := g.cx - g.x0
	lo := sortSearch(0, min(mid, len(g.qx)), func(i int) bool { return g.qx[i] < lim })
	hi := sortSearch(max(mid, 0), len(g.qx), func(i int) bool { return g.qx[i] >= lim })
	if lo >= hi {
		return
	}
	qx := g.qx[lo:hi]
	c0 := r.ch[0][g.x0+lo : g.x0+hi]
	c0 = c0[:len(qx)]
	if r.s.nc == 1 {
		gc := int64(g.col[0])
		for i, q := range qx {
			c0[i] += int32(int64(g.fall[q+qy]) * gc >> 12)
		}
		return
	}
	c1, c2 := r.ch[1][g.x0+lo:g.x0+hi], r.ch[2][g.x0+lo:g.x0+hi]
	c1, c2 = c1[:len(qx)], c2[:len(qx)]
	g0, g1, g2 := int64(g.col[0]), int64(g.col[1]), int64(g.col[2])
	for i, q := range qx {
		f := int64(g.fall[q+qy])
		c0[i] += int32(f * g0 >> 12)
		c1[i] += int32(f * g1 >> 12)
		c2[i] += int32(f * g2 >> 12)
	}
}

// sortSearch returns the first i in [lo, hi) with f(i) true, or hi; f must
// be false then true over the range.
func sortSearch(lo, hi int, f func(int) bool) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f(m) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func (r *renderer) shape(sh *shape, y int) {
	x0, x1 := sh.span(y, r.s.w)
	if x0 >= x1 {
		return
	}
	low, tex := r.low[x0:x1], r.tex[x0:x1]
	acc := sh.sx*int64(x0) - sh.sx*sh.ox + sh.sy*(int64(y)-sh.oy)
	tk, lk := sh.tex, sh.low
	if r.s.nc == 3 {
		c0, c1, c2 := r.ch[0][x0:x1], r.ch[1][x0:x1], r.ch[2][x0:x1]
		c1, c2 = c1[:len(c0)], c2[:len(c0)]
		b0, b1, b2 := sh.base[0], sh.base[1], sh.base[2]
		for i := range c0 {
			v := int32(acc>>16) + (tk*tex[i]+lk*low[i])>>8
			c0[i], c1[i], c2[i] = b0+v, b1+v, b2+v
			acc += sh.sx
		}
		return
	}
	c0 := r.ch[0][x0:x1]
	b0 := sh.base[0]
	for i := range c0 {
		c0[i] = b0 + int32(acc>>16) + (tk*tex[i]+lk*low[i])>>8
		acc += sh.sx
	}
}

func (r *renderer) blobs(y int) {
	a := r.alpha
	for i := range a {
		a[i] = 65535
	}
	Y := int64(2*y + 1)
	for i := range r.s.blobs {
		b := &r.s.blobs[i]
		if y < b.y0 || y > b.y1 {
			continue
		}
		dy := Y - b.cy
		rest := b.r*b.r - dy*dy
		if rest < 0 {
			continue
		}
		hx := isqrt(rest)
		x0 := int(max(ceilDiv(b.cx-hx-1, 2), 0))
		x1 := int(min(floorDiv(b.cx+hx-1, 2), int64(len(a)-1))) + 1
		lo, span := b.r0*b.r0, b.r*b.r-b.r0*b.r0
		in := int64(b.inner)
		for x := x0; x < x1; x++ {
			dx := int64(2*x+1) - b.cx
			d := dx*dx + dy*dy - lo
			v := in
			if d > 0 {
				v += (65535 - in) * int64(smooth(min(d*4096/span, 4096))) >> 12
			}
			a[x] = min(a[x], int32(v))
		}
	}
}

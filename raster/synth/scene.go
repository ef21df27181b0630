package synth

import "github.com/sluice-go/sluice/raster"

// scene is everything a seed decides about an image: its sky and ground,
// a glow, the shapes and their colours, the textures and the transparent
// patches. Lengths are fractions of the image's size, so a thumbnail of a
// large image shows the scene of a small one; only the fine texture and the
// per-pixel noise keep their size in pixels. A scene is read-only once built
// and shared by all workers.
type scene struct {
	w, h int
	pf   raster.PixelFormat
	nc   int    // colour planes: 1 (gray) or 3 (RGB)
	seed uint64 // for the per-pixel noise

	low  [2]octave  // large-scale field, shared by all channels
	lowK [3]int32   // how much each colour plane takes of it, Q8
	fine [2]texture // fine texture, 256 and 243 pixels square

	gradX            [3]int64 // horizontal gradient: change per pixel, Q16
	horizon, soft    int      // row of the horizon, half-width of its blend
	skyTop, skyLow   [3]int32 // sky colour at the top and at the horizon
	landHigh, landLo [3]int32 // ground colour at the horizon and the bottom
	skyTex, landTex  int32    // texture amplitude above and below, Q8

	glow glow

	shapes []shape
	blobs  []blob
}

// glow is a soft radial brightening of the background, like light around
// the sun: colour × falloff((d/r)²), looked up in a table of 1024 steps.
type glow struct {
	cx, cy, r int
	col       [3]int32
	qx        []int32 // (x−cx)²·1024/r² for the columns [x0, x1)
	x0, x1    int
	fall      [1024]int32 // Q12
}

// blob is a soft-edged transparent patch: alpha is inner inside radius r0
// (doubled coordinates) and rises smoothly to opaque at radius r.
type blob struct {
	cx, cy, r0, r int64
	inner         int32 // alpha at the centre, 16-bit units
	y0, y1        int
}

// palette holds colours of things in photographs, 8-bit sRGB. The first two
// are near black and near white so that every image reaches both ends of
// the range.
var palette = [][3]int32{
	{18, 16, 20}, {246, 244, 236}, // shadow, paper
	{176, 52, 38}, {204, 158, 64}, {58, 98, 158}, {46, 118, 64},
	{122, 114, 104}, {236, 204, 140}, {92, 56, 34}, {152, 62, 132},
	{222, 120, 44}, {34, 64, 90}, {188, 196, 204}, {140, 160, 60},
}

// to16 turns an 8-bit colour into 16-bit units, jittered by up to ±j
// 8-bit levels per channel.
func to16(c [3]int32, j int, r *rng) [3]int32 {
	var o [3]int32
	for i := range c {
		o[i] = (c[i] + int32(r.between(-j, j))) * 257
	}
	return o
}

func newScene(w, h int, pf raster.PixelFormat, seed int64) *scene {
	r := &rng{uint64(seed)}
	s := &scene{w: w, h: h, pf: pf, nc: 1, seed: r.next()}
	if pf.Color() {
		s.nc = 3
	}
	m := min(w, h)

	s.low[0] = newOctave(r.frac(m, 35, 60, 100), 9000, r.next())
	s.low[1] = newOctave(r.frac(m, 12, 20, 100), 4500, r.next())
	for c := range s.lowK {
		s.lowK[c] = int32(r.between(140, 360))
	}
	s.fine[0] = newTexture(256, []int{2, 4, 8, 16, 64}, []int64{700, 900, 1100, 1300, 1600}, r)
	s.fine[1] = newTexture(243, []int{3, 9, 27, 81}, []int64{800, 1200, 1400, 1700}, r)

	s.sky(r, m)
	s.glow = newGlow(w, h, s.horizon, m, r)
	s.addShapes(r, m)
	if pf.HasAlpha() {
		s.addBlobs(r, m)
	}
	if s.nc == 1 {
		s.toGray()
	}
	return s
}

// sky chooses the background: a sky gradient above a horizon, a ground
// gradient below, and a horizontal gradient across both.
func (s *scene) sky(r *rng, m int) {
	themes := [][4][3]int32{ // sky top, sky at horizon, ground at horizon, ground at bottom
		{{52, 96, 176}, {176, 204, 232}, {108, 124, 62}, {44, 58, 30}},     // day
		{{40, 36, 88}, {236, 148, 92}, {84, 62, 58}, {24, 20, 26}},         // dusk
		{{120, 128, 138}, {204, 206, 208}, {96, 100, 92}, {60, 62, 58}},    // overcast
		{{70, 140, 200}, {210, 226, 236}, {214, 192, 146}, {150, 120, 80}}, // beach
	}
	t := themes[r.intn(len(themes))]
	s.skyTop, s.skyLow = to16(t[0], 10, r), to16(t[1], 10, r)
	s.landHigh, s.landLo = to16(t[2], 10, r), to16(t[3], 10, r)
	s.horizon = s.h * r.between(35, 65) / 100
	s.soft = max(1, m/r.between(25, 60))
	s.skyTex = int32(r.between(20, 60))
	s.landTex = int32(r.between(160, 300))
	for c := range s.gradX {
		s.gradX[c] = int64(r.between(-7000, 7000)) << 16 / int64(s.w)
	}
}

// background returns the colour of row y before the large-scale field,
// texture and glow, and the texture amplitude there.
func (s *scene) background(y int) (col [3]int32, tex int32) {
	b := int64(ramp(int64(y), int64(s.horizon-s.soft), int64(s.horizon+s.soft)))
	sky := int64(ramp(int64(y), 0, int64(max(s.horizon, 1))))
	land := int64(ramp(int64(y), int64(s.horizon), int64(s.h)))
	for c := range s.nc {
		up := int64(s.skyTop[c]) + (int64(s.skyLow[c])-int64(s.skyTop[c]))*sky>>12
		down := int64(s.landHigh[c]) + (int64(s.landLo[c])-int64(s.landHigh[c]))*land>>12
		col[c] = int32(up + (down-up)*b>>12)
	}
	tex = s.skyTex + int32(int64(s.landTex-s.skyTex)*b>>12)
	return col, tex
}

func newGlow(w, h, horizon, m int, r *rng) glow {
	g := glow{cx: r.at(w), cy: horizon * r.between(10, 80) / 100, r: max(1, r.frac(m, 20, 45, 100))}
	g.col = to16([3]int32{120, 100, 70}, 15, r)
	for i := range g.fall {
		t := int64(4096 - i*4)
		g.fall[i] = int32(t * t / 4096 * t / 4096) // (1−d²/r²)³
	}
	g.x0, g.x1 = max(g.cx-g.r, 0), min(g.cx+g.r+1, w)
	if g.x0 < g.x1 {
		g.qx = make([]int32, g.x1-g.x0)
		r2 := int64(g.r) * int64(g.r)
		for i := range g.qx {
			dx := int64(g.x0 + i - g.cx)
			g.qx[i] = int32(min(dx*dx*1024/r2, 1024))
		}
	}
	return g
}

// addShapes places discs, rotated rectangles, triangles and bands.
func (s *scene) addShapes(r *rng, m int) {
	n := 7 + r.intn(5)
	W, H, M := int64(s.w), int64(s.h), int64(m)
	for i := range n {
		var sh shape
		cx := 2*int64(r.at(s.w)) + 1
		cy := 2*int64(s.horizon+r.at(s.h-s.horizon)*9/10) + 1
		if i%3 == 2 { // some float in the sky
			cy = 2*int64(r.at(s.h)) + 1
		}
		ux, uy := direction(r)
		var ext int64 // vertical half-extent, doubled
		switch kind := r.intn(10); {
		case kind < 3: // disc
			sh.cx, sh.cy, sh.r = cx, cy, 2*int64(r.frac(m, 4, 20, 100))+1
			ext = sh.r
		case kind < 6: // rotated rectangle
			a, b := 2*int64(r.frac(m, 5, 25, 100))+1, 2*int64(r.frac(m, 3, 15, 100))+1
			p, q := strip(ux, uy, cx, cy, a), strip(-uy, ux, cx, cy, b)
			sh.planes = []halfPlane{p[0], p[1], q[0], q[1]}
			ext = a + b
		case kind < 8: // triangle
			var p [3][2]int64
			size := 2 * int64(r.frac(m, 8, 30, 100))
			for k := range p {
				p[k] = [2]int64{cx + size*int64(r.between(-4096, 4096))/4096, cy + size*int64(r.between(-4096, 4096))/4096}
			}
			sh.planes = triangle(p)
			ext = size
		default: // a band across the image at an angle
			p := strip(ux, uy, cx, cy, 2*int64(r.frac(m, 1, 5, 100))+1)
			sh.planes = p[:]
			ext = 2 * (W + H)
		}
		sh.rows(cy, ext, s.h)
		col := palette[2+r.intn(len(palette)-2)]
		if i < 2 {
			col = palette[i]
		}
		sh.base = to16(col, 16, r)
		sh.ox, sh.oy = (cx-1)/2, (cy-1)/2
		span := max(M*int64(r.between(10, 40))/100, 1) // shading changes by a quarter over this many pixels
		shade := int64(r.between(8000, 20000))
		sh.sx = shade * 65536 / span * ux / 1024
		sh.sy = shade * 65536 / span * uy / 1024
		sh.tex = int32(r.between(40, 360))
		sh.low = int32(r.between(40, 200))
		s.shapes = append(s.shapes, sh)
	}
}

// direction returns a random direction as an integer vector of length
// between 512 and 1024 (no trigonometry, so exact everywhere).
func direction(r *rng) (int64, int64) {
	for {
		x, y := int64(r.between(-1024, 1024)), int64(r.between(-1024, 1024))
		if l := x*x + y*y; l >= 512*512 && l <= 1024*1024 {
			return x, y
		}
	}
}

// addBlobs places the soft-edged transparent patches.
func (s *scene) addBlobs(r *rng, m int) {
	n := 2 + r.intn(3)
	for range n {
		b := blob{cx: 2*int64(r.at(s.w)) + 1, cy: 2*int64(r.at(s.h)) + 1}
		b.r = 2*int64(r.frac(m, 5, 18, 100)) + 2
		b.r0 = b.r * int64(r.between(20, 70)) / 100
		b.inner = int32(r.between(0, 32768))
		b.y0 = int(max(floorDiv(b.cy-b.r-1, 2), 0))
		b.y1 = int(min(ceilDiv(b.cy+b.r-1, 2), int64(s.h-1)))
		s.blobs = append(s.blobs, b)
	}
}

// toGray replaces every colour by its luminance (Rec. 601 weights), in
// plane 0, so a gray image is the luminance of the colour one.
func (s *scene) toGray() {
	lum := func(c [3]int32) int32 {
		return int32((19595*int64(c[0]) + 38470*int64(c[1]) + 7471*int64(c[2]) + 32768) >> 16)
	}
	one := func(c *[3]int32) { *c = [3]int32{lum(*c)} }
	for _, c := range []*[3]int32{&s.skyTop, &s.skyLow, &s.landHigh, &s.landLo, &s.glow.col} {
		one(c)
	}
	for i := range s.shapes {
		one(&s.shapes[i].base)
	}
	s.lowK[0] = lum(s.lowK)
	g := s.gradX
	s.gradX = [3]int64{(19595*g[0] + 38470*g[1] + 7471*g[2] + 32768) >> 16}
}

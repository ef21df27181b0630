package synth

import "math"

// Shapes are exact in integers. Coordinates are doubled, so that the centre
// of pixel (x, y) is the lattice point (2x+1, 2y+1); a pixel belongs to a
// shape when its centre does. Each shape answers, for one row, the run of
// pixels it covers: convex shapes cover one run per row.

// halfPlane is the set of points with a*X + b*Y ≤ c, in doubled coordinates.
type halfPlane struct{ a, b, c int64 }

// shape is a filled disc (r > 0) or a convex polygon (the intersection of
// its half-planes), painted with a colour, a linear shading and a share of
// the scene's texture.
type shape struct {
	cx, cy, r int64 // disc, in doubled coordinates
	planes    []halfPlane
	y0, y1    int // rows that may be covered, inclusive

	base   [3]int32 // colour at the shading origin, 16-bit units
	ox, oy int64    // shading origin, pixels
	sx, sy int64    // shading slope per pixel, Q16 in 16-bit units
	tex    int32    // texture amplitude, Q8
	low    int32    // amplitude of the large-scale field, Q8
}

// span returns the pixels [x0, x1) of row y that s covers, clipped to
// [0, w); x0 >= x1 when there are none.
func (s *shape) span(y, w int) (x0, x1 int) {
	if y < s.y0 || y > s.y1 {
		return 0, 0
	}
	Y := int64(2*y + 1)
	lo, hi := int64(0), int64(w-1)
	if s.r > 0 {
		dy := Y - s.cy
		rest := s.r*s.r - dy*dy
		if rest < 0 {
			return 0, 0
		}
		hx := isqrt(rest)
		lo = max(lo, ceilDiv(s.cx-hx-1, 2))
		hi = min(hi, floorDiv(s.cx+hx-1, 2))
	}
	for _, p := range s.planes {
		rhs := p.c - p.b*Y
		switch {
		case p.a > 0:
			hi = min(hi, floorDiv(floorDiv(rhs, p.a)-1, 2))
		case p.a < 0:
			lo = max(lo, ceilDiv(ceilDiv(rhs, p.a)-1, 2))
		case rhs < 0:
			return 0, 0
		}
	}
	if lo > hi {
		return 0, 0
	}
	return int(lo), int(hi) + 1
}

// rows sets y0 and y1 for an image of height h from the shape's vertical
// extent ext (doubled coordinates, centred at cy), clipped to the image.
func (s *shape) rows(cy, ext int64, h int) {
	s.y0 = int(max(floorDiv(cy-ext-1, 2), 0))
	s.y1 = int(min(ceilDiv(cy+ext-1, 2), int64(h-1)))
}

// strip returns the two half-planes |u·(P−C)| ≤ half·|u|, where u = (ux, uy)
// and C = (cx, cy), all in doubled coordinates.
func strip(ux, uy, cx, cy, half int64) [2]halfPlane {
	d := ux*cx + uy*cy
	e := isqrt(half * half * (ux*ux + uy*uy))
	return [2]halfPlane{{ux, uy, d + e}, {-ux, -uy, -d + e}}
}

// triangle returns the three half-planes whose intersection is the triangle
// with vertices p, in doubled coordinates.
func triangle(p [3][2]int64) []halfPlane {
	area := (p[1][0]-p[0][0])*(p[2][1]-p[0][1]) - (p[1][1]-p[0][1])*(p[2][0]-p[0][0])
	if area == 0 {
		return []halfPlane{{0, 0, -1}} // degenerate: covers nothing
	}
	hp := make([]halfPlane, 0, 3)
	for i := range 3 {
		a, b, k := p[i], p[(i+1)%3], p[(i+2)%3]
		pl := halfPlane{b[1] - a[1], a[0] - b[0], 0}
		pl.c = pl.a*a[0] + pl.b*a[1]
		if pl.a*k[0]+pl.b*k[1] > pl.c { // the third vertex must be inside
			pl = halfPlane{-pl.a, -pl.b, -pl.c}
		}
		hp = append(hp, pl)
	}
	return hp
}

// isqrt returns ⌊√n⌋ for n ≥ 0, exactly.
func isqrt(n int64) int64 {
	if n <= 0 {
		return 0
	}
	r := int64(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for r < 3037000499 && (r+1)*(r+1) <= n { // 3037000499² is the last square below 2⁶³
		r++
	}
	return r
}

// floorDiv returns ⌊a/b⌋ for b ≠ 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ceilDiv returns ⌈a/b⌉ for b ≠ 0.
func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

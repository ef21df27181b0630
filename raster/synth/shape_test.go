package synth

import (
	"fmt"
	"math"
	"testing"
)

// inside reports whether the centre of pixel (x, y) lies in s, tested
// point by point: the reference for shape.span.
func inside(s *shape, x, y int) bool {
	X, Y := int64(2*x+1), int64(2*y+1)
	if s.r > 0 && (X-s.cx)*(X-s.cx)+(Y-s.cy)*(Y-s.cy) > s.r*s.r {
		return false
	}
	for _, p := range s.planes {
		if p.a*X+p.b*Y > p.c {
			return false
		}
	}
	return true
}

func TestSpan(t *testing.T) {
	const w, h = 97, 83
	r := &rng{5}
	shapes := map[string]*shape{
		"disc":            {cx: 81, cy: 65, r: 41},
		"disc off left":   {cx: -20, cy: 50, r: 60},
		"one-pixel disc":  {cx: 21, cy: 31, r: 1},
		"axis rectangle":  {planes: []halfPlane{{1, 0, 100}, {-1, 0, -20}, {0, 1, 90}, {0, -1, -40}}},
		"empty plane set": {planes: []halfPlane{{0, 0, -1}}},
		"triangle":        {planes: triangle([3][2]int64{{10, 10}, {180, 40}, {60, 150}})},
		"flat triangle":   {planes: triangle([3][2]int64{{10, 10}, {50, 10}, {90, 10}})},
		"disc and strip":  {cx: 97, cy: 83, r: 70, planes: func() []halfPlane { p := strip(3, 7, 97, 83, 9); return p[:] }()},
	}
	for i := range 20 {
		ux, uy := direction(r)
		cx, cy := int64(r.between(-20, 2*w+20)), int64(r.between(-20, 2*h+20))
		a, b := int64(r.between(1, 80)), int64(r.between(1, 80))
		p, q := strip(ux, uy, cx, cy, a), strip(-uy, ux, cx, cy, b)
		shapes[fmt.Sprintf("rotated rectangle %d", i)] = &shape{planes: []halfPlane{p[0], p[1], q[0], q[1]}}
		var v [3][2]int64
		for k := range v {
			v[k] = [2]int64{int64(r.between(-40, 2*w+40)), int64(r.between(-40, 2*h+40))}
		}
		shapes[fmt.Sprintf("triangle %d", i)] = &shape{planes: triangle(v)}
	}
	for name, s := range shapes {
		t.Run(name, func(t *testing.T) {
			s.y0, s.y1 = 0, h-1
			covered := 0
			for y := range h {
				x0, x1 := s.span(y, w)
				for x := range w {
					got, want := x >= x0 && x < x1, inside(s, x, y)
					if got != want {
						t.Fatalf("pixel (%d, %d): span [%d, %d) says %v, want %v", x, y, x0, x1, got, want)
					}
					if got {
						covered++
					}
				}
			}
			if name == "empty plane set" || name == "flat triangle" {
				if covered != 0 {
					t.Errorf("covered pixels: got %d, want 0", covered)
				}
			}
		})
	}
}

func TestIntegerMath(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 4, 15, 16, 17, 1<<52 - 1, 1 << 52, 1<<62 - 1, math.MaxInt64} {
		r := isqrt(n)
		if r*r > n || r < 3037000499 && (r+1)*(r+1) <= n {
			t.Errorf("isqrt(%d): got %d, not the floor of the square root", n, r)
		}
	}
	for _, c := range []struct{ a, b, floor, ceil int64 }{
		{7, 2, 3, 4}, {-7, 2, -4, -3}, {7, -2, -4, -3}, {-7, -2, 3, 4}, {6, 3, 2, 2}, {-6, 3, -2, -2}, {0, 5, 0, 0},
	} {
		if got := floorDiv(c.a, c.b); got != c.floor {
			t.Errorf("floorDiv(%d, %d): got %d, want %d", c.a, c.b, got, c.floor)
		}
		if got := ceilDiv(c.a, c.b); got != c.ceil {
			t.Errorf("ceilDiv(%d, %d): got %d, want %d", c.a, c.b, got, c.ceil)
		}
	}
}

func TestNoiseTable(t *testing.T) {
	sum, sumAbs, lo, hi := 0, 0, 0, 0
	for i, v := range noiseTable {
		if w := noiseTable[len(noiseTable)-1-i]; v != -w {
			t.Fatalf("noiseTable[%d] = %d but the mirror entry is %d, want %d", i, v, w, -v)
		}
		if i > 0 && v < noiseTable[i-1] {
			t.Fatalf("noiseTable[%d] = %d falls below the entry before, %d", i, v, noiseTable[i-1])
		}
		sum += int(v)
		sumAbs += abs(int(v))
		lo, hi = min(lo, int(v)), max(hi, int(v))
	}
	// A triangular distribution on [−a, a] has mean |v| = a/3.
	if mean := float64(sumAbs) / 1024; math.Abs(mean-767.0/3) > 5 {
		t.Errorf("mean |noise|: got %.1f, want %.1f ± 5", mean, 767.0/3)
	}
	if lo < -767 || hi > 767 || lo > -700 || hi < 700 {
		t.Errorf("noise range: got [%d, %d], want within ±767 and beyond ±700", lo, hi)
	}
	if sum != 0 {
		t.Errorf("sum of noise: got %d, want 0", sum)
	}
}

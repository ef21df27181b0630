package raster

import "testing"

// display applies o to a w×h image of one int per pixel, the way a viewer
// does, written out case by case from the EXIF definitions: the 0th row
// and 0th column of the stored image are at the named sides.
func display(o Orientation, pix []int, w, h int) ([]int, int, int) {
	ow, oh := w, h
	if o >= LeftTop {
		ow, oh = h, w
	}
	out := make([]int, len(pix))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case TopLeft, 0:
				dx, dy = x, y
			case TopRight: // row 0 at the top, column 0 at the right
				dx, dy = w-1-x, y
			case BottomRight:
				dx, dy = w-1-x, h-1-y
			case BottomLeft:
				dx, dy = x, h-1-y
			case LeftTop: // row 0 on the left, column 0 at the top
				dx, dy = y, x
			case RightTop: // row 0 on the right, column 0 at the top
				dx, dy = h-1-y, x
			case RightBottom:
				dx, dy = h-1-y, w-1-x
			case LeftBottom:
				dx, dy = y, w-1-x
			}
			out[dy*ow+dx] = pix[y*w+x]
		}
	}
	return out, ow, oh
}

func viaSource(o Orientation, pix []int, w, h int) ([]int, int, int) {
	ow, oh := o.Size(w, h)
	out := make([]int, len(pix))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := o.Source(x, y, w, h)
			out[y*ow+x] = pix[sy*w+sx]
		}
	}
	return out, ow, oh
}

func ramp(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOrientationSource(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {4, 3}, {3, 5}, {2, 2}} {
		w, h := sz[0], sz[1]
		pix := ramp(w * h)
		for o := Orientation(0); o <= LeftBottom; o++ {
			want, ww, wh := display(o, pix, w, h)
			got, gw, gh := viaSource(o, pix, w, h)
			if gw != ww || gh != wh || !equal(got, want) {
				t.Errorf("%d×%d orientation %d: got %d×%d %v, want %d×%d %v", w, h, o, gw, gh, got, ww, wh, want)
			}
		}
	}
}

func TestOrientationThen(t *testing.T) {
	w, h := 5, 3
	pix := ramp(w * h)
	for a := TopLeft; a <= LeftBottom; a++ {
		for b := TopLeft; b <= LeftBottom; b++ {
			mid, mw, mh := viaSource(a, pix, w, h)
			want, _, _ := viaSource(b, mid, mw, mh)
			c := a.Then(b)
			got, _, _ := viaSource(c, pix, w, h)
			if !equal(got, want) {
				t.Errorf("%d then %d: got %d, which gives %v, want %v", a, b, c, got, want)
			}
		}
	}
	cases := []struct{ a, b, want Orientation }{
		{RightTop, RightTop, BottomRight},   // two quarter turns
		{RightTop, LeftBottom, TopLeft},     // a quarter turn and back
		{TopRight, BottomLeft, BottomRight}, // flop, flip: a half turn
		{LeftTop, TopRight, RightTop},       // transpose, flop: a quarter turn
		{BottomRight, RightTop, LeftBottom}, // three quarter turns
		{0, RightBottom, RightBottom},       // 0 is TopLeft
	}
	for _, c := range cases {
		if got := c.a.Then(c.b); got != c.want {
			t.Errorf("%d.Then(%d): got %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

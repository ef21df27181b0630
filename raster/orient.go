package raster

// The orientations as geometry. An Orientation also names the operation
// that displays an image stored that way: RightTop (6) is turned a
// quarter turn clockwise, LeftTop (5) transposed. Every one of the eight is
// a transpose (or not), then a mirror left to right (or not), then a mirror
// top to bottom (or not); Parts says which.

// Parts splits the operation that displays an image stored in orientation
// o into a transpose (swap), then a mirror left to right (flop), then a
// mirror top to bottom (flip). 0 counts as TopLeft.
func (o Orientation) Parts() (swap, flop, flip bool) {
	switch o {
	case TopRight:
		return false, true, false
	case BottomRight:
		return false, true, true
	case BottomLeft:
		return false, false, true
	case LeftTop:
		return true, false, false
	case RightTop:
		return true, true, false
	case RightBottom:
		return true, true, true
	case LeftBottom:
		return true, false, true
	}
	return false, false, false
}

// Size is the size of a w×h stored image once displayed: w and h swapped
// when o swaps them.
func (o Orientation) Size(w, h int) (int, int) {
	if o.Swaps() {
		return h, w
	}
	return w, h
}

// Source returns the pixel of a w×h stored image that the displayed image
// shows at (x, y).
func (o Orientation) Source(x, y, w, h int) (sx, sy int) {
	swap, flop, flip := o.Parts()
	if swap {
		// Transposed, the image is h wide and w high.
		if flop {
			x = h - 1 - x
		}
		if flip {
			y = w - 1 - y
		}
		return y, x
	}
	if flop {
		x = w - 1 - x
	}
	if flip {
		y = h - 1 - y
	}
	return x, y
}

// Then returns the orientation whose operation is that of o followed by
// that of next: RightTop.Then(RightTop) is BottomRight (two quarter turns
// make a half turn). 0 counts as TopLeft.
func (o Orientation) Then(next Orientation) Orientation {
	// The eight are told apart by where they send the corners of an
	// image that is not square: try each on a 3×2 one.
	const w, h = 3, 2
	mw, mh := o.Size(w, h)
	ow, oh := next.Size(mw, mh)
	for c := TopLeft; c <= LeftBottom; c++ {
		if cw, ch := c.Size(w, h); cw != ow || ch != oh {
			continue
		}
		same := true
		for y := 0; y < oh && same; y++ {
			for x := 0; x < ow && same; x++ {
				mx, my := next.Source(x, y, mw, mh)
				ax, ay := o.Source(mx, my, w, h)
				bx, by := c.Source(x, y, w, h)
				same = ax == bx && ay == by
			}
		}
		if same {
			return c
		}
	}
	panic("raster: Orientation.Then found no orientation")
}

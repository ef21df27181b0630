package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// areaNeed is the input an area operation of radius r reads for out.
func areaNeed(out, in image.Rectangle, r int) image.Rectangle {
	return out.Inset(-r).Intersect(in)
}

// sameShape is the shape of an operation that keeps size and format.
func sameShape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return w, h, f, nil
}

// padRow fills dst with the samples x0 … x0+len(dst)-1 of the row src, which
// holds the samples from bx0 on, replicating its first and last sample
// beyond its ends.
func padRow(dst, src []float32, x0, bx0 int) {
	n := len(src)
	i := 0
	for ; i < len(dst) && x0+i < bx0; i++ {
		dst[i] = src[0]
	}
	if i < len(dst) {
		k := copy(dst[i:], src[x0+i-bx0:])
		i += k
	}
	for ; i < len(dst); i++ {
		dst[i] = src[n-1]
	}
}

// padPlane returns the samples of the rectangle out.Inset(-r) of a plane
// that covers b, replicating b's edge pixels, rows out.Dx()+2r apart.
func (s *scratch) padPlane(src []float32, b, out image.Rectangle, r int) []float32 {
	pw, ph := out.Dx()+2*r, out.Dy()+2*r
	p := s.floats(pw * ph)
	bw := b.Dx()
	for j := 0; j < ph; j++ {
		y := min(max(out.Min.Y-r+j, b.Min.Y), b.Max.Y-1) - b.Min.Y
		padRow(p[j*pw:(j+1)*pw], src[y*bw:(y+1)*bw], out.Min.X-r, b.Min.X)
	}
	return p
}

// clampRows returns the rows in [0, n) nearest to each of y-r … y+r.
func clampRow(y, n int) int { return min(max(y, 0), n-1) }

package filter

import (
	"fmt"
	"image"
	"strconv"

	"github.com/sluice-go/sluice/raster"
)

// Crop keeps the W×H rectangle whose top-left corner is (X, Y); it must lie
// inside its input image. It costs nothing: the tile is re-labelled, not
// copied. Spec "crop:X,Y,W,H".
type Crop struct{ X, Y, W, H int }

// String returns the spec, e.g. "crop:10,20,640,480".
func (c Crop) String() string {
	return "crop:" + strconv.Itoa(c.X) + "," + strconv.Itoa(c.Y) + "," + strconv.Itoa(c.W) + "," + strconv.Itoa(c.H)
}

// Halo is 0.
func (Crop) Halo() int { return 0 }

func (c Crop) validate() error {
	if c.X < 0 || c.Y < 0 {
		return fmt.Errorf("filter: crop: x and y must be at least 0, got %d,%d", c.X, c.Y)
	}
	if c.W < 1 || c.H < 1 {
		return fmt.Errorf("filter: crop: width and height must be at least 1, got %d×%d", c.W, c.H)
	}
	return nil
}

func (c Crop) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	if c.X+c.W > w || c.Y+c.H > h {
		return 0, 0, f, fmt.Errorf("crop rectangle %d,%d %d×%d reaches outside the %d×%d image", c.X, c.Y, c.W, c.H, w, h)
	}
	return c.W, c.H, f, nil
}
func (c Crop) need(out, in image.Rectangle) image.Rectangle {
	return out.Add(image.Pt(c.X, c.Y)).Intersect(in)
}
func (Crop) alpha() alphaMode { return anyAlpha }

func (c Crop) run(_ *scratch, b *planes, _, _ image.Rectangle) *planes {
	b.r = b.r.Sub(image.Pt(c.X, c.Y))
	return b
}

// Shrink averages each N×N block into one pixel. The output is
// floor(width/N) × floor(height/N): columns and rows that do not fill a
// whole block at the right and bottom are dropped, so N may not exceed
// either side. Spec "shrink:N".
type Shrink struct{ N int }

// String returns the spec, e.g. "shrink:2".
func (s Shrink) String() string { return "shrink:" + strconv.Itoa(s.N) }

// Halo is 0: a block reads only its own pixels.
func (Shrink) Halo() int { return 0 }

func (s Shrink) validate() error { return checkInt("shrink", "factor", s.N, 1, maxShrinkRatio) }

func (s Shrink) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	if s.N > w || s.N > h {
		return 0, 0, f, fmt.Errorf("shrink factor %d exceeds a side of the %d×%d image", s.N, w, h)
	}
	return w / s.N, h / s.N, f, nil
}
func (s Shrink) need(out, in image.Rectangle) image.Rectangle {
	return image.Rectangle{out.Min.Mul(s.N), out.Max.Mul(s.N)}.Intersect(in)
}
func (Shrink) alpha() alphaMode { return premulAlpha }

func (sh Shrink) run(s *scratch, b *planes, out, _ image.Rectangle) *planes {
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	n, w, bw := sh.N, out.Dx(), b.r.Dx()
	acc := s.floats(w)
	scale := 1 / float32(n*n)
	for ch := range b.p {
		src, d := b.p[ch], o.p[ch]
		for y := 0; y < out.Dy(); y++ {
			clear(acc)
			for j := 0; j < n; j++ {
				row := src[(y*n+j)*bw : (y*n+j)*bw+w*n]
				for x := range acc {
					blk := row[x*n : x*n+n]
					t := float32(0)
					for _, v := range blk {
						t += v
					}
					acc[x] += t
				}
			}
			dr := d[y*w : (y+1)*w]
			for x, v := range acc {
				dr[x] = v * scale
			}
		}
	}
	s.putFloats(acc)
	return o
}

package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// lut8Path is the fast path for a chain of point operations alone on an
// 8-bit image: one table lookup per colour sample, alpha copied. The table
// is the float path's own result for each of the 256 levels (pointStage's
// table8, quantised as store quantises), so the bytes are the float path's.
type lut8Path struct {
	t     [256]byte
	c     int  // channels
	alpha bool // the last channel is alpha, copied unchanged
}

// newLUT8 returns the fast path for plan p, whose only stage is ps.
func newLUT8(ps *pointStage, f raster.PixelFormat) *lut8Path {
	l := &lut8Path{c: f.Channels, alpha: f.HasAlpha()}
	for k, v := range ps.table8 {
		l.t[k] = byte(quant(v, 255))
	}
	return l
}

func (l *lut8Path) run(_ *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	n := dst.Rect.Dx() * l.c
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y++ {
		d := dst.Row(y)[:n]
		s := src.Pix[src.PixOffset(dst.Rect.Min.X, y):][:n]
		if !l.alpha {
			for i, v := range s {
				d[i] = l.t[v]
			}
			continue
		}
		c := l.c
		for i := 0; i < n; i += c {
			px, out := s[i:i+c:i+c], d[i:i+c:i+c]
			for ch := 0; ch < c-1; ch++ {
				out[ch] = l.t[px[ch]]
			}
			out[c-1] = px[c-1]
		}
	}
}

package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// grayFixed is the integer kernel of gray on RGB images without alpha:
// luma with weights of 16 fractional bits that sum to exactly 1<<16, so a
// grey pixel keeps its level.
//
// Point operations after it fold into its pass as a table. At 8 bits the
// table is indexed by luma at 1/16 of a level (4,081 entries), so that
// levels or contrast after gray stretch a rounding of 1/32 of a level, not
// of half a level; at 16 bits it is indexed by the rounded level.
type grayFixed struct {
	depth int
	post  pointTable // folded point operations; empty when none
}

// The luma weights of Gray in units of 2^-16.
const (
	grayWR = 19595
	grayWG = 38470
	grayWB = 7471
)

// The luma weights at 16 bits, in units of 2^-24: finer, so that their
// error stays a small fraction of a 16-bit level.
const (
	grayWR16 = 5016388 // round(0.299·2^24)
	grayWB16 = 1912603 // round(0.114·2^24)
	grayWG16 = 1<<24 - grayWR16 - grayWB16
)

// grayFineBits is the fractional bits of the index of a table folded into
// grayFixed at 8 bits.
const grayFineBits = 4

// grayWeightErr returns the bound, as a fraction of full scale, of the
// difference between the integer weights at the given depth and lumaR,
// lumaG, lumaB.
func grayWeightErr(depth int) float64 {
	if depth == 8 {
		return math.Abs(grayWR/65536.0-lumaR) + math.Abs(grayWG/65536.0-lumaG) + math.Abs(grayWB/65536.0-lumaB)
	}
	const s = float64(1 << 24)
	return math.Abs(grayWR16/s-lumaR) + math.Abs(grayWG16/s-lumaG) + math.Abs(grayWB16/s-lumaB)
}

func (g *grayFixed) run(_ *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	w := dst.Rect.Dx()
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y++ {
		d := dst.Row(y)
		o := src.PixOffset(dst.Rect.Min.X, y)
		if g.depth == 8 {
			s := src.Pix[o : o+3*w]
			d = d[:w]
			switch {
			case g.post.t8 != nil:
				t := g.post.t8[:255<<grayFineBits+1]
				for x := range d {
					px := s[3*x : 3*x+3 : 3*x+3]
					v := grayWR*uint32(px[0]) + grayWG*uint32(px[1]) + grayWB*uint32(px[2])
					d[x] = t[(v+1<<(15-grayFineBits))>>(16-grayFineBits)]
				}
			default:
				for x := range d {
					px := s[3*x : 3*x+3 : 3*x+3]
					v := grayWR*uint32(px[0]) + grayWG*uint32(px[1]) + grayWB*uint32(px[2])
					d[x] = byte((v + 1<<15) >> 16)
				}
			}
			continue
		}
		s := src.Pix[o : o+6*w]
		d = d[:2*w]
		for x := 0; x < w; x++ {
			px := s[6*x : 6*x+6 : 6*x+6]
			r := uint64(px[0])<<8 | uint64(px[1])
			gr := uint64(px[2])<<8 | uint64(px[3])
			b := uint64(px[4])<<8 | uint64(px[5])
			v := (grayWR16*r + grayWG16*gr + grayWB16*b + 1<<23) >> 24
			d[2*x], d[2*x+1] = byte(v>>8), byte(v)
		}
		if g.post.t16 != nil {
			g.post.apply(d)
		}
	}
}

package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// pointTable is a run of point operations turned into a table, for an
// integer kernel to apply to its own results (folded into its pass) or to
// a tile of integer samples on its own (tablePath).
//
// Entry q stands for the value q·step levels of the operations' input;
// the operations are applied to it once, when the plan is made, and the
// result rounded half up to a level of the output depth, as the float
// path stores it.
type pointTable struct {
	t8  []byte   // the entries at 8 bits, nil at 16
	t16 []uint16 // the entries at 16 bits, nil at 8
}

// newPointTable applies the operations of ps to n values, q·step levels
// for q in 0…n-1, of an image whose largest level is maxV. It returns the
// table and err, the bound of |T[q] − f(v)| in levels over every v within
// spread levels of q·step (and inside the range): how far an entry may
// lie from the exact result for an input known only to that spread.
//
// Every point operation is monotonic, and so is a run of them, so the
// bound is taken at the ends of the spread (and the centre, the entry).
func newPointTable(ps *pointStage, maxV, n int, step, spread float64) (pointTable, float64) {
	probes := 3
	if spread == 0 {
		probes = 1
	}
	v := make([]float32, n*probes)
	m := float64(maxV)
	for q := 0; q < n; q++ {
		c := float64(q) * step
		for j := 0; j < probes; j++ {
			x := float32(min(max(c+spread*float64(j-probes/2), 0), m))
			// As the float path loads samples, so that a table of exact
			// levels gives its bytes.
			if maxV == 255 {
				v[q*probes+j] = x / 255
			} else {
				v[q*probes+j] = x * (1.0 / 65535)
			}
		}
	}
	for i := 0; i < len(v); i += pointChunk {
		chunk := v[i:min(i+pointChunk, len(v))]
		for _, op := range ps.ops {
			op.point(chunk)
		}
	}
	var t pointTable
	if maxV == 255 {
		t.t8 = make([]byte, n)
	} else {
		t.t16 = make([]uint16, n)
	}
	worst := 0.0
	for q := 0; q < n; q++ {
		pr := v[q*probes : q*probes+probes]
		e := quant(pr[probes/2], float32(maxV))
		if t.t8 != nil {
			t.t8[q] = byte(e)
		} else {
			t.t16[q] = uint16(e)
		}
		for _, f := range pr {
			worst = max(worst, math.Abs(float64(e)-float64(f)*m))
		}
	}
	return t, worst
}

// apply replaces each sample of d, bytes at 8 bits or big-endian pairs at
// 16, with its entry.
func (t pointTable) apply(d []byte) {
	if t.t8 != nil {
		tb := t.t8[:256]
		for i, v := range d {
			d[i] = tb[v]
		}
		return
	}
	tb := t.t16[:65536]
	d = d[:len(d)&^1]
	for i := 0; i < len(d); i += 2 {
		v := tb[int(d[i])<<8|int(d[i+1])]
		d[i], d[i+1] = byte(v>>8), byte(v)
	}
}

// tablePath applies a pointTable to every colour sample of a tile of
// integer samples, alpha copied: point operations alone, or after an
// integer kernel that cannot fold them into its own pass.
type tablePath struct {
	t     pointTable
	c     int  // channels
	alpha bool // the last channel is alpha, copied unchanged
}

// newTablePath returns the table of ps for exact levels of format f.
func newTablePath(ps *pointStage, f raster.PixelFormat, spread float64) (*tablePath, float64) {
	t, err := newPointTable(ps, f.MaxValue(), f.MaxValue()+1, 1, spread)
	return &tablePath{t: t, c: f.Channels, alpha: f.HasAlpha()}, err
}

func (l *tablePath) run(_ *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	bps := src.Format.BytesPerSample()
	n := dst.Rect.Dx() * l.c * bps
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y++ {
		d := dst.Row(y)[:n]
		copy(d, src.Pix[src.PixOffset(dst.Rect.Min.X, y):][:n])
		if !l.alpha {
			l.t.apply(d)
			continue
		}
		pb := l.c * bps
		cb := pb - bps
		for i := 0; i < n; i += pb {
			l.t.apply(d[i : i+cb])
		}
	}
}

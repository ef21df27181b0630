package filter

import (
	"image"

	"github.com/sluice-go/sluice/raster"
)

// planes holds a rectangle of an image as one float32 plane per channel,
// samples in [0, 1], rows r.Dx() samples apart. When alpha is set the last
// plane is alpha, and premul says whether the colour planes are multiplied
// by it.
//
// With levels8 set, every sample is exactly lut8[k] for some 8-bit level k,
// as after loading an 8-bit tile; rank filters then work on bytes. The flag
// depends only on the chain, never on the tile, so every tile takes the same
// path (and both paths give the same samples).
type planes struct {
	r       image.Rectangle
	p       [][]float32
	alpha   bool
	premul  bool
	levels8 bool
}

// colour returns the planes that are not alpha.
func (b *planes) colour() [][]float32 {
	if b.alpha {
		return b.p[:len(b.p)-1]
	}
	return b.p
}

// premultiply multiplies the colour planes by alpha.
func (b *planes) premultiply() {
	a := b.p[len(b.p)-1]
	for _, c := range b.colour() {
		c = c[:len(a)]
		for i, v := range a {
			c[i] *= v
		}
	}
	b.premul = true
	b.levels8 = false
}

// unpremultiply divides the colour planes by alpha; colour under zero alpha
// becomes 0, and colour is clamped to [0, 1].
func (b *planes) unpremultiply() {
	a := b.p[len(b.p)-1]
	for _, c := range b.colour() {
		c = c[:len(a)]
		for i, v := range a {
			c[i] = unpremul(c[i], v)
		}
	}
	b.premul = false
	b.levels8 = false
}

func unpremul(c, a float32) float32 {
	if a <= 0 {
		return 0
	}
	c /= a
	return min(max(c, 0), 1)
}

// scratch recycles the buffers of one Run. It is not safe for concurrent
// use; Run takes one from a sync.Pool.
type scratch struct {
	f32 [][]float32
	i64 freeList[int64]
	u64 freeList[uint64]
	u8  freeList[byte]
	i16 freeList[int16]
	i32 freeList[int32]

	// Plan.Run's per-call state, kept here so a tile allocates nothing.
	rects      []image.Rectangle
	blockRects []image.Rectangle
	block      raster.Tile
	chain      [2]raster.Tile // an integer chain's tiles between kernels
	spare      []*planes      // released planes, for newPlanes

	// Small per-call buffers of the float stages.
	w64     []float64
	w32     []float32
	idx     []int
	rowRefs [][]float32

	// The horizontal taps of the last Lanczos pass, kept for the next tile
	// of the same columns: tiles of one column of a plan share them. With
	// a blur folded in, the vertical taps too.
	lanczosH, lanczosV lanczosTaps
}

// maxKept bounds how many free buffers a scratch keeps.
const maxKept = 16

// floats returns a slice of n float32 with undefined contents.
func (s *scratch) floats(n int) []float32 {
	best := -1
	for i, f := range s.f32 {
		if cap(f) >= n && (best < 0 || cap(f) < cap(s.f32[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]float32, n)
	}
	f := s.f32[best]
	s.f32[best] = s.f32[len(s.f32)-1]
	s.f32 = s.f32[:len(s.f32)-1]
	return f[:n]
}

// putFloats returns f to s.
func (s *scratch) putFloats(f []float32) {
	if cap(f) == 0 {
		return
	}
	if len(s.f32) >= maxKept {
		// Drop the smallest.
		small := 0
		for i, g := range s.f32 {
			if cap(g) < cap(s.f32[small]) {
				small = i
			}
		}
		if cap(s.f32[small]) >= cap(f) {
			return
		}
		s.f32[small] = f
		return
	}
	s.f32 = append(s.f32, f)
}

// freeList keeps free slices of one element type for reuse. It is not
// safe for concurrent use.
type freeList[T any] [][]T

// get returns a slice of n elements with undefined contents: the first
// kept slice large enough, or a new one.
func (l *freeList[T]) get(n int) []T {
	for i, f := range *l {
		if cap(f) >= n {
			last := len(*l) - 1
			(*l)[i] = (*l)[last]
			*l = (*l)[:last]
			return f[:n]
		}
	}
	return make([]T, n)
}

// put keeps f for a later get, unless maxKept slices are kept already.
func (l *freeList[T]) put(f []T) {
	if len(*l) < maxKept {
		*l = append(*l, f)
	}
}

// ints returns a slice of n int64 with undefined contents.
func (s *scratch) ints(n int) []int64 { return s.i64.get(n) }
func (s *scratch) putInts(f []int64)  { s.i64.put(f) }

// words returns a slice of n uint64 with undefined contents.
func (s *scratch) words(n int) []uint64 { return s.u64.get(n) }
func (s *scratch) putWords(f []uint64)  { s.u64.put(f) }

// bytes returns a slice of n bytes with undefined contents.
func (s *scratch) bytes(n int) []byte { return s.u8.get(n) }
func (s *scratch) putBytes(f []byte)  { s.u8.put(f) }

// shorts returns a slice of n int16 with undefined contents.
func (s *scratch) shorts(n int) []int16 { return s.i16.get(n) }
func (s *scratch) putShorts(f []int16)  { s.i16.put(f) }

// longs returns a slice of n int32 with undefined contents.
func (s *scratch) longs(n int) []int32 { return s.i32.get(n) }
func (s *scratch) putLongs(f []int32)  { s.i32.put(f) }

// newPlanes returns planes for r with c channels, contents undefined.
func (s *scratch) newPlanes(r image.Rectangle, c int, alpha, premul bool) *planes {
	var b *planes
	if k := len(s.spare); k > 0 {
		b, s.spare = s.spare[k-1], s.spare[:k-1]
	} else {
		b = new(planes)
	}
	p := b.p[:0]
	if cap(p) < c {
		p = make([][]float32, c)
	}
	*b = planes{r: r, p: p[:c], alpha: alpha, premul: premul}
	n := r.Dx() * r.Dy()
	for i := range b.p {
		b.p[i] = s.floats(n)
	}
	return b
}

// release returns b and its planes to s; b must not be used after.
func (s *scratch) release(b *planes) {
	for i, p := range b.p {
		s.putFloats(p)
		b.p[i] = nil
	}
	if len(s.spare) < maxKept {
		s.spare = append(s.spare, b)
	}
}

// lut8 maps an 8-bit sample to [0, 1].
var lut8 = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// load converts the pixels r of src to planes, premultiplying if asked.
func (s *scratch) load(src *raster.Tile, r image.Rectangle, premul bool) *planes {
	f := src.Format
	b := s.newPlanes(r, f.Channels, f.HasAlpha(), false)
	w, c := r.Dx(), f.Channels
	var chs [4][]float32
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := src.PixOffset(r.Min.X, y)
		off := (y - r.Min.Y) * w
		for ch := range c {
			chs[ch] = b.p[ch][off : off+w]
		}
		convRow(chs[:c], src.Pix[o:o+w*f.BytesPerPixel()], f)
	}
	b.levels8 = f.Depth == 8
	if premul && b.alpha {
		b.premultiply()
	}
	return b
}

// convRow sets the planes ch to the samples of the pixels of row, in [0,
// 1], as load converts them.
func convRow(ch [][]float32, row []byte, f raster.PixelFormat) {
	n := len(ch[0])
	if f.Depth == 8 {
		switch len(ch) {
		case 1:
			deint1x8(ch[0], row)
		case 3:
			deint3x8(ch[0], ch[1], ch[2], row)
		default:
			for q, p := range ch {
				for x := range p {
					p[x] = lut8[row[x*len(ch)+q]]
				}
			}
		}
		return
	}
	conv := func(i int) float32 { return float32(int(row[i])<<8|int(row[i+1])) * (1.0 / 65535) }
	switch len(ch) {
	case 4:
		p0, p1, p2, p3 := ch[0][:n], ch[1][:n], ch[2][:n], ch[3][:n]
		row = row[:8*n]
		for x := range p0 {
			i := 8 * x
			p0[x], p1[x], p2[x], p3[x] = conv(i), conv(i+2), conv(i+4), conv(i+6)
		}
	default:
		c := len(ch)
		for q, p := range ch {
			for x := range p {
				p[x] = conv(2 * (x*c + q))
			}
		}
	}
}

func deint1x8(p []float32, row []byte) {
	row = row[:len(p)]
	for x, v := range row {
		p[x] = lut8[v]
	}
}

func deint3x8(r, g, bl []float32, row []byte) {
	g = g[:len(r)]
	bl = bl[:len(r)]
	row = row[:3*len(r)]
	for x := range r {
		px := row[3*x : 3*x+3 : 3*x+3]
		r[x] = lut8[px[0]]
		g[x] = lut8[px[1]]
		bl[x] = lut8[px[2]]
	}
}

// quant rounds v in [0, 1] (clamped) to an integer sample of maximum m,
// half up.
func quant(v, m float32) int {
	// The conversion truncates toward zero, which is floor for the values
	// that matter; anything below 0 or above m is clamped as an integer,
	// which is cheaper than clamping the float.
	return min(max(int(v*m+0.5), 0), int(m))
}

// store writes b, which covers dst.Rect, into dst, unpremultiplying colour.
func (s *scratch) store(dst *raster.Tile, b *planes) {
	if b.premul {
		b.unpremultiply()
	}
	f := dst.Format
	w, c := b.r.Dx(), f.Channels
	m := float32(f.MaxValue())
	for y := b.r.Min.Y; y < b.r.Max.Y; y++ {
		row := dst.Row(y)
		off := (y - b.r.Min.Y) * w
		if f.Depth == 8 {
			switch c {
			case 1:
				int1x8(row, b.p[0][off:off+w])
			case 3:
				int3x8(row, b.p[0][off:off+w], b.p[1][off:off+w], b.p[2][off:off+w])
			default:
				for ch := 0; ch < c; ch++ {
					p := b.p[ch][off : off+w]
					for x, v := range p {
						row[x*c+ch] = byte(quant(v, 255))
					}
				}
			}
			continue
		}
		for ch := 0; ch < c; ch++ {
			p := b.p[ch][off : off+w]
			for x, v := range p {
				q := quant(v, m)
				i := 2 * (x*c + ch)
				row[i] = byte(q >> 8)
				row[i+1] = byte(q)
			}
		}
	}
}

func int1x8(row []byte, p []float32) {
	row = row[:len(p)]
	for x, v := range p {
		row[x] = byte(quant(v, 255))
	}
}

func int3x8(row []byte, r, g, bl []float32) {
	g = g[:len(r)]
	bl = bl[:len(r)]
	row = row[:3*len(r)]
	for x := range r {
		px := row[3*x : 3*x+3 : 3*x+3]
		px[0] = byte(quant(r[x], 255))
		px[1] = byte(quant(g[x], 255))
		px[2] = byte(quant(bl[x], 255))
	}
}

package filter

import (
	"encoding/binary"
	"image"

	"github.com/sluice-go/sluice/raster"
)

// medianNet is the fast path for a chain that is one median of radius 1
// or 2 on an 8-bit image without alpha. It works on the interleaved bytes
// of the source tile, never on float32 planes. For each output row, the
// 2R+1 source rows (edges replicated) are sorted sample by sample into
// 2R+1 planes, smallest first, so that every column of every window is
// sorted once and shared by the 2R+1 windows that contain it; then a
// selection network — 116 min and max operations for 5×5, 14 for 3×3 —
// picks the median of each window from the sorted columns at
// offsets of one pixel (±3 bytes for RGB).
//
// The AVX2 kernels take 32 samples at a time; the pure-Go kernels run the
// same networks on eight samples held in a word. Both are exact selection, so both give
// the true median, the same bytes as the float path and the reference.
// Which path runs depends only on the plan, never on the tile.
type medianNet struct {
	r    int        // window radius: 1 or 2
	c    int        // samples per pixel: 1 or 3
	post pointTable // point operations folded into the pass; empty when none
}

// newMedianNet returns the fast path for a median of radius r on format f,
// or nil when it does not apply.
func newMedianNet(r int, f raster.PixelFormat) *medianNet {
	if r > 2 || f.Depth != 8 || f.HasAlpha() {
		return nil
	}
	return &medianNet{r: r, c: f.Channels}
}

// medianSlack is the spare room after each row and plane, so that a
// vector kernel may read a whole block past the samples it needs.
const medianSlack = 64

// run computes dst.Rect from src; in is the input image's bounds.
func (f *medianNet) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *medianNet) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	n := 2*r + 1
	no := out.Dx() * c             // output samples in a row
	np := no + 2*r*c               // samples in a padded row
	stride := np + medianSlack     // bytes between rows and planes
	buf := s.bytes(2 * n * stride) // n padded source rows, then n planes
	var slotRow [5]int
	for i := range slotRow {
		slotRow[i] = -1
	}
	var rows, planes [5][]byte
	for k := range n {
		planes[k] = buf[(n+k)*stride : (n+k)*stride+np]
	}
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := range n {
			sy := min(max(y+k-r, in.Min.Y), in.Max.Y-1)
			slot := sy % n
			row := buf[slot*stride : (slot+1)*stride]
			if slotRow[slot] != sy {
				padSamples(row, src, sy, out.Min.X-r, out.Max.X+r, in, 1)
				slotRow[slot] = sy
			}
			rows[k] = row[:np]
		}
		sortCols(planes[:n], rows[:n])
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c:][:no]
		medianRow(d, planes[:n], c)
		if f.post.t8 != nil {
			f.post.apply(d)
		}
	}
	s.putBytes(buf)
}

// The pure-Go kernels hold eight samples in a word and take the minimum
// and maximum of each byte lane without branches: Go compiles min and max
// of single bytes to jumps, which mispredict on image data.

// geLanes returns a word with every bit of a lane set where the lane of
// a is at least that of b, and none elsewhere. The lanes are w bits wide
// (8, 16 or 32), and top holds the top bit of each.
func geLanes(a, b, top uint64, w uint) uint64 {
	d := (a | top) - (b &^ top)     // top bit: a's low bits ≥ b's
	ge := (a &^ b) | (^(a ^ b) & d) // top bit: a ≥ b
	return (ge & top) >> (w - 1) * (1<<w - 1)
}

// minMaxLanes returns the lane-wise minimum and maximum of a and b, in
// lanes as geLanes takes them.
func minMaxLanes(a, b, top uint64, w uint) (uint64, uint64) {
	m := geLanes(b, a, top, w)
	return a&m | b&^m, b&m | a&^m
}

// The lanes of the pure-Go kernels' words.
const (
	top8  = 0x8080808080808080
	top16 = 0x8000800080008000
	top32 = 0x8000000080000000
)

// ge8 returns a word with 0xff in each byte where the byte of a is at
// least the byte of b, and 0 elsewhere.
func ge8(a, b uint64) uint64 { return geLanes(a, b, top8, 8) }

// min8 returns the byte-wise minimum of a and b.
func min8(a, b uint64) uint64 {
	m := ge8(b, a)
	return a&m | b&^m
}

// max8 returns the byte-wise maximum of a and b.
func max8(a, b uint64) uint64 {
	m := ge8(b, a)
	return b&m | a&^m
}

// minMax8 returns the byte-wise minimum and maximum of a and b.
func minMax8(a, b uint64) (uint64, uint64) { return minMaxLanes(a, b, top8, 8) }

// sortWords sets planes[k][i] to the k-th smallest of the rows' samples
// at i, eight bytes at a time, with the sorting networks of three and
// nine comparators on lanes of w bits (see geLanes), and returns how many
// bytes it did: len(planes[0]) rounded down to a multiple of eight.
func sortWords(planes, rows [][]byte, w uint) int {
	le := binary.LittleEndian
	top := uint64(top8)
	switch w {
	case 16:
		top = top16
	case 32:
		top = top32
	}
	mm := func(a, b uint64) (uint64, uint64) { return minMaxLanes(a, b, top, w) }
	n := len(planes[0]) &^ 7
	i := 0
	if len(planes) == 3 {
		r0, r1, r2 := rows[0][:n], rows[1][:n], rows[2][:n]
		p0, p1, p2 := planes[0][:n], planes[1][:n], planes[2][:n]
		for ; i < n; i += 8 {
			a, b, c := le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:])
			a, b = mm(a, b)
			b, c = mm(b, c)
			a, b = mm(a, b)
			le.PutUint64(p0[i:], a)
			le.PutUint64(p1[i:], b)
			le.PutUint64(p2[i:], c)
		}
		return n
	}
	r0, r1, r2, r3, r4 := rows[0][:n], rows[1][:n], rows[2][:n], rows[3][:n], rows[4][:n]
	p0, p1, p2, p3, p4 := planes[0][:n], planes[1][:n], planes[2][:n], planes[3][:n], planes[4][:n]
	for ; i < n; i += 8 {
		a, b, c := le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:])
		d, e := le.Uint64(r3[i:]), le.Uint64(r4[i:])
		a, b = mm(a, b)
		d, e = mm(d, e)
		c, e = mm(c, e)
		c, d = mm(c, d)
		a, d = mm(a, d)
		a, c = mm(a, c)
		b, e = mm(b, e)
		b, d = mm(b, d)
		b, c = mm(b, c)
		le.PutUint64(p0[i:], a)
		le.PutUint64(p1[i:], b)
		le.PutUint64(p2[i:], c)
		le.PutUint64(p3[i:], d)
		le.PutUint64(p4[i:], e)
	}
	return n
}

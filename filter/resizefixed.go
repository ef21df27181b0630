package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// resizeFixed is the integer kernel of resize on gray and RGB images
// without alpha, at 8 and 16 bits. The Lanczos-3 taps of every output
// column and row are worked out once, when the plan is made (not per
// tile), with the edges folded into the first and last pixel of the
// image, and rounded to integers that sum to exactly 1<<resizeBits. A row
// is resized vertically into sums of input samples, kept whole, then
// horizontally; only the result is rounded, half up, and clamped to the
// range as the float path clamps the kernel's ringing.
type resizeFixed struct {
	c, depth int
	xs, ys   resizeTaps
}

// resizeBits is the scale of resizeFixed's weights: a sum of 16-bit samples
// weighed twice stays below 2^16·2^46·1.3 < 2^63.
const resizeBits = 23

// resizeTaps are the taps of every output pixel along one axis.
type resizeTaps struct {
	first []int   // the first input pixel each output pixel reads
	off   []int   // where its weights start in w; one more entry than outputs
	w     []int64 // the weights, end to end
	gain  float64 // the largest sum of absolute weights, as a fraction of the scale
	err   float64 // the largest sum of the weights' rounding errors, likewise
}

// newResizeTaps works out the taps of the n outputs of z along an axis of
// an input image of m pixels.
func newResizeTaps(z Resize, m, n int) resizeTaps {
	t := resizeTaps{first: make([]int, n), off: make([]int, n+1)}
	const scale = 1 << resizeBits
	fs := min(z.S, 1)
	var wf []float64
	for i := range n {
		first, last := z.span(i)
		u := (float64(i)+0.5)/z.S - 0.5
		lo, hi := max(first, 0), min(last, m-1)
		wf = wf[:0]
		for range hi - lo + 1 {
			wf = append(wf, 0)
		}
		sum := 0.0
		for k := first; k <= last; k++ {
			v := lanczos((float64(k) - u) * fs)
			wf[min(max(k, lo), hi)-lo] += v
			sum += v
		}
		// Round each weight, and give the rest to the largest.
		big, tot := 0, int64(0)
		gain, werr := 0.0, 0.0
		start := len(t.w)
		for j, v := range wf {
			q := int64(math.Round(v / sum * scale))
			t.w = append(t.w, q)
			tot += q
			if math.Abs(v) > math.Abs(wf[big]) {
				big = j
			}
		}
		t.w[start+big] += scale - tot
		for j, v := range wf {
			q := t.w[start+j]
			gain += math.Abs(float64(q)) / scale
			werr += math.Abs(float64(q)/scale - v/sum)
		}
		t.first[i], t.off[i+1] = lo, len(t.w)
		t.gain, t.err = max(t.gain, gain), max(t.err, werr)
	}
	return t
}

// newResizeFixed returns the kernel of z from a w×h image in format f, and
// the bounds of its error before rounding and of its gain (how much it may
// stretch an error in its input).
func newResizeFixed(z Resize, w, h int, f raster.PixelFormat) (*resizeFixed, float64, float64) {
	ow, oh := z.resizedLen(w), z.resizedLen(h)
	k := &resizeFixed{c: f.Channels, depth: f.Depth, xs: newResizeTaps(z, w, ow), ys: newResizeTaps(z, h, oh)}
	gain := k.xs.gain * k.ys.gain
	d := (k.xs.err*k.ys.gain + k.ys.err*k.xs.gain) * float64(f.MaxValue())
	return k, d, gain
}

func (k *resizeFixed) run(s *scratch, dst, src *raster.Tile, _ image.Rectangle) {
	c, out := k.c, dst.Rect
	// The input columns that the output columns read.
	x0 := k.xs.first[out.Min.X]
	x1 := k.xs.first[out.Max.X-1] + k.xs.off[out.Max.X] - k.xs.off[out.Max.X-1]
	n := (x1 - x0) * c
	sums := s.ints(n)
	bps := k.depth / 8
	maxV := int64(1)<<k.depth - 1
	const rnd = 1 << (2*resizeBits - 1)
	for y := out.Min.Y; y < out.Max.Y; y++ {
		clear(sums)
		fy := k.ys.first[y]
		ws := k.ys.w[k.ys.off[y]:k.ys.off[y+1]]
		row := func(j int) []byte {
			o := src.PixOffset(x0, fy+j)
			return src.Pix[o : o+n*bps]
		}
		j := 0
		if bps == 1 {
			for ; j+2 <= len(ws); j += 2 {
				addRows8(sums, row(j), row(j+1), ws[j], ws[j+1])
			}
		}
		for ; j < len(ws); j++ {
			if bps == 1 {
				addRow8(sums, row(j), ws[j])
			} else {
				addRow16(sums, row(j), ws[j])
			}
		}
		d := dst.Row(y)
		for x := out.Min.X; x < out.Max.X; x++ {
			ws := k.xs.w[k.xs.off[x]:k.xs.off[x+1]]
			v := sums[(k.xs.first[x]-x0)*c:]
			i := (x - out.Min.X) * c
			var acc [4]int64
			switch c {
			case 1:
				a := int64(rnd)
				v = v[:len(ws)]
				for j, w := range ws {
					a += w * v[j]
				}
				acc[0] = a
			case 3:
				a0, a1, a2 := int64(rnd), int64(rnd), int64(rnd)
				v = v[:3*len(ws)]
				for j, w := range ws {
					px := v[3*j : 3*j+3 : 3*j+3]
					a0 += w * px[0]
					a1 += w * px[1]
					a2 += w * px[2]
				}
				acc[0], acc[1], acc[2] = a0, a1, a2
			default:
				for ch := 0; ch < c; ch++ {
					a := int64(rnd)
					for j, w := range ws {
						a += w * v[j*c+ch]
					}
					acc[ch] = a
				}
			}
			for ch, a := range acc[:c] {
				q := min(max(a>>(2*resizeBits), 0), maxV)
				if bps == 1 {
					d[i+ch] = byte(q)
				} else {
					d[2*(i+ch)], d[2*(i+ch)+1] = byte(q>>8), byte(q)
				}
			}
		}
	}
	s.putInts(sums)
}

// addRow8 adds w times each sample of row to sums.
func addRow8(sums []int64, row []byte, w int64) {
	row = row[:len(sums)]
	for i, v := range row {
		sums[i] += w * int64(v)
	}
}

// addRows8 adds wa times each sample of a and wb times each of b to sums.
func addRows8(sums []int64, a, b []byte, wa, wb int64) {
	a, b = a[:len(sums)], b[:len(sums)]
	for i := range sums {
		sums[i] += wa*int64(a[i]) + wb*int64(b[i])
	}
}

// addRow16 adds w times each big-endian 16-bit sample of row to sums.
func addRow16(sums []int64, row []byte, w int64) {
	row = row[:2*len(sums)]
	for i := range sums {
		sums[i] += w * int64(uint16(row[2*i])<<8|uint16(row[2*i+1]))
	}
}

package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// resizeFixed is the integer kernel of resize on gray and RGB images
// without alpha at 16 bits (8-bit images take resize8, and with alpha
// resizePM). The Lanczos-3 taps
// of every output column and row are worked out once, when the plan is
// made (not per tile), with the edges folded into the first and last pixel
// of the image, and rounded to integers that sum to exactly 1<<bits. A row
// is resized vertically into sums of input samples, kept whole, then
// horizontally; only the result is rounded, half up, and clamped to the
// range as the float path clamps the kernel's ringing. A large reduction
// first averages K×K blocks (Resize.box) into rows of 1/16 levels, kept in
// a ring so that each block is averaged once per tile; its vertical sums
// are rounded to 1/256 levels before the horizontal pass, which keeps the
// sums in 64 bits.
type resizeFixed struct {
	c, depth int
	box      int // K, 1 when there is no box
	bits     int // the scale of the weights
	xs, ys   resizeTaps
}

// resizeBits is the scale of resizeFixed's weights: a sum of 16-bit samples
// weighed twice stays below 2^16·2^46·2.3 < 2^63. Block averages carry
// boxFrac fraction bits, and the vertical sums over them are rounded to
// boxMidFrac before the horizontal pass.
const (
	resizeBits = 23
	boxFrac    = 4
	boxMidFrac = 8
)

// resizeTaps are the taps of every output pixel along one axis.
type resizeTaps struct {
	first []int   // the first input pixel each output pixel reads
	off   []int   // where its weights start in w; one more entry than outputs
	n     []int   // how many of its weights fall on the image; the rest are zero padding
	w     []int64 // the weights, end to end
	most  int     // the largest number of weights of an output pixel
	gain  float64 // the largest sum of absolute weights, as a fraction of the scale
	err   float64 // the largest sum of the weights' rounding errors, likewise
	big   float64 // the largest absolute weight, as a fraction of the scale
}

// newResizeTaps works out the taps, at a scale of 1<<bits, of the n
// outputs of the Lanczos kernel z along an axis of m input pixels. With
// fold, the weights of the pixels past the edges are added to the edge
// pixel's; without, the taps reach past the edges, where the caller
// repeats the edge pixels. Each output's weights are padded with zeros to
// a multiple of pad, or to one count for every output when uniform is set.
// With a blur's half kernel g (nil for none), the taps are those of the
// blur and the resize in one (blurredTaps), always folded.
func newResizeTaps(z Resize, g []float64, m, n, bits, pad int, uniform, fold bool) resizeTaps {
	t := resizeTaps{first: make([]int, n), off: make([]int, n+1), n: make([]int, n)}
	scale := float64(int64(1) << bits)
	fs := min(z.S, 1)
	var wf []float64
	counts := make([]int, n)
	for i := range n {
		var lo int
		sum := 0.0
		if g != nil {
			lo, wf = blurredTaps(z, g, i, m, wf)
			for _, v := range wf {
				sum += v
			}
		} else {
			first, last := z.span(i)
			u := (float64(i)+0.5)/z.S - 0.5
			hi := last
			lo = first
			if fold {
				lo, hi = min(max(first, 0), m-1), max(min(last, m-1), 0)
			}
			wf = wf[:0]
			for range hi - lo + 1 {
				wf = append(wf, 0)
			}
			for k := first; k <= last; k++ {
				v := lanczos((float64(k) - u) * fs)
				wf[min(max(k, lo), hi)-lo] += v
				sum += v
			}
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
		t.w[start+big] += int64(scale) - tot
		for j, v := range wf {
			q := t.w[start+j]
			gain += math.Abs(float64(q)) / scale
			werr += math.Abs(float64(q)/scale - v/sum)
			t.big = max(t.big, math.Abs(float64(q))/scale)
		}
		t.first[i], t.n[i] = lo, len(wf)
		counts[i] = len(wf)
		t.gain, t.err = max(t.gain, gain), max(t.err, werr)
		t.off[i+1] = len(t.w)
	}
	if pad <= 1 && !uniform {
		t.most = maxInt(counts)
		return t
	}
	// Pad: rebuild w with zeros after each output's weights.
	most := (maxInt(counts) + pad - 1) / pad * pad
	w := make([]int64, 0, len(t.w)+n*pad)
	for i := range n {
		ws := t.w[t.off[i]:t.off[i+1]]
		c := (len(ws) + pad - 1) / pad * pad
		if uniform {
			c = most
		}
		t.off[i] = len(w)
		w = append(w, ws...)
		for range c - len(ws) {
			w = append(w, 0)
		}
	}
	t.off[n] = len(w)
	t.w, t.most = w, most
	return t
}

func maxInt(v []int) int {
	m := 0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// newResizeFixed returns the kernel of z from a w×h image in format f,
// after a blur of sigma (0 for none, else z has no box), and the bounds of
// its error before rounding and of its gain (how much it may stretch an
// error in its input).
func newResizeFixed(z Resize, sigma float64, w, h int, f raster.PixelFormat) (*resizeFixed, float64, float64) {
	ow, oh := z.resizedLen(w), z.resizedLen(h)
	l := z.lanczos()
	g := blurKernel(sigma)
	k := &resizeFixed{c: f.Channels, depth: f.Depth, box: z.box(), bits: resizeBits}
	k.xs = newResizeTaps(l, g, z.boxedLen(w), ow, k.bits, 1, false, true)
	k.ys = newResizeTaps(l, g, z.boxedLen(h), oh, k.bits, 1, false, true)
	gain := k.xs.gain * k.ys.gain
	d := (k.xs.err*k.ys.gain + k.ys.err*k.xs.gain) * float64(f.MaxValue())
	if k.box > 1 {
		d += gain*0.5/(1<<boxFrac) + k.xs.gain*0.5/(1<<boxMidFrac) // the averages' and the vertical sums' rounding
	}
	return k, d, gain
}

func (k *resizeFixed) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	c, out := k.c, dst.Rect
	// The input columns (or blocks) that the output columns read.
	x0 := k.xs.first[out.Min.X]
	x1 := k.xs.first[out.Max.X-1] + k.xs.n[out.Max.X-1]
	n := (x1 - x0) * c
	sums := s.ints(n)
	bps := k.depth / 8
	maxV := int64(1)<<k.depth - 1
	shift := 2 * k.bits
	var ring []int32
	var boxAcc []uint64
	var slotRow []int
	if k.box > 1 {
		shift = k.bits + boxMidFrac
		ring = s.longs(k.ys.most * n)
		boxAcc = s.words(n)
		slotRow = s.idx[:0]
		for range k.ys.most {
			slotRow = append(slotRow, -1)
		}
	}
	rnd := int64(1) << (shift - 1)
	rs := make([][]int32, k.ys.most)
	for y := out.Min.Y; y < out.Max.Y; y++ {
		clear(sums)
		fy := k.ys.first[y]
		ws := k.ys.w[k.ys.off[y]:k.ys.off[y+1]]
		row := func(j int) []byte {
			o := src.PixOffset(in.Min.X+x0, fy+j)
			return src.Pix[o : o+n*bps]
		}
		j := 0
		switch {
		case k.box > 1:
			rs = rs[:len(ws)]
			for ; j < len(ws); j++ {
				by := fy + j
				slot := by % k.ys.most
				r := ring[slot*n : (slot+1)*n]
				if slotRow[slot] != by {
					boxRow(r, boxAcc, src, by, x0, x1, k.box, in)
					slotRow[slot] = by
				}
				rs[j] = r
			}
			j = 0
			for ; j+4 <= len(ws); j += 4 {
				addRows32(sums, rs[j], rs[j+1], rs[j+2], rs[j+3], ws[j:j+4:j+4])
			}
			for ; j < len(ws); j++ {
				addRow32(sums, rs[j], ws[j])
			}
			if k.box > 1 {
				vs := k.bits + boxFrac - boxMidFrac
				for i, v := range sums {
					sums[i] = (v + 1<<(vs-1)) >> vs
				}
			}
		case bps == 1:
			for ; j+2 <= len(ws); j += 2 {
				addRows8(sums, row(j), row(j+1), ws[j], ws[j+1])
			}
			for ; j < len(ws); j++ {
				addRow8(sums, row(j), ws[j])
			}
		default:
			for ; j+4 <= len(ws); j += 4 {
				addRows16(sums, row(j), row(j+1), row(j+2), row(j+3), ws[j:j+4:j+4])
			}
			for ; j < len(ws); j++ {
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
				a := rnd
				v = v[:len(ws)]
				for j, w := range ws {
					a += w * v[j]
				}
				acc[0] = a
			case 3:
				a0, a1, a2 := rnd, rnd, rnd
				v = v[:3*len(ws)]
				for j, w := range ws {
					px := v[3*j : 3*j+3 : 3*j+3]
					a0 += w * px[0]
					a1 += w * px[1]
					a2 += w * px[2]
				}
				acc[0], acc[1], acc[2] = a0, a1, a2
			case 4:
				a0, a1, a2, a3 := rnd, rnd, rnd, rnd
				v = v[:4*len(ws)]
				for j, w := range ws {
					px := v[4*j : 4*j+4 : 4*j+4]
					a0 += w * px[0]
					a1 += w * px[1]
					a2 += w * px[2]
					a3 += w * px[3]
				}
				acc = [4]int64{a0, a1, a2, a3}
			default:
				for ch := 0; ch < c; ch++ {
					a := rnd
					for j, w := range ws {
						a += w * v[j*c+ch]
					}
					acc[ch] = a
				}
			}
			for ch, a := range acc[:c] {
				q := min(max(a>>shift, 0), maxV)
				if bps == 1 {
					d[i+ch] = byte(q)
				} else {
					d[2*(i+ch)], d[2*(i+ch)+1] = byte(q>>8), byte(q)
				}
			}
		}
	}
	if ring != nil {
		s.idx = slotRow
		s.putLongs(ring)
		s.putWords(boxAcc)
	}
	s.putInts(sums)
}

// boxRow stores into dst the averages, in units of 2^-boxFrac levels
// rounded half up, of the k×k blocks x0 … x1−1 of block row by of src, an
// image with bounds in whose last row and column stand in past its edge.
// acc is working space of len(dst).
func boxRow[T int16 | int32](dst []T, acc []uint64, src *raster.Tile, by, x0, x1, k int, in image.Rectangle) {
	clear(acc)
	c := src.Format.Channels
	bps := src.Format.BytesPerSample()
	// Blocks that lie wholly inside the image read their samples in a
	// run; the last block of the image may need the edge repeated.
	full := min(x1, (in.Dx())/k)
	for j := range k {
		y := min(in.Min.Y+by*k+j, in.Max.Y-1)
		if full > x0 {
			o := src.PixOffset(in.Min.X+x0*k, y)
			row := src.Pix[o : o+(full-x0)*k*c*bps]
			a := acc[:(full-x0)*c]
			switch {
			case bps == 1 && c == 1:
				for b := range a {
					var t uint64
					for _, v := range row[b*k : b*k+k] {
						t += uint64(v)
					}
					a[b] += t
				}
			case bps == 1 && c == 3:
				for b := 0; b < len(a); b += 3 {
					var t0, t1, t2 uint64
					px := row[b*k : b*k+3*k]
					for i := 0; i+3 <= len(px); i += 3 {
						t0 += uint64(px[i])
						t1 += uint64(px[i+1])
						t2 += uint64(px[i+2])
					}
					a[b] += t0
					a[b+1] += t1
					a[b+2] += t2
				}
			default:
				for b := range a {
					px, ch := b/c, b%c
					var t uint64
					for i := range k {
						t += sample(row, (px*k+i)*c+ch, bps)
					}
					a[b] += t
				}
			}
		}
		for bx := max(full, x0); bx < x1; bx++ {
			for i := range k {
				x := min(in.Min.X+bx*k+i, in.Max.X-1)
				o := src.PixOffset(x, y)
				for ch := range c {
					acc[(bx-x0)*c+ch] += sample(src.Pix[o:], ch, bps)
				}
			}
		}
	}
	area := uint64(k * k)
	for i, v := range acc[:len(dst)] {
		dst[i] = T((v<<boxFrac + area/2) / area)
	}
}

// sample returns sample i of a row of samples of bps bytes, big-endian.
func sample(row []byte, i, bps int) uint64 {
	if bps == 1 {
		return uint64(row[i])
	}
	return uint64(row[2*i])<<8 | uint64(row[2*i+1])
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

// addRows16 adds w[0] times each big-endian 16-bit sample of a, w[1]
// times each of b, w[2] of c and w[3] of d to sums: one pass over sums for
// four rows.
func addRows16(sums []int64, a, b, c, d []byte, w []int64) {
	n := 2 * len(sums)
	a, b, c, d = a[:n], b[:n], c[:n], d[:n]
	w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
	for i := range sums {
		j := 2 * i
		sums[i] += w0*int64(uint16(a[j])<<8|uint16(a[j+1])) + w1*int64(uint16(b[j])<<8|uint16(b[j+1])) +
			w2*int64(uint16(c[j])<<8|uint16(c[j+1])) + w3*int64(uint16(d[j])<<8|uint16(d[j+1]))
	}
}

// addRows32 adds w[0] times each value of a, w[1] of b, w[2] of c and
// w[3] of d to sums.
func addRows32(sums []int64, a, b, c, d []int32, w []int64) {
	n := len(sums)
	a, b, c, d = a[:n], b[:n], c[:n], d[:n]
	w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
	for i := range sums {
		sums[i] += w0*int64(a[i]) + w1*int64(b[i]) + w2*int64(c[i]) + w3*int64(d[i])
	}
}

// addRow32 adds w times each value of row to sums.
func addRow32(sums []int64, row []int32, w int64) {
	row = row[:len(sums)]
	for i, v := range row {
		sums[i] += w * int64(v)
	}
}

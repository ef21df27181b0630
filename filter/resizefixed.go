package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// resizeFixed is the integer kernel of resize on gray and RGB images
// without alpha at 16 bits (8-bit images take resize8, and with alpha
// resizePM). The Lanczos-3 taps of every output column and row are worked
// out once, when the plan is made (not per tile), with the edges folded
// into the first and last pixel of the image, and rounded to integers
// that sum to exactly 1<<bits. A row is resized vertically into 64-bit
// sums of input samples, rounded half up to 32-bit samples with
// resizeMidFrac fraction bits (the ringing kept: no clamp between the
// passes), then horizontally into 64-bit sums, rounded half up and
// clamped to the range as the float path clamps the kernel's ringing. A
// large reduction first averages K×K blocks (Resize.box) into rows of
// 1/16 levels, kept in a ring so that each block is averaged once per
// tile. The columns' weights are padded with zeros to one count for all,
// a multiple of 4 (of 2 for three channels), so that the vector kernels
// (vresU16AVX2, vresBoxAVX2, hresU16c1AVX2, hresU16c3AVX2, addRowU16AVX2)
// take them four or two at a time; the pure-Go kernels (vresFixedGo,
// vresBoxGo, hresFixedGo, addRow16Go) do the same integer arithmetic, so
// both give the same bytes.
type resizeFixed struct {
	c, depth int
	box      int // K, 1 when there is no box
	bits     int // the scale of the weights
	xs, ys   resizeTaps
	xw, yw   []int32 // xs's and ys's weights as 32-bit integers
}

// resizeBits is the scale of resizeFixed's weights. The vertical sums, of
// 16-bit samples or of block averages with boxFrac fraction bits (below
// 2^20), weighed by at most 2.3·2^23 in all, stay below 2^45; the samples
// between the passes, with resizeMidFrac fraction bits, below 2^26 (ringing
// included), so they fit 32 bits; and the horizontal sums below 2^50.
const (
	resizeBits    = 23
	boxFrac       = 4
	resizeMidFrac = 8
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
	// The horizontal kernels take the taps of three channels two at a
	// time, of one channel four at a time.
	xpad := 4
	if k.c == 3 {
		xpad = 2
	}
	k.xs = newResizeTaps(l, g, z.boxedLen(w), ow, k.bits, xpad, true, true)
	k.ys = newResizeTaps(l, g, z.boxedLen(h), oh, k.bits, 1, false, true)
	k.xw, k.yw = int32s(k.xs.w), int32s(k.ys.w)
	gain := k.xs.gain * k.ys.gain
	d := (k.xs.err*k.ys.gain + k.ys.err*k.xs.gain) * float64(f.MaxValue())
	d += k.xs.gain * 0.5 / (1 << resizeMidFrac) // the rounding between the passes
	if k.box > 1 {
		d += gain * 0.5 / (1 << boxFrac) // the averages' rounding
	}
	return k, d, gain
}

// int32s returns the weights w as 32-bit integers.
func int32s(w []int64) []int32 {
	o := make([]int32, len(w))
	for i, v := range w {
		o[i] = int32(v)
	}
	return o
}

func (k *resizeFixed) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	c, out := k.c, dst.Rect
	// The input columns (or blocks) that the output columns read, and the
	// samples between the passes, with room for the zero weights past the
	// last column and the vector loads' overreach.
	x0 := k.xs.first[out.Min.X]
	x1 := k.xs.first[out.Max.X-1] + k.xs.n[out.Max.X-1]
	n := (x1 - x0) * c
	mid := s.longs(n + k.xs.most*c + 8)
	row := mid[:n]
	offs := s.longs(out.Dx())
	for x := range offs {
		offs[x] = int32((k.xs.first[out.Min.X+x] - x0) * c)
	}
	bps := k.depth / 8
	var ring []int32
	var boxAcc []uint64
	var colSums []int32
	var slotRow []int
	if k.box > 1 {
		ring = s.longs(k.ys.most * n)
		boxAcc = s.words(n)
		colSums = s.longs(n * k.box)
		slotRow = s.idx[:0]
		for range k.ys.most {
			slotRow = append(slotRow, -1)
		}
	}
	var rows [][]byte
	var boxed [][]int32
	xw := k.xw[k.xs.off[out.Min.X]:]
	for y := out.Min.Y; y < out.Max.Y; y++ {
		fy := k.ys.first[y]
		ws := k.yw[k.ys.off[y]:k.ys.off[y+1]]
		if k.box > 1 {
			boxed = boxed[:0]
			for j := range ws {
				by := fy + j
				slot := by % k.ys.most
				r := ring[slot*n : (slot+1)*n]
				if slotRow[slot] != by {
					if bps == 2 {
						boxRow16(r, boxAcc, colSums, src, by, x0, x1, k.box, in)
					} else {
						boxRow(r, boxAcc, src, by, x0, x1, k.box, in)
					}
					slotRow[slot] = by
				}
				boxed = append(boxed, r)
			}
			vresBox(row, boxed, ws, uint(k.bits+boxFrac-resizeMidFrac))
		} else {
			rows = rows[:0]
			for j := range ws {
				o := src.PixOffset(in.Min.X+x0, fy+j)
				rows = append(rows, src.Pix[o:o+n*bps])
			}
			if bps == 2 {
				vresFixed16(row, rows, ws, uint(k.bits-resizeMidFrac))
			} else {
				vresFixedGo(row, rows, ws, uint(k.bits-resizeMidFrac), 1)
			}
		}
		d := dst.Row(y)[:out.Dx()*c*bps]
		hresFixed(d, mid, offs, xw, k.xs.most, c, uint(k.bits+resizeMidFrac), k.depth)
	}
	if ring != nil {
		s.idx = slotRow
		s.putLongs(ring)
		s.putWords(boxAcc)
		s.putLongs(colSums)
	}
	s.putLongs(offs)
	s.putLongs(mid)
}

// vresFixedGo stores into d the vertical pass of resizeFixed over rows of
// big-endian samples of bps bytes: sample i of d is the sum of w[j] times
// sample i of rows[j], rounded half up and shifted right by shift. It
// adds up a block of samples row by row, which reads each row in order.
func vresFixedGo(d []int32, rows [][]byte, w []int32, shift uint, bps int) {
	var acc [256]int64
	for i0 := 0; i0 < len(d); i0 += len(acc) {
		a := acc[:min(len(acc), len(d)-i0)]
		clear(a)
		j := 0
		if bps == 2 {
			// Four rows at a time: a quarter of the sums' loads and stores.
			n := 2 * len(a)
			for ; j+4 <= len(rows); j += 4 {
				r0, r1, r2, r3 := rows[j][2*i0:][:n], rows[j+1][2*i0:][:n], rows[j+2][2*i0:][:n], rows[j+3][2*i0:][:n]
				w0, w1, w2, w3 := int64(w[j]), int64(w[j+1]), int64(w[j+2]), int64(w[j+3])
				for i := range a {
					k := 2 * i
					a[i] += w0*int64(uint16(r0[k])<<8|uint16(r0[k+1])) + w1*int64(uint16(r1[k])<<8|uint16(r1[k+1])) +
						w2*int64(uint16(r2[k])<<8|uint16(r2[k+1])) + w3*int64(uint16(r3[k])<<8|uint16(r3[k+1]))
				}
			}
		}
		for ; j < len(rows); j++ {
			r, wj := rows[j], int64(w[j])
			if bps == 2 {
				r = r[2*i0 : 2*(i0+len(a))]
				for i := range a {
					a[i] += wj * int64(uint16(r[2*i])<<8|uint16(r[2*i+1]))
				}
			} else {
				r = r[i0 : i0+len(a)]
				for i := range a {
					a[i] += wj * int64(r[i])
				}
			}
		}
		roundSums(d[i0:], a, shift)
	}
}

// vresBoxGo is vresFixedGo over rows of block averages.
func vresBoxGo(d []int32, rows [][]int32, w []int32, shift uint) {
	var acc [256]int64
	for i0 := 0; i0 < len(d); i0 += len(acc) {
		a := acc[:min(len(acc), len(d)-i0)]
		clear(a)
		for j, r := range rows {
			wj := int64(w[j])
			r = r[i0 : i0+len(a)]
			for i := range a {
				a[i] += wj * int64(r[i])
			}
		}
		roundSums(d[i0:], a, shift)
	}
}

// roundSums stores into d the sums a, rounded half up and shifted right
// by shift.
func roundSums(d []int32, a []int64, shift uint) {
	rnd := int64(1) << (shift - 1)
	d = d[:len(a)]
	for i, v := range a {
		d[i] = int32((v + rnd) >> shift)
	}
}

// hresFixedGo stores into d the horizontal pass of resizeFixed over the
// samples m of c channels: output pixel x weighs the taps pixels from
// sample offs[x] of m by w[x·taps:], and each sum is rounded half up,
// shifted right by shift, clamped to the range of depth bits and stored
// big-endian.
func hresFixedGo(d []byte, m []int32, offs []int32, w []int32, taps, c int, shift uint, depth int) {
	rnd := int64(1) << (shift - 1)
	top := int64(1)<<depth - 1
	for x, o := range offs {
		ws := w[x*taps : (x+1)*taps]
		v := m[o : int(o)+taps*c]
		var sums [4]int64
		switch c {
		case 1:
			a := rnd
			for j, wj := range ws {
				a += int64(wj) * int64(v[j])
			}
			sums[0] = a
		case 3:
			a0, a1, a2 := rnd, rnd, rnd
			for j, wj := range ws {
				px := v[3*j : 3*j+3 : 3*j+3]
				a0 += int64(wj) * int64(px[0])
				a1 += int64(wj) * int64(px[1])
				a2 += int64(wj) * int64(px[2])
			}
			sums[0], sums[1], sums[2] = a0, a1, a2
		default:
			for ch := range c {
				a := rnd
				for j, wj := range ws {
					a += int64(wj) * int64(v[j*c+ch])
				}
				sums[ch] = a
			}
		}
		for ch, acc := range sums[:c] {
			q := min(max(acc>>shift, 0), top)
			if depth == 8 {
				d[x*c+ch] = byte(q)
			} else {
				i := 2 * (x*c + ch)
				d[i], d[i+1] = byte(q>>8), byte(q)
			}
		}
	}
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
	average(dst, acc, k)
}

// average stores into dst the averages, in units of 2^-boxFrac rounded
// half up, of the k×k blocks whose sums acc holds. A quotient of integers
// below 2^53 moves by less than 1/k² when rounded to float64, and a
// quotient that is not whole lies at least 1/k² below the next integer:
// its floor is exact, and a division in float64 costs a fraction of one
// of 64-bit integers.
func average[T int16 | int32](dst []T, acc []uint64, k int) {
	area, half := float64(k*k), uint64(k*k)/2
	for i, v := range acc[:len(dst)] {
		dst[i] = T(math.Floor(float64(v<<boxFrac+half) / area))
	}
}

// boxRow16 is boxRow on 16-bit samples: the blocks that lie wholly inside
// the image add up their k rows' samples column by column into cols
// (addRow16), then each block its k columns; the last block, which may
// need the edge repeated, is boxRow's. cols is working space of k·len(dst)
// samples; a column sum stays below 65535·32768 < 2^31.
func boxRow16(dst []int32, acc []uint64, cols []int32, src *raster.Tile, by, x0, x1, k int, in image.Rectangle) {
	c := src.Format.Channels
	full := min(x1, in.Dx()/k)
	if full <= x0 {
		boxRow(dst, acc, src, by, x0, x1, k, in)
		return
	}
	nf := (full - x0) * c // the samples of the whole blocks
	cols = cols[:nf*k]
	clear(cols)
	for j := range k {
		y := min(in.Min.Y+by*k+j, in.Max.Y-1)
		o := src.PixOffset(in.Min.X+x0*k, y)
		addRow16(cols, src.Pix[o:o+2*len(cols)])
	}
	sums := acc[:nf]
	for px := range full - x0 {
		cs := cols[px*k*c : (px+1)*k*c]
		for ch := range c {
			var t uint64
			for i := ch; i < len(cs); i += c {
				t += uint64(cs[i])
			}
			sums[px*c+ch] = t
		}
	}
	average(dst[:nf], sums, k)
	if full < x1 {
		boxRow(dst[nf:], acc, src, by, full, x1, k, in)
	}
}

// addRow16Go adds each big-endian 16-bit sample of row to the sum of its
// column in cols.
func addRow16Go(cols []int32, row []byte) {
	row = row[:2*len(cols)]
	for i := range cols {
		cols[i] += int32(row[2*i])<<8 | int32(row[2*i+1])
	}
}

// sample returns sample i of a row of samples of bps bytes, big-endian.
func sample(row []byte, i, bps int) uint64 {
	if bps == 1 {
		return uint64(row[i])
	}
	return uint64(row[2*i])<<8 | uint64(row[2*i+1])
}

package filter

import (
	"image"
	"math"

	"github.com/sluice-go/sluice/raster"
)

// Resize scales the image by S with a separable Lanczos-3 kernel. The
// output is round(width·S) × round(height·S) pixels, at least 1×1. Output
// pixel i is centred on input position (i + 0.5)/S − 0.5, so the centres
// of the two images line up. When downsizing (S < 1) the kernel is
// stretched by 1/S, to a support of 3/S input pixels either side, so that
// every input pixel contributes, as libvips' resize does; when upsizing
// (1 < S ≤ 4) it keeps its support of 3 pixels and interpolates. The weights
// of each output pixel are normalised to sum to 1, edges replicate, colour
// is premultiplied by alpha like the other area operations, and the ringing
// of the kernel is clamped to full scale (premultiplied colour to alpha). S lies in [1/65536, 4]. Spec
// "resize:S".
//
// A large reduction (S ≤ 1/4) first averages blocks of K×K pixels, K =
// floor(1/(2S)), as libvips' resize does at its default gap of 2: the
// Lanczos kernel then reduces by 1/(S·K), between 2 and 4, over K times
// fewer taps each way. Block j covers input pixels jK … jK+K−1, the last
// pixel of the image standing in past its edge, and is centred on input
// position jK + (K−1)/2, so the centres still line up. The box changes the
// filter a little: from 1/4 down to 1/20, on the photo-like images of
// sluice gen, samples move by 0.1 to 0.7 levels (8-bit) on average and by
// at most 7 from the Lanczos kernel alone; on noise, whose detail is finer
// than the output's pixels, by 1 to 4 on average and at most 22.
type Resize struct{ S float64 }

// Limits on the scale of Resize.
const (
	minResizeScale = 1.0 / maxShrinkRatio
	maxResizeScale = 4
)

// lanczosA is the number of lobes of the Lanczos kernel.
const lanczosA = 3

// String returns the spec, e.g. "resize:0.5".
func (z Resize) String() string { return "resize:" + num(z.S) }

// Halo is the kernel's support in input pixels, rounded up: ceil(3/S) when
// downsizing, 3 otherwise, plus the box's K−1. It is informative;
// SourceRect is exact.
func (z Resize) Halo() int { return int(math.Ceil(z.support())) + z.box() - 1 }

// box is the side K of the blocks a large reduction averages before its
// Lanczos kernel: floor(1/(2S)) when S ≤ 1/4, else 1 (no box).
func (z Resize) box() int {
	if z.S > 0.25 {
		return 1
	}
	return int(math.Floor(1/(2*z.S) + 1e-9))
}

// lanczos is the Lanczos part of z on the image of averaged blocks: a
// resize by S·K, whose output pixel i is centred on block (i+0.5)/(S·K) −
// 0.5, that is on input position (i+0.5)/S − 0.5.
func (z Resize) lanczos() Resize {
	k := z.box()
	if k == 1 {
		return z
	}
	return Resize{S: z.S * float64(k)}
}

// boxedLen is the length of an axis of n input pixels after the box: one
// block per K pixels, the last one partial.
func (z Resize) boxedLen(n int) int {
	k := z.box()
	return (n + k - 1) / k
}

func (z Resize) validate() error {
	return checkFloat("resize", "scale", z.S, minResizeScale, maxResizeScale, false)
}

// support is how far from its centre, in input pixels, the kernel reaches.
func (z Resize) support() float64 { return lanczosA / min(z.S, 1) }

// resizedLen is the output length for an input of n pixels.
func (z Resize) resizedLen(n int) int { return max(1, int(math.Round(float64(n)*z.S))) }

func (z Resize) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return z.resizedLen(w), z.resizedLen(h), f, nil
}

// span returns the input pixels output pixel i reads, before clamping to
// the image: first … last.
func (z Resize) span(i int) (first, last int) {
	u := (float64(i)+0.5)/z.S - 0.5
	s := z.support()
	return int(math.Floor(u-s)) + 1, int(math.Ceil(u+s)) - 1
}

// taps returns the normalised weights of output pixel i over input pixels
// span(i), each a function of i and S alone, so that every tile computes
// the same weights.
func (z Resize) taps(i int, w []float32) []float32 {
	first, last := z.span(i)
	u := (float64(i)+0.5)/z.S - 0.5
	fs := min(z.S, 1)
	var ws [1024]float64
	wf := ws[:0]
	if n := last - first + 1; n > len(ws) {
		wf = make([]float64, 0, n)
	}
	sum := 0.0
	for k := first; k <= last; k++ {
		v := lanczos((float64(k) - u) * fs)
		wf = append(wf, v)
		sum += v
	}
	w = w[:0]
	for _, v := range wf {
		w = append(w, float32(v/sum))
	}
	return w
}

// lanczosTaps holds the taps of the output columns 0 to len(first)-1 of
// one scale: for each, its first input index, and its weights,
// w[off[x]:off[x+1]]. They are computed once, as far as a tile has asked,
// and shared by every later tile (and block) of the plan.
type lanczosTaps struct {
	s     float64 // the scale they are for
	sigma float64 // the blur folded into them, 0 for none
	m     int     // the length of the axis, with a blur
	first []int
	off   []int // len(first)+1 entries
	w     []float32
	one   []float32 // one column's, while computing
	wf    []float64 // likewise, with a blur
	g     []float64 // the blur's half kernel
}

// of returns the taps of columns x0 to x1-1 of z, after a blur of sigma
// (0 for none) on an axis of m pixels: their first input indexes, and
// their weights, w[off[i]:off[i+1]] for column x0+i.
func (t *lanczosTaps) of(z Resize, sigma float64, m, x0, x1 int) (first, off []int, w []float32) {
	if sigma == 0 {
		m = 0 // the taps do not depend on it
	}
	if t.s != z.S || t.sigma != sigma || t.m != m || len(t.off) == 0 {
		t.s, t.sigma, t.m = z.S, sigma, m
		t.first, t.off, t.w = t.first[:0], append(t.off[:0], 0), t.w[:0]
		t.g = blurKernel(sigma)
	}
	for x := len(t.first); x < x1; x++ {
		if sigma == 0 {
			f, _ := z.span(x)
			t.one = z.taps(x, t.one)
			t.first = append(t.first, f)
			t.w = append(t.w, t.one...)
		} else {
			var f int
			f, t.wf = blurredTaps(z, t.g, x, m, t.wf)
			t.first = append(t.first, f)
			for _, v := range t.wf {
				t.w = append(t.w, float32(v))
			}
		}
		t.off = append(t.off, len(t.w))
	}
	return t.first[x0:x1], t.off[x0 : x1+1], t.w
}

// lanczos is the Lanczos-3 kernel: sinc(x)·sinc(x/3) for |x| < 3, else 0;
// exactly 0 at the other whole numbers, where sin(πx) rounds to a few
// 1e-17 that would give colour to a transparent pixel's neighbours.
func lanczos(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1e-12:
		return 1
	case x >= lanczosA || x == math.Trunc(x):
		return 0
	}
	px := math.Pi * x
	return lanczosA * math.Sin(px) * math.Sin(px/lanczosA) / (px * px)
}

// need is the input that rows and columns of out read, clamped to in.
// Both ends move right and down with out, so the rows an engine must hold
// only move forward.
func (z Resize) need(out, in image.Rectangle) image.Rectangle {
	k, l := z.box(), z.lanczos()
	x0, _ := l.span(out.Min.X)
	_, x1 := l.span(out.Max.X - 1)
	y0, _ := l.span(out.Min.Y)
	_, y1 := l.span(out.Max.Y - 1)
	// The blocks the kernel reads, then the input pixels they average.
	bw, bh := z.boxedLen(in.Dx()), z.boxedLen(in.Dy())
	cx := func(x int) int { return min(max(x, 0), bw-1) }
	cy := func(y int) int { return min(max(y, 0), bh-1) }
	return image.Rect(in.Min.X+cx(x0)*k, in.Min.Y+cy(y0)*k,
		min(in.Min.X+(cx(x1)+1)*k, in.Max.X), min(in.Min.Y+(cy(y1)+1)*k, in.Max.Y))
}

// boxRect is the rectangle of blocks that the output rectangle out reads,
// in block coordinates, for an input image in.
func (z Resize) boxRect(out, in image.Rectangle) image.Rectangle {
	l := z.lanczos()
	x0, _ := l.span(out.Min.X)
	_, x1 := l.span(out.Max.X - 1)
	y0, _ := l.span(out.Min.Y)
	_, y1 := l.span(out.Max.Y - 1)
	bw, bh := z.boxedLen(in.Dx()), z.boxedLen(in.Dy())
	return image.Rect(min(max(x0, 0), bw-1), min(max(y0, 0), bh-1), min(max(x1, 0), bw-1)+1, min(max(y1, 0), bh-1)+1)
}

// boxPlanes averages the blocks r (block coordinates) of b, which covers
// the input pixels they read of the image in.
func (z Resize) boxPlanes(s *scratch, b *planes, r, in image.Rectangle) *planes {
	k := z.box()
	o := s.newPlanes(r, len(b.p), b.alpha, b.premul)
	bw := b.r.Dx()
	inv := 1 / float32(k*k)
	for ch := range b.p {
		src, dst := b.p[ch], o.p[ch]
		i := 0
		for by := r.Min.Y; by < r.Max.Y; by++ {
			for bx := r.Min.X; bx < r.Max.X; bx++ {
				acc := float32(0)
				for j := range k {
					sy := min(in.Min.Y+by*k+j, in.Max.Y-1) - b.r.Min.Y
					row := src[sy*bw : (sy+1)*bw]
					for i := range k {
						acc += row[min(in.Min.X+bx*k+i, in.Max.X-1)-b.r.Min.X]
					}
				}
				dst[i] = acc * inv
				i++
			}
		}
	}
	return o
}

// boxLoad is boxPlanes(s, s.load(src, …, pm), r, in) without the planes
// of the whole input: it converts each source row a block row reads, as
// load does (and premultiplies it as premultiply does, when pm), and adds
// the samples to their blocks' sums in the order boxPlanes adds them, each
// sum in the output plane between rows, so the averages are the same
// floats. A 10,000² RGBA16 resize:0.1 read 763 MB into 1.6 GB of planes
// to keep 1/25 of it.
func (z Resize) boxLoad(s *scratch, src *raster.Tile, r, in image.Rectangle, pm bool) *planes {
	f := src.Format
	c, k := f.Channels, z.box()
	pm = pm && f.HasAlpha()
	o := s.newPlanes(r, c, f.HasAlpha(), pm)
	// The source columns the blocks read, edges past in standing for the
	// last inside.
	x0 := in.Min.X + r.Min.X*k
	x1 := min(in.Min.X+r.Max.X*k, in.Max.X)
	n := x1 - x0
	row := s.floats(c * n)
	var chs [4][]float32
	ch := chs[:c]
	for i := range ch {
		ch[i] = row[i*n : (i+1)*n]
	}
	nb := r.Dx()
	inv := 1 / float32(k*k)
	for by := r.Min.Y; by < r.Max.Y; by++ {
		i0 := (by - r.Min.Y) * nb
		for j := range k {
			sy := min(in.Min.Y+by*k+j, in.Max.Y-1)
			off := src.PixOffset(x0, sy)
			px := src.Pix[off : off+n*f.BytesPerPixel()]
			if pm && c == 4 && f.Depth == 16 && n >= nb*k {
				boxAddPM16x4(o.p[0][i0:i0+nb], o.p[1][i0:i0+nb], o.p[2][i0:i0+nb], o.p[3][i0:i0+nb], px, k, j == 0)
				continue
			}
			convRow(ch, px, f)
			if pm {
				a := ch[c-1]
				for _, p := range ch[:c-1] {
					for x, v := range a {
						p[x] = float32(p[x] * v)
					}
				}
			}
			for q, p := range ch {
				d := o.p[q][i0 : i0+nb]
				for bx := range d {
					acc := float32(0)
					if j > 0 {
						acc = d[bx]
					}
					sx := bx * k
					if sx+k <= n {
						for _, v := range p[sx : sx+k] {
							acc += v
						}
					} else {
						for i := range k {
							acc += p[min(sx+i, n-1)]
						}
					}
					d[bx] = acc
				}
			}
		}
		for _, p := range o.p {
			d := p[i0 : i0+nb]
			for bx, acc := range d {
				d[bx] = acc * inv
			}
		}
	}
	s.putFloats(row)
	return o
}

// boxAddPM16x4 adds to the block sums d0 … d3 (starting them when first)
// the premultiplied samples of the 16-bit RGBA pixels of row, k pixels a
// block, as boxLoad's general path does: each sample converted as load
// converts it, colour times alpha, and the k of a block added in order.
// (The conversions keep each product rounded on its own, never fused into
// the sum.)
func boxAddPM16x4(d0, d1, d2, d3 []float32, row []byte, k int, first bool) {
	d1, d2, d3 = d1[:len(d0)], d2[:len(d0)], d3[:len(d0)]
	row = row[:8*k*len(d0)]
	for bx := range d0 {
		var a0, a1, a2, a3 float32
		if !first {
			a0, a1, a2, a3 = d0[bx], d1[bx], d2[bx], d3[bx]
		}
		for i := bx * k * 8; i < (bx+1)*k*8; i += 8 {
			p := row[i : i+8 : i+8]
			a := float32(int(p[6])<<8|int(p[7])) * (1.0 / 65535)
			a0 += float32(float32(float32(int(p[0])<<8|int(p[1]))*(1.0/65535)) * a)
			a1 += float32(float32(float32(int(p[2])<<8|int(p[3]))*(1.0/65535)) * a)
			a2 += float32(float32(float32(int(p[4])<<8|int(p[5]))*(1.0/65535)) * a)
			a3 += a
		}
		d0[bx], d1[bx], d2[bx], d3[bx] = a0, a1, a2, a3
	}
}

func (Resize) alpha() alphaMode { return premulAlpha }

// run resizes b, which covers need(out, in): it averages the blocks of a
// large reduction, then runs the Lanczos kernel.
func (z Resize) run(s *scratch, b *planes, out, in image.Rectangle) *planes {
	if z.box() == 1 {
		return z.runLanczos(s, b, out, in, 0)
	}
	return z.runBoxed(s, z.boxPlanes(s, b, z.boxRect(out, in), in), out, in)
}

// runBoxed runs the Lanczos kernel of a large reduction on bb, the
// averages of its blocks, and releases bb.
func (z Resize) runBoxed(s *scratch, bb *planes, out, in image.Rectangle) *planes {
	o := z.lanczos().runLanczos(s, bb, out, image.Rect(0, 0, z.boxedLen(in.Dx()), z.boxedLen(in.Dy())), 0)
	s.release(bb)
	return o
}

// runLanczos resizes b, which covers need(out, in), vertically into out's
// rows, then horizontally into out's columns, after a blur of sigma (0 for
// none: see blurResize) folded into the taps.
func (z Resize) runLanczos(s *scratch, b *planes, out, in image.Rectangle, sigma float64) *planes {
	o := s.newPlanes(out, len(b.p), b.alpha, b.premul)
	bw := b.r.Dx()
	ow := out.Dx()
	tmp := s.floats(bw)
	wbuf := s.floats(0)
	w := wbuf
	// The horizontal taps of every output column, computed once: their
	// first input index and their weights, end to end.
	hfirst, hoff, hw := s.lanczosH.of(z, sigma, in.Dx(), out.Min.X, out.Max.X)
	var vfirst, voff []int
	var vw []float32
	if sigma != 0 {
		// Blurred rows' taps cost more to work out: they are kept too.
		vfirst, voff, vw = s.lanczosV.of(z, sigma, in.Dy(), out.Min.Y, out.Max.Y)
	}
	hn := func(x int) int { return hoff[x+1] - hoff[x] }
	// Where eight columns in a row read only the image, whatever their
	// taps padded with zero weights to the most of them, they run as one
	// group through hresLanczos; the others, at the edges, below.
	gx0, groups := 0, 0
	gidx, gn, gw := s.longs(0), s.longs(0), s.floats(0)
	fits := func(x int) (int, bool) {
		most := 0
		for i := x; i < x+8; i++ {
			most = max(most, hn(i))
		}
		for i := x; i < x+8; i++ {
			f := hfirst[i]
			if f < in.Min.X || f+hn(i) > in.Max.X || f < b.r.Min.X || f-b.r.Min.X+most > bw {
				return 0, false
			}
		}
		return most, true
	}
	for x := 0; x+8 <= ow; {
		most, ok := fits(x)
		if !ok {
			if groups > 0 {
				break
			}
			x++
			gx0 = x
			continue
		}
		for i := x; i < x+8; i++ {
			gidx = append(gidx, int32(hfirst[i]-b.r.Min.X))
		}
		gn = append(gn, int32(most))
		for k := range most {
			for i := x; i < x+8; i++ {
				v := float32(0)
				if k < hn(i) {
					v = hw[hoff[i]+k]
				}
				gw = append(gw, v)
			}
		}
		groups++
		x += 8
	}
	gx1 := gx0 + 8*groups
	for y := range out.Dy() {
		// The vertical taps of this row serve every channel.
		var first int
		if sigma == 0 {
			first, _ = z.span(out.Min.Y + y)
			wbuf = z.taps(out.Min.Y+y, wbuf)
			w = wbuf
		} else {
			first, w = vfirst[y], vw[voff[y]:voff[y+1]]
		}
		for ch := range b.p {
			src, dst := b.p[ch], o.p[ch]
			row := func(k int) []float32 {
				sy := min(max(first+k, in.Min.Y), in.Max.Y-1) - b.r.Min.Y
				return src[sy*bw : (sy+1)*bw]
			}
			clear(tmp)
			k := 0
			for ; k+3 <= len(w); k += 3 {
				axpy3(tmp, row(k), row(k+1), row(k+2), w[k], w[k+1], w[k+2])
			}
			for ; k < len(w); k++ {
				axpy(tmp, row(k), w[k])
			}
			d := dst[y*ow : (y+1)*ow]
			if groups > 0 {
				hresLanczos(d[gx0:gx1], tmp, gidx, gw, gn)
			}
			for x := range d {
				if x >= gx0 && x < gx1 {
					continue
				}
				acc := float32(0)
				f, ws := hfirst[x], hw[hoff[x]:hoff[x+1]]
				if f >= in.Min.X && f+len(ws) <= in.Max.X {
					// Inside the image: no edge to replicate.
					v := tmp[f-b.r.Min.X:][:len(ws)]
					for k, wk := range ws {
						acc += wk * v[k]
					}
				} else {
					for k, wk := range ws {
						sx := min(max(f+k, in.Min.X), in.Max.X-1) - b.r.Min.X
						acc += wk * tmp[sx]
					}
				}
				d[x] = min(max(acc, 0), 1)
			}
		}
	}
	if o.alpha && o.premul {
		// Ringing can push premultiplied colour above alpha, which no
		// straight colour stands for: clamp it, as unpremultiplying would.
		a := o.p[len(o.p)-1]
		for _, c := range o.colour() {
			c = c[:len(a)]
			for i, v := range a {
				c[i] = min(c[i], v)
			}
		}
	}
	s.putFloats(tmp)
	s.putFloats(wbuf)
	s.putFloats(gw)
	s.putLongs(gn)
	s.putLongs(gidx)
	return o
}

// hresLanczosGo is the horizontal Lanczos pass on groups of eight output
// samples: lane i of group g sums w[k·8+i]·src[idx[g·8+i]+k] for k below
// n[g], from 0 and in k's order, each product rounded on its own, then
// clamps it to 0 … 1, as runLanczos does one column at a time (the zero
// weights that pad a column's taps change no sum but the sign of a zero,
// which the clamp drops). hresLanczos runs it, or its AVX2 twin.
func hresLanczosGo(d, src []float32, idx []int32, w []float32, n []int32) {
	wo := 0
	for g, ng := range n {
		for i := range 8 {
			acc := float32(0)
			v := src[idx[g*8+i]:]
			for k := range int(ng) {
				acc += float32(w[wo+k*8+i] * v[k])
			}
			d[g*8+i] = min(max(acc, 0), 1)
		}
		wo += int(ng) * 8
	}
}

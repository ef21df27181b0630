package jpegio

import (
	"fmt"
	"sync"
)

// decodeScratch is what Decode writes between coefficients and pixels:
// the planes of samples and a row of each component. It is pooled, so
// that there is one per goroutine decoding rather than one per band.
type decodeScratch struct {
	planes [][]byte
	rows   [][]byte
}

var scratchPool sync.Pool // *decodeScratch

// Decode turns the band's coefficients into pixels: dequantisation, the
// inverse DCT, upsampling and colour conversion. dst receives the rows
// Rows names, Bytes long, in the decoder's pixel format (Gray8 or RGB8).
//
// It is a plain function of the band: it touches no decoder state, so
// the bands NextBand returns may be decoded on any goroutines, in any
// order, and the pixels are the same whichever. It costs about 2 ns per
// pixel with the AVX2 kernels (about 7 without) and allocates only on a
// band's first use.
//
// Chroma is upsampled as libjpeg-turbo does by default ("fancy"
// upsampling): for 2:1 ratios across or down, each output sample weighs
// the nearest input sample 3/4 and the next nearest 1/4 (triangle
// filter); other ratios replicate samples.
func (b *Band) Decode(dst []byte) {
	if len(dst) < b.Bytes() {
		panic(fmt.Sprintf("jpegio: Band.Decode given %d bytes for a band of %d", len(dst), b.Bytes()))
	}
	b.decode(dst, nil)
}

// decode is Decode writing the band's first len(dst)/RowBytes rows to dst
// and the rest to rest.
func (b *Band) decode(dst, rest []byte) {
	f := b.f
	y0, y1 := b.Rows()
	s, _ := scratchPool.Get().(*decodeScratch)
	if s == nil {
		s = new(decodeScratch)
	}
	b.planes, b.rows = s.planes, s.rows
	defer func() {
		s.planes, s.rows = b.planes, b.rows
		b.planes, b.rows = nil, nil
		scratchPool.Put(s)
	}()
	if len(b.planes) != len(f.comps) {
		b.planes = make([][]byte, len(f.comps))
		b.rows = make([][]byte, len(f.comps))
	}
	sc := &f.sc
	for ci := range f.comps {
		c := &f.comps[ci]
		nh, nv := sc.nh[ci], sc.nv[ci] // samples per block
		stride := c.bw * nh
		held := (b.hi - b.lo) * c.v
		if n := held * nv * stride; cap(b.planes[ci]) < n {
			b.planes[ci] = make([]byte, n)
		} else {
			b.planes[ci] = b.planes[ci][:n]
		}
		if n := max(sc.width, sc.dw[ci]*sc.hr[ci]); cap(b.rows[ci]) < n {
			b.rows[ci] = make([]byte, n)
		}
		plane, q := b.planes[ci], &f.quant[c.tq]
		first, last := (b.m0-b.lo)*c.v, (b.m1-b.lo)*c.v // own block rows
		for br := range held {
			if br < first || br >= last {
				// A halo row: only its row next to the band is read,
				// and only when chroma is upsampled down.
				if sc.vr[ci] != 2 || (br != first-1 && br != last) {
					continue
				}
			}
			if (b.lo*c.v + br) >= c.uh {
				continue
			}
			coef := b.coef[ci][br*c.bw*64:]
			out := plane[br*nv*stride:]
			if sc.div == 1 {
				idctRow(coef[:c.uw*64], q, out, stride)
			} else {
				for bx := range c.uw {
					idctReduced(coef[bx*64:bx*64+64], q, out[bx*nh:], stride, nh, nv)
				}
			}
		}
	}
	if b.join != nil {
		b.keepEdges(b.join)
	}
	rb := sc.width * b.pixel.BytesPerPixel()
	fit := len(dst) / rb
	var src [4][]byte
	from, to := y0, y1
	if b.left {
		from++ // JoinBand writes it
	}
	if b.leftLast {
		to-- // and this one
	}
	for y := from; y < to; y++ {
		for ci := range f.comps {
			src[ci] = b.compRow(ci, y)
		}
		var out []byte
		if k := y - y0; k < fit {
			out = dst[k*rb : (k+1)*rb]
		} else {
			out = rest[(k-fit)*rb : (k-fit+1)*rb]
		}
		convertRow(f.color, out, src[:len(f.comps)])
	}
}

// planeRow returns sample row cy (in the component's own rows) of the
// band's plane for component ci.
func (b *Band) planeRow(ci, cy int) []byte {
	c := &b.f.comps[ci]
	sc := &b.f.sc
	stride := c.bw * sc.nh[ci]
	k := (cy - b.lo*c.v*sc.nv[ci]) * stride
	return b.planes[ci][k : k+sc.dw[ci]]
}

// compRow returns component ci upsampled to full width for image row y.
func (b *Band) compRow(ci, y int) []byte {
	f := b.f
	vr := f.sc.vr[ci]
	cy := y / vr
	var near []byte
	if vr == 2 {
		ny := cy - 1
		if y%2 == 1 {
			ny = cy + 1
		}
		near = b.planeRow(ci, max(0, min(ny, f.sc.dh[ci]-1)))
	}
	return upsampleRow(f, ci, y, b.planeRow(ci, cy), near, b.rows[ci])
}

// upsampleRow returns component ci upsampled to full width for image row
// y, written to out when it is not cur itself: cur is the component's row
// that holds y and, for a component upsampled down 2:1, near is the row
// next nearest to y (above it for an even y, below for an odd).
func upsampleRow(f *frame, ci, y int, cur, near, out []byte) []byte {
	w := f.sc.width
	dw := f.sc.dw[ci]
	hr, vr := f.sc.hr[ci], f.sc.vr[ci]
	if vr == 2 {
		bias := int32(1)
		if y%2 == 1 {
			bias = 2
		}
		switch {
		case hr == 1:
			for x := range w {
				out[x] = uint8((3*int32(cur[x]) + int32(near[x]) + bias) >> 2)
			}
			return out[:w]
		case hr == 2 && dw > 2:
			h2v2Fancy(out, cur, near)
			return out[:w]
		}
	} else if vr == 1 {
		switch {
		case hr == 1:
			return cur[:w]
		case hr == 2 && dw > 2:
			h2v1Fancy(out, cur)
			return out[:w]
		}
	}
	// Any other ratio replicates samples.
	for x := range w {
		out[x] = cur[x/hr]
	}
	return out[:w]
}

// h2v1FancyGo doubles a row across with the triangle filter, as libjpeg's
// h2v1_fancy_upsample; len(in) > 2. The samples of in from x0 on (x0 ≥
// 1) are done here, those before by the caller: x0 = 1 is the whole row,
// the pure-Go twin of h2v1FancyAVX2.
func h2v1FancyGo(out, in []byte, x0 int) {
	n := len(in)
	out = out[:2*n]
	a := int32(in[0])
	out[0] = in[0]
	out[1] = uint8((3*a + int32(in[1]) + 2) >> 2)
	for x := x0; x < n-1; x++ {
		v := 3 * int32(in[x])
		out[2*x] = uint8((v + int32(in[x-1]) + 1) >> 2)
		out[2*x+1] = uint8((v + int32(in[x+1]) + 2) >> 2)
	}
	v := 3 * int32(in[n-1])
	out[2*n-2] = uint8((v + int32(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// h2v2FancyGo doubles a row across and down with the triangle filter, as
// libjpeg's h2v2_fancy_upsample: cur is the nearest input row, near the
// next nearest; len(cur) > 2. As in h2v1FancyGo, the samples from x0 on
// are done here, x0 = 1 being the whole row.
func h2v2FancyGo(out, cur, near []byte, x0 int) {
	n := len(cur)
	out = out[:2*n]
	near = near[:n]
	col := func(x int) int32 { return 3*int32(cur[x]) + int32(near[x]) }
	this, next := col(0), col(1)
	out[0] = uint8((this*4 + 8) >> 4)
	out[1] = uint8((this*3 + next + 7) >> 4)
	if x0 < n-1 {
		last := col(x0 - 1)
		this = col(x0)
		for x := x0; x < n-1; x++ {
			next = col(x + 1)
			out[2*x] = uint8((this*3 + last + 8) >> 4)
			out[2*x+1] = uint8((this*3 + next + 7) >> 4)
			last, this = this, next
		}
	}
	this, last := col(n-1), col(n-2)
	out[2*n-2] = uint8((this*3 + last + 8) >> 4)
	out[2*n-1] = uint8((this*4 + 7) >> 4)
}

// Colour conversion tables, as libjpeg's jdcolor.c builds them: 16-bit
// fixed point, rounded.
var crR, cbB, crG, cbG = func() (crR, cbB, crG, cbG [256]int32) {
	const half = 1 << 15
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (91881*x + half) >> 16
		cbB[i] = (116130*x + half) >> 16
		crG[i] = -46802 * x
		cbG[i] = -22554*x + half
	}
	return
}()

// convertRow writes one row of pixels from the upsampled component rows.
func convertRow(color int, out []byte, src [][]byte) {
	switch color {
	case colorGray:
		copy(out, src[0])
	case colorYCbCr:
		yccRow(out, src[0], src[1], src[2])
	case colorRGB:
		r, g, bl := src[0], src[1], src[2][:len(src[0])]
		for x := range r {
			o := out[3*x : 3*x+3 : 3*x+3]
			o[0], o[1], o[2] = r[x], g[x], bl[x]
		}
	case colorCMYK:
		c, m, yy, k := src[0], src[1], src[2], src[3][:len(src[0])]
		for x := range c {
			kk := int32(k[x])
			o := out[3*x : 3*x+3 : 3*x+3]
			o[0] = inkTimes(int32(c[x]), kk)
			o[1] = inkTimes(int32(m[x]), kk)
			o[2] = inkTimes(int32(yy[x]), kk)
		}
	case colorYCCK:
		ys, cb, cr, k := src[0], src[1], src[2], src[3][:len(src[0])]
		for x := range ys {
			y := int32(ys[x])
			kk := int32(k[x])
			r := 255 - int32(clamp8(y+crR[cr[x]]))
			g := 255 - int32(clamp8(y+(cbG[cb[x]]+crG[cr[x]])>>16))
			b := 255 - int32(clamp8(y+cbB[cb[x]]))
			o := out[3*x : 3*x+3 : 3*x+3]
			o[0], o[1], o[2] = inkTimes(r, kk), inkTimes(g, kk), inkTimes(b, kk)
		}
	}
}

// inkTimes is a stored (Adobe-inverted) CMYK sample times inverted black,
// rounded: what libjpeg-turbo's PPM writer makes of CMYK.
func inkTimes(c, k int32) uint8 { return uint8((2*c*k + 255) / 510) }

// yccRowGo converts a row of full-width Y, Cb and Cr samples to RGB8:
// the pure-Go twin of yccRowAVX2.
func yccRowGo(out, ys, cbs, crs []byte) {
	out = out[:3*len(ys)]
	cbs, crs = cbs[:len(ys)], crs[:len(ys)]
	for x := range ys {
		y := int32(ys[x])
		cb, cr := cbs[x], crs[x]
		o := out[3*x : 3*x+3 : 3*x+3]
		o[0] = clamp8(y + crR[cr])
		o[1] = clamp8(y + (cbG[cb]+crG[cr])>>16)
		o[2] = clamp8(y + cbB[cb])
	}
}

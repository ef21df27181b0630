package jpegio

//go:generate sh -c "cd internal/asmgen && go run . -group enc -out ../../enc_amd64.s -stubs ../../enc_amd64_stub.go -pkg jpegio"

import (
	"encoding/binary"
	"math/bits"

	"github.com/sluice-go/sluice/raster"
)

// toPlanes converts MCU row m of a band (rows of the band in all) into
// the component planes of one MCU row: Y at full size and chroma
// downsampled, each padded to whole MCUs by repeating the last column and
// row, as libjpeg does. Coding an MCU row as soon as it is converted keeps
// the planes in the core's cache, whatever the band's height.
func (e *Encoder) toPlanes(seg *Segment, pix []byte, rows, m int) {
	pw := e.mcusX * e.mcuW
	grow := func(b []byte, n int) []byte {
		if cap(b) < n {
			return make([]byte, n)
		}
		return b[:n]
	}
	w := e.in.Width
	rb := e.in.RowBytes()
	seg.planes[0] = grow(seg.planes[0], pw*e.mcuH)
	ys := seg.planes[0]
	if len(e.comps) == 1 {
		for r := range e.mcuH {
			src := pix[min(m*e.mcuH+r, rows-1)*rb:][:rb]
			out := ys[r*pw : r*pw+pw]
			if e.in.Pixel == raster.Gray8 {
				copy(out, src)
			} else {
				toGray8(out, src, e.in.Pixel)
			}
			for x := w; x < pw; x++ {
				out[x] = out[w-1]
			}
		}
		return
	}
	hr, vr := e.hmax, e.vmax
	cw := pw / hr
	seg.planes[1] = grow(seg.planes[1], cw*8)
	seg.planes[2] = grow(seg.planes[2], cw*8)
	// scratch: one RGB row, then full-size Cb and Cr rows for vr rows.
	seg.rgb = grow(seg.rgb, 3*w+2*vr*pw)
	rgb := seg.rgb[:3*w]
	full := seg.rgb[3*w:]
	for cy := range 8 {
		for v := range vr {
			r := cy*vr + v
			src := pix[min(m*e.mcuH+r, rows-1)*rb:][:rb]
			if e.in.Pixel == raster.RGB8 {
				rgb = src
			} else {
				rgb = seg.rgb[:3*w]
				toRGB8(rgb, src, e.in.Pixel)
			}
			yr := ys[r*pw : r*pw+pw]
			cbr := full[(2*v)*pw : (2*v+1)*pw]
			crr := full[(2*v+1)*pw : (2*v+2)*pw]
			rgbToYCC(rgb, yr, cbr, crr)
			for x := w; x < pw; x++ {
				yr[x], cbr[x], crr[x] = yr[w-1], cbr[w-1], crr[w-1]
			}
		}
		for c := 1; c <= 2; c++ {
			out := seg.planes[c][cy*cw : cy*cw+cw]
			a := full[(c-1)*pw : c*pw]
			switch {
			case hr == 1 && vr == 1:
				copy(out, a)
			case vr == 1:
				down2x1(out, a)
			default:
				down2x2(out, a, full[(c-1+2)*pw:(c+2)*pw])
			}
		}
	}
}

// down2x1Go averages pairs of samples of a into out, with libjpeg's
// alternating bias 0, 1, 0, 1 … (h2v1_downsample).
func down2x1Go(out, a []byte) {
	a = a[:2*len(out)]
	bias := 0
	for x := range out {
		out[x] = uint8((int(a[2*x]) + int(a[2*x+1]) + bias) >> 1)
		bias ^= 1
	}
}

// down2x2Go averages squares of samples of rows a and b into out, with
// libjpeg's alternating bias 1, 2, 1, 2 … (h2v2_downsample).
func down2x2Go(out, a, b []byte) {
	a, b = a[:2*len(out)], b[:2*len(out)]
	bias := 1
	for x := range out {
		out[x] = uint8((int(a[2*x]) + int(a[2*x+1]) + int(b[2*x]) + int(b[2*x+1]) + bias) >> 2)
		bias ^= 3
	}
}

// rgbToYCCGo converts RGB8 pixels to Y, Cb and Cr as libjpeg's
// jccolor.c.
func rgbToYCCGo(src, ys, cbs, crs []byte) {
	n := len(src) / 3
	ys, cbs, crs = ys[:n], cbs[:n], crs[:n]
	const half = 1 << 15
	const off = 128<<16 + half - 1
	for x := range ys {
		s := src[3*x : 3*x+3 : 3*x+3]
		r, g, b := int32(s[0]), int32(s[1]), int32(s[2])
		ys[x] = uint8((19595*r + 38470*g + 7471*b + half) >> 16)
		cbs[x] = uint8((-11059*r - 21709*g + 32768*b + off) >> 16)
		crs[x] = uint8((32768*r - 27439*g - 5329*b + off) >> 16)
	}
}

// sample16 returns sample i of src as 16 bits.
func sample16(src []byte, i, bps int) uint32 {
	if bps == 1 {
		return uint32(src[i]) * 0x101
	}
	return uint32(src[i])<<8 | uint32(src[i+1])
}

// overWhite composites a 16-bit sample v of alpha a over white.
func overWhite(v, a uint32) uint32 {
	return (v*a + 0xffff*(0xffff-a) + 0x7fff) / 0xffff
}

// to8 rounds a 16-bit sample to 8 bits.
func to8(v uint32) uint8 { return uint8((v*255 + 0x7fff) / 0xffff) }

// toRGB8 converts a row of any colour format to RGB8: 16-bit samples are
// rounded and alpha is composited over white.
func toRGB8(dst, src []byte, p raster.PixelFormat) {
	bps := p.BytesPerSample()
	for x := range len(dst) / 3 {
		i := x * p.Channels * bps
		r, g, b := sample16(src, i, bps), sample16(src, i+bps, bps), sample16(src, i+2*bps, bps)
		if p.HasAlpha() {
			a := sample16(src, i+3*bps, bps)
			r, g, b = overWhite(r, a), overWhite(g, a), overWhite(b, a)
		}
		dst[3*x], dst[3*x+1], dst[3*x+2] = to8(r), to8(g), to8(b)
	}
}

// toGray8 converts a row of any gray format to Gray8 the same way.
func toGray8(dst, src []byte, p raster.PixelFormat) {
	bps := p.BytesPerSample()
	for x := range len(dst) {
		i := x * p.Channels * bps
		if i >= len(src) {
			return
		}
		v := sample16(src, i, bps)
		if p.HasAlpha() {
			v = overWhite(v, sample16(src, i+bps, bps))
		}
		dst[x] = to8(v)
	}
}

// codeRow transforms and quantises every block of the MCU row in
// seg.planes and codes it: into bw with the tables e.codes or, with
// Optimize, into seg.tokens, counting how often each symbol occurs. It
// goes by runs of chunkMCUs MCUs, first every block's transform, then
// every block's codes: the transforms of successive blocks overlap in
// the core, which the coder's unpredictable branches would stop.
//
// A token is sym | table<<8 | nbits<<10 | extra<<16, where table is 0
// luma DC, 1 luma AC, 2 chroma DC, 3 chroma AC.
func (e *Encoder) codeRow(seg *Segment, bw *bitWriter, pred *[3]int32) {
	if seg.blks == nil {
		seg.blks = new(codedBlocks)
	}
	cb := seg.blks
	for mx0 := 0; mx0 < e.mcusX; mx0 += chunkMCUs {
		mx1 := min(mx0+chunkMCUs, e.mcusX)
		n := 0
		for mx := mx0; mx < mx1; mx++ {
			for ci := range e.comps {
				c := &e.comps[ci]
				stride := e.mcusX * c.h * 8
				plane := seg.planes[ci]
				q := e.div[c.tq]
				for v := range c.v {
					for h := range c.h {
						base := v*8*stride + (mx*c.h+h)*8
						cb.mask[n] = toZigzag(fdctQuant(&cb.blk[n], plane[base:], stride, q)) &^ 1
						n++
					}
				}
			}
		}
		n = 0
		for range mx1 - mx0 {
			for ci := range e.comps {
				c := &e.comps[ci]
				for range c.v * c.h {
					blk := &cb.blk[n]
					diff := int32(blk[0]) - pred[ci]
					pred[ci] = int32(blk[0])
					if e.optimize {
						seg.tokenizeBlock(uint32(2*c.th), blk, cb.mask[n], diff)
					} else {
						bw.block(&e.codes[2*c.th], &e.codes[2*c.th+1], blk, cb.mask[n], diff)
					}
					n++
				}
			}
		}
	}
}

// chunkMCUs is how many MCUs codeRow transforms before coding them.
const chunkMCUs = 8

// codedBlocks are the quantised blocks of chunkMCUs MCUs of at most 6
// blocks (4:2:0) and the masks of their nonzero coefficients in zigzag
// order.
type codedBlocks struct {
	blk  [6 * chunkMCUs][64]int16
	mask [6 * chunkMCUs]uint64
}

// tokenizeBlock records the symbols of a block: the DC difference diff
// with table dc, then the AC coefficients of blk (natural order; mask
// marks the nonzero ones in zigzag order) with table dc+1.
func (seg *Segment) tokenizeBlock(dc uint32, blk *[64]int16, mask uint64, diff int32) {
	ac := dc + 1
	seg.tokens = appendCoef(seg, dc, 0, diff)
	last := 0
	for m := mask; m != 0; m &= m - 1 {
		k := bits.TrailingZeros64(m)
		run := k - last - 1
		last = k
		for run > 15 {
			seg.tokens = appendSym(seg, ac, 0xf0)
			run -= 16
		}
		seg.tokens = appendCoef(seg, ac, run, int32(blk[zigzag[k]]))
	}
	if last != 63 {
		seg.tokens = appendSym(seg, ac, 0)
	}
}

// blockGo codes a block: the DC difference diff with table dc, then the
// AC coefficients of blk (natural order; mask marks the nonzero ones in
// zigzag order) with table ac. Each code goes out with its extra bits in
// one put, and the bit buffer stays in registers for the whole block. It
// is the reference of huffBlockBMI2.
func (bw *bitWriter) blockGo(dc, ac *huffCode, blk *[64]int16, mask uint64, diff int32) {
	buf, acc, n := bw.buf, bw.acc, bw.n
	// put appends the k low bits of v (k ≤ 32); acc holds n ≤ 63 bits.
	put := func(v uint64, k uint) {
		if n+k < 64 {
			acc, n = acc<<k|v, n+k
			return
		}
		r := n + k - 64 // bits of v that do not fit
		buf = flush64(buf, acc<<(k-r)|v>>r)
		acc, n = v, r
	}
	nb, x := magnitude(diff)
	c := dc.e[uint8(nb)]
	put(uint64(c>>8)<<nb|uint64(x), uint(c&0xff+nb))
	last := 0
	for m := mask; m != 0; m &= m - 1 {
		k := bits.TrailingZeros64(m)
		run := k - last - 1
		last = k
		for run > 15 {
			c := ac.e[0xf0]
			put(uint64(c>>8), uint(c&0xff))
			run -= 16
		}
		nb, x := magnitude(int32(blk[zigzag[k&63]&63]))
		c := ac.e[uint8(run<<4)|uint8(nb)]
		put(uint64(c>>8)<<nb|uint64(x), uint(c&0xff+nb))
	}
	if last != 63 {
		c := ac.e[0]
		put(uint64(c>>8), uint(c&0xff))
	}
	bw.buf, bw.acc, bw.n = buf, acc, n
}

// maxBlockBytes bounds the bytes a block adds to a bitWriter's buffer:
// a DC code of at most 27 bits, 63 AC codes of at most 26, 3 ZRL and an
// EOB of at most 16, after 63 pending bits, every byte 0xff and stuffed.
const maxBlockBytes = 512

// magnitude returns the size category n of v and its n extra bits (v, or
// v-1 for a negative v, as T.81 F.1.2.1 codes them).
func magnitude(v int32) (n, extra uint32) {
	sign := v >> 31
	n = uint32(bits.Len32(uint32((v ^ sign) - sign)))
	return n, uint32(v+sign) & (1<<n - 1)
}

// appendSym records a symbol with no extra bits.
func appendSym(seg *Segment, tab uint32, sym uint32) []uint32 {
	seg.freq[tab][sym]++
	return append(seg.tokens, sym|tab<<8)
}

// appendCoef records value v after run zeros: the symbol run<<4|size and
// size extra bits.
func appendCoef(seg *Segment, tab uint32, run int, v int32) []uint32 {
	n, x := magnitude(v)
	sym := uint32(run)<<4 | n
	seg.freq[tab][sym]++
	return append(seg.tokens, sym|tab<<8|n<<10|x<<16)
}

// huffCode is a Huffman table for encoding: e[v] is the code of symbol
// v shifted left 8 bits, plus its length.
type huffCode struct {
	e [256]uint32
}

// build assigns the canonical codes of spec (T.81 C.2).
func (h *huffCode) build(spec *huffSpec) {
	*h = huffCode{}
	code, k := uint32(0), 0
	for l := 1; l <= 16; l++ {
		for range spec.counts[l-1] {
			h.e[spec.vals[k]] = code<<8 | uint32(l)
			code++
			k++
		}
		code <<= 1
	}
}

// bitWriter packs Huffman codes into bytes, stuffing a zero after each
// 0xff. The last n bits of acc are pending, the newest lowest; bits above
// them are stale.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

// put appends the k low bits of v (k ≤ 32; v has no bits above them).
func (bw *bitWriter) put(v uint64, k uint) {
	if bw.n+k < 64 {
		bw.acc, bw.n = bw.acc<<k|v, bw.n+k
		return
	}
	r := bw.n + k - 64
	bw.buf = flush64(bw.buf, bw.acc<<(k-r)|v>>r)
	bw.acc, bw.n = v, r
}

// flush64 appends the 8 bytes of w, most significant first, each 0xff
// followed by a stuffed zero: all 8 at once when none is 0xff, the common
// case.
func flush64(buf []byte, w uint64) []byte {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if x := ^w; (x-ones)&^x&highs == 0 {
		return binary.BigEndian.AppendUint64(buf, w)
	}
	return stuff64(buf, w)
}

// stuff64 is flush64 when a byte of w is 0xff.
//
//go:noinline
func stuff64(buf []byte, w uint64) []byte {
	for s := 56; s >= 0; s -= 8 {
		b := byte(w >> s)
		buf = append(buf, b)
		if b == 0xff {
			buf = append(buf, 0)
		}
	}
	return buf
}

// pad writes out the pending bits, the last byte filled with one bits.
func (bw *bitWriter) pad() {
	for bw.n >= 8 {
		bw.n -= 8
		b := byte(bw.acc >> bw.n)
		bw.buf = append(bw.buf, b)
		if b == 0xff {
			bw.buf = append(bw.buf, 0)
		}
	}
	if bw.n > 0 {
		k := 8 - bw.n
		b := byte(bw.acc<<k) | byte(1<<k-1)
		bw.buf = append(bw.buf, b)
		if b == 0xff {
			bw.buf = append(bw.buf, 0)
		}
	}
	bw.acc, bw.n = 0, 0
}

// emit codes tokens with the tables codes.
func (e *Encoder) emit(bw *bitWriter, tokens []uint32, codes *[4]huffCode) {
	for _, t := range tokens {
		sym, tab, n := t&0xff, t>>8&3, uint(t>>10&31)
		c := codes[tab].e[sym]
		bw.put(uint64(c>>8)<<n|uint64(t>>16), uint(c&0xff)+n)
	}
}

// optimalTable builds a Huffman table for the symbol frequencies freq, as
// libjpeg's jpeg_gen_optimal_table: codes of at most 16 bits, and no code
// of all ones.
func optimalTable(freq *[256]int32) huffSpec {
	const maxLen = 64
	var f [257]int64
	for i, n := range freq {
		f[i] = int64(n)
	}
	f[256] = 1 // reserve one code point
	var size [257]int
	var others [257]int
	for i := range others {
		others[i] = -1
	}
	for {
		c1, c2 := -1, -1
		var v1, v2 int64 = 1 << 62, 1 << 62
		for i := range f {
			if f[i] != 0 && f[i] <= v1 {
				v1, c1 = f[i], i
			}
		}
		for i := range f {
			if f[i] != 0 && f[i] <= v2 && i != c1 {
				v2, c2 = f[i], i
			}
		}
		if c2 < 0 {
			break
		}
		f[c1] += f[c2]
		f[c2] = 0
		size[c1]++
		for others[c1] >= 0 {
			c1 = others[c1]
			size[c1]++
		}
		others[c1] = c2
		size[c2]++
		for others[c2] >= 0 {
			c2 = others[c2]
			size[c2]++
		}
	}
	var count [maxLen + 1]int
	for _, s := range size {
		if s > 0 {
			count[min(s, maxLen)]++
		}
	}
	for i := maxLen; i > 16; i-- {
		for count[i] > 0 {
			j := i - 2
			for count[j] == 0 {
				j--
			}
			count[i] -= 2
			count[i-1]++
			count[j+1] += 2
			count[j]--
		}
	}
	i := 16
	for count[i] == 0 {
		i--
	}
	count[i]-- // drop the reserved code point
	var spec huffSpec
	for l := 1; l <= 16; l++ {
		spec.counts[l-1] = uint8(count[l])
	}
	for l := 1; l <= maxLen; l++ {
		for sym := range 256 {
			if size[sym] == l {
				spec.vals = append(spec.vals, uint8(sym))
			}
		}
	}
	// Symbols whose codes were longer than 16 bits took shorter lengths:
	// the values are listed by their original length, which keeps the
	// order libjpeg gives.
	return spec
}

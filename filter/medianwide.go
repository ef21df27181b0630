package filter

import (
	"encoding/binary"
	"fmt"
	"image"

	"github.com/sluice-go/sluice/raster"
)

// medianWide is the integer median of radius 1 or 2 on words: 16-bit
// words for 16-bit gray and RGB images and for 8-bit images with alpha
// (gray+alpha, RGBA), 32-bit words for 16-bit images with alpha; with
// alpha it works premultiplied, as every area operation does. It is
// medianNet's design on words: each padded source row becomes a row of
// words, the 2R+1 rows are sorted sample by sample into planes, and the
// same selection networks pick each window's median from the sorted
// columns. The AVX2 kernels take a vector of 16 or 8 words at a time, the
// pure-Go ones a uint64 of four or two; both are exact selection and give
// the same bytes.
//
// With alpha at 8 bits the words of a padded row lie in halves, those of
// the even pixels first, then those of the odd ones, so that a vector of
// each half holds the columns of neighbouring windows side by side: the
// AVX2 kernel (medianPairs) takes the medians of pixels 2k and 2k+1
// together, sorting their n-1 shared columns once as far as either median
// needs, which halves the min and max operations of a 5×5 window (108 a
// pair against 116 each). The pure-Go kernels run the same networks on
// four words at a time.
//
// Without alpha the words are the samples. With alpha, a colour word is
// colour·alpha, exactly (at most 65,025 at 8 bits, 65,535² at 16), and the
// alpha word is alpha: each channel's median is taken on its own, as on
// the float path, and the straight colour of a pixel is P/A in levels, for
// P the median of its colour words and A that of alpha, rounded half up.
// The order statistics of colour·alpha never exceed those of max·alpha, so
// P ≤ max·A and the quotient is a valid level; under a zero alpha median,
// P is 0 and so is the colour, as the float path gives. The result is the
// exact quotient rounded, within half a level of the float64 reference,
// and the same bytes for every tiling.
type medianWide struct {
	r     int        // window radius: 1 or 2
	c     int        // samples per pixel
	depth int        // bits per sample of the image: 8 or 16
	pm    bool       // with alpha, premultiplied words
	post  pointTable // point operations folded into the pass; empty when none
}

// newMedianWide returns the word kernel for a median of radius r on
// format f, or nil when it does not apply: radius above 2, and 8-bit
// images without alpha (medianNet's).
func newMedianWide(r int, f raster.PixelFormat) *medianWide {
	if r > 2 || f.Depth == 8 && !f.HasAlpha() {
		return nil
	}
	return &medianWide{r: r, c: f.Channels, depth: f.Depth, pm: f.HasAlpha()}
}

// bits is the width of the words.
func (f *medianWide) bits() int {
	if f.pm && f.depth == 16 {
		return 32
	}
	return 16
}

// name is the kernel's name, for Plan.Kernels.
func (f *medianWide) name() string {
	n := fmt.Sprintf("median%d", f.depth)
	if f.pm {
		n += "pm"
	}
	return n
}

// run computes dst.Rect from src; in is the input image's bounds.
func (f *medianWide) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *medianWide) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	n := 2*r + 1
	bits := f.bits()
	wb := bits / 8     // bytes a word
	no := out.Dx() * c // output samples in a row
	nr := no           // medians computed in a row
	pairs := f.pairs()
	if pairs {
		nr = (out.Dx() + 1) / 2 * 2 * c
	}
	np := nr + 2*r*c              // samples in a padded row
	stride := wb*np + medianSlack // bytes between rows and planes
	// n rows of words, n planes, the medians of a row, and the planes put
	// back in pixel order for the pure-Go pair kernel.
	size := 2*n*stride + wb*nr + medianSlack
	if pairs {
		size += n * wb * np
	}
	buf := s.bytes(size)
	res := buf[2*n*stride:][:wb*nr]
	tmp := buf[2*n*stride+wb*nr+medianSlack:]
	var slotRow [5]int
	for i := range slotRow {
		slotRow[i] = -1
	}
	var rows, planes [5][]byte
	for k := range n {
		planes[k] = buf[(n+k)*stride : (n+k)*stride+wb*np]
	}
	bps := src.Format.BytesPerSample()
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := range n {
			sy := min(max(y+k-r, in.Min.Y), in.Max.Y-1)
			slot := sy % n
			row := buf[slot*stride : slot*stride+wb*np]
			if slotRow[slot] != sy {
				f.pack(row, src, sy, out.Min.X-r, out.Min.X-r+np/c, in)
				slotRow[slot] = sy
			}
			rows[k] = row
		}
		sortColsW(planes[:n], rows[:n], bits)
		if pairs {
			medianPairs(res, planes[:n], c, wb*np/2, tmp)
		} else {
			medianRowW(res, planes[:n], c, bits)
		}
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c*bps:][:no*bps]
		switch {
		case f.pm && f.depth == 8:
			unpremulWords(d, res[:wb*no], c, f.post.t8)
		case f.pm:
			unpremulWords32(d, res, c, f.post.t16)
		default:
			raster.SwapBytes16(d, res)
			if f.post.t16 != nil {
				f.post.apply(d)
			}
		}
	}
	s.putBytes(buf)
}

// pairs reports whether the kernel takes the medians of pairs of
// neighbouring windows (medianPairs), with rows in halves: 8-bit images
// with alpha.
func (f *medianWide) pairs() bool { return f.pm && f.depth == 8 }

// pack sets row to the words of the pixels x0…x1-1 of source row y, the
// pixels outside in standing for the nearest inside; for pairs, those of
// the pixels x0, x0+2, … in the first half of row, and of x0+1, x0+3, …
// in the second. (For pairs, x1 can pass the tile by the pixel that makes
// the last pair of an odd row; it stands for the last, and only the
// median dropped past the row reads it.)
func (f *medianWide) pack(row []byte, src *raster.Tile, y, x0, x1 int, in image.Rectangle) {
	pw := f.c * f.bits() / 8 // bytes a pixel of words
	bpp := src.Format.BytesPerPixel()
	a, b := max(x0, in.Min.X), min(x1, in.Max.X, src.Rect.Max.X)
	o := src.PixOffset(a, y)
	px := src.Pix[o : o+(b-a)*bpp]
	if f.pairs() {
		packPairs(row, px, f.c, a-x0, b-x0)
		return
	}
	w := row[(a-x0)*pw : (b-x0)*pw]
	switch {
	case f.pm:
		packPMWords32(w, px, f.c)
	default:
		raster.SwapBytes16(w, px)
	}
	first := w[:pw]
	for j := 0; j < (a-x0)*pw; j += pw {
		copy(row[j:], first)
	}
	last := w[len(w)-pw:]
	for j := (b - x0) * pw; j < (x1-x0)*pw; j += pw {
		copy(row[j:], last)
	}
}

// packPairs sets the padded row of words, in halves, from the 8-bit
// pixels px of c samples, which stand at padded pixels a…b-1; those before
// a take the words of the first, those from b those of the last.
func packPairs(row, px []byte, c, a, b int) {
	pw := 2 * c
	half := len(row) / 2
	at := func(q int) []byte { return row[q&1*half+q>>1*pw:][:pw] }
	q := a
	if q&1 == 1 {
		packPMSplitGo(at(q), nil, px[:c], c)
		px, q = px[c:], q+1
	}
	packPMSplit(row[q>>1*pw:half], row[half+q>>1*pw:], px, c)
	for j := range a {
		copy(at(j), at(a))
	}
	for j := b; j < 2*half/pw; j++ {
		copy(at(j), at(b-1))
	}
}

// packPMSplitGo sets e and o to the words of the 8-bit pixels px, c
// samples each, alpha last: colour·alpha, and alpha; those of pixels 0,
// 2, 4 … in e, of 1, 3, 5 … in o.
func packPMSplitGo(e, o, px []byte, c int) {
	le := binary.LittleEndian
	for i := 0; i+c <= len(px); i += c {
		w := &e
		if i/c&1 == 1 {
			w = &o
		}
		if c == 4 {
			p := px[i : i+4 : i+4]
			a := uint64(p[3])
			le.PutUint64(*w, uint64(p[0])*a|uint64(p[1])*a<<16|uint64(p[2])*a<<32|a<<48)
			*w = (*w)[8:]
			continue
		}
		a := uint32(px[i+1])
		le.PutUint32(*w, uint32(px[i])*a|a<<16)
		*w = (*w)[4:]
	}
}

// medianPairsGo sets d to the medians of c-channel 16-bit words whose n
// sorted-column planes are laid out in halves, the words of the even
// padded pixels from byte 0, of the odd ones from byte half, starting at
// byte from of each half; d holds whole pairs of pixels, in pixel order.
// The generated networks take four words at a time; a last pair of
// gray+alpha, two words, is put back in pixel order in tmp and goes
// through medianRowWGo.
func medianPairsGo(d []byte, planes [][]byte, c, half, from int, tmp []byte) {
	var done int
	if len(planes) == 3 {
		done = medianPair3Words16(d, planes[0][from:], planes[1][from:], planes[2][from:], half, c)
	} else {
		done = medianPair5Words16(d, planes[0][from:], planes[1][from:], planes[2][from:], planes[3][from:], planes[4][from:], half, c)
	}
	if done == len(d) {
		return
	}
	d, from = d[done:], from+done/2
	pw := 2 * c
	npix := len(d)/pw + len(planes) - 1
	var pt [5][]byte
	for k, p := range planes {
		t := tmp[k*npix*pw : (k+1)*npix*pw]
		for q := range npix {
			copy(t[q*pw:q*pw+pw], p[q&1*half+from+q>>1*pw:])
		}
		pt[k] = t
	}
	medianRowWGo(d, pt[:len(planes)], c, 16)
}

// pmRecip[a] is ⌈2^32 / 2a⌉, and 0 for a = 0: for every colour word P ≤
// 255·a, (2P+a)·pmRecip[a] >> 32 is ⌊(2P+a) / 2a⌋, P/a rounded half up
// (the error of the reciprocal times 2P+a stays below 2^32), and 0 under
// a zero alpha.
var pmRecip = func() (t [256]uint64) {
	for a := uint64(1); a < 256; a++ {
		t[a] = (1<<32 + 2*a - 1) / (2 * a)
	}
	return t
}()

// unpremulWordsGo stores the straight colour and the alpha of the median
// words res into d, c samples a pixel, alpha last: colour P/A rounded half
// up, 0 under a zero alpha, for colour words P ≤ 255·A, as medians are;
// post, when not nil, is a table applied to the colour.
func unpremulWordsGo(d, res []byte, c int, post []byte) {
	if c == 4 {
		unpremulRGBA(d, res)
	} else {
		unpremulWordsAny(d, res, c)
	}
	if post != nil {
		postColour(d[:len(res)/2], c, post)
	}
}

// unpremulRGBA is unpremulWordsGo of RGBA words without a table, a pixel's
// four words read and its four bytes written at once: a third of the time
// of the loop over channels (unpremulWordsAny).
func unpremulRGBA(d, res []byte) {
	le := binary.LittleEndian
	d = d[:len(res)/2]
	for i := 0; i+4 <= len(d); i += 4 {
		v := le.Uint64(res[2*i:])
		a := v >> 48
		m := pmRecip[a&255]
		r := (2*(v&0xffff)+a)*m>>32 | ((2*(v>>16&0xffff)+a)*m>>32)<<8 |
			((2*(v>>32&0xffff)+a)*m>>32)<<16 | a<<24
		le.PutUint32(d[i:], uint32(r))
	}
}

// unpremulWordsAny is unpremulWordsGo without a table for any number of
// channels.
func unpremulWordsAny(d, res []byte, c int) {
	le := binary.LittleEndian
	d = d[:len(res)/2]
	for i := 0; i+c <= len(d); i += c {
		w, o := res[2*i:2*i+2*c:2*i+2*c], d[i:i+c:i+c]
		a := uint64(le.Uint16(w[2*c-2:]))
		m := pmRecip[a&255]
		for ch := 0; ch < c-1; ch++ {
			o[ch] = byte((2*uint64(le.Uint16(w[2*ch:])) + a) * m >> 32)
		}
		o[c-1] = byte(a)
	}
}

// postColour applies the table post to the colour samples of the pixels
// of d, c samples each, alpha last.
func postColour(d []byte, c int, post []byte) {
	for i := 0; i+c <= len(d); i += c {
		o := d[i : i+c-1 : i+c-1]
		for ch := range o {
			o[ch] = post[o[ch]]
		}
	}
}

// packPMWords32 sets w to the 32-bit words of the 16-bit big-endian pixels
// px, c samples each, alpha last: colour·alpha, and alpha.
func packPMWords32(w, px []byte, c int) {
	be, le := binary.BigEndian, binary.LittleEndian
	w = w[:2*len(px)]
	for i := 0; i+2*c <= len(px); i += 2 * c {
		p, o := px[i:i+2*c:i+2*c], w[2*i:2*i+4*c:2*i+4*c]
		a := uint32(be.Uint16(p[2*c-2:]))
		for ch := 0; ch < c-1; ch++ {
			le.PutUint32(o[4*ch:], uint32(be.Uint16(p[2*ch:]))*a)
		}
		le.PutUint32(o[4*c-4:], a)
	}
}

// unpremulWords32 stores the straight colour and the alpha of the median
// 32-bit words res into d, big-endian 16-bit samples, c a pixel, alpha
// last: colour P/A rounded half up, 0 under a zero alpha; post, when not
// nil, is a table applied to the colour.
func unpremulWords32(d, res []byte, c int, post []uint16) {
	be, le := binary.BigEndian, binary.LittleEndian
	d = d[:len(res)/2]
	for i := 0; i+2*c <= len(d); i += 2 * c {
		w, o := res[2*i:2*i+4*c:2*i+4*c], d[i:i+2*c:i+2*c]
		a := uint64(le.Uint32(w[4*c-4:]))
		for ch := 0; ch < c-1; ch++ {
			v := uint64(0)
			if a != 0 {
				v = (2*uint64(le.Uint32(w[4*ch:])) + a) / (2 * a)
			}
			if post != nil {
				v = uint64(post[v])
			}
			be.PutUint16(o[2*ch:], uint16(v))
		}
		be.PutUint16(o[2*c-2:], uint16(a))
	}
}

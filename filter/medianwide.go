package filter

import (
	"encoding/binary"
	"image"

	"github.com/sluice-go/sluice/raster"
)

// medianWide is the integer median of radius 1 or 2 on 16-bit words: for
// 16-bit gray and RGB images, and for 8-bit images with alpha (gray+alpha,
// RGBA), premultiplied as every area operation is. It is medianNet's
// design on words: each padded source row becomes a row of words, the
// 2R+1 rows are sorted sample by sample into planes, and the same
// selection networks pick each window's median from the sorted columns.
// The AVX2 kernels take 16 words at a time, the pure-Go ones four held in
// a word; both are exact selection and give the same bytes.
//
// At 16 bits the words are the samples. At 8 bits with alpha, a colour
// word is colour·alpha, exactly (at most 65,025), and the alpha word is
// alpha: each channel's median is taken on its own, as on the float path,
// and the straight colour of a pixel is P/A in levels, for P the median of
// its colour words and A that of alpha, rounded half up. The order
// statistics of colour·alpha never exceed those of 255·alpha, so P ≤ 255·A
// and the quotient is a valid level; under a zero alpha median, P is 0 and
// so is the colour, as the float path gives. The result is the exact
// quotient rounded, within half a level of the float64 reference, and the
// same bytes for every tiling.
type medianWide struct {
	r    int        // window radius: 1 or 2
	c    int        // samples per pixel
	pm   bool       // 8-bit with alpha, premultiplied words
	post pointTable // point operations folded into the pass; empty when none
}

// newMedianWide returns the word kernel for a median of radius r on
// format f, or nil when it does not apply: radius above 2, 8-bit images
// without alpha (medianNet's), and 16-bit images with alpha, whose
// premultiplied colour needs 32 bits.
func newMedianWide(r int, f raster.PixelFormat) *medianWide {
	if r > 2 || f.Depth == 8 && !f.HasAlpha() || f.Depth == 16 && f.HasAlpha() {
		return nil
	}
	return &medianWide{r: r, c: f.Channels, pm: f.HasAlpha()}
}

// name is the kernel's name, for Plan.Kernels.
func (f *medianWide) name() string {
	if f.pm {
		return "median8pm"
	}
	return "median16"
}

// run computes dst.Rect from src; in is the input image's bounds.
func (f *medianWide) run(s *scratch, dst, src *raster.Tile, in image.Rectangle) {
	runStrips(f, s, dst, src, in)
}

// strip computes the part out of dst.
func (f *medianWide) strip(s *scratch, dst, src *raster.Tile, in, out image.Rectangle) {
	r, c := f.r, f.c
	n := 2*r + 1
	no := out.Dx() * c           // output samples in a row
	np := no + 2*r*c             // samples in a padded row
	stride := 2*np + medianSlack // bytes between rows and planes
	// n rows of words, n planes, then the medians of a row.
	buf := s.bytes(2*n*stride + 2*no + medianSlack)
	res := buf[2*n*stride:][:2*no]
	var slotRow [5]int
	for i := range slotRow {
		slotRow[i] = -1
	}
	var rows, planes [5][]byte
	for k := range n {
		planes[k] = buf[(n+k)*stride : (n+k)*stride+2*np]
	}
	bps := src.Format.BytesPerSample()
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for k := range n {
			sy := min(max(y+k-r, in.Min.Y), in.Max.Y-1)
			slot := sy % n
			row := buf[slot*stride : slot*stride+2*np]
			if slotRow[slot] != sy {
				f.pack(row, src, sy, out.Min.X-r, out.Max.X+r, in)
				slotRow[slot] = sy
			}
			rows[k] = row
		}
		sortCols16(planes[:n], rows[:n])
		medianRow16(res, planes[:n], c)
		d := dst.Row(y)[(out.Min.X-dst.Rect.Min.X)*c*bps:][:no*bps]
		if f.pm {
			unpremulWords(d, res, c, f.post.t8)
			continue
		}
		swap16(d, res)
		if f.post.t16 != nil {
			f.post.apply(d)
		}
	}
	s.putBytes(buf)
}

// pack sets row to the words of the pixels x0…x1-1 of source row y, the
// pixels outside in standing for the nearest inside.
func (f *medianWide) pack(row []byte, src *raster.Tile, y, x0, x1 int, in image.Rectangle) {
	c := f.c
	bpp := src.Format.BytesPerPixel()
	a, b := max(x0, in.Min.X), min(x1, in.Max.X)
	o := src.PixOffset(a, y)
	px := src.Pix[o : o+(b-a)*bpp]
	w := row[(a-x0)*2*c : (b-x0)*2*c]
	if f.pm {
		packPMWords(w, px, c)
	} else {
		swap16(w, px)
	}
	first := w[:2*c]
	for j := 0; j < (a-x0)*2*c; j += 2 * c {
		copy(row[j:], first)
	}
	last := w[len(w)-2*c:]
	for j := (b - x0) * 2 * c; j < (x1-x0)*2*c; j += 2 * c {
		copy(row[j:], last)
	}
}

// swap16 copies the 16-bit samples of s into d, swapping the two bytes of
// each: big-endian samples to little-endian words, and back.
func swap16(d, s []byte) {
	d = d[:len(s)]
	le := binary.LittleEndian
	i := 0
	for ; i+8 <= len(s); i += 8 {
		v := le.Uint64(s[i:])
		le.PutUint64(d[i:], v>>8&0x00ff00ff00ff00ff|v&0x00ff00ff00ff00ff<<8)
	}
	for ; i+1 < len(s); i += 2 {
		d[i], d[i+1] = s[i+1], s[i]
	}
}

// packPMWords sets w to the words of the 8-bit pixels px, c samples each,
// alpha last: colour·alpha, and alpha.
func packPMWords(w, px []byte, c int) {
	w = w[:2*len(px)]
	switch c {
	case 4:
		for i := 0; i+4 <= len(px); i += 4 {
			p, o := px[i:i+4:i+4], w[2*i:2*i+8:2*i+8]
			a := uint64(p[3])
			v := uint64(p[0])*a | uint64(p[1])*a<<16 | uint64(p[2])*a<<32 | a<<48
			binary.LittleEndian.PutUint64(o, v)
		}
	default:
		for i := 0; i+2 <= len(px); i += 2 {
			a := uint32(px[i+1])
			binary.LittleEndian.PutUint32(w[2*i:], uint32(px[i])*a|a<<16)
		}
	}
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

// unpremulWords stores the straight colour and the alpha of the median
// words res into d, c samples a pixel, alpha last; post, when not nil, is a
// table applied to the colour.
func unpremulWords(d, res []byte, c int, post []byte) {
	le := binary.LittleEndian
	d = d[:len(res)/2]
	for i := 0; i+c <= len(d); i += c {
		w, o := res[2*i:2*i+2*c:2*i+2*c], d[i:i+c:i+c]
		a := uint64(le.Uint16(w[2*c-2:]))
		m := pmRecip[a&255]
		for ch := 0; ch < c-1; ch++ {
			o[ch] = byte((2*uint64(le.Uint16(w[2*ch:])) + a) * m >> 32)
		}
		if post != nil {
			for ch := 0; ch < c-1; ch++ {
				o[ch] = post[o[ch]]
			}
		}
		o[c-1] = byte(a)
	}
}

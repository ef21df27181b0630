package filter

import "slices"

// Preshrink says how a chain that begins by shrinking can read its input
// already shrunk, as a JPEG decoder can at 1/2, 1/4 and 1/8 of the size
// (divs lists the denominators a reader offers). For an input of w×h
// pixels and a chain whose first operation is resize:S with S ≤ 1/4, it
// returns the largest d in divs such that the image of ⌈w/d⌉×⌈h/d⌉ pixels
// is still at least twice as large, across and down, as that resize's
// output, and the chain to run on it: a resize to the same output size,
// then the rest of c. Otherwise it returns 1 and c. The choice depends on
// w, h and c alone, so the plan is the same on every run.
//
// Leaving at least a factor of two to the resize is libvips' rule too: a
// reader's shrinking is a block transform, and the resize's Lanczos kernel
// must still have room to filter what it lets through. Taken down to the
// output size itself, the pixels of fine-grained images were up to 10 dB
// further from a full decode. The chain it returns makes an image of the
// size c makes; its pixels differ from c's by what the reader's shrinking
// loses (for JPEG, see the tests' PSNR bound).
func (c Chain) Preshrink(w, h int, divs ...int) (int, Chain) {
	if len(c) == 0 {
		return 1, c
	}
	z, ok := c[0].(Resize)
	if !ok || z.S > 0.25 {
		return 1, c
	}
	tw, th := z.resizedLen(w), z.resizedLen(h)
	divs = slices.Clone(divs)
	slices.Sort(divs)
	for _, d := range slices.Backward(divs) {
		if d < 2 {
			break
		}
		sw, sh := (w+d-1)/d, (h+d-1)/d
		if sw < 2*tw || sh < 2*th {
			continue
		}
		// A scale that takes sw to tw and sh to th: S·d when it does (the
		// common case), else the middle of the scales that do.
		s := z.S * float64(d)
		if r := (Resize{s}); r.resizedLen(sw) != tw || r.resizedLen(sh) != th {
			lo := max((float64(tw)-0.5)/float64(sw), (float64(th)-0.5)/float64(sh))
			hi := min((float64(tw)+0.5)/float64(sw), (float64(th)+0.5)/float64(sh))
			s = (lo + hi) / 2
			if r := (Resize{s}); lo >= hi || r.resizedLen(sw) != tw || r.resizedLen(sh) != th {
				continue
			}
		}
		if (Resize{s}).validate() != nil {
			continue
		}
		out := make(Chain, 0, len(c))
		if sw != tw || sh != th {
			out = append(out, Resize{s})
		}
		return d, append(out, c[1:]...)
	}
	return 1, c
}

// Package filter holds the image operations of sluice — blurs, sharpening,
// edges, rank filters, convolution, point operations and streaming geometry —
// and the executor that runs a chain of them, fused, on one tile at a time.
//
// An operation is an Op: Parse builds one from its command-line spec, such as
// "blur:2" or "sharpen:1,0.8,0.01", and ParseChain builds a Chain. A Chain is
// planned against an image's size and pixel format (Chain.Plan); the Plan
// then computes any rectangle of the output from the input pixels that
// Plan.SourceRect names, so a caller can cut an image into tiles, filter them
// on many goroutines and reassemble the result.
//
// The rules every operation follows:
//
//   - Edges replicate the nearest pixel of the operation's own input image,
//     so a chain gives the same bytes as applying its operations one after
//     the other to the whole image, whatever the tiling.
//   - Area operations (blur, box, sharpen, sobel, conv, median, erode, dilate,
//     shrink, resize) work on premultiplied colour when the image has alpha, so
//     transparent pixels do not bleed colour into opaque ones. Point
//     operations work on straight colour and leave alpha alone.
//   - A chain runs in integers when it can (below), else in float32 in
//     [0, 1]; values a filter pushes out of range are clamped after each
//     operation, and a float32 chain quantises once, when it writes the
//     output tile, rounding half up.
//   - 8- and 16-bit images keep their depth. Value parameters (brightness,
//     threshold, levels, the sharpen threshold) are fractions of full scale,
//     so they mean the same at both depths.
//
// # Integer chains
//
// The plan chooses the kernels from the chain, the image size and the
// pixel format alone (the size matters to resize, whose weights at the
// edges set its bound), so every tile of an image takes the same ones,
// and Plan.Kernels names them. On gray and RGB images without alpha, blur and sharpen (radius up
// to 24, sharpen without threshold), median:1 and median:2,
// gray, crop, shrink, resize (Lanczos-3 taps worked out once per plan)
// and every point operation have integer kernels; on images with alpha,
// median:1 and median:2 (premultiplied in 16-bit words at 8 bits, 32-bit
// words at 16, after exact samples only) and point operations do, and at
// 8 bits blur (premultiplied, its passes in float32, whose sums of
// positive terms keep the quotient by alpha exact to far below a level
// however faint the alpha), sharpen without threshold (likewise, the few
// pixels whose sharpened alpha comes within a level of 0 computed in
// float64) and resize (premultiplied, in float32 likewise, as the last
// operation, after exact samples only). The 8-bit blur, sharpen and
// resize, every median and the premultiplied blur, sharpen and resize
// have AVX2 versions on amd64 that give the pure-Go kernels' bytes (build
// tag purego for the pure-Go ones alone).
// A chain whose every operation has one runs them one after the other on
// each tile in the image's own 8- or 16-bit samples: no float32 planes, no
// conversion per operation. A blur followed by a reduction without a box
// (1/4 < S ≤ 1) is planned as one resize, on either path, whose taps are
// the Lanczos taps convolved with the Gaussian, the edges of both folded
// in exactly: no blur pass, no rounding between the two. A sharpen without
// threshold right after an 8-bit resize runs in the resize's kernel
// ("resize8+sharpen8"), on the resized samples kept with 6 fraction bits
// rather than rounded to levels. Point operations fold into the kernel before
// them as a table, or run as a table over the source when they come
// first; point operations alone on any format are one table lookup per
// sample, the same bytes as the float path.
//
// The quantisation rule: an integer chain rounds to the image's depth,
// half up, after each kernel that computes (blur, sharpen, gray, shrink,
// resize), as libvips does after every operation; median and crop select and add
// no rounding, except that a median on alpha rounds its straight colour,
// the quotient of two medians; a folded table is indexed by the result of the kernel
// before it (at 1/16 of a level after gray at 8 bits). The plan bounds how
// far a sample can stray from the exact chain through every rounding and
// every stretch that follows (sharpen multiplies it by 1+2·amount, resize
// by the sum of its weights' magnitudes, up to about 2, a table by its
// steepest step) and takes the integer chain only when the bound
// at the output is below 1.5 levels, so every output sample lies within
// one level of the float64 reference of the whole chain (the samples an
// 8-bit resize hands to the sharpen in its kernel count with a rounding of
// 1/128 of a level). Chains that fail
// the bound — a steep gamma, a threshold, a sharpen or a resize after a
// kernel that rounds, levels after luma at 16 bits followed by a blur —
// and chains with an operation that has no integer kernel (box, sobel,
// conv, erode, dilate, larger medians, area operations other than blur,
// sharpen, median and a last resize on alpha, anything but median on
// 16-bit alpha) run in float32, fused, quantised once. So do 16-bit chains
// of blurs and point operations, where the float32 passes, which have
// vector kernels, are faster than the scalar 16-bit ones.
//
// # Geometry
//
// Rotate, Flip, Flop, Transpose and Transverse move pixels without
// computing: each is one of the eight orientations of package raster, and
// Upright gives the one that shows an image stored in a given orientation
// upright. They cannot fuse into a tile's chain (after a quarter turn an
// output row needs a whole column of the input), so Chain.Plan cuts a
// chain at its geometry into Segments: the whole image is turned, then
// the next fused plan runs on tiles of the turned image. A run of geometry
// operations makes one turn. The image is quantised to its depth where one
// segment ends, as at the end of any chain. Package engine runs the
// segments, turning the image through a scratch file in bounded memory.
package filter

import (
	"strings"
)

// Op is one image operation. Its String is the canonical spec that Parse
// reads back, e.g. "blur:2". Halo is the border, in pixels of the
// operation's input, that it reads around each output pixel. The
// implementations are the types of this package; an Op is a small value,
// safe for concurrent use.
type Op interface {
	String() string
	Halo() int
	// stage holds the planning and execution logic; being unexported, it
	// also keeps Op implemented only inside this package.
	stage
}

// Chain is a sequence of operations applied one after the other.
type Chain []Op

// String returns the specs of c separated by spaces, e.g. "blur:2 invert".
func (c Chain) String() string {
	s := make([]string, len(c))
	for i, op := range c {
		s[i] = op.String()
	}
	return strings.Join(s, " ")
}

// ParseChain parses each spec with Parse. The error is Parse's, which
// quotes the spec that failed.
func ParseChain(specs []string) (Chain, error) {
	c := make(Chain, 0, len(specs))
	for _, s := range specs {
		op, err := Parse(s)
		if err != nil {
			return nil, err // Parse's errors quote the spec that failed
		}
		c = append(c, op)
	}
	return c, nil
}

// OpInfo describes an operation for help text: its Name as typed on the
// command line, its Params in spec syntax (empty when it takes none) and a
// one-line Doc.
type OpInfo struct {
	Name, Params, Doc string
}

// Ops lists every operation Parse knows, area operations first, then point
// operations, then geometry.
func Ops() []OpInfo {
	out := make([]OpInfo, len(registry))
	for i, e := range registry {
		out[i] = e.info
	}
	return out
}

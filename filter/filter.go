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
//   - Samples are held as float32 in [0, 1] inside a tile; values a filter
//     pushes out of range are clamped after each operation. A fused chain
//     quantises once, when it writes the output tile, rounding half up.
//   - 8- and 16-bit images keep their depth. Value parameters (brightness,
//     threshold, levels, the sharpen threshold) are fractions of full scale,
//     so they mean the same at both depths.
//
// Some plans take an integer fast path, chosen by the plan from the chain
// and the pixel format alone, so every tile of an image takes the same one:
// a lone blur or sharpen on gray or RGB images (exact fixed point, with
// AVX2 kernels on amd64 at 8 bits), a lone median:1 or median:2 on 8-bit
// gray or RGB (selection networks), and point operations alone on 8-bit
// images (one table lookup, the same bytes as the float path). Everything
// else runs in float32, fused.
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

package filter

import (
	"fmt"
	"image"
	"strconv"

	"github.com/sluice-go/sluice/raster"
)

// The geometry operations move pixels without computing any: Rotate,
// Flip, Flop, Transpose and Transverse. Each is one of the eight
// orientations of package raster (an image stored in orientation
// RightTop is shown upright by Rotate{90}), and a run of them in a chain
// makes one orientation (Orientation.Then).
//
// They do not fuse into a tile's chain: after a quarter turn an output
// row needs a whole column of the input, which a reader that streams from
// top to bottom has only at the end. So Chain.Plan cuts a chain at its
// geometry into segments (Plan.Segments): the pixels are turned between
// two fused plans, each of which runs on tiles as any chain does. The
// image is quantised to its depth where one segment ends and the next
// begins, as it is at the end of every chain. Package engine turns the
// image through a scratch file, in bounded memory; only a flop that
// starts a chain is done row by row as the image is read.

// Rotate turns the image clockwise by Degrees: 90, 180 or 270. Spec
// "rotate:DEGREES".
type Rotate struct{ Degrees int }

// Flip mirrors the image top to bottom. Spec "flip".
type Flip struct{}

// Flop mirrors the image left to right. Spec "flop".
type Flop struct{}

// Transpose swaps x and y: it mirrors the image along the diagonal from
// the top left corner. Spec "transpose".
type Transpose struct{}

// Transverse mirrors the image along the diagonal from the top right
// corner: a transpose and a half turn. Spec "transverse".
type Transverse struct{}

// String returns the spec, e.g. "rotate:90".
func (r Rotate) String() string { return "rotate:" + strconv.Itoa(r.Degrees) }

// String returns "flip".
func (Flip) String() string { return "flip" }

// String returns "flop".
func (Flop) String() string { return "flop" }

// String returns "transpose".
func (Transpose) String() string { return "transpose" }

// String returns "transverse".
func (Transverse) String() string { return "transverse" }

// Orientation returns the orientation whose upright view the rotation
// makes: RightTop for 90, BottomRight for 180, LeftBottom for 270.
func (r Rotate) Orientation() raster.Orientation {
	switch r.Degrees {
	case 90:
		return raster.RightTop
	case 180:
		return raster.BottomRight
	case 270:
		return raster.LeftBottom
	}
	return raster.TopLeft
}

// Orientation returns raster.BottomLeft.
func (Flip) Orientation() raster.Orientation { return raster.BottomLeft }

// Orientation returns raster.TopRight.
func (Flop) Orientation() raster.Orientation { return raster.TopRight }

// Orientation returns raster.LeftTop.
func (Transpose) Orientation() raster.Orientation { return raster.LeftTop }

// Orientation returns raster.RightBottom.
func (Transverse) Orientation() raster.Orientation { return raster.RightBottom }

// Upright returns the geometry operation that shows an image stored in
// orientation o upright (Rotate{90} for raster.RightTop), or nil for
// raster.TopLeft, 0 and values that are not an orientation.
func Upright(o raster.Orientation) Op {
	switch o {
	case raster.TopRight:
		return Flop{}
	case raster.BottomRight:
		return Rotate{Degrees: 180}
	case raster.BottomLeft:
		return Flip{}
	case raster.LeftTop:
		return Transpose{}
	case raster.RightTop:
		return Rotate{Degrees: 90}
	case raster.RightBottom:
		return Transverse{}
	case raster.LeftBottom:
		return Rotate{Degrees: 270}
	}
	return nil
}

// turnOf returns the orientation of a geometry operation; false for any
// other operation.
func turnOf(op Op) (raster.Orientation, bool) {
	g, ok := op.(interface{ Orientation() raster.Orientation })
	if !ok {
		return 0, false
	}
	return g.Orientation(), true
}

// The stage logic of the geometry operations. They do not run in a
// fused chain (Chain.Plan cuts the chain there), so need asks for the
// whole input and run is never called.

// Halo is 0: a geometry operation computes nothing around a pixel.
func (Rotate) Halo() int { return 0 }

// Halo is 0.
func (Flip) Halo() int { return 0 }

// Halo is 0.
func (Flop) Halo() int { return 0 }

// Halo is 0.
func (Transpose) Halo() int { return 0 }

// Halo is 0.
func (Transverse) Halo() int { return 0 }

func (Flip) validate() error       { return nil }
func (Flop) validate() error       { return nil }
func (Transpose) validate() error  { return nil }
func (Transverse) validate() error { return nil }

func (Rotate) need(_, in image.Rectangle) image.Rectangle     { return in }
func (Flip) need(_, in image.Rectangle) image.Rectangle       { return in }
func (Flop) need(_, in image.Rectangle) image.Rectangle       { return in }
func (Transpose) need(_, in image.Rectangle) image.Rectangle  { return in }
func (Transverse) need(_, in image.Rectangle) image.Rectangle { return in }

func (Rotate) alpha() alphaMode     { return anyAlpha }
func (Flip) alpha() alphaMode       { return anyAlpha }
func (Flop) alpha() alphaMode       { return anyAlpha }
func (Transpose) alpha() alphaMode  { return anyAlpha }
func (Transverse) alpha() alphaMode { return anyAlpha }

func (Rotate) run(*scratch, *planes, image.Rectangle, image.Rectangle) *planes     { panic(errInChain) }
func (Flip) run(*scratch, *planes, image.Rectangle, image.Rectangle) *planes       { panic(errInChain) }
func (Flop) run(*scratch, *planes, image.Rectangle, image.Rectangle) *planes       { panic(errInChain) }
func (Transpose) run(*scratch, *planes, image.Rectangle, image.Rectangle) *planes  { panic(errInChain) }
func (Transverse) run(*scratch, *planes, image.Rectangle, image.Rectangle) *planes { panic(errInChain) }

// errInChain is the panic of a geometry operation run in a fused chain,
// which Chain.Plan never builds.
const errInChain = "filter: a geometry operation ran inside a fused chain; Chain.Plan puts it between segments"

func turnShape(o raster.Orientation, w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	w, h = o.Size(w, h)
	return w, h, f, nil
}

func (r Rotate) validate() error {
	if r.Degrees != 90 && r.Degrees != 180 && r.Degrees != 270 {
		return fmt.Errorf("filter: rotate: degrees must be 90, 180 or 270 (clockwise), got %d", r.Degrees)
	}
	return nil
}

func (r Rotate) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return turnShape(r.Orientation(), w, h, f)
}
func (g Flip) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return turnShape(g.Orientation(), w, h, f)
}
func (g Flop) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return turnShape(g.Orientation(), w, h, f)
}
func (g Transpose) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return turnShape(g.Orientation(), w, h, f)
}
func (g Transverse) shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error) {
	return turnShape(g.Orientation(), w, h, f)
}

package raster

import "image"

// Tile is a rectangle of pixels cut from a larger image: the unit that a
// worker filters. Pix holds the pixel at Rect.Min at Pix[0]; rows are Stride
// bytes apart. A Tile is a view: several tiles may share one buffer.
type Tile struct {
	Rect   image.Rectangle // where the tile lies in its image
	Pix    []byte
	Stride int
	Format PixelFormat
}

// NewTile allocates a tile for r in format f, rows packed.
func NewTile(r image.Rectangle, f PixelFormat) *Tile {
	stride := r.Dx() * f.BytesPerPixel()
	return &Tile{Rect: r, Pix: make([]byte, stride*r.Dy()), Stride: stride, Format: f}
}

// Row returns the bytes of row y (in image coordinates) of the tile.
func (t *Tile) Row(y int) []byte {
	off := (y - t.Rect.Min.Y) * t.Stride
	return t.Pix[off : off+t.Rect.Dx()*t.Format.BytesPerPixel()]
}

// PixOffset is the index in Pix of the first byte of pixel (x, y).
func (t *Tile) PixOffset(x, y int) int {
	return (y-t.Rect.Min.Y)*t.Stride + (x-t.Rect.Min.X)*t.Format.BytesPerPixel()
}

// Sub returns the part of t inside r, sharing t's pixels. r must lie within
// t.Rect.
func (t *Tile) Sub(r image.Rectangle) *Tile {
	if !r.In(t.Rect) {
		panic("raster: Tile.Sub rectangle outside the tile")
	}
	if r.Empty() {
		return &Tile{Rect: r, Stride: t.Stride, Format: t.Format}
	}
	return &Tile{Rect: r, Pix: t.Pix[t.PixOffset(r.Min.X, r.Min.Y):], Stride: t.Stride, Format: t.Format}
}

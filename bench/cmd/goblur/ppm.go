package main

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// maxPixels bounds what decodePPM allocates: 2^31 pixels, 8 GiB as RGBA.
const maxPixels = 1 << 31

// decodePPM reads a binary PPM (P6) with maxval 255 into an RGBA image, as
// the library filters want it.
func decodePPM(r *bufio.Reader) (*image.RGBA, error) {
	var magic string
	var w, h, maxval int
	if _, err := fmt.Fscan(r, &magic); err != nil || magic != "P6" {
		return nil, errors.New("ppm: not a binary PPM (P6)")
	}
	for _, v := range []*int{&w, &h, &maxval} {
		if err := skipComments(r); err != nil {
			return nil, err
		}
		if _, err := fmt.Fscan(r, v); err != nil {
			return nil, fmt.Errorf("ppm: bad header: %w", err)
		}
	}
	if maxval != 255 {
		return nil, fmt.Errorf("ppm: maxval %d: only 255 is supported", maxval)
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > maxPixels {
		return nil, fmt.Errorf("ppm: image of %d×%d pixels is out of range", w, h)
	}
	if _, err := r.ReadByte(); err != nil { // the one whitespace byte after maxval
		return nil, fmt.Errorf("ppm: %w", err)
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	row := make([]byte, 3*w)
	for y := range h {
		if _, err := io.ReadFull(r, row); err != nil {
			return nil, fmt.Errorf("ppm: row %d: %w", y, err)
		}
		pix := m.Pix[y*m.Stride:]
		for x := range w {
			pix[4*x], pix[4*x+1], pix[4*x+2], pix[4*x+3] = row[3*x], row[3*x+1], row[3*x+2], 255
		}
	}
	return m, nil
}

// skipComments skips whitespace and # comments before a header field.
func skipComments(r *bufio.Reader) error {
	for {
		c, err := r.ReadByte()
		if err != nil {
			return fmt.Errorf("ppm: bad header: %w", err)
		}
		switch {
		case c == '#':
			if _, err := r.ReadString('\n'); err != nil {
				return fmt.Errorf("ppm: bad header: %w", err)
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			return r.UnreadByte()
		}
	}
}

// encodePPM writes m as a binary PPM, dropping alpha.
func encodePPM(w io.Writer, m image.Image) error {
	b := m.Bounds()
	if _, err := fmt.Fprintf(w, "P6\n%d %d\n255\n", b.Dx(), b.Dy()); err != nil {
		return err
	}
	row := make([]byte, 3*b.Dx())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		switch m := m.(type) {
		case *image.NRGBA:
			pix := m.Pix[(y-b.Min.Y)*m.Stride:]
			for x := range b.Dx() {
				row[3*x], row[3*x+1], row[3*x+2] = pix[4*x], pix[4*x+1], pix[4*x+2]
			}
		case *image.RGBA:
			pix := m.Pix[(y-b.Min.Y)*m.Stride:]
			for x := range b.Dx() {
				row[3*x], row[3*x+1], row[3*x+2] = pix[4*x], pix[4*x+1], pix[4*x+2]
			}
		default:
			for x := range b.Dx() {
				c := color.NRGBAModel.Convert(m.At(b.Min.X+x, y)).(color.NRGBA)
				row[3*x], row[3*x+1], row[3*x+2] = c.R, c.G, c.B
			}
		}
		if _, err := w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

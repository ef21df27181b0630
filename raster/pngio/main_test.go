package pngio

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/raster"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// decodeAll reads every row of a PNG file with our Reader.
func decodeAll(data []byte, o ReaderOptions) (raster.Header, []byte, error) {
	r, err := NewReader(bytes.NewReader(data), o)
	if err != nil {
		return raster.Header{}, nil, err
	}
	h := r.Header()
	pix := make([]byte, 0, h.Bytes())
	buf := make([]byte, 3*h.RowBytes())
	for {
		n, err := r.ReadRows(buf)
		pix = append(pix, buf[:n*h.RowBytes()]...)
		if err == io.EOF {
			return h, pix, nil
		}
		if err != nil {
			return h, pix, err
		}
	}
}

// encodeAll writes pix, an image with header h, with our Writer, handing it
// rowsPerCall rows at a time.
func encodeAll(h raster.Header, pix []byte, o WriterOptions, rowsPerCall int) ([]byte, error) {
	var out bytes.Buffer
	w, err := NewWriter(&out, h, o)
	if err != nil {
		return nil, err
	}
	step := rowsPerCall * h.RowBytes()
	for len(pix) > 0 {
		k := min(step, len(pix))
		if err := w.WriteRows(pix[:k]); err != nil {
			w.Close()
			return nil, err
		}
		pix = pix[k:]
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// pixelNRGBA64 returns pixel i of rows in format f as non-premultiplied
// 16-bit red, green, blue and alpha.
func pixelNRGBA64(pix []byte, f raster.PixelFormat, i int) [4]uint16 {
	s := pix[i*f.BytesPerPixel() : (i+1)*f.BytesPerPixel()]
	var v [4]uint16
	for c := range f.Channels {
		if f.Depth == 8 {
			v[c] = uint16(s[c]) * 0x101
		} else {
			v[c] = uint16(s[2*c])<<8 | uint16(s[2*c+1])
		}
	}
	switch f.Channels {
	case 1:
		return [4]uint16{v[0], v[0], v[0], 0xffff}
	case 2:
		return [4]uint16{v[0], v[0], v[0], v[1]}
	case 3:
		return [4]uint16{v[0], v[1], v[2], 0xffff}
	}
	return v
}

// imageNRGBA64 returns pixel (x, y) of an image decoded by image/png as
// non-premultiplied 16-bit samples, read from the concrete types image/png
// returns so that nothing is lost to premultiplication.
func imageNRGBA64(img image.Image, x, y int) ([4]uint16, error) {
	w8 := func(b []byte) [4]uint16 {
		return [4]uint16{uint16(b[0]) * 0x101, uint16(b[1]) * 0x101, uint16(b[2]) * 0x101, uint16(b[3]) * 0x101}
	}
	w16 := func(b []byte) [4]uint16 {
		var v [4]uint16
		for c := range v {
			v[c] = uint16(b[2*c])<<8 | uint16(b[2*c+1])
		}
		return v
	}
	switch m := img.(type) {
	case *image.Gray:
		g := uint16(m.Pix[m.PixOffset(x, y)]) * 0x101
		return [4]uint16{g, g, g, 0xffff}, nil
	case *image.Gray16:
		o := m.PixOffset(x, y)
		g := uint16(m.Pix[o])<<8 | uint16(m.Pix[o+1])
		return [4]uint16{g, g, g, 0xffff}, nil
	case *image.NRGBA:
		return w8(m.Pix[m.PixOffset(x, y):]), nil
	case *image.RGBA: // image/png uses it only for opaque images
		return w8(m.Pix[m.PixOffset(x, y):]), nil
	case *image.NRGBA64:
		return w16(m.Pix[m.PixOffset(x, y):]), nil
	case *image.RGBA64:
		return w16(m.Pix[m.PixOffset(x, y):]), nil
	case *image.Paletted:
		switch c := m.Palette[m.ColorIndexAt(x, y)].(type) {
		case color.RGBA:
			return w8([]byte{c.R, c.G, c.B, c.A}), nil
		case color.NRGBA:
			return w8([]byte{c.R, c.G, c.B, c.A}), nil
		default:
			return [4]uint16{}, fmt.Errorf("unexpected palette colour type %T", c)
		}
	}
	return [4]uint16{}, fmt.Errorf("unexpected image type %T", img)
}

// photo returns a deterministic photo-like image: smooth gradients with a
// little noise, in format f.
func photo(w, h int, f raster.PixelFormat, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	bps := f.BytesPerSample()
	pix := make([]byte, w*h*f.BytesPerPixel())
	i := 0
	for y := range h {
		for x := range w {
			for c := range f.Channels {
				v := (x*(3+c)*65535/max(1, w) + y*(5-c)*65535/max(1, h)) / 8
				v += rng.IntN(1024) - 512
				if c == 3 && f.Channels == 4 || c == 1 && f.Channels == 2 {
					v = 65535 * ((x / 7) % 3) / 2 // alpha: opaque, half, clear
				}
				v = min(max(v, 0), 65535)
				if bps == 1 {
					pix[i] = byte(v >> 8)
				} else {
					pix[i], pix[i+1] = byte(v>>8), byte(v)
				}
				i += bps
			}
		}
	}
	return pix
}

var allFormats = raster.Formats()

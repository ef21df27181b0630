package jpegio

import (
	"bytes"
	"image"
	"image/jpeg"
	"io"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

const benchW, benchH = 2048, 1024

// BenchmarkRead decodes an RGB JPEG into rows, beside image/jpeg decoding
// the same file to an image.Image. MB/s counts decoded RGB8 bytes.
func BenchmarkRead(b *testing.B) {
	h := raster.Header{Width: benchW, Height: benchH, Pixel: raster.RGB8}
	data := encode(b, h, smooth(benchW, benchH, raster.RGB8), WriterOptions{})
	b.Run("jpegio", func(b *testing.B) {
		row := make([]byte, 64*h.RowBytes())
		b.SetBytes(h.Bytes())
		for b.Loop() {
			r, err := NewReader(bytes.NewReader(data), ReaderOptions{})
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.ReadRows(row); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWrite encodes RGB8 rows, beside image/jpeg encoding an
// image.RGBA of the same pixels.
func BenchmarkWrite(b *testing.B) {
	h := raster.Header{Width: benchW, Height: benchH, Pixel: raster.RGB8}
	pix := smooth(benchW, benchH, raster.RGB8)
	b.Run("jpegio", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		for b.Loop() {
			w, err := NewWriter(io.Discard, h, WriterOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if err := w.WriteRows(pix); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	m := image.NewRGBA(image.Rect(0, 0, benchW, benchH))
	for i, j := 0, 0; i < len(pix); i, j = i+3, j+4 {
		copy(m.Pix[j:j+3], pix[i:i+3])
		m.Pix[j+3] = 255
	}
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		for b.Loop() {
			if err := jpeg.Encode(io.Discard, m, &jpeg.Options{Quality: 90}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

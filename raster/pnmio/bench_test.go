package pnmio

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// benchSize is the benchmark image: 4096 × 1024 pixels.
const benchW, benchH = 4096, 1024

// BenchmarkRead decodes a whole image from memory with 64-row reads. The
// copy baseline is io.ReadFull of the same bytes: the speed the codec
// cannot beat.
func BenchmarkRead(b *testing.B) {
	for _, tc := range []struct {
		name   string
		pixel  raster.PixelFormat
		maxval int
	}{
		{"rgb8", raster.RGB8, 255},
		{"rgb16", raster.RGB16, 65535},
		{"gray8_maxval100", raster.Gray8, 100},
		{"rgb16_maxval1023", raster.RGB16, 1023},
	} {
		h := raster.Header{Width: benchW, Height: benchH, Pixel: tc.pixel}
		data := fileOf(h, tc.maxval)
		b.Run(tc.name+"/pnmio", func(b *testing.B) {
			buf := make([]byte, 64*h.RowBytes())
			b.SetBytes(h.Bytes())
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(data), raster.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.ReadRows(buf)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(tc.name+"/copy", func(b *testing.B) {
			buf := make([]byte, 64*h.RowBytes())
			b.SetBytes(h.Bytes())
			for b.Loop() {
				src := bytes.NewReader(data)
				for {
					if _, err := io.ReadFull(src, buf); err != nil {
						break
					}
				}
			}
		})
	}
}

// BenchmarkWrite encodes a whole image to io.Discard in 64-row writes.
func BenchmarkWrite(b *testing.B) {
	for _, pf := range []raster.PixelFormat{raster.RGB8, raster.RGBA16} {
		h := raster.Header{Width: benchW, Height: benchH, Pixel: pf}
		pix := pattern(benchW, benchH, pf)
		b.Run(pf.String()+"/pnmio", func(b *testing.B) {
			b.SetBytes(h.Bytes())
			b.ReportAllocs()
			for b.Loop() {
				w, err := NewWriter(io.Discard, h)
				if err != nil {
					b.Fatal(err)
				}
				step := 64 * h.RowBytes()
				for i := 0; i < len(pix); i += step {
					if err := w.WriteRows(pix[i:min(i+step, len(pix))]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fileOf builds a PNM file for h at maxval, samples within range.
func fileOf(h raster.Header, maxval int) []byte {
	var hdr string
	switch h.Pixel.Channels {
	case 1:
		hdr = fmt.Sprintf("P5\n%d %d\n%d\n", h.Width, h.Height, maxval)
	default:
		hdr = fmt.Sprintf("P6\n%d %d\n%d\n", h.Width, h.Height, maxval)
	}
	pix := pattern(h.Width, h.Height, h.Pixel)
	if maxval != 255 && maxval != 65535 {
		if h.Pixel.Depth == 8 {
			for i := range pix {
				pix[i] = byte(int(pix[i]) * maxval / 255)
			}
		} else {
			for i := 0; i < len(pix); i += 2 {
				v := (int(pix[i])<<8 | int(pix[i+1])) * maxval / 65535
				pix[i], pix[i+1] = byte(v>>8), byte(v)
			}
		}
	}
	return append([]byte(hdr), pix...)
}

package pngio

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

// The benchmark image: a deterministic photo-like 2048×2048 RGB8 picture.
const benchSize = 2048

var bench = sync.OnceValues(func() (raster.Header, []byte) {
	h := raster.Header{Width: benchSize, Height: benchSize, Pixel: raster.RGB8}
	return h, photo(h.Width, h.Height, h.Pixel, 42)
})

// benchImage is the benchmark image as an image.Image for image/png: an
// opaque RGBA image, image/png's fast path, which it encodes as RGB.
func benchImage() *image.RGBA {
	h, pix := bench()
	img := image.NewRGBA(image.Rect(0, 0, h.Width, h.Height))
	for i := range h.Width * h.Height {
		copy(img.Pix[4*i:], pix[3*i:3*i+3])
		img.Pix[4*i+3] = 0xff
	}
	return img
}

// BenchmarkDecode compares our streaming Reader with image/png decoding the
// same file (written by image/png at its default level). MB/s counts the
// raw RGB8 pixels.
func BenchmarkDecode(b *testing.B) {
	h, _ := bench()
	var file bytes.Buffer
	if err := png.Encode(&file, benchImage()); err != nil {
		b.Fatal(err)
	}
	data := file.Bytes()
	b.Run("pngio", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		buf := make([]byte, 16*h.RowBytes())
		for b.Loop() {
			r, err := NewReader(bytes.NewReader(data), ReaderOptions{})
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
	b.Run("image-png", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		for b.Loop() {
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncode compares our Writer with one worker and with two against
// image/png, at levels 1 and 6. MB/s counts the raw RGB8 pixels; the ratio
// metric is the compressed size over the raw size; cpu-ms/op is the
// process's CPU time per image, which shows the cost of going parallel
// apart from how busy the machine is.
func BenchmarkEncode(b *testing.B) {
	h, pix := bench()
	for _, level := range []int{1, 6} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("pngio/level%d/workers%d", level, workers), func(b *testing.B) {
				b.SetBytes(h.Bytes())
				var size int
				cpu0 := cpuTime()
				for b.Loop() {
					var cw countWriter
					w, err := NewWriter(&cw, h, WriterOptions{Level: level})
					if err != nil {
						b.Fatal(err)
					}
					if workers > 1 {
						// The groups on several goroutines, as the engine
						// schedules them.
						if err := bandtest.Encode(w, h, pix, workers); err != nil {
							b.Fatal(err)
						}
					} else {
						for y := 0; y < h.Height; y += 16 {
							if err := w.WriteRows(pix[y*h.RowBytes() : (y+16)*h.RowBytes()]); err != nil {
								b.Fatal(err)
							}
						}
						if err := w.Close(); err != nil {
							b.Fatal(err)
						}
					}
					size = cw.n
				}
				b.ReportMetric(float64(size)/float64(h.Bytes()), "ratio")
				b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			})
		}
	}
	b.Run("image-png/level6", func(b *testing.B) {
		img := benchImage()
		b.SetBytes(h.Bytes())
		var size int
		for b.Loop() {
			var cw countWriter
			if err := png.Encode(&cw, img); err != nil {
				b.Fatal(err)
			}
			size = cw.n
		}
		b.ReportMetric(float64(size)/float64(h.Bytes()), "ratio")
	})
	b.Run("image-png/level1", func(b *testing.B) {
		img := benchImage()
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		b.SetBytes(h.Bytes())
		var size int
		for b.Loop() {
			var cw countWriter
			if err := enc.Encode(&cw, img); err != nil {
				b.Fatal(err)
			}
			size = cw.n
		}
		b.ReportMetric(float64(size)/float64(h.Bytes()), "ratio")
	})
}

// countWriter counts and discards what is written to it.
type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

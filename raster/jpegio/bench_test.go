package jpegio

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

const benchW, benchH = 2048, 1024

// BenchmarkDecode decodes a photo-like 4:2:0 JPEG (quality 90) into RGB8
// rows: the Reader on one goroutine, the Decoder with Band.Decode on 2
// workers, and image/jpeg decoding the same file to an image.Image in the
// same run. MB/s counts decoded RGB8 bytes.
func BenchmarkDecode(b *testing.B) {
	h := raster.Header{Width: benchW, Height: benchH, Pixel: raster.RGB8}
	data := encode(b, h, photo(b, benchW, benchH, raster.RGB8), WriterOptions{})
	b.Run("jpegio-reader", func(b *testing.B) {
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
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("jpegio-bands/workers=%d", workers), func(b *testing.B) {
			out := make([]byte, h.Bytes())
			b.SetBytes(h.Bytes())
			for b.Loop() {
				decodeParallel(b, data, out, workers)
			}
		})
	}
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// decodeParallel runs NextBand on this goroutine and Band.Decode on
// workers goroutines.
func decodeParallel(b *testing.B, data, out []byte, workers int) {
	d, err := NewDecoder(bytes.NewReader(data), ReaderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rb := d.Header().RowBytes()
	jobs := make(chan *Band, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for band := range jobs {
				y0, _ := band.Rows()
				band.Decode(out[y0*rb:])
			}
		})
	}
	for {
		band, err := d.NextBand(nil)
		if err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		jobs <- band
	}
	close(jobs)
	wg.Wait()
}

// BenchmarkEncode encodes RGB8 rows at quality 90, 4:2:0: the Writer on
// one goroutine, the Encoder on 2 workers, and image/jpeg encoding an
// image.RGBA of the same pixels in the same run.
func BenchmarkEncode(b *testing.B) {
	h := raster.Header{Width: benchW, Height: benchH, Pixel: raster.RGB8}
	pix := photo(b, benchW, benchH, raster.RGB8)
	b.Run("jpegio-writer", func(b *testing.B) {
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
	b.Run("jpegio-bands/workers=2", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		for b.Loop() {
			encodeParallel(b, h, pix, WriterOptions{}, 2, 1)
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

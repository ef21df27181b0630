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
// one goroutine, the Writer's bands (EncodeBand, WriteBand) on 1 and 2
// workers as the engine runs them, and image/jpeg encoding an image.RGBA
// of the same pixels in the same run. Each reports its CPU time too
// (cpu-ms/op): the bands' overhead is the ratio of the Writer's to that
// of the bands on 1 worker.
func BenchmarkEncode(b *testing.B) {
	h := raster.Header{Width: benchW, Height: benchH, Pixel: raster.RGB8}
	pix := photo(b, benchW, benchH, raster.RGB8)
	b.Run("jpegio-writer", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		defer reportCPU(b, h.Bytes())()
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
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("jpegio-bands/workers=%d", workers), func(b *testing.B) {
			b.SetBytes(h.Bytes())
			defer reportCPU(b, h.Bytes())()
			free := make(chan []byte, workers+1)
			for range workers + 1 {
				free <- nil
			}
			for b.Loop() {
				encodeBands(b, h, pix, workers, free)
			}
		})
	}
	m := image.NewRGBA(image.Rect(0, 0, benchW, benchH))
	for i, j := 0, 0; i < len(pix); i, j = i+3, j+4 {
		copy(m.Pix[j:j+3], pix[i:i+3])
		m.Pix[j+3] = 255
	}
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		defer reportCPU(b, h.Bytes())()
		for b.Loop() {
			if err := jpeg.Encode(io.Discard, m, &jpeg.Options{Quality: 90}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// encodeBands runs the Writer's EncodeBand on workers goroutines, each
// band into one of the buffers of free (workers+1 of them, reused from
// run to run as the engine reuses them), and WriteBand on this goroutine,
// in order.
func encodeBands(b *testing.B, h raster.Header, pix []byte, workers int, free chan []byte) {
	w, err := NewWriter(io.Discard, h, WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	n := w.e.Bands()
	jobs := make(chan int)
	results := make([]chan []byte, n)
	for i := range results {
		results[i] = make(chan []byte, 1)
	}
	var wg sync.WaitGroup
	quit := make(chan struct{})
	for range workers {
		wg.Go(func() {
			// A buffer before a band: the band due next always has one.
			for {
				var buf []byte
				select {
				case buf = <-free:
				case <-quit:
					return
				}
				i, ok := <-jobs
				if !ok {
					free <- buf
					return
				}
				y0, y1 := w.e.BandRows(i)
				enc, err := w.EncodeBand(i, nil, pix[y0*h.RowBytes():y1*h.RowBytes()], buf)
				if err != nil {
					b.Error(err)
				}
				results[i] <- enc
			}
		})
	}
	go func() {
		for i := range n {
			jobs <- i
		}
		close(jobs)
	}()
	for i := range n {
		enc := <-results[i]
		if err := w.WriteBand(i, enc); err != nil {
			b.Fatal(err)
		}
		free <- enc
	}
	close(quit)
	wg.Wait()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// reportCPU starts measuring CPU time; the function it returns reports CPU
// time per operation and the throughput that CPU time stands for
// (cpu-MB/s), which stay meaningful when other programs share the cores.
func reportCPU(b *testing.B, bytes int64) func() {
	start := cpuTime()
	return func() {
		d := cpuTime() - start
		if d <= 0 || b.N == 0 {
			return
		}
		per := float64(d.Nanoseconds()) / float64(b.N)
		b.ReportMetric(per/1e6, "cpu-ms/op")
		b.ReportMetric(float64(bytes)/per*1e3, "cpu-MB/s")
	}
}

package pngio

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

var large = flag.Bool("large", false, "run BenchmarkStream30k, which streams 2.7 GB of pixels")

// largeRow fills row y of a synthetic RGB8 image: gradients with a little
// hashed noise, cheap enough not to dominate a benchmark.
func largeRow(row []byte, y int) {
	for x := 0; x < len(row)/3; x++ {
		n := uint32(x*73856093 ^ y*19349663)
		n ^= n >> 13
		for c := range 3 {
			row[3*x+c] = byte((x*(c+1)+y*(3-c))>>5) + byte(n>>(8*c))&7
		}
	}
}

// BenchmarkStream30k streams a 30,000 × 30,000 RGB8 image (2.7 GB of
// pixels) through the Writer (level 1, GOMAXPROCS workers) and back through
// the Reader over a pipe, checking every row. Nothing is stored, so the peak
// RSS that /usr/bin/time -v reports for it is what the two codecs hold at
// once: a few rows and groups each. It runs only with the -large flag:
//
//	go test -c -o pngio.test
//	/usr/bin/time -v ./pngio.test -test.run '^$' -test.bench Stream30k -test.benchtime 1x -large
func BenchmarkStream30k(b *testing.B) {
	if !*large {
		b.Skip("streams 2.7 GB of pixels; run with -large")
	}
	const width, height, rowsPerCall = 30_000, 30_000, 8
	h := raster.Header{Width: width, Height: height, Pixel: raster.RGB8}
	b.SetBytes(h.Bytes())
	for b.Loop() {
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := func() error {
				w, err := NewWriter(pw, h, WriterOptions{Level: 1})
				if err != nil {
					return err
				}
				rows := make([]byte, rowsPerCall*h.RowBytes())
				for y := 0; y < height; y += rowsPerCall {
					for i := range rowsPerCall {
						largeRow(rows[i*h.RowBytes():(i+1)*h.RowBytes()], y+i)
					}
					if err := w.WriteRows(rows); err != nil {
						w.Close()
						return err
					}
				}
				return w.Close()
			}()
			pw.CloseWithError(err)
			done <- err
		}()
		err := func() error {
			r, err := NewReader(pr, ReaderOptions{})
			if err != nil {
				return err
			}
			rows := make([]byte, rowsPerCall*h.RowBytes())
			want := make([]byte, h.RowBytes())
			for y := 0; ; {
				n, err := r.ReadRows(rows)
				for i := range n {
					largeRow(want, y)
					if !bytes.Equal(rows[i*h.RowBytes():(i+1)*h.RowBytes()], want) {
						return fmt.Errorf("row %d differs", y)
					}
					y++
				}
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
			}
		}()
		pr.CloseWithError(io.ErrClosedPipe)
		if werr := <-done; err == nil {
			err = werr
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

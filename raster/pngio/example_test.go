package pngio_test

import (
	"bytes"
	"fmt"
	"io"
	"log"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/pngio"
)

// Example writes a small gray gradient row by row with two workers and reads
// it back.
func Example() {
	h := raster.Header{Width: 4, Height: 3, Pixel: raster.Gray8}
	var file bytes.Buffer
	w, err := pngio.NewWriter(&file, h, pngio.WriterOptions{Level: 9})
	if err != nil {
		log.Fatal(err)
	}
	for y := range h.Height {
		row := []byte{0, 60, 120, 180}
		for x := range row {
			row[x] += byte(y * 20)
		}
		if err := w.WriteRows(row); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := pngio.NewReader(&file, pngio.ReaderOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Header().Width, r.Header().Height, r.Header().Pixel)
	rows := make([]byte, 2*r.Header().RowBytes())
	for {
		n, err := r.ReadRows(rows)
		for i := range n {
			fmt.Println(rows[i*4 : i*4+4])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// 4 3 gray8
	// [0 60 120 180]
	// [20 80 140 200]
	// [40 100 160 220]
}

// ExampleNewReader shows what the header says about a palette image: rows
// come out as RGB8.
func ExampleNewReader() {
	// A 1×1 palette image with one red entry, built by hand.
	file := []byte("\x89PNG\r\n\x1a\n" +
		"\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x03\x00\x00\x00\x28\xcb\x34\xbb" +
		"\x00\x00\x00\x03PLTE\xff\x00\x00\x19\xe2\x09\x37" +
		"\x00\x00\x00\x0aIDAT\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71" +
		"\x00\x00\x00\x00IEND\xae\x42\x60\x82")
	r, err := pngio.NewReader(bytes.NewReader(file), pngio.ReaderOptions{})
	if err != nil {
		log.Fatal(err)
	}
	h := r.Header()
	fmt.Println(h.Pixel, h.Details)
	px := make([]byte, h.RowBytes())
	if _, err := r.ReadRows(px); err != nil {
		log.Fatal(err)
	}
	fmt.Println(px)
	// Output:
	// rgb8 [palette]
	// [255 0 0]
}

package jpegio_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/jpegio"
)

// Example encodes a gray image and shows the limit that guards decoding.
func Example() {
	h := raster.Header{Width: 100, Height: 100, Pixel: raster.Gray8}
	var file bytes.Buffer
	w, err := jpegio.NewWriter(&file, h, jpegio.WriterOptions{Quality: 85})
	if err != nil {
		panic(err)
	}
	if err := w.WriteRows(make([]byte, h.Width*h.Height)); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	_, err = jpegio.NewReader(bytes.NewReader(file.Bytes()), jpegio.ReaderOptions{
		Limits: raster.Limits{MaxWholePixels: 5000},
	})
	var le *raster.LimitError
	fmt.Println(errors.As(err, &le))
	fmt.Println(err)
	// Output:
	// true
	// jpeg: image of 100×100 pixels is too large: it must be decoded whole, which would take 9.8 KiB; the limit for whole decoding is 5000 pixels
}

package pnmio_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/pnmio"
)

// Example writes a small gray image and reads it back row by row.
func Example() {
	h := raster.Header{Width: 3, Height: 2, Pixel: raster.Gray8}
	var file bytes.Buffer
	w, err := pnmio.NewWriter(&file, h)
	if err != nil {
		panic(err)
	}
	if err := w.WriteRows([]byte{0, 128, 255, 10, 20, 30}); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := pnmio.NewReader(&file, raster.Limits{})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Header().Pixel, r.Header().Details)
	row := make([]byte, r.Header().RowBytes())
	for {
		if _, err := r.ReadRows(row); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Println(row)
	}
	// Output:
	// gray8 [P5]
	// [0 128 255]
	// [10 20 30]
}

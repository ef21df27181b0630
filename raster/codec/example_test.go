package codec_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

// Example writes a PNG under a misleading name, then opens it by its
// content and copies it row by row to a PPM.
func Example() {
	dir, err := os.MkdirTemp("", "codec-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	h := raster.Header{Width: 4, Height: 2, Pixel: raster.RGB8}
	src := filepath.Join(dir, "picture.tif")
	w, err := codec.Create(src, h, codec.WriteOptions{Format: "png"})
	if err != nil {
		panic(err)
	}
	defer w.Abort() // removes the temporary file unless Close succeeded
	if err := w.WriteRows(make([]byte, 2*h.RowBytes())); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := codec.Open(src, codec.ReadOptions{})
	if err != nil {
		panic(err)
	}
	defer r.Close()
	fmt.Println(r.Header().Format, r.Header().Width, r.Header().Height, r.Header().Pixel)

	out, err := codec.Create(filepath.Join(dir, "copy.ppm"), r.Header(), codec.WriteOptions{})
	if err != nil {
		panic(err)
	}
	defer out.Abort()
	row := make([]byte, r.Header().RowBytes())
	for {
		if _, err := r.ReadRows(row); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		if err := out.WriteRows(row); err != nil {
			panic(err)
		}
	}
	if err := out.Close(); err != nil {
		panic(err)
	}
	fmt.Println(out.Header().Format, out.Header().Details)
	// Output:
	// png 4 2 rgb8
	// pnm [P6]
}

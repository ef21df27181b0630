package tiffio_test

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/tiffio"
)

// Write a tiled, compressed TIFF row by row, then read it back by rows and
// by tiles.
func Example() {
	f, err := os.CreateTemp("", "example-*.tif")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()

	h := raster.Header{Width: 100, Height: 50, Pixel: raster.RGB8}
	w, err := tiffio.NewWriter(f, h, tiffio.WriterOptions{Compression: "lzw", Predictor: true, Tiled: true, TileSize: 32})
	if err != nil {
		log.Fatal(err)
	}
	row := make([]byte, h.RowBytes())
	for y := 0; y < h.Height; y++ {
		for x := range row {
			row[x] = byte(x + y)
		}
		if err := w.WriteRows(row); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	size, _ := f.Seek(0, io.SeekEnd)
	r, err := tiffio.NewReader(f, size, tiffio.ReaderOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	rh := r.Header()
	fmt.Println(rh.Width, rh.Height, rh.Pixel, rh.Compression, rh.TileWidth, rh.Details)

	rows := make([]byte, 8*rh.RowBytes())
	total := 0
	for {
		n, err := r.ReadRows(rows)
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	tile := make([]byte, 32*32*3)
	if err := r.ReadTile(1, 0, tile); err != nil {
		log.Fatal(err)
	}
	fmt.Println(total, "rows; tile (1, 0) starts with", tile[:3], "and row 1 of it with", tile[32*3:32*3+3])
	// Output:
	// 100 50 rgb8 lzw 32 [little-endian predictor]
	// 50 rows; tile (1, 0) starts with [96 97 98] and row 1 of it with [97 98 99]
}

// Read what a file says about itself, then its first rows.
func ExampleNewReader() {
	f, err := os.Open("testdata/rgb16-bigtiff-lzw-tiles.tif")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	r, err := tiffio.NewReader(f, st.Size(), tiffio.ReaderOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	fmt.Printf("%d×%d %v, %s, tiles %d×%d, %v\n", h.Width, h.Height, h.Pixel, h.Compression, h.TileWidth, h.TileHeight, h.Details)
	rows := make([]byte, 10*h.RowBytes())
	n, err := r.ReadRows(rows)
	fmt.Println(n, err)
	// Output:
	// 53×41 rgb16, lzw, tiles 32×32, [bigtiff little-endian predictor]
	// 10 <nil>
}

package raster_test

import (
	"fmt"
	"os"

	"github.com/sluice-go/sluice/raster"
)

// ExampleSpill keeps an image's rows in a Spill that is too large for its
// memory allowance, so it lives in a temporary file, and reads one back.
func ExampleSpill() {
	h := raster.Header{Width: 1000, Height: 1000, Pixel: raster.RGB8}
	s, err := raster.NewSpill(h.Bytes(), raster.SpillOptions{Memory: 1 << 20, Dir: os.TempDir()})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	row := make([]byte, h.RowBytes())
	row[0] = 42
	if _, err := s.WriteAt(row, 500*int64(h.RowBytes())); err != nil {
		panic(err)
	}
	clear(row)
	if _, err := s.ReadAt(row, 500*int64(h.RowBytes())); err != nil {
		panic(err)
	}
	fmt.Println(s.InMemory(), raster.FormatBytes(s.Size()), row[0])
	// Output: false 2.9 MiB 42
}

// ExampleExifWithOrientation shows what a writer stores for an image whose
// pixels were turned upright: the camera's EXIF with its orientation reset,
// every other byte as it was.
func ExampleExifWithOrientation() {
	camera := raster.MinimalExif(raster.RightTop)
	fmt.Println(raster.ExifOrientation(camera), "needs a quarter turn:", raster.ExifOrientation(camera).Swaps())
	upright := raster.ExifWithOrientation(camera, raster.TopLeft)
	fmt.Println(raster.ExifOrientation(upright), len(upright) == len(camera))
	// Output:
	// 6 needs a quarter turn: true
	// 1 true
}

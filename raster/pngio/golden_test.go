package pngio

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden checks that the Writer's output does not change by accident:
// a small image in each of two formats is compared byte for byte with a file
// in testdata. Run with -update to rewrite the files after a deliberate
// change.
func TestGolden(t *testing.T) {
	for _, f := range []raster.PixelFormat{raster.RGB8, raster.GrayAlpha16} {
		t.Run(f.String(), func(t *testing.T) {
			h := raster.Header{Width: 40, Height: 30, Pixel: f}
			got, err := encodeAll(h, photo(h.Width, h.Height, f, 11), WriterOptions{}, 8)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden-"+f.String()+".png")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got %d bytes differing at %d, want the %d bytes of %s", len(got), firstDiff(got, want), len(want), path)
			}
		})
	}
}

package codec

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestRowsAt checks which outputs take rows out of order, and that such a
// file reads back right after rows were written back to front.
func TestRowsAt(t *testing.T) {
	h := raster.Header{Width: 31, Height: 23, Pixel: raster.RGB8}
	pix := pattern(h.Width, h.Height, h.Pixel)
	rb := h.RowBytes()
	for _, tt := range []struct {
		name string
		o    WriteOptions
		want bool
	}{
		{"a.ppm", WriteOptions{}, true},
		{"a.tif", WriteOptions{}, true},
		{"b.tif", WriteOptions{Compression: "deflate"}, false},
		{"c.tif", WriteOptions{Tiled: true}, false},
		{"a.png", WriteOptions{}, false},
		{"a.jpg", WriteOptions{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.name)
			w, err := Create(path, h, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			at := w.RowsAt()
			if got := at != nil; got != tt.want {
				t.Fatalf("RowsAt given: got %v, want %v", got, tt.want)
			}
			if at == nil {
				return
			}
			for y := h.Height - 1; y >= 0; y-- {
				if err := at.WriteRowsAt(y, pix[y*rb:(y+1)*rb]); err != nil {
					t.Fatal(err)
				}
			}
			if got := entries(t, dir); len(got) != 1 || got[0] == tt.name {
				t.Fatalf("before Close: got %q, want only the temporary file", got)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			_, back := readFile(t, path)
			if !bytes.Equal(back, pix) {
				t.Fatal("rows read back differ")
			}
		})
	}
}

// TestRowsAtAbort checks that an output abandoned after rows were placed
// leaves nothing behind.
func TestRowsAtAbort(t *testing.T) {
	dir := t.TempDir()
	h := raster.Header{Width: 8, Height: 8, Pixel: raster.Gray8}
	w, err := Create(filepath.Join(dir, "x.tif"), h, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.RowsAt().WriteRowsAt(3, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if got := entries(t, dir); len(got) != 0 {
		t.Fatalf("after Abort: got %q, want an empty directory", got)
	}
}

package pnmio

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestRowsAtSameFile writes every format through RowsAt, bands back to
// front from two goroutines, and compares the file with the one WriteRows
// makes.
func TestRowsAtSameFile(t *testing.T) {
	const w, h = 29, 17
	dir := t.TempDir()
	for _, f := range allFormats {
		pix := pattern(w, h, f)
		rb := w * f.BytesPerPixel()
		hdr := raster.Header{Width: w, Height: h, Pixel: f}
		write := func(name string, placed bool) []byte {
			path := filepath.Join(dir, name)
			file, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			wr, err := NewWriter(file, hdr)
			if err != nil {
				t.Fatal(err)
			}
			if placed {
				at := wr.RowsAt()
				if at == nil {
					t.Fatal("RowsAt: nil on a file")
				}
				var wg sync.WaitGroup
				for g := range 2 {
					wg.Go(func() {
						for y := h - 1 - g; y >= 0; y -= 2 {
							if err := at.WriteRowsAt(y, pix[y*rb:(y+1)*rb]); err != nil {
								t.Error(err)
							}
						}
					})
				}
				wg.Wait()
				if err := wr.WriteRows(pix[:rb]); err == nil {
					t.Error("WriteRows after RowsAt: got no error")
				}
			} else if err := wr.WriteRows(pix); err != nil {
				t.Fatal(err)
			}
			if err := wr.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if got, want := write("placed.pnm", true), write("seq.pnm", false); !bytes.Equal(got, want) {
			t.Errorf("%v: the file differs from the one WriteRows makes", f)
		}
	}
}

// TestRowsAtLimits checks a destination without WriteAt, rows past the
// height, and Close with rows missing.
func TestRowsAtLimits(t *testing.T) {
	var buf bytes.Buffer
	wr, err := NewWriter(&buf, raster.Header{Width: 4, Height: 3, Pixel: raster.Gray8})
	if err != nil {
		t.Fatal(err)
	}
	if wr.RowsAt() != nil {
		t.Error("bytes.Buffer: RowsAt gave a writer")
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "x.pgm"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	wr, err = NewWriter(file, raster.Header{Width: 4, Height: 3, Pixel: raster.Gray8})
	if err != nil {
		t.Fatal(err)
	}
	at := wr.RowsAt()
	if err := at.WriteRowsAt(2, make([]byte, 8)); err == nil {
		t.Error("rows past the height: got no error")
	}
	if err := at.WriteRowsAt(0, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if err := wr.Close(); err == nil || !strings.Contains(err.Error(), "1 of 3 rows") {
		t.Errorf("Close with rows missing: got %v, want an error naming 1 of 3 rows", err)
	}
}

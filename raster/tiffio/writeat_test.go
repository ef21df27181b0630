package tiffio

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// writeFile writes an image to a new file in dir: in order through
// WriteRows, or, with placed, through RowsAt in bands of band rows that two
// goroutines write back to front.
func writeFile(t *testing.T, dir, name string, w, h int, pix []byte, o WriterOptions, placed bool, band int) []byte {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wr, err := NewWriter(f, raster.Header{Width: w, Height: h, Pixel: raster.RGB8}, o)
	if err != nil {
		t.Fatal(err)
	}
	rb := w * 3
	if !placed {
		if err := wr.WriteRows(pix); err != nil {
			t.Fatal(err)
		}
	} else {
		at := wr.RowsAt()
		if at == nil {
			t.Fatal("RowsAt: nil for uncompressed 8-bit strips on a file")
		}
		if err := wr.WriteRows(pix[:rb]); err == nil {
			t.Fatal("WriteRows after RowsAt: got no error")
		}
		var wg sync.WaitGroup
		errs := make(chan error, h)
		for g := range 2 {
			wg.Go(func() {
				for y0 := (h - 1) / band * band; y0 >= 0; y0 -= band {
					if (y0/band)%2 != g {
						continue
					}
					y1 := min(y0+band, h)
					if err := at.WriteRowsAt(y0, pix[y0*rb:y1*rb]); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
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

// TestRowsAtSameFile checks that rows written out of order, by two
// goroutines, through RowsAt make the same file as WriteRows, byte for
// byte, for strips that do and do not divide the image and bands that
// cross strips.
func TestRowsAtSameFile(t *testing.T) {
	const w, h = 53, 41
	pix := testImage(w, h, raster.RGB8)
	dir := t.TempDir()
	for _, o := range []WriterOptions{{}, {RowsPerStrip: 7}, {RowsPerStrip: 1}, {BigTIFF: true, RowsPerStrip: 5}} {
		for _, band := range []int{1, 6, 41} {
			want := writeFile(t, dir, "seq.tif", w, h, pix, o, false, 0)
			got := writeFile(t, dir, "placed.tif", w, h, pix, o, true, band)
			if !bytes.Equal(got, want) {
				t.Fatalf("rows per strip %d, bands of %d: the file differs from the one WriteRows makes", o.RowsPerStrip, band)
			}
			_, back := decodeAll(t, got, ReaderOptions{}, h)
			if !bytes.Equal(back, pix) {
				t.Fatal("rows read back differ")
			}
		}
	}
}

// TestRowsAtRefused checks the layouts that cannot place rows in advance.
func TestRowsAtRefused(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []WriterOptions{{Compression: "deflate"}, {Compression: "packbits"}, {Tiled: true, TileSize: 16}} {
		f, err := os.Create(filepath.Join(dir, "x.tif"))
		if err != nil {
			t.Fatal(err)
		}
		wr, err := NewWriter(f, raster.Header{Width: 20, Height: 10, Pixel: raster.RGB8}, o)
		if err != nil {
			t.Fatal(err)
		}
		if wr.RowsAt() != nil {
			t.Errorf("%+v: RowsAt gave a writer", o)
		}
		wr.Close()
		f.Close()
	}
	// 16-bit samples are swapped on the way to the file.
	var m memFile
	wr, _ := NewWriter(&m, raster.Header{Width: 20, Height: 10, Pixel: raster.RGB16}, WriterOptions{})
	if wr.RowsAt() != nil {
		t.Error("RGB16: RowsAt gave a writer")
	}
	wr.Close() // the rows are missing

	// A destination that cannot write at an offset.
	wr, _ = NewWriter(&m, raster.Header{Width: 20, Height: 10, Pixel: raster.RGB8}, WriterOptions{})
	if wr.RowsAt() != nil {
		t.Error("memFile without WriteAt: RowsAt gave a writer")
	}
	wr.Close()
}

// TestRowsAtMissingRows checks that Close fails when rows are missing.
func TestRowsAtMissingRows(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "x.tif"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wr, err := NewWriter(f, raster.Header{Width: 20, Height: 10, Pixel: raster.RGB8}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at := wr.RowsAt()
	if err := at.WriteRowsAt(0, make([]byte, 5*60)); err != nil {
		t.Fatal(err)
	}
	if err := at.WriteRowsAt(8, make([]byte, 3*60)); err == nil {
		t.Error("rows past the height: got no error")
	}
	if err := wr.Close(); err == nil || !strings.Contains(err.Error(), "5 of 10 rows") {
		t.Errorf("Close with rows missing: got %v, want an error naming 5 of 10 rows", err)
	}
}

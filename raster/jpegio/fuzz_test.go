package jpegio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// FuzzDecode checks that no input makes the reader panic or decode past its
// limits, and that whatever decodes can be written and read back at the
// same size.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	lim := raster.Limits{MaxWholePixels: 1 << 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), ReaderOptions{Limits: lim})
		if err != nil {
			var fe *raster.FormatError
			var le *raster.LimitError
			var ue *raster.UnsupportedError
			if !errors.As(err, &fe) && !errors.As(err, &le) && !errors.As(err, &ue) {
				t.Fatalf("NewReader: got %T %v, want a raster error", err, err)
			}
			return
		}
		h := r.Header()
		pix := make([]byte, 0, h.Bytes())
		row := make([]byte, h.RowBytes())
		for {
			_, err := r.ReadRows(row)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("ReadRows: %v", err)
			}
			pix = append(pix, row...)
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, h, WriterOptions{Limits: lim})
		if err != nil {
			t.Fatalf("NewWriter(%+v): %v", h, err)
		}
		if err := w.WriteRows(pix); err != nil {
			t.Fatalf("WriteRows: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		r2, err := NewReader(&buf, ReaderOptions{Limits: lim})
		if err != nil {
			t.Fatalf("reading our own output: %v", err)
		}
		if h2 := r2.Header(); h2.Width != h.Width || h2.Height != h.Height || h2.Pixel != h.Pixel {
			t.Fatalf("got %dx%d %v after the round trip, want %dx%d %v", h2.Width, h2.Height, h2.Pixel, h.Width, h.Height, h.Pixel)
		}
	})
}

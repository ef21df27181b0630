package pnmio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// FuzzDecode checks that no input makes the decoder panic or allocate past
// its limits, and that whatever decodes survives a round trip.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.p?m"))
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
	f.Add([]byte("P5 2 2 15\n\x01\x02\x03\x10"))
	f.Add([]byte("P7\nWIDTH 1\nHEIGHT 1\nDEPTH 2\nMAXVAL 1\nTUPLTYPE BLACKANDWHITE_ALPHA\nENDHDR\n\x01\x01"))
	lim := raster.Limits{MaxWidth: 1 << 12, MaxHeight: 1 << 12, MaxPixels: 1 << 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), lim)
		if err != nil {
			var fe *raster.FormatError
			var le *raster.LimitError
			var ue *raster.UnsupportedError
			if !errors.As(err, &fe) && !errors.As(err, &le) && !errors.As(err, &ue) {
				t.Fatalf("NewReader: got error %T %v, want a FormatError, LimitError or UnsupportedError", err, err)
			}
			return
		}
		h := r.Header()
		pix, err := decodeAll(r, 3)
		if err != nil {
			var fe *raster.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("ReadRows: got error %T %v, want a FormatError", err, err)
			}
			return
		}
		if int64(len(pix)) != h.Bytes() {
			t.Fatalf("got %d bytes, want %d", len(pix), h.Bytes())
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, h)
		if err != nil {
			t.Fatalf("NewWriter(%+v): %v", h, err)
		}
		if err := w.WriteRows(pix); err != nil {
			t.Fatalf("WriteRows: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		r2, err := NewReader(&buf, lim)
		if err != nil {
			t.Fatalf("reading our own output: %v", err)
		}
		if h2 := r2.Header(); h2.Width != h.Width || h2.Height != h.Height || h2.Pixel != h.Pixel {
			t.Fatalf("got header %+v after the round trip, want %+v", h2, h)
		}
		pix2, err := decodeAll(r2, 1)
		if err != nil && err != io.EOF {
			t.Fatalf("reading our own rows: %v", err)
		}
		if !bytes.Equal(pix, pix2) {
			t.Fatal("got different pixels after the round trip")
		}
	})
}

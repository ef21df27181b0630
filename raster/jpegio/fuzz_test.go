package jpegio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// FuzzDecode checks that no input makes the decoder panic, allocate past
// its limits or fail with anything but a raster error, and that whatever
// decodes can be written and read back at the same size.
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
	meta := raster.Header{Width: 9, Height: 5, Pixel: raster.RGB8,
		Meta: raster.Metadata{ICC: synth.ICCProfile(300, "fuzz"), EXIF: synth.Exif(raster.RightTop)}}
	f.Add(encode(f, meta, smooth(9, 5, raster.RGB8), WriterOptions{}))
	// Small limits keep each input's work small: a hostile header may
	// claim any size.
	o := ReaderOptions{Limits: raster.Limits{MaxPixels: 1 << 16}, Memory: 1 << 20, SpillLimit: 1 << 20, TempDir: f.TempDir()}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), o)
		if err != nil {
			checkRasterError(t, "NewReader", err)
			return
		}
		defer r.Close()
		h := r.Header()
		pix := make([]byte, 0, h.Bytes())
		row := make([]byte, 3*h.RowBytes())
		for {
			n, err := r.ReadRows(row)
			pix = append(pix, row[:n*h.RowBytes()]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				checkRasterError(t, "ReadRows", err)
				return
			}
		}
		if int64(len(pix)) != h.Bytes() {
			t.Fatalf("got %d bytes of pixels, want %d", len(pix), h.Bytes())
		}
		// Serial bands, by restart intervals where the file has them:
		// a raster error, or the same pixels.
		so := o
		so.At, so.BandRows = bytes.NewReader(data), 1
		if sr, err := NewReader(bytes.NewReader(data), so); err != nil {
			t.Fatalf("NewReader again: %v", err)
		} else {
			got, err := bandtest.DecodeSerial(sr, 2)
			sr.Close()
			if err != nil {
				checkRasterError(t, "serial bands", err)
			} else if !bytes.Equal(got, pix) {
				t.Fatalf("serial bands (by restart intervals: %v) decode other pixels than ReadRows", sr.d.seg != nil)
			}
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, h, WriterOptions{})
		if err != nil {
			t.Fatalf("NewWriter(%+v): %v", h, err)
		}
		if err := w.WriteRows(pix); err != nil {
			t.Fatalf("WriteRows: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		r2, err := NewReader(&buf, ReaderOptions{})
		if err != nil {
			t.Fatalf("reading our own output: %v", err)
		}
		h2 := r2.Header()
		if !raster.ICCFits(h.Meta.ICC, h.Pixel) {
			h.Meta.ICC = nil // left out by the writer
		}
		h.Meta.EXIF = raster.ExifToWrite(h) // the size entries set
		if h2.Width != h.Width || h2.Height != h.Height || h2.Pixel != h.Pixel {
			t.Fatalf("got %dx%d %v after the round trip, want %dx%d %v", h2.Width, h2.Height, h2.Pixel, h.Width, h.Height, h.Pixel)
		}
		if !bytes.Equal(h2.Meta.ICC, h.Meta.ICC) || !bytes.Equal(h2.Meta.EXIF, h.Meta.EXIF) || h2.Orientation != h.Orientation {
			t.Fatalf("got ICC %d bytes, EXIF %d bytes, orientation %d after the round trip, want %d, %d, %d",
				len(h2.Meta.ICC), len(h2.Meta.EXIF), h2.Orientation, len(h.Meta.ICC), len(h.Meta.EXIF), h.Orientation)
		}
	})
}

// checkRasterError fails t unless err is one of raster's error types.
func checkRasterError(t *testing.T, op string, err error) {
	t.Helper()
	var fe *raster.FormatError
	var le *raster.LimitError
	var ue *raster.UnsupportedError
	if !errors.As(err, &fe) && !errors.As(err, &le) && !errors.As(err, &ue) {
		t.Fatalf("%s: got %T %v, want a raster error", op, err, err)
	}
}

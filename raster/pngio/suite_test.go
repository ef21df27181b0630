package pngio

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// suiteDir holds the PngSuite files the standard library's image/png
// tests use, and PngSuite's corrupt files (x*.png); stdDir a few more of
// image/png's test files. testdata/README.md says where they come from.
const (
	suiteDir = "testdata/pngsuite"
	stdDir   = "testdata/std"
)

// stdPNGFiles lists the shipped PNG test files: the PngSuite and a few
// invalid files. Fewer than expected is a failure, not a skip.
func stdPNGFiles(t testing.TB) []string {
	var files []string
	for _, pattern := range []string{suiteDir + "/*.png", stdDir + "/*.png"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 56 {
		t.Fatalf("got %d PNG test files under testdata, want at least 56", len(files))
	}
	return files
}

// TestSuiteCorrupt checks that every corrupt file of the PngSuite is
// refused with a *raster.FormatError, and the same for image/png's invalid
// files.
func TestSuiteCorrupt(t *testing.T) {
	bad, err := filepath.Glob(suiteDir + "/x*.png")
	if err != nil {
		t.Fatal(err)
	}
	// invalid-palette.png is decoded by image/png and libpng alike: an
	// index past the palette is opaque black.
	for _, name := range []string{"invalid-crc32.png", "invalid-noend.png", "invalid-trunc.png", "invalid-zlib.png"} {
		bad = append(bad, filepath.Join(stdDir, name))
	}
	if len(bad) != 14+4 {
		t.Fatalf("got %d corrupt files, want the 14 of the PngSuite and 4 of image/png", len(bad))
	}
	for _, path := range bad {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = decodeAll(data, ReaderOptions{})
			var fe *raster.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got error %v, want a *raster.FormatError", err)
			}
		})
	}
}

// TestStdlibSuite decodes every PNG file of the standard library's tests and
// compares each pixel with what image/png decodes. A file that image/png
// rejects must be rejected by our Reader too.
func TestStdlibSuite(t *testing.T) {
	for _, path := range stdPNGFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			compareWithStdlib(t, data)
		})
	}
}

// compareWithStdlib decodes data with our Reader and with image/png and
// fails unless both reject it or both give the same pixels. It reports
// whether image/png decoded the file.
func compareWithStdlib(t *testing.T, data []byte) bool {
	t.Helper()
	want, stdErr := png.Decode(bytes.NewReader(data))
	h, pix, err := decodeAll(data, ReaderOptions{})
	if stdErr != nil {
		if err == nil {
			t.Fatalf("got no error, want one like image/png's %q", stdErr)
		}
		return false
	}
	if err != nil {
		t.Fatalf("got error %v, want none (image/png decodes it)", err)
	}
	b := want.Bounds()
	if h.Width != b.Dx() || h.Height != b.Dy() {
		t.Fatalf("got size %d×%d, want %d×%d", h.Width, h.Height, b.Dx(), b.Dy())
	}
	if got := int64(len(pix)); got != h.Bytes() {
		t.Fatalf("got %d bytes of pixels, want %d", got, h.Bytes())
	}
	for y := range h.Height {
		for x := range h.Width {
			wantPx, err := imageNRGBA64(want, b.Min.X+x, b.Min.Y+y)
			if err != nil {
				t.Fatal(err)
			}
			if gotPx := pixelNRGBA64(pix, h.Pixel, y*h.Width+x); gotPx != wantPx {
				t.Fatalf("pixel (%d, %d): got %04x, want %04x (format %v)", x, y, gotPx, wantPx, h.Pixel)
			}
		}
	}
	return true
}

// TestSuiteHeaders checks the header our Reader reports for files of known
// colour type and depth.
func TestSuiteHeaders(t *testing.T) {
	dir := suiteDir
	tests := []struct {
		file    string
		pixel   string
		details []string
		inter   bool
	}{
		{"basn0g01.png", "gray8", []string{"1-bit"}, false},
		{"basn0g16.png", "gray16", nil, false},
		{"basn2c08.png", "rgb8", nil, false},
		{"basn3p04.png", "rgb8", []string{"palette", "4-bit"}, false},
		{"basn3p08-trns.png", "rgba8", []string{"palette", "tRNS"}, false},
		{"basn4a16.png", "graya16", nil, false},
		{"basn6a08.png", "rgba8", nil, false},
		{"ftbbn0g04.png", "graya8", []string{"4-bit", "tRNS"}, false},
		{"ftbbn2c16.png", "rgba16", []string{"tRNS"}, false},
		{"basn3p04-31i.png", "rgb8", []string{"palette", "4-bit"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if h.Format != "png" || h.Compression != "deflate" {
				t.Errorf("got format %q compression %q, want png deflate", h.Format, h.Compression)
			}
			if got := h.Pixel.String(); got != tt.pixel {
				t.Errorf("got pixel %s, want %s", got, tt.pixel)
			}
			if !slices.Equal(h.Details, tt.details) {
				t.Errorf("got details %q, want %q", h.Details, tt.details)
			}
			if h.Interlaced != tt.inter {
				t.Errorf("got interlaced %v, want %v", h.Interlaced, tt.inter)
			}
		})
	}
}

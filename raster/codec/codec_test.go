package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

var allFormats = raster.Formats()

// pattern returns w×h pixels of f in smooth gradients (kind to JPEG) with
// some fine detail in the low bits.
func pattern(w, h int, f raster.PixelFormat) []byte {
	bps := f.BytesPerSample()
	b := make([]byte, 0, w*h*f.BytesPerPixel())
	for y := range h {
		for x := range w {
			for c := range f.Channels {
				v := (x*255/w + y*255/h*c) / (c + 1)
				if c == f.Channels-1 && f.HasAlpha() {
					v = 255
				}
				b = append(b, byte(v))
				if bps == 2 {
					b = append(b, byte(x*31+y*17+c))
				}
			}
		}
	}
	return b
}

// writeFile creates path with o and writes pix in batches of 5 rows.
func writeFile(t *testing.T, path string, h raster.Header, pix []byte, o WriteOptions) raster.Header {
	t.Helper()
	w, err := Create(path, h, o)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Abort()
	rb := h.RowBytes()
	for y := 0; y < h.Height; y += 5 {
		if err := w.WriteRows(pix[y*rb : min(y+5, h.Height)*rb]); err != nil {
			t.Fatalf("WriteRows: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return w.Header()
}

// readFile opens path and reads every row.
func readFile(t *testing.T, path string) (raster.Header, []byte) {
	t.Helper()
	r, err := Open(path, ReadOptions{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	h := r.Header()
	buf := make([]byte, 3*h.RowBytes())
	var out []byte
	for {
		n, err := r.ReadRows(buf)
		out = append(out, buf[:n*h.RowBytes()]...)
		if err == io.EOF {
			return h, out
		}
		if err != nil {
			t.Fatalf("ReadRows: %v", err)
		}
	}
}

// wrongName gives each format a file name whose extension belongs to
// another, so that Open must go by the content.
var wrongName = map[string]string{"pnm": "image.png", "png": "image.tif", "tiff": "image.jpg", "jpeg": "image.ppm"}

func TestRoundTripLossless(t *testing.T) {
	for _, format := range []string{"pnm", "png", "tiff"} {
		for _, f := range allFormats {
			t.Run(format+"/"+f.String(), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), wrongName[format])
				h := raster.Header{Width: 33, Height: 21, Pixel: f}
				pix := pattern(h.Width, h.Height, f)
				writeFile(t, path, h, pix, WriteOptions{Format: format})
				got, out := readFile(t, path)
				if got.Format != format || got.Pixel != f || got.Width != h.Width || got.Height != h.Height {
					t.Fatalf("got %s %dx%d %v, want %s %dx%d %v", got.Format, got.Width, got.Height, got.Pixel,
						format, h.Width, h.Height, f)
				}
				if !bytes.Equal(out, pix) {
					t.Errorf("got pixels differing from those written")
				}
			})
		}
	}
}

func TestRoundTripJPEG(t *testing.T) {
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), wrongName["jpeg"])
			h := raster.Header{Width: 40, Height: 24, Pixel: f}
			pix := pattern(h.Width, h.Height, f)
			stored := writeFile(t, path, h, pix, WriteOptions{Format: "jpg", Quality: 95})
			got, out := readFile(t, path)
			if got.Format != "jpeg" || got.Pixel != stored.Pixel {
				t.Fatalf("got %s %v, want jpeg %v", got.Format, got.Pixel, stored.Pixel)
			}
			want := raster.RGB8
			if !f.Color() {
				want = raster.Gray8
			}
			if stored.Pixel != want {
				t.Errorf("Writer.Header: got %v, want %v", stored.Pixel, want)
			}
			// Compare against the high bytes of the colour samples.
			var ref []byte
			bps := f.BytesPerSample()
			for i := 0; i < len(pix); i += f.BytesPerPixel() {
				for c := range want.Channels {
					ref = append(ref, pix[i+c*bps])
				}
			}
			if len(out) != len(ref) {
				t.Fatalf("got %d bytes, want %d", len(out), len(ref))
			}
			most := 0
			for i := range out {
				most = max(most, abs(int(out[i])-int(ref[i])))
			}
			if most > 16 {
				t.Errorf("got a sample %d levels off, want at most 16", most)
			}
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestTIFFOptions(t *testing.T) {
	tests := []struct {
		name  string
		o     WriteOptions
		tiled bool
		comp  string
	}{
		{"strips none", WriteOptions{}, false, "none"},
		{"strips deflate predictor", WriteOptions{Compression: "deflate", Predictor: true, Level: 9}, false, "deflate"},
		{"strips lzw", WriteOptions{Compression: "lzw"}, false, "lzw"},
		{"tiles lzw", WriteOptions{Compression: "lzw", Tiled: true, TileSize: 16}, true, "lzw"},
		{"bigtiff tiles", WriteOptions{Compression: "deflate", Tiled: true, TileSize: 32, BigTIFF: true}, true, "deflate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.tiff")
			h := raster.Header{Width: 50, Height: 37, Pixel: raster.RGB16}
			pix := pattern(h.Width, h.Height, h.Pixel)
			writeFile(t, path, h, pix, tt.o)
			got, out := readFile(t, path)
			if got.Compression != tt.comp || got.Tiled() != tt.tiled {
				t.Errorf("got compression %q tiled %v, want %q %v", got.Compression, got.Tiled(), tt.comp, tt.tiled)
			}
			if tt.o.BigTIFF && !slices.Contains(got.Details, "bigtiff") {
				t.Errorf("got details %q, want bigtiff among them", got.Details)
			}
			if !bytes.Equal(out, pix) {
				t.Errorf("got pixels differing from those written")
			}
			r, err := Open(path, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			tr := r.Tiles()
			if (tr != nil) != tt.tiled {
				t.Fatalf("Tiles: got %v, want a TileReader: %v", tr, tt.tiled)
			}
			if tr == nil {
				return
			}
			th := tr.Header()
			tile := make([]byte, th.TileWidth*th.TileHeight*th.Pixel.BytesPerPixel())
			if err := tr.ReadTile(1, 1, tile); err != nil {
				t.Fatalf("ReadTile(1, 1): %v", err)
			}
			rb, tb := h.RowBytes(), th.TileWidth*th.Pixel.BytesPerPixel()
			x0 := th.TileWidth * th.Pixel.BytesPerPixel()
			for y := 0; y < th.TileHeight && th.TileHeight+y < h.Height; y++ {
				want := pix[(th.TileHeight+y)*rb+x0:][:min(tb, rb-x0)]
				if !bytes.Equal(tile[y*tb:][:len(want)], want) {
					t.Fatalf("tile (1, 1) row %d differs from the image", y)
				}
			}
			if err := tr.ReadTile(1000, 0, tile); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("ReadTile out of range: got %v, want an error starting with the path", err)
			}
		})
	}
}

func TestFormatFromPath(t *testing.T) {
	tests := []struct{ path, want string }{
		{"a.pnm", "pnm"}, {"a.PPM", "pnm"}, {"dir.x/a.pgm", "pnm"}, {"a.pam", "pnm"},
		{"a.png", "png"}, {"a.tif", "tiff"}, {"a.TIFF", "tiff"}, {"a.jpg", "jpeg"}, {"a.JPEG", "jpeg"},
		{"a.gif", ""}, {"a", ""}, {"a.png.bak", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := FormatFromPath(tt.path)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.want == "" {
				if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), ".tiff") {
					t.Errorf("got error %v, want ErrUnknownFormat listing the extensions", err)
				}
			} else if err != nil {
				t.Errorf("got error %v, want none", err)
			}
		})
	}
	if got, want := Formats(), []string{"jpeg", "png", "pnm", "tiff"}; !slices.Equal(got, want) {
		t.Errorf("Formats: got %v, want %v", got, want)
	}
}

func TestOpenUnknown(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"gif.png", []byte("GIF89a\x01\x00\x01\x00"), []string{"47 49 46 38", "png", "tiff", "jpeg", "pnm"}},
		{"empty.tif", nil, []string{"empty file"}},
		{"short.jpg", []byte{0xff}, []string{"ff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, ReadOptions{})
			if !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("got %v, want ErrUnknownFormat", err)
			}
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("got %q, want it to start with the path", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to mention %q", err, w)
				}
			}
		})
	}
	if _, err := Open(filepath.Join(dir, "missing.png"), ReadOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
	if _, err := Open(dir, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: got %v, want an error saying it is a directory", err)
	}
}

// TestErrorsNamePath cuts valid files short or corrupts them and checks
// that the errors, from Open or from ReadRows, start with the path and
// still unwrap to the codec's FormatError.
func TestErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	h := raster.Header{Width: 64, Height: 64, Pixel: raster.RGB8}
	pix := pattern(h.Width, h.Height, h.Pixel)
	for _, tc := range []struct {
		format string
		cut    func(n int) int // new length for a file of n bytes
	}{
		{"pnm", func(n int) int { return n - 100 }},
		{"pnm", func(n int) int { return 5 }},
		{"png", func(n int) int { return n - 40 }},
		{"png", func(n int) int { return 20 }},
		{"tiff", func(n int) int { return n / 2 }},
		{"tiff", func(n int) int { return 6 }},
		{"jpeg", func(n int) int { return n - 100 }},
	} {
		good := filepath.Join(dir, "good."+tc.format)
		writeFile(t, good, h, pix, WriteOptions{Format: tc.format})
		data, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		n := tc.cut(len(data))
		t.Run(fmt.Sprintf("%s/%d of %d bytes", tc.format, n, len(data)), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("bad-%d.%s", n, tc.format))
			if err := os.WriteFile(path, data[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			err := readAllErr(path)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if !strings.HasPrefix(err.Error(), path+": "+tc.format+": ") {
				t.Errorf("got %q, want it to start with %q", err, path+": "+tc.format+": ")
			}
			var fe *raster.FormatError
			if !errors.As(err, &fe) {
				t.Errorf("got %T, want it to wrap *raster.FormatError", errors.Unwrap(err))
			}
		})
	}
}

func readAllErr(path string) error {
	r, err := Open(path, ReadOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, 4*r.Header().RowBytes())
	for {
		if _, err := r.ReadRows(buf); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func TestLimitsPassed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.png")
	h := raster.Header{Width: 30, Height: 30, Pixel: raster.Gray8}
	writeFile(t, path, h, pattern(30, 30, h.Pixel), WriteOptions{})
	_, err := Open(path, ReadOptions{Limits: raster.Limits{MaxWidth: 29}})
	var le *raster.LimitError
	if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("got %v, want a LimitError naming the path", err)
	}
}

// TestJPEGIntervals checks that ReadOptions.Intervals decides whether a
// JPEG with restart markers decodes its bands by intervals (their serial
// step then holds only the intervals' offsets, not coefficients), and
// that both ways give the same pixels.
func TestJPEGIntervals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "restart.jpg")
	h := raster.Header{Width: 64, Height: 300, Pixel: raster.RGB8}
	writeFile(t, path, h, pattern(h.Width, h.Height, h.Pixel), WriteOptions{Quality: 90})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte{0xff, 0xd0}) {
		t.Fatal("the file has no restart marker")
	}
	var pix [2][]byte
	var held [2]int64
	for i, intervals := range []bool{false, true} {
		r, err := Open(path, ReadOptions{Intervals: intervals})
		if err != nil {
			t.Fatal(err)
		}
		rows, hb := r.SerialBands()
		held[i] = hb
		for y := 0; ; y += rows {
			b, err := r.NextBand()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]byte, min(rows, h.Height-y)*h.RowBytes())
			if err := b.Decode(dst); err != nil {
				t.Fatal(err)
			}
			pix[i] = append(pix[i], dst...)
			b.Release()
		}
		r.Close()
	}
	if held[1] >= held[0] {
		t.Errorf("a band holds %d bytes by intervals and %d without, want fewer by intervals", held[1], held[0])
	}
	if len(pix[0]) != h.Height*h.RowBytes() || !bytes.Equal(pix[0], pix[1]) {
		t.Errorf("the pixels differ between the two ways (%d and %d bytes)", len(pix[0]), len(pix[1]))
	}
}

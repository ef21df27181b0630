package jpegio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

var allFormats = raster.Formats()

// smooth returns w×h opaque pixels of f in gentle gradients, which JPEG
// keeps within a few levels.
func smooth(w, h int, f raster.PixelFormat) []byte {
	bps := f.BytesPerSample()
	b := make([]byte, 0, w*h*f.BytesPerPixel())
	for y := range h {
		for x := range w {
			vals := []int{x * 255 / w, y * 255 / h, (x + y) * 255 / (w + h), 255}
			if !f.Color() {
				vals = []int{(x + y) * 255 / (w + h), 255}
			}
			for c := range f.Channels {
				v := vals[c]
				if c == f.Channels-1 && f.HasAlpha() {
					v = 255
				}
				if bps == 2 {
					b = append(b, byte(v), byte(v))
				} else {
					b = append(b, byte(v))
				}
			}
		}
	}
	return b
}

func encode(t testing.TB, h raster.Header, pix []byte, o WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h, o)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if err := w.WriteRows(pix); err != nil {
		t.Fatalf("WriteRows: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

func decodeAll(t testing.TB, data []byte, rowsPer int) (raster.Header, []byte) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), ReaderOptions{})
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	h := r.Header()
	buf := make([]byte, rowsPer*h.RowBytes())
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

// to8 keeps the high byte of each sample and drops alpha, giving what a
// JPEG of pix should hold.
func to8Opaque(pix []byte, f raster.PixelFormat) []byte {
	var out []byte
	bps := f.BytesPerSample()
	for i := 0; i < len(pix); i += f.BytesPerPixel() {
		for c := range f.Channels {
			if f.HasAlpha() && c == f.Channels-1 {
				continue
			}
			out = append(out, pix[i+c*bps])
		}
	}
	return out
}

// diff returns the mean and largest absolute difference of a and b.
func diff(a, b []byte) (mean float64, most int) {
	sum := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
		most = max(most, d)
	}
	return float64(sum) / float64(len(a)), most
}

func TestRoundTrip(t *testing.T) {
	for _, f := range allFormats {
		for _, rowsPer := range []int{1, 7, 100} {
			t.Run(fmt.Sprintf("%v/rows%d", f, rowsPer), func(t *testing.T) {
				h := raster.Header{Width: 45, Height: 31, Pixel: f}
				pix := smooth(h.Width, h.Height, f)
				data := encode(t, h, pix, WriterOptions{Quality: 95})
				got, out := decodeAll(t, data, rowsPer)
				want := raster.RGB8
				if !f.Color() {
					want = raster.Gray8
				}
				if got.Pixel != want || got.Width != h.Width || got.Height != h.Height {
					t.Fatalf("got %dx%d %v, want %dx%d %v", got.Width, got.Height, got.Pixel, h.Width, h.Height, want)
				}
				ref := to8Opaque(pix, f)
				if len(out) != len(ref) {
					t.Fatalf("got %d bytes, want %d", len(out), len(ref))
				}
				if mean, most := diff(out, ref); mean > 2.5 || most > 12 {
					t.Errorf("got mean error %.2f and largest %d, want at most 2.5 and 12", mean, most)
				}
			})
		}
	}
}

func TestAlphaOverWhite(t *testing.T) {
	tests := []struct {
		f    raster.PixelFormat
		px   []byte
		want []byte
	}{
		{raster.RGBA8, []byte{10, 20, 30, 0}, []byte{255, 255, 255}},
		{raster.RGBA8, []byte{0, 0, 0, 255}, []byte{0, 0, 0}},
		{raster.RGBA8, []byte{0, 100, 255, 128}, []byte{127, 177, 255}},
		{raster.GrayAlpha8, []byte{0, 51}, []byte{204}},
		{raster.GrayAlpha16, []byte{0, 0, 0x80, 0}, []byte{127}},
		{raster.RGBA16, []byte{0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff}, []byte{255, 0, 0}},
		{raster.Gray16, []byte{0x80, 0x80}, []byte{128}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v%v", tt.f, tt.px), func(t *testing.T) {
			h := raster.Header{Width: 16, Height: 16, Pixel: tt.f}
			data := encode(t, h, bytes.Repeat(tt.px, 256), WriterOptions{Quality: 100})
			_, out := decodeAll(t, data, 16)
			if _, most := diff(out, bytes.Repeat(tt.want, 256)); most > 2 {
				t.Errorf("got pixel %v, want %v", out[:len(tt.want)], tt.want)
			}
		})
	}
}

// reference converts the standard decoder's image the way the Reader
// should, through the color package's per-pixel functions.
func reference(m image.Image) []byte {
	var out []byte
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch m := m.(type) {
			case *image.Gray:
				out = append(out, m.GrayAt(x, y).Y)
			case *image.YCbCr:
				c := m.YCbCrAt(x, y)
				r, g, bb := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
				out = append(out, r, g, bb)
			case *image.CMYK:
				c := m.CMYKAt(x, y)
				r, g, bb := color.CMYKToRGB(c.C, c.M, c.Y, c.K)
				out = append(out, r, g, bb)
			default:
				panic(fmt.Sprintf("reference: %T", m))
			}
		}
	}
	return out
}

func TestReadFiles(t *testing.T) {
	tests := []struct {
		file    string
		pixel   raster.PixelFormat
		details []string
	}{
		{"gray.jpg", raster.Gray8, []string{"baseline"}},
		{"rgb420.jpg", raster.RGB8, []string{"baseline", "ycbcr 420"}},
		{"rgb444.jpg", raster.RGB8, []string{"baseline", "ycbcr 444"}},
		{"progressive.jpg", raster.RGB8, []string{"progressive", "ycbcr 420"}},
		{"cmyk.jpg", raster.RGB8, []string{"baseline", "cmyk"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			h, out := decodeAll(t, data, 5)
			if h.Pixel != tt.pixel || !slices.Equal(h.Details, tt.details) {
				t.Errorf("got %v %q, want %v %q", h.Pixel, h.Details, tt.pixel, tt.details)
			}
			m, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if want := reference(m); !bytes.Equal(out, want) {
				t.Errorf("got pixels differing from the standard decoder's (first %v, want %v)", out[:3], want[:3])
			}
		})
	}
	// The CMYK file is pure red.
	data, _ := os.ReadFile(filepath.Join("testdata", "cmyk.jpg"))
	if _, out := decodeAll(t, data, 16); out[0] < 240 || out[1] > 15 || out[2] > 15 {
		t.Errorf("cmyk.jpg: got first pixel %v, want about [255 0 0]", out[:3])
	}
}

func TestPixelLimit(t *testing.T) {
	h := raster.Header{Width: 64, Height: 64, Pixel: raster.RGB8}
	data := encode(t, h, smooth(64, 64, raster.RGB8), WriterOptions{})
	lim := raster.Limits{MaxWholePixels: 1000}
	// Cut the file after its headers: the limit must fail before any pixel
	// is decoded, so the missing scan is never noticed.
	sos := bytes.Index(data, []byte{0xff, 0xda})
	for _, tc := range []struct {
		name string
		data []byte
	}{{"whole", data}, {"headers only", data[:sos+20]}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.data), ReaderOptions{Limits: lim})
			var le *raster.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("got %T %v, want *raster.LimitError", err, err)
			}
			if !strings.Contains(err.Error(), "12.0 KiB") {
				t.Errorf("got %q, want the memory (12.0 KiB) stated", err)
			}
		})
	}
	if _, err := NewReader(bytes.NewReader(data), ReaderOptions{Limits: raster.Limits{MaxWholePixels: 4096}}); err != nil {
		t.Errorf("at the limit: got %v, want no error", err)
	}
}

func TestWriterLimit(t *testing.T) {
	tests := []struct {
		name string
		h    raster.Header
		lim  raster.Limits
		want string
	}{
		{"side over 65535", raster.Header{Width: 70000, Height: 10, Pixel: raster.RGB8}, raster.Limits{}, "65535"},
		{"whole limit", raster.Header{Width: 20000, Height: 20000, Pixel: raster.RGBA16}, raster.Limits{}, "1.1 GiB"},
		{"gray whole limit", raster.Header{Width: 100, Height: 100, Pixel: raster.Gray16}, raster.Limits{MaxWholePixels: 5000}, "9.8 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(io.Discard, tt.h, WriterOptions{Limits: tt.lim})
			var le *raster.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("got %T %v, want *raster.LimitError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "rgb420.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := slices.Clone(good)
	sof := bytes.Index(corrupt, []byte{0xff, 0xc0})
	corrupt[sof+9] = 7 // seven components
	tests := []struct {
		name string
		data []byte
		kind string
	}{
		{"empty", nil, "format"},
		{"not a jpeg", []byte("P6 1 1 255\n\x00\x00\x00"), "format"},
		{"truncated in scan", good[:len(good)-60], "format"},
		{"truncated in header", good[:30], "format"},
		{"bad component count", corrupt, "any"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tt.data), ReaderOptions{})
			if err == nil {
				t.Fatal("got no error, want one")
			}
			var fe *raster.FormatError
			var ue *raster.UnsupportedError
			switch {
			case tt.kind == "format" && !errors.As(err, &fe):
				t.Fatalf("got %T %v, want *raster.FormatError", err, err)
			case tt.kind == "any" && !errors.As(err, &fe) && !errors.As(err, &ue):
				t.Fatalf("got %T %v, want a FormatError or UnsupportedError", err, err)
			}
			if fe != nil && (fe.Offset < 0 || fe.Offset > int64(len(tt.data))) {
				t.Errorf("got offset %d, want within the %d bytes of input", fe.Offset, len(tt.data))
			}
		})
	}
}

func TestWriterMisuse(t *testing.T) {
	h := raster.Header{Width: 2, Height: 2, Pixel: raster.RGB8}
	for _, q := range []int{-1, 101} {
		if _, err := NewWriter(io.Discard, h, WriterOptions{Quality: q}); err == nil {
			t.Errorf("quality %d: got no error, want one", q)
		}
	}
	if _, err := NewWriter(io.Discard, raster.Header{Width: 1, Height: 1}, WriterOptions{}); err == nil {
		t.Error("invalid pixel format: got no error, want one")
	}
	tests := []struct {
		name string
		run  func(w *Writer) error
	}{
		{"partial row", func(w *Writer) error { return w.WriteRows(make([]byte, 5)) }},
		{"too many rows", func(w *Writer) error { return w.WriteRows(make([]byte, 18)) }},
		{"close early", func(w *Writer) error { _ = w.WriteRows(make([]byte, 6)); return w.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, h, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(w); err == nil {
				t.Error("got no error, want one")
			}
			if buf.Len() != 0 {
				t.Errorf("got %d bytes written, want none", buf.Len())
			}
		})
	}
}

func TestWriterHeader(t *testing.T) {
	for _, tt := range []struct {
		in, want raster.PixelFormat
	}{{raster.RGBA16, raster.RGB8}, {raster.GrayAlpha8, raster.Gray8}, {raster.Gray16, raster.Gray8}} {
		w, err := NewWriter(io.Discard, raster.Header{Width: 1, Height: 1, Pixel: tt.in}, WriterOptions{Quality: 80})
		if err != nil {
			t.Fatal(err)
		}
		h := w.Header()
		if h.Pixel != tt.want || h.Format != "jpeg" || !slices.Contains(h.Details, "quality 80") {
			t.Errorf("%v: got %v %s %q, want %v jpeg with quality 80", tt.in, h.Pixel, h.Format, h.Details, tt.want)
		}
	}
}

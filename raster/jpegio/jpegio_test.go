package jpegio

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

func TestWriterLimit(t *testing.T) {
	tests := []struct {
		name string
		h    raster.Header
		lim  raster.Limits
		want string
	}{
		{"side over 65535", raster.Header{Width: 70000, Height: 10, Pixel: raster.RGB8}, raster.Limits{}, "65535"},
		{"pixel limit", raster.Header{Width: 100, Height: 100, Pixel: raster.Gray16}, raster.Limits{MaxPixels: 5000}, "10000 pixels exceed"},
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
	// A big image streams: the writer takes no memory in proportion to it.
	if _, err := NewWriter(io.Discard, raster.Header{Width: 60000, Height: 60000, Pixel: raster.RGBA16}, WriterOptions{}); err != nil {
		t.Errorf("60000×60000: got %v, want no error", err)
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

func TestHeaderDetails(t *testing.T) {
	tests := []struct {
		file    string
		pixel   raster.PixelFormat
		details []string
	}{
		{"gray.jpg", raster.Gray8, []string{"baseline"}},
		{"cjpeg-s22.jpg", raster.RGB8, []string{"baseline", "ycbcr 420"}},
		{"cjpeg-s11.jpg", raster.RGB8, []string{"baseline", "ycbcr 444"}},
		{"cjpeg-s21.jpg", raster.RGB8, []string{"baseline", "ycbcr 422"}},
		{"cjpeg-s12.jpg", raster.RGB8, []string{"baseline", "ycbcr 440"}},
		{"cjpeg-s41.jpg", raster.RGB8, []string{"baseline", "ycbcr 411"}},
		{"cjpeg-rgb.jpg", raster.RGB8, []string{"baseline", "rgb"}},
		{"cjpeg-restart-3mcu.jpg", raster.RGB8, []string{"baseline", "ycbcr 444", "restart 3"}},
		{"cjpeg-progressive.jpg", raster.RGB8, []string{"progressive", "ycbcr 420"}},
		{"magick-cmyk.jpg", raster.RGB8, []string{"baseline", "ycck"}},
		{"cmyk.jpg", raster.RGB8, []string{"baseline", "ycck"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if h.Pixel != tt.pixel || !slices.Equal(h.Details, tt.details) || h.Width != 61 && !strings.HasPrefix(tt.file, "cmyk") && tt.file != "gray.jpg" {
				t.Errorf("got %dx%d %v %q, want 61x47 %v %q", h.Width, h.Height, h.Pixel, h.Details, tt.pixel, tt.details)
			}
		})
	}
	// The old CMYK file is pure red.
	data, _ := os.ReadFile(filepath.Join("testdata", "cmyk.jpg"))
	if _, out := decodeAll(t, data, 16); out[0] < 240 || out[1] > 15 || out[2] > 15 {
		t.Errorf("cmyk.jpg: got first pixel %v, want about [255 0 0]", out[:3])
	}
}

// TestSizeLimit checks the frame's size against the limits before any
// allocation: a file cut after its headers still fails on the limit.
func TestSizeLimit(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cjpeg-s22.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sos := bytes.Index(data, []byte{0xff, 0xda})
	for _, tc := range []struct {
		name string
		data []byte
	}{{"whole", data}, {"headers only", data[:sos+20]}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.data), ReaderOptions{Limits: raster.Limits{MaxPixels: 2000}})
			var le *raster.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("got %T %v, want *raster.LimitError", err, err)
			}
			if le.Width != 61 || le.Height != 47 {
				t.Errorf("got %dx%d in the error, want 61x47", le.Width, le.Height)
			}
		})
	}
	if _, err := NewReader(bytes.NewReader(data), ReaderOptions{Limits: raster.Limits{MaxPixels: 61 * 47}}); err != nil {
		t.Errorf("at the limit: got %v, want no error", err)
	}
}

// TestProgressiveSpill decodes progressive files with no memory for
// coefficients, so that they go through the temporary file, and checks
// the pixels are those decoded in memory; past the spill limit the error
// names --spill-limit.
func TestProgressiveSpill(t *testing.T) {
	for _, name := range []string{"cjpeg-progressive.jpg", "cjpeg-progressive-444-restart.jpg", "cjpeg-gray-progressive.jpg"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			_, want := decodeAll(t, data, 16)
			dir := t.TempDir()
			d, err := NewDecoder(bytes.NewReader(data), ReaderOptions{Memory: 1, TempDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := d.store.(*fileStore); !ok {
				t.Fatalf("got store %T, want *fileStore", d.store)
			}
			d.Close()
			_, got := decodeWith(t, data, 16, ReaderOptions{Memory: 1, TempDir: dir})
			if !bytes.Equal(got, want) {
				t.Errorf("pixels through the spill file differ from those decoded in memory")
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("got %d files left in the temporary directory, want none", len(left))
			}
			_, err = NewReader(bytes.NewReader(data), ReaderOptions{Memory: 1, SpillLimit: 1000})
			var le *raster.LimitError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), "--spill-limit") {
				t.Errorf("past the spill limit: got %v, want a LimitError naming --spill-limit", err)
			}
		})
	}
}

// TestMalformed checks that broken files fail with a FormatError or an
// UnsupportedError, from NewReader or from ReadRows, never a panic.
func TestMalformed(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "cjpeg-s22.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(filepath.Join("testdata", "cjpeg-progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	rst, err := os.ReadFile(filepath.Join("testdata", "cjpeg-restart-3mcu.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sof := bytes.Index(good, []byte{0xff, 0xc0})
	withSOF := func(iv ...int) []byte {
		b := slices.Clone(good)
		for k := 0; k < len(iv); k += 2 {
			b[sof+iv[k]] = byte(iv[k+1])
		}
		return b
	}
	badRST := slices.Clone(rst)
	badRST[bytes.Index(badRST, []byte{0xff, 0xd1})+1] = 0xd5
	tests := []struct {
		name string
		data []byte
		kind string
	}{
		{"empty", nil, "format"},
		{"not a jpeg", []byte("P6 1 1 255\n\x00\x00\x00"), "format"},
		{"truncated in scan", good[:len(good)-300], "format"},
		{"truncated in header", good[:30], "format"},
		{"progressive truncated", prog[:len(prog)-200], "format"},
		{"seven components", withSOF(9, 7), "unsupported"},
		{"12-bit", withSOF(4, 12), "unsupported"},
		{"arithmetic", withSOF(1, 0xc9), "unsupported"},
		{"lossless", withSOF(1, 0xc3), "unsupported"},
		{"zero sampling factor", withSOF(11, 0x01), "format"},
		{"fractional sampling", withSOF(11, 0x32, 14, 0x21), "unsupported"},
		{"wrong restart marker", badRST, "format"},
		// A few hundred bytes claiming 60000×60000 pixels: the data runs
		// out in the first MCU row, which ends the work there.
		{"claims 60000x60000", withSOF(5, 0xea, 6, 0x60, 7, 0xea, 8, 0x60), "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeErr(tt.data)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			var fe *raster.FormatError
			var ue *raster.UnsupportedError
			switch {
			case tt.kind == "format" && !errors.As(err, &fe):
				t.Fatalf("got %T %v, want *raster.FormatError", err, err)
			case tt.kind == "unsupported" && !errors.As(err, &ue):
				t.Fatalf("got %T %v, want *raster.UnsupportedError", err, err)
			}
			if fe != nil && (fe.Offset < 0 || fe.Offset > int64(len(tt.data))) {
				t.Errorf("got offset %d, want within the %d bytes of input", fe.Offset, len(tt.data))
			}
		})
	}
}

// decodeErr decodes data to the end and returns the first error.
func decodeErr(data []byte) error {
	r, err := NewReader(bytes.NewReader(data), ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, 16*r.Header().RowBytes())
	for {
		if _, err := r.ReadRows(buf); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

package pnmio

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
	"testing/iotest"

	"github.com/sluice-go/sluice/raster"
)

var allFormats = raster.Formats()

// pattern returns w×h pixels of f whose bytes differ from row to row and
// column to column.
func pattern(w, h int, f raster.PixelFormat) []byte {
	b := make([]byte, w*h*f.BytesPerPixel())
	for i := range b {
		b[i] = byte(i*7 + i/(w*f.BytesPerPixel())*13)
	}
	return b
}

// encode writes pix as h with rows batches of rowsPer rows.
func encode(t testing.TB, h raster.Header, pix []byte, rowsPer int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	rb := h.RowBytes()
	for y := 0; y < h.Height; y += rowsPer {
		end := min(y+rowsPer, h.Height)
		if err := w.WriteRows(pix[y*rb : end*rb]); err != nil {
			t.Fatalf("WriteRows(%d..%d): %v", y, end, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

// decodeAll reads every row of r with a buffer of rowsPer rows.
func decodeAll(r *Reader, rowsPer int) ([]byte, error) {
	h := r.Header()
	buf := make([]byte, rowsPer*h.RowBytes())
	var out []byte
	for {
		n, err := r.ReadRows(buf)
		out = append(out, buf[:n*h.RowBytes()]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestRoundTrip(t *testing.T) {
	// 300×301 rows in batches of 64 pass 64 KiB, where reads and writes
	// bypass the buffer.
	sizes := []struct{ w, h int }{{1, 1}, {7, 5}, {300, 301}}
	for _, f := range allFormats {
		for _, sz := range sizes {
			for _, rowsPer := range []int{1, 2, 64} {
				t.Run(fmt.Sprintf("%v/%dx%d/rows%d", f, sz.w, sz.h, rowsPer), func(t *testing.T) {
					h := raster.Header{Width: sz.w, Height: sz.h, Pixel: f}
					pix := pattern(sz.w, sz.h, f)
					data := encode(t, h, pix, rowsPer)
					r, err := NewReader(bytes.NewReader(data), raster.Limits{})
					if err != nil {
						t.Fatalf("NewReader: %v", err)
					}
					got := r.Header()
					if got.Width != sz.w || got.Height != sz.h || got.Pixel != f || got.Format != "pnm" {
						t.Fatalf("got header %+v, want %dx%d %v pnm", got, sz.w, sz.h, f)
					}
					out, err := decodeAll(r, rowsPer)
					if err != nil {
						t.Fatalf("ReadRows: %v", err)
					}
					if !bytes.Equal(out, pix) {
						t.Fatalf("got %d bytes differing from the %d written", len(out), len(pix))
					}
					if n, err := r.ReadRows(make([]byte, h.RowBytes())); n != 0 || err != io.EOF {
						t.Errorf("ReadRows after the end: got %d, %v, want 0, EOF", n, err)
					}
				})
			}
		}
	}
}

func TestWriterMagic(t *testing.T) {
	tests := []struct {
		f    raster.PixelFormat
		want string
	}{
		{raster.Gray8, "P5\n2 1\n255\n"},
		{raster.Gray16, "P5\n2 1\n65535\n"},
		{raster.RGB8, "P6\n2 1\n255\n"},
		{raster.RGB16, "P6\n2 1\n65535\n"},
		{raster.GrayAlpha8, "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n"},
		{raster.RGBA16, "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 4\nMAXVAL 65535\nTUPLTYPE RGB_ALPHA\nENDHDR\n"},
	}
	for _, tt := range tests {
		t.Run(tt.f.String(), func(t *testing.T) {
			h := raster.Header{Width: 2, Height: 1, Pixel: tt.f}
			data := encode(t, h, pattern(2, 1, tt.f), 1)
			if got := string(data[:len(data)-h.RowBytes()]); got != tt.want {
				t.Errorf("got header %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadFiles(t *testing.T) {
	be16 := func(vs ...int) []byte {
		var b []byte
		for _, v := range vs {
			b = append(b, byte(v>>8), byte(v))
		}
		return b
	}
	tests := []struct {
		file    string
		pixel   raster.PixelFormat
		details []string
		pix     []byte // nil: only the header is checked
	}{
		{"maxval1023.pgm", raster.Gray16, []string{"P5", "maxval 1023"},
			be16(0, 64, 32735, 32800, 65471, 65535)},
		{"maxval15.ppm", raster.RGB8, []string{"P6", "maxval 15"},
			[]byte{0, 255, 119, 136, 17, 238, 51, 51, 51, 255, 255, 255}},
		{"bw.pam", raster.Gray8, []string{"P7", "BLACKANDWHITE", "maxval 1"}, []byte{0, 255, 255, 0}},
		{"rgb8.ppm", raster.RGB8, []string{"P6"}, nil},
		{"gray16.pgm", raster.Gray16, []string{"P5"}, nil},
		{"rgba8.pam", raster.RGBA8, []string{"P7", "RGB_ALPHA"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, raster.Limits{})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			h := r.Header()
			if h.Pixel != tt.pixel || !slices.Equal(h.Details, tt.details) {
				t.Errorf("got %v %q, want %v %q", h.Pixel, h.Details, tt.pixel, tt.details)
			}
			out, err := decodeAll(r, 1)
			if err != nil {
				t.Fatalf("ReadRows: %v", err)
			}
			if int64(len(out)) != h.Bytes() {
				t.Fatalf("got %d bytes, want %d", len(out), h.Bytes())
			}
			if tt.pix != nil && !bytes.Equal(out, tt.pix) {
				t.Errorf("got pixels %v, want %v", out, tt.pix)
			}
		})
	}
}

func TestHeaderSyntax(t *testing.T) {
	tests := []struct {
		name, data string
		w, h       int
		pixel      raster.PixelFormat
	}{
		{"comments everywhere", "P5#c\n 2#c\n#c\n\t1 # c\n255\n\x01\x02", 2, 1, raster.Gray8},
		{"one line", "P6 1 1 255 \x01\x02\x03", 1, 1, raster.RGB8},
		{"maxval 300 is 16-bit", "P5 1 1 300\n\x01\x2c", 1, 1, raster.Gray16},
		{"pam comments and blank lines", "P7\n# c\n\nWIDTH 1\n  HEIGHT\t1\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n\x01\x02", 1, 1, raster.GrayAlpha8},
		{"pam crlf", "P7\nWIDTH 1\r\nHEIGHT 1\r\nDEPTH 3\r\nMAXVAL 65535\r\nTUPLTYPE RGB\r\nENDHDR\r\n123456", 1, 1, raster.RGB16},
		{"pam without tuple type", "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 4\nMAXVAL 255\nENDHDR\n1234", 1, 1, raster.RGBA8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader([]byte(tt.data)), raster.Limits{})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			h := r.Header()
			if h.Width != tt.w || h.Height != tt.h || h.Pixel != tt.pixel {
				t.Fatalf("got %dx%d %v, want %dx%d %v", h.Width, h.Height, h.Pixel, tt.w, tt.h, tt.pixel)
			}
			out, err := decodeAll(r, 1)
			if err != nil {
				t.Fatalf("ReadRows: %v", err)
			}
			if n := int64(len(out)); n != h.Bytes() {
				t.Errorf("got %d bytes, want %d", n, h.Bytes())
			}
		})
	}
}

func TestMalformedHeader(t *testing.T) {
	huge := raster.Limits{MaxWidth: 100, MaxHeight: 100, MaxPixels: 1000}
	tests := []struct {
		name   string
		data   string
		lim    raster.Limits
		offset int64 // for a FormatError; -1 when another error type is wanted
		kind   string
	}{
		{"empty", "", raster.Limits{}, 0, "format"},
		{"bad magic", "GIF89a", raster.Limits{}, 0, "format"},
		{"plain pgm", "P2 1 1 255 7", raster.Limits{}, -1, "unsupported"},
		{"no space after magic", "P51 1 255\n", raster.Limits{}, 2, "format"},
		{"negative width", "P5 -3 2 255\n", raster.Limits{}, 3, "format"},
		{"zero height", "P5 3 0 255\n", raster.Limits{}, 5, "format"},
		{"huge width", "P5 99999999999999999999 2 255\n", raster.Limits{}, 3, "format"},
		{"over the limits", "P5 101 2 255\n", huge, -1, "limit"},
		{"over the pixel limit", "P6 100 100 255\n", huge, -1, "limit"},
		{"maxval zero", "P6 1 1 0\n", raster.Limits{}, 7, "format"},
		{"maxval too big", "P6 1 1 65536\n", raster.Limits{}, 7, "format"},
		{"letter in height", "P6 1 x 255\n", raster.Limits{}, 5, "format"},
		{"no space before pixels", "P6 1 1 255", raster.Limits{}, 10, "format"},
		{"truncated in comment", "P6 1 #", raster.Limits{}, 6, "format"},
		{"pam unknown key", "P7\nWIDTH 1\nFOO 2\n", raster.Limits{}, 11, "format"},
		{"pam missing depth", "P7\nWIDTH 1\nHEIGHT 1\nMAXVAL 255\nENDHDR\n", raster.Limits{}, 31, "format"},
		{"pam depth 5", "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 5\n", raster.Limits{}, 26, "format"},
		{"pam width twice", "P7\nWIDTH 1\nWIDTH 1\n", raster.Limits{}, 11, "format"},
		{"pam tuple type and depth differ", "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n", raster.Limits{}, 65, "format"},
		{"pam unknown tuple type", "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 255\nTUPLTYPE CMY\nENDHDR\n", raster.Limits{}, -1, "unsupported"},
		{"pam junk after value", "P7\nWIDTH 1x\n", raster.Limits{}, 10, "format"},
		{"endless comment", "P5 #" + string(bytes.Repeat([]byte{'c'}, maxHeaderBytes)), raster.Limits{}, maxHeaderBytes, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader([]byte(tt.data)), tt.lim)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			var fe *raster.FormatError
			var le *raster.LimitError
			var ue *raster.UnsupportedError
			switch tt.kind {
			case "format":
				if !errors.As(err, &fe) {
					t.Fatalf("got %T %v, want *raster.FormatError", err, err)
				}
				if fe.Offset != tt.offset {
					t.Errorf("got offset %d (%v), want %d", fe.Offset, err, tt.offset)
				}
			case "limit":
				if !errors.As(err, &le) {
					t.Fatalf("got %T %v, want *raster.LimitError", err, err)
				}
			case "unsupported":
				if !errors.As(err, &ue) {
					t.Fatalf("got %T %v, want *raster.UnsupportedError", err, err)
				}
			}
		})
	}
}

func TestBadPixels(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		rowsPer  int
		wantRows int
		offset   int64
	}{
		{"truncated first row", "P5 4 2 255\n\x01\x02", 8, 0, 13},
		{"truncated second row", "P5 2 3 255\n\x01\x02\x03", 8, 1, 14},
		{"truncated one row at a time", "P6 1 3 255\n123456", 1, 2, 17},
		{"sample above maxval 15", "P5 2 2 15\n\x01\x02\x03\x10", 8, 1, 13},
		{"sample above maxval 1000", "P5 2 1 1000\n\x03\xe8\x03\xe9", 8, 0, 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader([]byte(tt.data)), raster.Limits{})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			buf := make([]byte, tt.rowsPer*r.Header().RowBytes())
			rows := 0
			for {
				n, err := r.ReadRows(buf)
				rows += n
				if err == nil {
					continue
				}
				var fe *raster.FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("got error %T %v, want *raster.FormatError", err, err)
				}
				if fe.Offset != tt.offset {
					t.Errorf("got offset %d (%v), want %d", fe.Offset, err, tt.offset)
				}
				if trunc := strings.HasPrefix(tt.name, "truncated"); errors.Is(err, io.ErrUnexpectedEOF) != trunc {
					t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF): got %v, want %v", err, !trunc, trunc)
				}
				break
			}
			if rows != tt.wantRows {
				t.Errorf("got %d good rows, want %d", rows, tt.wantRows)
			}
			if _, err := r.ReadRows(buf); err == nil || err == io.EOF {
				t.Errorf("ReadRows after the error: got %v, want the same error again", err)
			}
		})
	}
}

// TestLargeReads reads through readers that return a few bytes at a time
// and a file cut short, with batches large enough to bypass the buffer.
func TestLargeReads(t *testing.T) {
	h := raster.Header{Width: 1000, Height: 200, Pixel: raster.RGB8}
	pix := pattern(h.Width, h.Height, h.Pixel)
	data := encode(t, h, pix, 100)
	hdr := int64(len(data)) - h.Bytes()
	tests := []struct {
		name     string
		r        io.Reader
		wantRows int
		offset   int64 // of the FormatError; 0 when none is wanted
	}{
		{"half reader", iotest.HalfReader(bytes.NewReader(data)), 200, 0},
		{"one byte reader", iotest.OneByteReader(bytes.NewReader(data)), 200, 0},
		{"cut in row 150", bytes.NewReader(data[:hdr+150*3000+17]), 150, hdr + 150*3000 + 17},
		{"cut in the buffered part", bytes.NewReader(data[:hdr+5*3000]), 5, hdr + 5*3000},
		{"data error", iotest.DataErrReader(bytes.NewReader(data)), 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(tt.r, raster.Limits{})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			out, err := decodeAll(r, 100)
			if tt.offset == 0 && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if tt.offset != 0 {
				var fe *raster.FormatError
				if !errors.As(err, &fe) || fe.Offset != tt.offset {
					t.Fatalf("got %v, want a FormatError at byte %d", err, tt.offset)
				}
			}
			if got := len(out) / h.RowBytes(); got != tt.wantRows {
				t.Fatalf("got %d rows, want %d", got, tt.wantRows)
			}
			if !bytes.Equal(out, pix[:len(out)]) {
				t.Error("got rows differing from those written")
			}
		})
	}
}

func TestReadRowsShortBuffer(t *testing.T) {
	r, err := NewReader(bytes.NewReader([]byte("P6 2 1 255\n123456")), raster.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.ReadRows(make([]byte, 5)); n != 0 || err == nil {
		t.Errorf("got %d, %v, want 0 and an error", n, err)
	}
}

func TestWriterMisuse(t *testing.T) {
	h := raster.Header{Width: 2, Height: 2, Pixel: raster.RGB8}
	row := make([]byte, h.RowBytes())
	tests := []struct {
		name string
		run  func(w *Writer) error
	}{
		{"partial row", func(w *Writer) error { return w.WriteRows(row[:5]) }},
		{"too many rows", func(w *Writer) error { return w.WriteRows(make([]byte, 3*len(row))) }},
		{"close early", func(w *Writer) error {
			if err := w.WriteRows(row); err != nil {
				return nil // not the error under test
			}
			return w.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWriter(io.Discard, h)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(w); err == nil {
				t.Error("got no error, want one")
			}
		})
	}
	for _, bad := range []raster.Header{
		{Width: 0, Height: 1, Pixel: raster.RGB8},
		{Width: 1, Height: -1, Pixel: raster.RGB8},
		{Width: 1, Height: 1, Pixel: raster.PixelFormat{Channels: 3, Depth: 12}},
	} {
		if _, err := NewWriter(io.Discard, bad); err == nil {
			t.Errorf("NewWriter(%+v): got no error, want one", bad)
		}
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.after {
		return f.after, errors.New("disk full")
	}
	f.after -= len(p)
	return len(p), nil
}

func TestWriterDiskError(t *testing.T) {
	h := raster.Header{Width: 1024, Height: 1024, Pixel: raster.RGB8}
	w, err := NewWriter(&failWriter{after: 1 << 20}, h)
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]byte, h.RowBytes()*h.Height)
	werr := w.WriteRows(pix)
	cerr := w.Close()
	if werr == nil && cerr == nil {
		t.Fatal("got no error from WriteRows or Close, want disk full")
	}
	if cerr == nil {
		t.Errorf("Close after a failed write: got nil, want an error")
	}
}

// TestWriterKind checks that each extension's variant is written as the
// extension says, and that a pixel format it cannot hold is refused.
func TestWriterKind(t *testing.T) {
	tests := []struct {
		kind  string
		pixel raster.PixelFormat
		magic string // "" when refused
	}{
		{"pnm", raster.Gray8, "P5"}, {"pnm", raster.RGB16, "P6"}, {"pnm", raster.RGBA8, "P7"},
		{"pam", raster.RGB8, "P7"}, {"pam", raster.Gray16, "P7"}, {"pam", raster.GrayAlpha8, "P7"},
		{"pgm", raster.Gray8, "P5"}, {"pgm", raster.Gray16, "P5"}, {"pgm", raster.RGB8, ""}, {"pgm", raster.GrayAlpha8, ""},
		{"ppm", raster.RGB8, "P6"}, {"ppm", raster.Gray8, ""}, {"ppm", raster.RGBA16, ""},
		{"bmp", raster.RGB8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.pixel.String(), func(t *testing.T) {
			h := raster.Header{Width: 3, Height: 2, Pixel: tt.pixel}
			var file bytes.Buffer
			w, err := NewWriterKind(&file, h, tt.kind)
			if tt.magic == "" {
				if err == nil {
					t.Fatalf("got no error, want %v refused for .%s", tt.pixel, tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteRows(make([]byte, 2*h.RowBytes())); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := file.String()[:2]; got != tt.magic {
				t.Errorf("got magic %s, want %s", got, tt.magic)
			}
			r, err := NewReader(&file, raster.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Header().Pixel; got != tt.pixel {
				t.Errorf("read back pixel format %v, want %v", got, tt.pixel)
			}
		})
	}
}

package tiffio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/raster"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var allFormats = raster.Formats()

// memFile is an in-memory io.WriteSeeker.
type memFile struct {
	b   []byte
	pos int64
}

func (m *memFile) Write(p []byte) (int, error) {
	if end := m.pos + int64(len(p)); end > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, end-int64(len(m.b)))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += int64(len(p))
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += m.pos
	case io.SeekEnd:
		off += int64(len(m.b))
	}
	if off < 0 {
		return 0, errors.New("negative position")
	}
	m.pos = off
	return off, nil
}

// testImage returns a deterministic image of w×h pixels in format p: smooth
// gradients with some noise, so every compressor has something to do.
func testImage(w, h int, p raster.PixelFormat) []byte {
	bpp := p.BytesPerPixel()
	out := make([]byte, w*h*bpp)
	seed := uint32(12345)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < p.Channels; c++ {
				seed = seed*1664525 + 1013904223
				v := uint32(x*(c+1)*7+y*(3-c%3)*5) + (seed>>28)*uint32(c%2)
				i := (y*w+x)*bpp + c*p.BytesPerSample()
				if p.Depth == 8 {
					out[i] = byte(v)
				} else {
					v16 := uint16(v*251 + seed>>20)
					out[i], out[i+1] = byte(v16>>8), byte(v16)
				}
			}
		}
	}
	return out
}

// encode writes pix (w×h in format p) with options o and returns the file.
func encode(t testing.TB, w, h int, p raster.PixelFormat, pix []byte, o WriterOptions) []byte {
	t.Helper()
	return encodeHeader(t, raster.Header{Width: w, Height: h, Pixel: p}, pix, o)
}

// encodeHeader is encode for an image described by hd, metadata included.
func encodeHeader(t testing.TB, hd raster.Header, pix []byte, o WriterOptions) []byte {
	t.Helper()
	var f memFile
	wr, err := NewWriter(&f, hd, o)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	h := hd.Height
	rb := hd.RowBytes()
	// Feed rows in uneven batches to cross strip and band boundaries.
	for y, k := 0, 1; y < h; y, k = y+k, k%5+1 {
		n := min(k, h-y)
		if err := wr.WriteRows(pix[y*rb : (y+n)*rb]); err != nil {
			t.Fatalf("WriteRows at row %d: %v", y, err)
		}
	}
	if err := wr.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return f.b
}

// decodeAll reads every row of the TIFF file b with ReadRows, batch rows at
// a time.
func decodeAll(t testing.TB, b []byte, o ReaderOptions, batch int) (raster.Header, []byte) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), int64(len(b)), o)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	h := r.Header()
	out, err := readRows(r, batch)
	if err != nil {
		t.Fatalf("ReadRows: %v", err)
	}
	if len(out) != int(h.Bytes()) {
		t.Fatalf("read %d bytes, want %d", len(out), h.Bytes())
	}
	return h, out
}

// readRows reads r to the end, batch rows at a time.
func readRows(r *Reader, batch int) ([]byte, error) {
	h := r.Header()
	rb := h.RowBytes()
	out := make([]byte, 0, h.Bytes())
	buf := make([]byte, batch*rb)
	for {
		n, err := r.ReadRows(buf)
		out = append(out, buf[:n*rb]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, errors.New("ReadRows returned 0 rows and no error")
		}
	}
}

// firstDiff describes where a and b first differ.
func firstDiff(a, b []byte, rowBytes int) string {
	if len(a) != len(b) {
		return fmt.Sprintf("length %d, want %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Sprintf("byte %d (row %d, offset %d in row): got %d, want %d", i, i/rowBytes, i%rowBytes, a[i], b[i])
		}
	}
	return ""
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

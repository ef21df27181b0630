package tiffio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	xlzw "golang.org/x/image/tiff/lzw"

	"github.com/sluice-go/sluice/raster"
)

// TestLZW encodes inputs that stress the code table (empty, one byte, long
// runs, noise that fills and clears the table many times) and decodes them
// with our reader and with golang.org/x/image/tiff/lzw.
func TestLZW(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 200_000)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	lowNoise := make([]byte, 300_000)
	for i := range lowNoise {
		lowNoise[i] = byte(rng.IntN(5)) + byte(i/1000)
	}
	inputs := map[string][]byte{
		"empty": {}, "one": {42}, "two": {1, 1}, "run": bytes.Repeat([]byte{7}, 100_000),
		"text": []byte(strings.Repeat("TOBEORNOTTOBEORTOBEORNOT#", 999)), "noise": noise, "low-noise": lowNoise,
	}
	var enc lzwWriter
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			code := enc.encode(nil, in)
			d := newLZWReader()
			d.src.setBytes(code)
			d.reset()
			got, err := io.ReadAll(d)
			if err != nil {
				t.Fatalf("our decoder: %v", err)
			}
			if !bytes.Equal(got, in) {
				t.Fatalf("our decoder: %s", firstDiff(got, in, 1<<30))
			}
			theirs, err := io.ReadAll(xlzw.NewReader(bytes.NewReader(code), xlzw.MSB, 8))
			if err != nil {
				t.Fatalf("x/image/tiff/lzw: %v", err)
			}
			if !bytes.Equal(theirs, in) {
				t.Fatalf("x/image/tiff/lzw: %s", firstDiff(theirs, in, 1<<30))
			}
			// Streamed input, a few bytes at a time, must decode the same.
			d.src.setReader(io.LimitReader(&slowReader{b: code}, int64(len(code))))
			d.reset()
			got, err = io.ReadAll(io.Reader(d))
			if err != nil || !bytes.Equal(got, in) {
				t.Fatalf("streamed: err %v, %s", err, firstDiff(got, in, 1<<30))
			}
		})
	}
}

// slowReader returns at most 3 bytes per Read.
type slowReader struct{ b []byte }

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(3, len(p))], s.b)
	s.b = s.b[n:]
	return n, nil
}

// TestPackBits checks the encoder against the decoder on awkward inputs.
func TestPackBits(t *testing.T) {
	inputs := [][]byte{{}, {1}, {1, 1}, {1, 1, 1}, bytes.Repeat([]byte{9}, 300), {1, 2, 3, 3, 3, 4, 5, 5}, bytes.Repeat([]byte{1, 2}, 200)}
	for i, in := range inputs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var d packBitsReader
			d.src.setBytes(packBits(nil, in))
			got, err := io.ReadAll(&d)
			if err != nil || !bytes.Equal(got, in) {
				t.Fatalf("got %v (err %v), want %v", got, err, in)
			}
		})
	}
}

// TestStreamedStrips reads every testdata file and our own files with the
// row-by-row path used for strips too large to hold.
func TestStreamedStrips(t *testing.T) {
	old := streamStripBytes
	streamStripBytes = 0
	defer func() { streamStripBytes = old }()
	files, _ := filepath.Glob("testdata/*.tif")
	for _, f := range files {
		if strings.Contains(f, "tiles") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			b := readFile(t, f)
			streamStripBytes = 1 << 30
			_, want := decodeAll(t, b, ReaderOptions{}, 5)
			streamStripBytes = 0
			_, got := decodeAll(t, b, ReaderOptions{}, 5)
			if d := firstDiff(got, want, 1<<30); d != "" {
				t.Fatal(d)
			}
		})
	}
	// Our writer streams strips too; both ways must give the same file.
	for _, p := range allFormats {
		for _, comp := range []string{"none", "deflate", "lzw", "packbits"} {
			t.Run(fmt.Sprintf("%v/%s", p, comp), func(t *testing.T) {
				pix := testImage(33, 21, p)
				o := WriterOptions{Compression: comp, Predictor: comp == "lzw" || comp == "deflate", RowsPerStrip: 8}
				b := encode(t, 33, 21, p, pix, o)
				_, got := decodeAll(t, b, ReaderOptions{}, 3)
				if d := firstDiff(got, pix, 33*p.BytesPerPixel()); d != "" {
					t.Fatal(d)
				}
				streamStripBytes = 1 << 30
				whole := encode(t, 33, 21, p, pix, o)
				streamStripBytes = 0
				if !bytes.Equal(b, whole) {
					t.Errorf("streamed file of %d bytes differs from the one of %d bytes written by whole strips", len(b), len(whole))
				}
			})
		}
	}
}

// TestOldDeflateCode reads a file marked with the old deflate code 32946.
func TestOldDeflateCode(t *testing.T) {
	pix := testImage(20, 10, raster.RGB8)
	b := encode(t, 20, 10, raster.RGB8, pix, WriterOptions{Compression: "deflate"})
	patched := bytes.Replace(b, []byte{0x03, 0x01, 3, 0, 1, 0, 0, 0, 8, 0}, []byte{0x03, 0x01, 3, 0, 1, 0, 0, 0, 0xb2, 0x80}, 1)
	if bytes.Equal(patched, b) {
		t.Fatal("compression entry not found to patch")
	}
	hdr, got := decodeAll(t, patched, ReaderOptions{}, 4)
	if hdr.Compression != "deflate" {
		t.Errorf("compression %q, want deflate", hdr.Compression)
	}
	if d := firstDiff(got, pix, 60); d != "" {
		t.Fatal(d)
	}
}

// TestBigTIFFChoice checks that BigTIFF is forced by the option and chosen
// for images that could pass 4 GiB, and not otherwise.
func TestBigTIFFChoice(t *testing.T) {
	tests := []struct {
		w, h int
		o    WriterOptions
		want bool
	}{
		{100, 100, WriterOptions{}, false},
		{100, 100, WriterOptions{BigTIFF: true}, true},
		{40000, 40000, WriterOptions{}, true},                        // 4.8 GB of RGB8
		{30000, 30000, WriterOptions{}, false},                       // 2.7 GB
		{32000, 32000, WriterOptions{Compression: "lzw"}, true},      // 3.1 GB; LZW may grow it by half
		{32000, 32000, WriterOptions{Compression: "deflate"}, false}, // deflate grows it by little
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d/%+v", tt.w, tt.h, tt.o), func(t *testing.T) {
			var out memFile
			w, err := NewWriter(&out, raster.Header{Width: tt.w, Height: tt.h, Pixel: raster.RGB8}, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err == nil || !strings.Contains(err.Error(), "Close after 0 of") {
				t.Errorf("Close with no rows: got %v, want an error", err)
			}
			if got := binary.LittleEndian.Uint16(out.b[2:]) == 43; got != tt.want {
				t.Errorf("BigTIFF %v, want %v", got, tt.want)
			}
		})
	}
}

// failWriter fails after n bytes.
type failWriter struct {
	memFile
	n int
}

func (f *failWriter) Write(p []byte) (int, error) {
	if f.pos+int64(len(p)) > int64(f.n) {
		return 0, errors.New("disk full")
	}
	return f.memFile.Write(p)
}

// TestWriterMisuse checks the errors a Writer returns for bad options, bad
// calls and a failing destination.
func TestWriterMisuse(t *testing.T) {
	h := raster.Header{Width: 10, Height: 4, Pixel: raster.RGB8}
	for _, tt := range []struct {
		name string
		h    raster.Header
		o    WriterOptions
		msg  string
	}{
		{"compression", h, WriterOptions{Compression: "jpeg"}, "unknown compression"},
		{"predictor without compression", h, WriterOptions{Predictor: true}, "predictor"},
		{"level", h, WriterOptions{Compression: "deflate", Level: 11}, "level"},
		{"tile size", h, WriterOptions{Tiled: true, TileSize: 20}, "tile size"},
		{"pixel", raster.Header{Width: 10, Height: 4}, WriterOptions{}, "pixel format"},
		{"size", raster.Header{Width: 0, Height: 4, Pixel: raster.Gray8}, WriterOptions{}, "0×4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(&memFile{}, tt.h, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "tiff: ") {
				t.Fatalf("got %v, want an error with %q", err, tt.msg)
			}
		})
	}
	t.Run("rows", func(t *testing.T) {
		w, err := NewWriter(&memFile{}, h, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteRows(make([]byte, 31)); err == nil {
			t.Error("partial row: got no error")
		}
		if err := w.WriteRows(make([]byte, 5*30)); err == nil {
			t.Error("too many rows: got no error")
		}
		if err := w.WriteRows(make([]byte, 4*30)); err != nil {
			t.Errorf("4 rows: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := w.WriteRows(make([]byte, 30)); err == nil {
			t.Error("WriteRows after Close: got no error")
		}
	})
	t.Run("failing destination", func(t *testing.T) {
		fw := &failWriter{n: 5000}
		w, err := NewWriter(fw, raster.Header{Width: 100, Height: 100, Pixel: raster.RGB8}, WriterOptions{RowsPerStrip: 4})
		if err != nil {
			t.Fatal(err)
		}
		pix := testImage(100, 100, raster.RGB8)
		for y := 0; y < 100 && err == nil; y += 10 {
			err = w.WriteRows(pix[y*300 : (y+10)*300])
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("got %v, want the destination's error", err)
		}
	})
}

// TestReaderMisuse checks ReadTile and ReadRows errors.
func TestReaderMisuse(t *testing.T) {
	strips := encode(t, 10, 4, raster.Gray8, make([]byte, 40), WriterOptions{})
	r, err := NewReader(bytes.NewReader(strips), int64(len(strips)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ReadTile(0, 0, make([]byte, 1000)); err == nil {
		t.Error("ReadTile on strips: got no error")
	}
	if _, err := r.ReadRows(make([]byte, 9)); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("ReadRows with a short buffer: got %v, want io.ErrShortBuffer", err)
	}
	r.Close()
	if _, err := r.ReadRows(make([]byte, 10)); err == nil {
		t.Error("ReadRows after Close: got no error")
	}
	tiles := encode(t, 40, 20, raster.Gray8, make([]byte, 800), WriterOptions{Tiled: true, TileSize: 16})
	r, err = NewReader(bytes.NewReader(tiles), int64(len(tiles)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.ReadTile(3, 0, make([]byte, 256)); err == nil {
		t.Error("ReadTile outside: got no error")
	}
	if err := r.ReadTile(0, 0, make([]byte, 255)); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("ReadTile with a short buffer: got %v, want io.ErrShortBuffer", err)
	}
	// Stop reading half way: Close must stop the read-ahead (goleak checks).
	if _, err := r.ReadRows(make([]byte, 40)); err != nil {
		t.Fatal(err)
	}
}

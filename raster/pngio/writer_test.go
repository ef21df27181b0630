package pngio

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

// TestRoundTrip writes every pixel format at several levels and worker
// counts, and reads the file back with our Reader and with image/png.
func TestRoundTrip(t *testing.T) {
	sizes := []struct{ w, h int }{{1, 1}, {7, 3}, {61, 45}, {600, 500}}
	for _, f := range allFormats {
		for _, sz := range sizes {
			levels, workerCounts := []int{-1, 1, 6, 9}, []int{1, 2, 3}
			if sz.w*sz.h > 10_000 {
				// Several groups of rows: enough to check the joins.
				levels, workerCounts = []int{-1, 1}, []int{1, 2}
				if raceEnabled {
					levels, workerCounts = []int{1}, []int{2}
				}
			}
			for _, level := range levels {
				for _, workers := range workerCounts {
					name := fmt.Sprintf("%v/%dx%d/level%d/workers%d", f, sz.w, sz.h, level, workers)
					t.Run(name, func(t *testing.T) {
						h := raster.Header{Width: sz.w, Height: sz.h, Pixel: f}
						pix := photo(sz.w, sz.h, f, uint64(sz.w))
						data, err := encodeWith(h, pix, WriterOptions{Level: level}, workers, 5)
						if err != nil {
							t.Fatal(err)
						}
						gotH, got, err := decodeAll(data, ReaderOptions{})
						if err != nil {
							t.Fatal(err)
						}
						if gotH.Pixel != f || gotH.Width != sz.w || gotH.Height != sz.h {
							t.Fatalf("got %v %d×%d, want %v %d×%d", gotH.Pixel, gotH.Width, gotH.Height, f, sz.w, sz.h)
						}
						if !bytes.Equal(got, pix) {
							t.Fatalf("pixels differ after the round trip (first at byte %d)", firstDiff(got, pix))
						}
						if workers != 1 {
							return // the bytes are those of WriteRows (TestSameBytesAnyWorkers)
						}
						img, err := png.Decode(bytes.NewReader(data))
						if err != nil {
							t.Fatalf("image/png: got error %v, want none", err)
						}
						for i := range sz.w * sz.h {
							want := pixelNRGBA64(pix, f, i)
							gotPx, err := imageNRGBA64(img, i%sz.w, i/sz.w)
							if err != nil {
								t.Fatal(err)
							}
							if gotPx != want {
								t.Fatalf("image/png pixel %d: got %04x, want %04x", i, gotPx, want)
							}
						}
					})
				}
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestSameBytesAnyWorkers checks that the output depends on the level only,
// not on how rows are handed over nor on how many goroutines encode the
// groups (raster.BandWriter), in which order.
func TestSameBytesAnyWorkers(t *testing.T) {
	h := raster.Header{Width: 400, Height: 500, Pixel: raster.RGB8}
	pix := photo(h.Width, h.Height, h.Pixel, 1)
	levels, rowCounts := []int{-1, 0, 1, 9}, []int{1, 13, h.Height}
	if raceEnabled {
		levels, rowCounts = []int{1}, []int{13}
	}
	for _, level := range levels {
		t.Run(fmt.Sprintf("level%d", level), func(t *testing.T) {
			want, err := encodeAll(h, pix, WriterOptions{Level: level}, h.Height)
			if err != nil {
				t.Fatal(err)
			}
			for _, workers := range []int{1, 2, 3} {
				for _, rows := range rowCounts {
					got, err := encodeWith(h, pix, WriterOptions{Level: level}, workers, rows)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("workers %d, %d rows a call: got %d bytes differing at %d, want the %d bytes of WriteRows",
							workers, rows, len(got), firstDiff(got, want), len(want))
					}
				}
			}
		})
	}
}

// encodeWith encodes pix through WriteRows, rows at a time, when workers
// is 1, and otherwise group by group (raster.BandWriter) on workers
// goroutines, out of order.
func encodeWith(h raster.Header, pix []byte, o WriterOptions, workers, rows int) ([]byte, error) {
	if workers == 1 {
		return encodeAll(h, pix, o, rows)
	}
	var out bytes.Buffer
	w, err := NewWriter(&out, h, o)
	if err != nil {
		return nil, err
	}
	if err := bandtest.Encode(w, h, pix, workers); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// TestLevelsCompress checks that the levels do what they say on an image
// that compresses well: stored is the largest, 9 no larger than 1.
func TestLevelsCompress(t *testing.T) {
	h := raster.Header{Width: 400, Height: 400, Pixel: raster.RGB8}
	pix := photo(h.Width, h.Height, h.Pixel, 2)
	size := map[int]int{}
	for _, level := range []int{-1, 1, 6, 9} {
		data, err := encodeWith(h, pix, WriterOptions{Level: level}, 2, 64)
		if err != nil {
			t.Fatal(err)
		}
		size[level] = len(data)
	}
	if raw := len(pix); size[-1] < raw {
		t.Errorf("stored: got %d bytes, want at least the %d raw bytes", size[-1], raw)
	}
	if size[1] >= size[-1] {
		t.Errorf("level 1: got %d bytes, want fewer than stored %d", size[1], size[-1])
	}
	if size[9] > size[1] {
		t.Errorf("level 9: got %d bytes, want no more than level 1's %d", size[9], size[1])
	}
}

// TestWriterMisuse checks the errors for bad options and a wrong number of
// rows.
func TestWriterMisuse(t *testing.T) {
	h := raster.Header{Width: 4, Height: 3, Pixel: raster.Gray8}
	row := make([]byte, 4)
	tests := []struct {
		name string
		h    raster.Header
		o    WriterOptions
		do   func(w *Writer) error
		want string
	}{
		{"bad format", raster.Header{Width: 4, Height: 3, Pixel: raster.PixelFormat{Channels: 3, Depth: 4}}, WriterOptions{}, nil, "cannot write pixel format"},
		{"zero width", raster.Header{Width: 0, Height: 3, Pixel: raster.Gray8}, WriterOptions{}, nil, "cannot write an image of 0×3"},
		{"bad level", h, WriterOptions{Level: 10}, nil, "compression level 10"},
		{"missing rows", h, WriterOptions{}, func(w *Writer) error {
			if err := w.WriteRows(row); err != nil {
				return err
			}
			return w.Close()
		}, "close after 1 of 3 rows"},
		{"too many rows", h, WriterOptions{}, func(w *Writer) error {
			err := w.WriteRows(make([]byte, 16))
			w.Close()
			return err
		}, "4 rows would pass the image height 3"},
		{"partial row", h, WriterOptions{}, func(w *Writer) error {
			err := w.WriteRows(make([]byte, 5))
			w.Close()
			return err
		}, "not a whole number of 4-byte rows"},
		{"write after close", h, WriterOptions{}, func(w *Writer) error {
			w.WriteRows(make([]byte, 12))
			if err := w.Close(); err != nil {
				return err
			}
			return w.WriteRows(row)
		}, "write after close"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w, err := NewWriter(&out, tt.h, tt.o)
			if err == nil {
				if tt.do == nil {
					w.Close()
					t.Fatalf("got no error, want one containing %q", tt.want)
				}
				err = tt.do(w)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "png: ") {
				t.Fatalf("got error %v, want one starting png: and containing %q", err, tt.want)
			}
		})
	}
}

// failWriter fails every write after the first n bytes.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWriterFailingOutput checks that an error from the underlying writer
// comes back wrapped, on the WriteRows path and on the band path.
func TestWriterFailingOutput(t *testing.T) {
	h := raster.Header{Width: 300, Height: 2000, Pixel: raster.RGB8}
	pix := photo(h.Width, h.Height, h.Pixel, 3)
	for _, workers := range []int{1, 2} {
		for _, n := range []int{0, 20, 100_000} {
			t.Run(fmt.Sprintf("workers%d/after%d", workers, n), func(t *testing.T) {
				w, err := NewWriter(&failWriter{n: n}, h, WriterOptions{Level: -1})
				switch {
				case err != nil:
				case workers > 1:
					err = bandtest.Encode(w, h, pix, workers)
				default:
					for y := 0; y < h.Height && err == nil; y += 100 {
						err = w.WriteRows(pix[y*h.RowBytes() : (y+100)*h.RowBytes()])
					}
					if cerr := w.Close(); err == nil {
						err = cerr
					}
				}
				if !errors.Is(err, errDiskFull) {
					t.Fatalf("got error %v, want one wrapping %v", err, errDiskFull)
				}
			})
		}
	}
}

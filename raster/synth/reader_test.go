package synth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// readAll reads r to the end through a buffer of rows rows and checks the
// RowReader contract on the way: whole rows only, fewer only at the end,
// then (0, io.EOF).
func readAll(t testing.TB, r *Reader, rows int) []byte {
	t.Helper()
	hdr := r.Header()
	rb := hdr.RowBytes()
	buf := make([]byte, rows*rb)
	var out []byte
	for {
		n, err := r.ReadRows(buf)
		if err == io.EOF {
			if n != 0 {
				t.Fatalf("ReadRows at EOF: got %d rows, want 0", n)
			}
			break
		}
		if err != nil {
			t.Fatalf("ReadRows: %v", err)
		}
		left := hdr.Height - len(out)/rb
		if want := min(rows, left); n != want {
			t.Fatalf("ReadRows with %d rows left and room for %d: got %d rows, want %d", left, rows, n, want)
		}
		out = append(out, buf[:n*rb]...)
	}
	if got, want := int64(len(out)), hdr.Bytes(); got != want {
		t.Fatalf("read %d bytes, want %d", got, want)
	}
	return out
}

// render draws the image row by row on this goroutine, without the
// pipeline: the reference the Reader must match.
func render(w, h int, pf raster.PixelFormat, seed int64) []byte {
	rd := newRenderer(newScene(w, h, pf, seed))
	rb := w * pf.BytesPerPixel()
	out := make([]byte, h*rb)
	for y := range h {
		rd.row(y, out[y*rb:(y+1)*rb])
	}
	return out
}

func TestSameBytes(t *testing.T) {
	// 1500 RGB8 pixels make rows of 4500 bytes, so bands of 58 rows: the
	// image spans six bands, the last one short.
	for _, size := range []struct{ w, h int }{{1500, 300}, {37, 5}, {1, 1}, {2, 700}, {5000, 2}} {
		want := render(size.w, size.h, raster.RGB8, 7)
		for _, workers := range []int{1, 2, 8} {
			for _, rows := range []int{1, 7, size.h} {
				name := fmt.Sprintf("%dx%d/workers=%d/rows=%d", size.w, size.h, workers, rows)
				t.Run(name, func(t *testing.T) {
					r := New(size.w, size.h, raster.RGB8, Options{Seed: 7})
					defer r.Close()
					got := readAll(t, r, rows)
					if workers > 1 {
						// Band by band on several goroutines, out of
						// order, as the engine schedules them.
						var err error
						if got, err = bandtest.Decode(r, workers); err != nil {
							t.Fatal(err)
						}
					}
					if i := firstDiff(got, want); i >= 0 {
						t.Fatalf("byte %d (row %d): got %d, want %d", i, i/(size.w*3), got[i], want[i])
					}
				})
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
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func TestSeedsDiffer(t *testing.T) {
	const w, h = 256, 256
	base := render(w, h, raster.RGB8, 1)
	for _, seed := range []int64{0, 2, -1, 1 << 40} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			other := render(w, h, raster.RGB8, seed)
			diff := 0
			for i := range base {
				if d := int(base[i]) - int(other[i]); d > 8 || d < -8 {
					diff++
				}
			}
			if frac := float64(diff) / float64(len(base)); frac < 0.3 {
				t.Errorf("seed %d against seed 1: %.2f of samples differ by more than 8, want at least 0.3", seed, frac)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	r := New(300, 200, raster.GrayAlpha16, Options{Seed: -5})
	defer r.Close()
	h := r.Header()
	want := raster.Header{Format: "synth", Width: 300, Height: 200, Pixel: raster.GrayAlpha16, Compression: "none"}
	got := h
	got.Details = nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Header: got %+v, want %+v", got, want)
	}
	if len(h.Details) != 1 || h.Details[0] != "seed -5" {
		t.Errorf("Header.Details: got %q, want [\"seed -5\"]", h.Details)
	}
}

func TestReadErrors(t *testing.T) {
	r := New(10, 3, raster.RGB8, Options{})
	if n, err := r.ReadRows(make([]byte, 29)); n != 0 || !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("ReadRows into 29 bytes (row is 30): got (%d, %v), want (0, io.ErrShortBuffer)", n, err)
	}
	buf := make([]byte, 100) // three rows and 10 bytes to spare
	if n, err := r.ReadRows(buf); n != 3 || err != nil {
		t.Errorf("ReadRows into 100 bytes: got (%d, %v), want (3, nil)", n, err)
	}
	for i := range 2 {
		if n, err := r.ReadRows(buf); n != 0 || err != io.EOF {
			t.Errorf("ReadRows after the end, call %d: got (%d, %v), want (0, io.EOF)", i+1, n, err)
		}
	}
	for i := range 2 {
		if err := r.Close(); err != nil {
			t.Errorf("Close, call %d: got %v, want nil", i+1, err)
		}
	}
	if n, err := r.ReadRows(buf); n != 0 || !errors.Is(err, os.ErrClosed) {
		t.Errorf("ReadRows after Close: got (%d, %v), want (0, os.ErrClosed)", n, err)
	}
}

func TestNewPanics(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		pf   raster.PixelFormat
		o    Options
		want string
	}{
		{"zero width", 0, 10, raster.RGB8, Options{}, "synth: invalid size 0×10"},
		{"negative height", 10, -1, raster.RGB8, Options{}, "synth: invalid size 10×-1"},
		{"bad format", 10, 10, raster.PixelFormat{Channels: 3, Depth: 12}, Options{}, "synth: invalid pixel format"},
		{"zero format", 10, 10, raster.PixelFormat{}, Options{}, "synth: invalid pixel format"},
		{"too wide", 2_000_000, 1, raster.Gray8, Options{}, "synth: image of 2000000×1 pixels is too large"},
		{"too many pixels", 1_000_000, 1_000_000, raster.Gray8, Options{}, "synth: image of 1000000×1000000 pixels is too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, tt.want) {
					t.Errorf("panic: got %q, want it to start with %q", msg, tt.want)
				}
			}()
			New(tt.w, tt.h, tt.pf, tt.o)
		})
	}
}

// TestBands checks the bands a Reader offers: about 256 KiB of rows each,
// and errors for a band outside the image or a buffer too short.
func TestBands(t *testing.T) {
	r := New(1500, 300, raster.RGB8, Options{})
	if got := r.BandRows(); got != 58 {
		t.Errorf("BandRows of 4500-byte rows: got %d, want 58", got)
	}
	rb := r.Header().RowBytes()
	if err := r.ReadBand(5, make([]byte, 10*rb)); err != nil {
		t.Errorf("last band (10 rows): got %v, want no error", err)
	}
	if err := r.ReadBand(6, make([]byte, 58*rb)); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("band 6 of 6: got %v, want an error saying it is outside", err)
	}
	if err := r.ReadBand(0, make([]byte, 57*rb)); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("short buffer: got %v, want io.ErrShortBuffer", err)
	}
}

func TestRenderMatchesAcrossFormats(t *testing.T) {
	// The 8-bit image is the 16-bit one rounded, sample by sample:
	// s8 = round(s16/257).
	const w, h = 200, 150
	for _, ch := range []int{1, 2, 3, 4} {
		p8, p16 := raster.PixelFormat{Channels: ch, Depth: 8}, raster.PixelFormat{Channels: ch, Depth: 16}
		t.Run(p8.String(), func(t *testing.T) {
			a, b := render(w, h, p8, 3), render(w, h, p16, 3)
			for i := range a {
				v := int(b[2*i])<<8 | int(b[2*i+1])
				if want := byte((v*255 + 32895) >> 16); a[i] != want {
					t.Fatalf("sample %d: got %d, want %d (16-bit %d)", i, a[i], want, v)
				}
			}
		})
	}
	if !bytes.Equal(render(w, h, raster.RGB8, 3), render(w, h, raster.RGB8, 3)) {
		t.Error("two renders of the same image differ")
	}
}

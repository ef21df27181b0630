package codec

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return names
}

// TestFailedWriteLeavesNothing runs a write that fails at each step for
// every format and checks that the directory holds exactly what it held
// before: no target, no temporary file, an old target unchanged.
func TestFailedWriteLeavesNothing(t *testing.T) {
	h := raster.Header{Width: 20, Height: 10, Pixel: raster.RGBA8}
	row := make([]byte, h.RowBytes())
	failures := []struct {
		name string
		run  func(w *Writer) error // returns the error that should leave nothing
	}{
		{"close before the last row", func(w *Writer) error {
			if err := w.WriteRows(row); err != nil {
				return nil
			}
			return w.Close()
		}},
		{"partial row then close", func(w *Writer) error {
			if err := w.WriteRows(row[:7]); err == nil {
				return nil
			}
			return w.Close()
		}},
		{"too many rows then close", func(w *Writer) error {
			if err := w.WriteRows(make([]byte, 11*len(row))); err == nil {
				return nil
			}
			return w.Close()
		}},
		{"abort after every row", func(w *Writer) error {
			for range h.Height {
				if err := w.WriteRows(row); err != nil {
					return nil
				}
			}
			if err := w.Abort(); err != nil {
				return nil
			}
			if err := w.Close(); err != nil {
				return err // Close after Abort reports the abort
			}
			return nil
		}},
	}
	for _, format := range Formats() {
		for _, old := range []bool{false, true} {
			for _, fail := range failures {
				name := format + "/" + fail.name
				if old {
					name += "/over an old file"
				}
				t.Run(name, func(t *testing.T) {
					dir := t.TempDir()
					path := filepath.Join(dir, "out.img")
					if old {
						if err := os.WriteFile(path, []byte("old contents"), 0o640); err != nil {
							t.Fatal(err)
						}
					}
					before := entries(t, dir)
					w, err := Create(path, h, WriteOptions{Format: format})
					if err != nil {
						t.Fatalf("Create: %v", err)
					}
					if _, err := os.Stat(path); old == errors.Is(err, os.ErrNotExist) {
						t.Errorf("during the write: Stat(target) = %v, want the target as before", err)
					}
					err = fail.run(w)
					if err == nil {
						t.Fatal("got no error, want the write to fail")
					}
					if !strings.HasPrefix(err.Error(), path+": ") {
						t.Errorf("got %q, want it to start with the path", err)
					}
					if err := w.Abort(); err != nil {
						t.Errorf("Abort after the failure: got %v, want nil", err)
					}
					if got := entries(t, dir); !slices.Equal(got, before) {
						t.Errorf("got directory %q, want %q", got, before)
					}
					if old {
						if b, _ := os.ReadFile(path); string(b) != "old contents" {
							t.Errorf("got old file %q, want it untouched", b)
						}
					}
				})
			}
		}
	}
}

func TestCloseReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.png")
	if err := os.WriteFile(path, []byte("old contents"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	h := raster.Header{Width: 8, Height: 8, Pixel: raster.Gray16}
	pix := pattern(8, 8, h.Pixel)
	w, err := Create(path, h, WriteOptions{Level: 9})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRows(pix); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old contents" {
		t.Errorf("before Close: got %q at the target, want the old file", b)
	}
	if n := len(entries(t, dir)); n != 2 {
		t.Errorf("before Close: got %d entries, want the target and one temporary file", n)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Close: got %v, want nil", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: got %v, want the first result, nil", err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"out.png"}) {
		t.Errorf("got directory %q, want only out.png", got)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("got mode %v, want the old file's 0640", fi.Mode().Perm())
	}
	_, out := readFile(t, path)
	if !slices.Equal(out, pix) {
		t.Error("got pixels differing from those written")
	}
	if err := w.WriteRows(pix[:h.RowBytes()]); err == nil {
		t.Error("WriteRows after Close: got nil, want an error")
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	good := raster.Header{Width: 4, Height: 4, Pixel: raster.RGB8}
	tests := []struct {
		name string
		path string
		h    raster.Header
		o    WriteOptions
		is   error
	}{
		{"unknown extension", filepath.Join(dir, "a.gif"), good, WriteOptions{}, ErrUnknownFormat},
		{"unknown format", filepath.Join(dir, "a.png"), good, WriteOptions{Format: "webp"}, ErrUnknownFormat},
		{"missing directory", filepath.Join(dir, "no", "a.png"), good, WriteOptions{}, os.ErrNotExist},
		{"zero width", filepath.Join(dir, "a.png"), raster.Header{Height: 4, Pixel: raster.RGB8}, WriteOptions{}, nil},
		{"bad pixel format", filepath.Join(dir, "a.ppm"), raster.Header{Width: 1, Height: 1}, WriteOptions{}, nil},
		{"bad jpeg quality", filepath.Join(dir, "a.jpg"), good, WriteOptions{Quality: 101}, nil},
		{"bad tiff compression", filepath.Join(dir, "a.tif"), good, WriteOptions{Compression: "zstd"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Create(tt.path, tt.h, tt.o)
			if err == nil {
				w.Abort()
				t.Fatal("got no error, want one")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want it to wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("got %q, want it to name %s", err, tt.path)
			}
			if got := entries(t, dir); len(got) != 0 {
				t.Errorf("got directory %q, want it empty", got)
			}
		})
	}
}

func TestWriterHeader(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file   string
		in     raster.PixelFormat
		format string
		pixel  raster.PixelFormat
	}{
		{"a.jpg", raster.RGBA16, "jpeg", raster.RGB8},
		{"a.pam", raster.RGBA16, "pnm", raster.RGBA16},
		{"a.png", raster.GrayAlpha8, "png", raster.GrayAlpha8},
		{"a.tif", raster.RGB16, "tiff", raster.RGB16},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w, err := Create(filepath.Join(dir, tt.file), raster.Header{Width: 2, Height: 2, Pixel: tt.in}, WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			if h := w.Header(); h.Format != tt.format || h.Pixel != tt.pixel {
				t.Errorf("got %s %v, want %s %v", h.Format, h.Pixel, tt.format, tt.pixel)
			}
		})
	}
}

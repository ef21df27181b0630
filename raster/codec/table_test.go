package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestTable checks each entry of the table of formats: a file written by
// every extension is recognised by its magic bytes as that format and by
// no other, and reads back.
func TestTable(t *testing.T) {
	dir := t.TempDir()
	h := raster.Header{Width: 9, Height: 7, Pixel: raster.RGB8}
	pix := pattern(h.Width, h.Height, h.Pixel)
	for _, f := range formats {
		for _, ext := range f.exts {
			t.Run(ext, func(t *testing.T) {
				h, pix := h, pix
				if ext == "pgm" {
					h.Pixel = raster.Gray8
					pix = pattern(h.Width, h.Height, h.Pixel)
				}
				path := filepath.Join(dir, "a."+ext)
				writeFile(t, path, h, pix, WriteOptions{})
				head, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var matched []string
				for _, g := range formats {
					if g.magic(head[:sniffLen]) {
						matched = append(matched, g.name)
					}
				}
				if len(matched) != 1 || matched[0] != f.name {
					t.Fatalf("magic bytes % x matched %v, want only %s", head[:sniffLen], matched, f.name)
				}
				r, err := Open(path, ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if got := r.Header(); got.Format != f.name || got.Width != h.Width || got.Height != h.Height {
					t.Errorf("got %s %d×%d, want %s %d×%d", got.Format, got.Width, got.Height, f.name, h.Width, h.Height)
				}
			})
		}
	}
	if got, want := strings.Join(Extensions(), " "), ".jpeg .jpg .pam .pgm .png .pnm .ppm .tif .tiff"; got != want {
		t.Errorf("Extensions: got %q, want %q", got, want)
	}
}

// TestPNMKinds checks that the PNM variant follows the extension: .pam is
// P7 whatever the pixels, .pgm takes gray only and .ppm RGB only.
func TestPNMKinds(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		pixel raster.PixelFormat
		magic string // "" when refused
	}{
		{"rgb.pam", raster.RGB8, "P7"},
		{"gray.pam", raster.Gray16, "P7"},
		{"rgb.pgm", raster.RGB8, ""},
		{"gray.pgm", raster.Gray8, "P5"},
		{"rgba.ppm", raster.RGBA8, ""},
		{"rgba.pnm", raster.RGBA8, "P7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			h := raster.Header{Width: 4, Height: 3, Pixel: tt.pixel}
			if tt.magic == "" {
				w, err := Create(path, h, WriteOptions{})
				if err == nil {
					w.Abort()
					t.Fatalf("got no error, want %v refused for %s", tt.pixel, tt.name)
				}
				if !strings.HasPrefix(err.Error(), path+": pnm: a .") {
					t.Errorf("got %q, want the path and the variant named", err)
				}
				if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("got a file at %s after the refusal", path)
				}
				return
			}
			writeFile(t, path, h, pattern(4, 3, tt.pixel), WriteOptions{})
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(data[:2]); got != tt.magic {
				t.Errorf("got magic %s, want %s", got, tt.magic)
			}
		})
	}
}

// TestOpenPipe reads PNM and PNG through a named pipe and through "-"
// (standard input), and checks that TIFF from a pipe is refused with a
// message that says it needs a file.
func TestOpenPipe(t *testing.T) {
	dir := t.TempDir()
	h := raster.Header{Width: 30, Height: 20, Pixel: raster.RGB8}
	pix := pattern(h.Width, h.Height, h.Pixel)
	for _, ext := range []string{"ppm", "png", "tif"} {
		src := filepath.Join(dir, "src."+ext)
		writeFile(t, src, h, pix, WriteOptions{})
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, via := range []string{"fifo", "stdin"} {
			t.Run(ext+"/"+via, func(t *testing.T) {
				path, feed := pipeInput(t, dir, via)
				go func() {
					feed.Write(data) // fails once the reader gives up: fine
					feed.Close()
				}()
				r, err := Open(path, ReadOptions{})
				if ext == "tif" {
					if err == nil || !strings.Contains(err.Error(), "can seek") {
						t.Fatalf("got %v, want an error saying TIFF needs a file", err)
					}
					drain(path, via)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				got := make([]byte, len(pix))
				n, err := r.ReadRows(got)
				if err != nil || n != h.Height {
					t.Fatalf("got %d rows, error %v, want %d rows", n, err, h.Height)
				}
				if !bytes.Equal(got, pix) {
					t.Errorf("got pixels differing from those written")
				}
				if _, err := r.ReadRows(got); err != io.EOF {
					t.Errorf("after the last row: got %v, want io.EOF", err)
				}
			})
		}
	}
}

// pipeInput returns the path to Open and the end to write the file into:
// a named pipe, or "-" with os.Stdin replaced by a pipe until the test
// ends.
func pipeInput(t *testing.T, dir, via string) (string, io.WriteCloser) {
	t.Helper()
	if via == "fifo" {
		path := filepath.Join(dir, fmt.Sprintf("fifo-%d", len(t.Name())))
		os.Remove(path)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		// Opening a FIFO for writing blocks until a reader opens it.
		w := &lazyFIFO{path: path}
		return path, w
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = pr
	t.Cleanup(func() { os.Stdin = old; pr.Close() })
	return "-", pw
}

// lazyFIFO opens a named pipe for writing on its first Write.
type lazyFIFO struct {
	path string
	f    *os.File
}

func (l *lazyFIFO) Write(p []byte) (int, error) {
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_WRONLY, 0)
		if err != nil {
			return 0, err
		}
		l.f = f
	}
	return l.f.Write(p)
}

func (l *lazyFIFO) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

// drain reads what is left in the pipe after a refusal, so that the
// writing goroutine ends.
func drain(path, via string) {
	if via == "stdin" {
		io.Copy(io.Discard, os.Stdin)
		return
	}
	// Open closed the FIFO after refusing it: open it again to unblock a
	// writer that has not written yet, and read the rest.
	if f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		io.Copy(io.Discard, f)
		f.Close()
	}
}

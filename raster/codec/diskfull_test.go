//go:build linux

package codec

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestDiskFull writes each format with the file size limited (RLIMIT_FSIZE),
// so the disk refuses writes as a full disk would. It runs in a child
// process, since the limit applies to the whole process. The error must name
// the target path and leave the directory as it was.
func TestDiskFull(t *testing.T) {
	if dir := os.Getenv("CODEC_DISKFULL_DIR"); dir != "" {
		diskFullChild(t, dir)
		return
	}
	cases := Formats()
	// Rows placed by several writers at once, as the engine does for
	// uncompressed TIFF and PNM.
	cases = append(cases, "pnm/at", "tiff/at")
	for _, format := range cases {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "out.img"), []byte("old contents"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFull$", "-test.v")
			cmd.Env = append(os.Environ(), "CODEC_DISKFULL_DIR="+dir, "CODEC_DISKFULL_FORMAT="+format)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "file too large") {
				t.Errorf("child output lacks the disk error:\n%s", out)
			}
			if got := entries(t, dir); !slices.Equal(got, []string{"out.img"}) {
				t.Errorf("got directory %q, want only the old out.img", got)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "out.img")); string(b) != "old contents" {
				t.Errorf("got old file %q, want it untouched", b)
			}
		})
	}
}

func diskFullChild(t *testing.T, dir string) {
	signal.Ignore(syscall.SIGXFSZ) // make the write fail with EFBIG instead
	lim := syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
	path := filepath.Join(dir, "out.img")
	h := raster.Header{Width: 512, Height: 512, Pixel: raster.RGB8}
	format, placed := strings.CutSuffix(os.Getenv("CODEC_DISKFULL_FORMAT"), "/at")
	o := WriteOptions{Format: format, Quality: 100}
	if o.Format == "png" {
		o.Level = -1 // stored, so the file grows as fast as the rows come
	}
	w, err := Create(path, h, o)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Abort()
	// Noise, so that no codec compresses it under the limit.
	pix := make([]byte, h.RowBytes()*h.Height)
	x := uint32(1)
	for i := range pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		pix[i] = byte(x)
	}
	if placed {
		at := w.RowsAt()
		if at == nil {
			t.Fatal("RowsAt: nil")
		}
		err = at.WriteRowsAt(0, pix)
	} else {
		err = w.WriteRows(pix)
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		t.Fatal("got no error writing past the file size limit, want one")
	}
	if !errors.Is(err, syscall.EFBIG) {
		t.Errorf("got %v, want it to wrap EFBIG", err)
	}
	if !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("got %q, want it to start with the path", err)
	}
	t.Logf("error: %v", err)
	if err := w.Close(); err == nil {
		t.Error("Close after the failure: got nil, want the error")
	}
}

package codec

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// BenchmarkCopyPPM copies a 4096 × 4096 RGB8 PPM file to another through
// Open and Create (256-row batches), beside `vips copy` doing the same in
// the same run. MB/s counts the pixel bytes of one copy; the vips figure
// includes starting the process.
func BenchmarkCopyPPM(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "in.ppm")
	h := raster.Header{Width: 4096, Height: 4096, Pixel: raster.RGB8}
	pix := pattern(h.Width, 256, h.Pixel)
	w, err := Create(src, h, WriteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for range h.Height / 256 {
		if err := w.WriteRows(pix); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(dir, "out.ppm")
	b.Run("codec", func(b *testing.B) {
		b.SetBytes(h.Bytes())
		buf := make([]byte, 256*h.RowBytes())
		for b.Loop() {
			if err := copyFile(src, dst, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vips", func(b *testing.B) {
		vips, err := exec.LookPath("vips")
		if err != nil {
			b.Skip("vips not installed")
		}
		b.SetBytes(h.Bytes())
		for b.Loop() {
			if out, err := exec.Command(vips, "copy", src, dst).CombinedOutput(); err != nil {
				b.Fatalf("vips copy: %v\n%s", err, out)
			}
		}
	})
	os.Remove(dst)
}

func copyFile(src, dst string, buf []byte) error {
	r, err := Open(src, ReadOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := Create(dst, r.Header(), WriteOptions{})
	if err != nil {
		return err
	}
	defer w.Abort()
	for {
		n, err := r.ReadRows(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := w.WriteRows(buf[:n*r.Header().RowBytes()]); err != nil {
			return err
		}
	}
	return w.Close()
}

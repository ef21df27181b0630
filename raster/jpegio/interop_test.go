package jpegio

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
)

func needTool(t *testing.T, name string) string {
	t.Helper()
	return testtool.Require(t, name)
}

// pngRows decodes a PNG written by a tool into Gray8 or RGB8 rows.
func pngRows(t *testing.T, path string, f raster.PixelFormat) []byte {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	m, err := png.Decode(file)
	if err != nil {
		t.Fatalf("decoding %s: %v", filepath.Base(path), err)
	}
	var out []byte
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			if f == raster.Gray8 {
				out = append(out, byte(r>>8))
			} else {
				out = append(out, byte(r>>8), byte(g>>8), byte(bl>>8))
			}
		}
	}
	return out
}

// TestVipsReadsOurs has libvips decode our JPEGs to PNG and compares the
// pixels with ours. The decoders differ in IDCT and chroma upsampling, so
// a few levels of difference are allowed.
func TestVipsReadsOurs(t *testing.T) {
	for _, f := range []raster.PixelFormat{raster.Gray8, raster.RGB8, raster.RGBA16} {
		t.Run(f.String(), func(t *testing.T) {
			vips := needTool(t, "vips")
			dir := t.TempDir()
			h := raster.Header{Width: 61, Height: 47, Pixel: f}
			data := encode(t, h, smooth(h.Width, h.Height, f), WriterOptions{})
			in, out := filepath.Join(dir, "ours.jpg"), filepath.Join(dir, "out.png")
			if err := os.WriteFile(in, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command(vips, "copy", in, out).CombinedOutput(); err != nil {
				t.Fatalf("vips copy: %v\n%s", err, b)
			}
			got, ours := decodeAll(t, data, 8)
			theirs := pngRows(t, out, got.Pixel)
			if len(theirs) != len(ours) {
				t.Fatalf("got %d bytes from vips, want %d", len(theirs), len(ours))
			}
			if mean, most := diff(ours, theirs); mean > 1.5 || most > 8 {
				t.Errorf("got mean difference %.2f and largest %d, want at most 1.5 and 8", mean, most)
			}
		})
	}
}

// TestReadVipsOutput reads JPEGs written by libvips and compares them with
// libvips' own decoding.
func TestReadVipsOutput(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    image.Image
		args []string
	}{
		{"gray", image.NewGray(image.Rect(0, 0, 50, 30)), nil},
		{"rgb", image.NewRGBA(image.Rect(0, 0, 50, 30)), nil},
		{"rgb progressive", image.NewRGBA(image.Rect(0, 0, 50, 30)), []string{"--interlace"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vips := needTool(t, "vips")
			dir := t.TempDir()
			switch m := tc.m.(type) {
			case *image.Gray:
				for i := range m.Pix {
					m.Pix[i] = byte(i % 50 * 5)
				}
			case *image.RGBA:
				for i := range m.Pix {
					m.Pix[i] = byte(i%200 + i/200)
					if i%4 == 3 {
						m.Pix[i] = 255
					}
				}
			}
			src, jpg, back := filepath.Join(dir, "src.png"), filepath.Join(dir, "v.jpg"), filepath.Join(dir, "back.png")
			f, err := os.Create(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, tc.m); err != nil {
				t.Fatal(err)
			}
			f.Close()
			args := append([]string{"jpegsave", src, jpg, "--Q", "95"}, tc.args...)
			if b, err := exec.Command(vips, args...).CombinedOutput(); err != nil {
				t.Fatalf("vips jpegsave: %v\n%s", err, b)
			}
			if b, err := exec.Command(vips, "copy", jpg, back).CombinedOutput(); err != nil {
				t.Fatalf("vips copy: %v\n%s", err, b)
			}
			data, err := os.ReadFile(jpg)
			if err != nil {
				t.Fatal(err)
			}
			h, ours := decodeAll(t, data, 4)
			theirs := pngRows(t, back, h.Pixel)
			if len(theirs) != len(ours) {
				t.Fatalf("got %d bytes, want %d", len(ours), len(theirs))
			}
			if mean, most := diff(ours, theirs); mean > 1.5 || most > 24 {
				t.Errorf("got mean difference %.2f and largest %d, want at most 1.5 and 24", mean, most)
			}
		})
	}
}

package pnmio

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
)

// testImage returns a w×h picture in f as an image.Image (for image/png)
// and as raster rows. Alpha varies only when f has alpha.
func testImage(w, h int, f raster.PixelFormat) (image.Image, []byte) {
	r := image.Rect(0, 0, w, h)
	var rows []byte
	switch f {
	case raster.Gray8:
		m := image.NewGray(r)
		for i := range m.Pix {
			m.Pix[i] = byte(i * 5)
		}
		return m, m.Pix
	case raster.Gray16:
		m := image.NewGray16(r)
		for i := 0; i < len(m.Pix); i += 2 {
			m.Pix[i], m.Pix[i+1] = byte(i*3), byte(i*11)
		}
		return m, m.Pix
	case raster.RGB8, raster.RGBA8:
		m := image.NewNRGBA(r)
		for i := range m.Pix {
			m.Pix[i] = byte(i*7 + i/(4*w))
			if i%4 == 3 && f == raster.RGB8 {
				m.Pix[i] = 255
			}
		}
		if f == raster.RGBA8 {
			return m, m.Pix
		}
		for i := 0; i < len(m.Pix); i += 4 {
			rows = append(rows, m.Pix[i:i+3]...)
		}
		return m, rows
	case raster.RGB16:
		m := image.NewNRGBA64(r)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.NRGBA64{uint16(x * 997), uint16(y * 1231), uint16(x*y*59 + 7), 0xffff}
				m.SetNRGBA64(x, y, c)
				rows = append(rows, byte(c.R>>8), byte(c.R), byte(c.G>>8), byte(c.G), byte(c.B>>8), byte(c.B))
			}
		}
		return m, rows
	}
	panic("testImage: unsupported format " + f.String())
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	return testtool.Require(t, name)
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func writePNG(t *testing.T, path string, m image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadToolOutput reads netpbm files written by ImageMagick and libvips.
func TestReadToolOutput(t *testing.T) {
	tests := []struct {
		tool  string
		pixel raster.PixelFormat
		ext   string
		args  func(in, out string) []string
	}{
		{"convert", raster.Gray8, "pgm", func(in, out string) []string { return []string{in, out} }},
		{"convert", raster.Gray16, "pgm", func(in, out string) []string { return []string{in, "-depth", "16", out} }},
		{"convert", raster.RGB8, "ppm", func(in, out string) []string { return []string{in, out} }},
		{"convert", raster.RGB16, "ppm", func(in, out string) []string { return []string{in, "-depth", "16", out} }},
		{"convert", raster.RGBA8, "pam", func(in, out string) []string { return []string{in, out} }},
		{"vips", raster.Gray8, "pgm", func(in, out string) []string { return []string{"copy", in, out} }},
		{"vips", raster.RGB8, "ppm", func(in, out string) []string { return []string{"copy", in, out} }},
		{"vips", raster.RGB16, "ppm", func(in, out string) []string { return []string{"copy", in, out} }},
	}
	for _, tt := range tests {
		t.Run(tt.tool+"/"+tt.pixel.String(), func(t *testing.T) {
			tool := needTool(t, tt.tool)
			dir := t.TempDir()
			m, want := testImage(37, 23, tt.pixel)
			in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out."+tt.ext)
			writePNG(t, in, m)
			run(t, tool, tt.args(in, out)...)
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, raster.Limits{})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			if got := r.Header().Pixel; got != tt.pixel {
				t.Fatalf("got pixel format %v, want %v", got, tt.pixel)
			}
			got, err := decodeAll(r, 5)
			if err != nil {
				t.Fatalf("ReadRows: %v", err)
			}
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("got byte %d = %d, want %d", i, got[i], want[i])
			}
		})
	}
}

// TestToolsReadOurs has ImageMagick and libvips convert our files to PNG and
// compares the pixels.
func TestToolsReadOurs(t *testing.T) {
	tests := []struct {
		tool  string
		pixel raster.PixelFormat
		ext   string
	}{
		{"vips", raster.Gray8, "pgm"},
		{"vips", raster.Gray16, "pgm"},
		{"vips", raster.RGB8, "ppm"},
		{"vips", raster.RGB16, "ppm"},
		{"convert", raster.RGBA8, "pam"},
		{"convert", raster.RGB16, "ppm"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+"/"+tt.pixel.String(), func(t *testing.T) {
			tool := needTool(t, tt.tool)
			dir := t.TempDir()
			ref, pix := testImage(41, 19, tt.pixel)
			h := raster.Header{Width: 41, Height: 19, Pixel: tt.pixel}
			ours, out := filepath.Join(dir, "ours."+tt.ext), filepath.Join(dir, "out.png")
			if err := os.WriteFile(ours, encode(t, h, pix, 4), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.tool == "vips" {
				run(t, tool, "copy", ours, out)
			} else {
				run(t, tool, ours, out)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := png.Decode(f)
			if err != nil {
				t.Fatalf("decoding the tool's PNG: %v", err)
			}
			b := ref.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					g := color.NRGBA64Model.Convert(m.At(x, y))
					w := color.NRGBA64Model.Convert(ref.At(x, y))
					if tt.pixel.Depth == 8 {
						g, w = color.NRGBAModel.Convert(g), color.NRGBAModel.Convert(w)
					}
					if g != w {
						t.Fatalf("pixel (%d, %d): got %v, want %v", x, y, g, w)
					}
				}
			}
		})
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

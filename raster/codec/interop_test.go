package codec

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
)

// TestOpenToolFiles has libvips write every format from one PNG, gives each
// file a misleading name, and checks that Open finds the format by content
// and reads the same pixels.
func TestOpenToolFiles(t *testing.T) {
	vips := testtool.Require(t, "vips")
	dir := t.TempDir()
	m := image.NewNRGBA(image.Rect(0, 0, 57, 43))
	var want []byte
	for y := range 43 {
		for x := range 57 {
			c := []byte{byte(x * 4), byte(y * 5), byte(x + y), 255}
			copy(m.Pix[m.PixOffset(x, y):], c)
			want = append(want, c[:3]...)
		}
	}
	src := filepath.Join(dir, "src.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ext, format, misnamed string
		args                  []string
		tolerance             int
	}{
		{".ppm", "pnm", "vips-ppm.jpg", nil, 0},
		{".png", "png", "vips-png.tif", nil, 0},
		{".tif", "tiff", "vips-tif.png", []string{"[compression=deflate,predictor=horizontal]"}, 0},
		{".tif", "tiff", "vips-tiled.ppm", []string{"[tile,tile-width=16,tile-height=16,compression=lzw]"}, 0},
		{".jpg", "jpeg", "vips-jpg.png", []string{"[Q=95]"}, 24},
	}
	for _, tt := range tests {
		t.Run(tt.misnamed, func(t *testing.T) {
			out := filepath.Join(dir, "tmp"+tt.ext)
			arg := out
			if len(tt.args) > 0 {
				arg += tt.args[0]
			}
			if b, err := exec.Command(vips, "copy", src, arg).CombinedOutput(); err != nil {
				t.Fatalf("vips copy: %v\n%s", err, b)
			}
			path := filepath.Join(dir, tt.misnamed)
			if err := os.Rename(out, path); err != nil {
				t.Fatal(err)
			}
			h, got := readFile(t, path)
			if h.Format != tt.format || h.Pixel != raster.RGB8 {
				t.Fatalf("got %s %v, want %s rgb8", h.Format, h.Pixel, tt.format)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d bytes, want %d", len(got), len(want))
			}
			for i := range got {
				if d := abs(int(got[i]) - int(want[i])); d > tt.tolerance {
					t.Fatalf("got byte %d = %d, want %d (tolerance %d)", i, got[i], want[i], tt.tolerance)
				}
			}
		})
	}
}

package tiffio

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	xtiff "golang.org/x/image/tiff"

	"github.com/sluice-go/sluice/raster"
)

// fromImage converts an image decoded by another library into rows of
// format p, as our reader delivers them.
func fromImage(img image.Image, p raster.PixelFormat) []byte {
	b := img.Bounds()
	bpp := p.BytesPerPixel()
	out := make([]byte, 0, b.Dx()*b.Dy()*bpp)
	// Straight-alpha images are copied as they are: a round trip through
	// color.Color would premultiply and lose precision.
	switch m := img.(type) {
	case *image.NRGBA:
		if p == raster.RGBA8 {
			for y := b.Min.Y; y < b.Max.Y; y++ {
				out = append(out, m.Pix[m.PixOffset(b.Min.X, y):][:b.Dx()*4]...)
			}
			return out
		}
	case *image.NRGBA64:
		if p == raster.RGBA16 {
			for y := b.Min.Y; y < b.Max.Y; y++ {
				out = append(out, m.Pix[m.PixOffset(b.Min.X, y):][:b.Dx()*8]...)
			}
			return out
		}
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
			var s []uint16
			switch p.Channels {
			case 1:
				s = []uint16{c.R}
			case 2:
				s = []uint16{c.R, c.A}
			case 3:
				s = []uint16{c.R, c.G, c.B}
			case 4:
				s = []uint16{c.R, c.G, c.B, c.A}
			}
			for _, v := range s {
				if p.Depth == 8 {
					out = append(out, byte(v>>8))
				} else {
					out = append(out, byte(v>>8), byte(v))
				}
			}
		}
	}
	return out
}

// maxDiff is the largest difference between two sample buffers of depth
// bits.
func maxDiff(a, b []byte, depth int) int {
	m := 0
	for i := 0; i < len(a) && i < len(b); i += depth / 8 {
		x, y := int(a[i]), int(b[i])
		if depth == 16 {
			x, y = x<<8|int(a[i+1]), y<<8|int(b[i+1])
		}
		m = max(m, x-y, y-x)
	}
	return m
}

// TestAgainstXImage decodes the files in testdata (written by libtiff's
// tiffcp and ImageMagick) and files we write with both our reader and
// golang.org/x/image/tiff, and compares the pixels.
func TestAgainstXImage(t *testing.T) {
	files, err := filepath.Glob("testdata/*.tif")
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d testdata files (%v), want at least 10", len(files), err)
	}
	type tc struct {
		name string
		data []byte
	}
	var cases []tc
	for _, f := range files {
		name := filepath.Base(f)
		if strings.Contains(name, "bigtiff") || strings.Contains(name, "4") && !strings.Contains(name, "16") {
			continue // x/image/tiff reads neither BigTIFF nor 4-bit samples; TestVipsReadsTestdata covers them
		}
		cases = append(cases, tc{name, readFile(t, f)})
	}
	for _, p := range []raster.PixelFormat{raster.Gray8, raster.RGB8, raster.RGBA8, raster.Gray16, raster.RGB16, raster.RGBA16} {
		pix := testImage(29, 19, p)
		for _, o := range []WriterOptions{{Compression: "lzw", Predictor: true}, {Compression: "deflate", Tiled: true, TileSize: 16}, {Compression: "packbits"}} {
			cases = append(cases, tc{fmt.Sprintf("ours-%v-%s-tiled=%v", p, o.Compression, o.Tiled), encode(t, 29, 19, p, pix, o)})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := xtiff.Decode(bytes.NewReader(c.data))
			if err != nil {
				t.Fatalf("x/image/tiff: %v", err)
			}
			hdr, got := decodeAll(t, c.data, ReaderOptions{}, 4)
			if b := img.Bounds(); b.Dx() != hdr.Width || b.Dy() != hdr.Height {
				t.Fatalf("size %d×%d, x/image/tiff says %d×%d", hdr.Width, hdr.Height, b.Dx(), b.Dy())
			}
			want := fromImage(img, hdr.Pixel)
			tol := 0
			if slices.Contains(hdr.Details, "associated alpha (unpremultiplied)") {
				tol = 1 // both unpremultiply, with different rounding
			}
			if len(got) != len(want) {
				t.Fatalf("got %d bytes, want %d", len(got), len(want))
			}
			if d := maxDiff(got, want, hdr.Pixel.Depth); d > tol {
				t.Fatalf("%s", firstDiff(got, want, hdr.RowBytes()))
			}
		})
	}
}

// TestTestdataHeaders checks what our reader says about each kind of file.
func TestTestdataHeaders(t *testing.T) {
	tests := []struct {
		file   string
		pix    raster.PixelFormat
		comp   string
		tile   int
		detail string
	}{
		{"gray1.tif", raster.Gray8, "none", 0, "1-bit"},
		{"gray1-miniswhite.tif", raster.Gray8, "packbits", 0, "min-is-white"},
		{"gray4.tif", raster.Gray8, "none", 0, "4-bit"},
		{"gray8-miniswhite.tif", raster.Gray8, "lzw", 0, "min-is-white"},
		{"gray8-packbits.tif", raster.Gray8, "packbits", 0, "strips of 3 rows"},
		{"gray16-be-zip-pred.tif", raster.Gray16, "deflate", 0, "big-endian"},
		{"graya16-bigtiff-tiles.tif", raster.GrayAlpha16, "deflate", 16, "bigtiff"},
		{"palette4.tif", raster.RGB8, "lzw", 0, "palette"},
		{"palette8.tif", raster.RGB8, "deflate", 0, "palette"},
		{"rgb8-lzw-pred.tif", raster.RGB8, "lzw", 0, "predictor"},
		{"rgb8-zip-tiles16.tif", raster.RGB8, "deflate", 16, "little-endian"},
		{"rgb16-bigtiff-lzw-tiles.tif", raster.RGB16, "lzw", 32, "bigtiff"},
		{"rgba8-assoc.tif", raster.RGBA8, "deflate", 0, "associated alpha (unpremultiplied)"},
		{"rgba8-lzw.tif", raster.RGBA8, "lzw", 0, "little-endian"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readFile(t, filepath.Join("testdata", tt.file))
			r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			h := r.Header()
			if h.Format != "tiff" || h.Pixel != tt.pix || h.Compression != tt.comp || h.TileWidth != tt.tile || h.Width != 53 || h.Height != 41 {
				t.Errorf("got %s %v %q tile %d %d×%d, want tiff %v %q tile %d 53×41", h.Format, h.Pixel, h.Compression, h.TileWidth, h.Width, h.Height, tt.pix, tt.comp, tt.tile)
			}
			if !slices.Contains(h.Details, tt.detail) {
				t.Errorf("details %q, want %q among them", h.Details, tt.detail)
			}
		})
	}
}

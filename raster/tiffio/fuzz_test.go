package tiffio

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// FuzzDecode feeds arbitrary bytes to the reader: it must return an error or
// rows, never panic or allocate without bound. A file that decodes is
// written again with our writer and must read back to the same pixels.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.tif")
	for _, name := range files {
		f.Add(readFile(f, name))
	}
	for _, o := range []WriterOptions{{Compression: "lzw", Predictor: true}, {Compression: "packbits", Tiled: true, TileSize: 16}, {Compression: "deflate", BigTIFF: true}} {
		f.Add(encode(f, 19, 7, raster.RGBA16, testImage(19, 7, raster.RGBA16), o))
	}
	meta := raster.Header{Width: 5, Height: 3, Pixel: raster.RGB8, Orientation: raster.RightTop,
		Meta: raster.Metadata{ICC: synth.ICCProfile(300, "fuzz"), EXIF: synth.Exif(raster.RightTop)}}
	f.Add(encodeHeader(f, meta, testImage(5, 3, raster.RGB8), WriterOptions{}))
	lim := raster.Limits{MaxWidth: 4096, MaxHeight: 4096, MaxPixels: 1 << 18}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{Limits: lim})
		if err != nil {
			return
		}
		defer r.Close()
		h := r.Header()
		if h.Tiled() {
			n := h.TileWidth * h.TileHeight * h.Pixel.BytesPerPixel()
			if n > 1<<20 || h.TileHeight*h.RowBytes() > 1<<22 {
				return // oversized tiles: not worth the fuzzer's time
			}
			dst := make([]byte, n)
			for ty := 0; ty*h.TileHeight < h.Height && ty < 4; ty++ {
				for tx := 0; tx*h.TileWidth < h.Width && tx < 4; tx++ {
					_ = r.ReadTile(tx, ty, dst)
				}
			}
		}
		pix, err := readRows(r, 5)
		if err != nil {
			return
		}
		hw := raster.Header{Width: h.Width, Height: h.Height, Pixel: h.Pixel, Meta: h.Meta, Orientation: h.Orientation}
		again := encodeHeader(t, hw, pix, WriterOptions{Compression: "lzw", Predictor: true, RowsPerStrip: 3})
		h2, got := decodeAll(t, again, ReaderOptions{}, 4)
		if d := firstDiff(got, pix, h.RowBytes()); d != "" {
			t.Fatalf("re-encoded image differs: %s", d)
		}
		if !raster.ICCFits(h.Meta.ICC, h.Pixel) {
			h.Meta.ICC = nil // left out by the writer
		}
		if !bytes.Equal(h2.Meta.ICC, h.Meta.ICC) || h2.Orientation != h.Orientation || (h.Meta.EXIF != nil) != (h2.Meta.EXIF != nil) {
			t.Fatalf("re-encoded metadata differs: ICC %d, EXIF %d bytes, orientation %d, want %d, %d, %d",
				len(h2.Meta.ICC), len(h2.Meta.EXIF), h2.Orientation, len(h.Meta.ICC), len(h.Meta.EXIF), h.Orientation)
		}
	})
}

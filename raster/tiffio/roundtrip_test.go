package tiffio

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

// TestRoundTrip writes every pixel format with every compression, in strips
// and in tiles, with and without the predictor, and reads the rows back.
func TestRoundTrip(t *testing.T) {
	const w, h = 45, 37
	layouts := []struct {
		name string
		o    WriterOptions
	}{
		{"strips-default", WriterOptions{}},
		{"strips-7", WriterOptions{RowsPerStrip: 7}},
		{"tiles-16", WriterOptions{Tiled: true, TileSize: 16}},
		{"tiles-64", WriterOptions{Tiled: true, TileSize: 64}},
	}
	for _, p := range allFormats {
		pix := testImage(w, h, p)
		for _, comp := range []string{"none", "deflate", "lzw", "packbits"} {
			for _, pred := range []bool{false, true} {
				if pred && (comp == "none" || comp == "packbits") {
					continue
				}
				for _, lay := range layouts {
					o := lay.o
					o.Compression, o.Predictor = comp, pred
					name := fmt.Sprintf("%v/%s/pred=%v/%s", p, comp, pred, lay.name)
					t.Run(name, func(t *testing.T) {
						file := encode(t, w, h, p, pix, o)
						checkBands(t, file, w, h, p, pix, o)
						for _, batch := range []int{1, 5, h} {
							hdr, got := decodeAll(t, file, ReaderOptions{}, batch)
							if hdr.Pixel != p || hdr.Width != w || hdr.Height != h {
								t.Fatalf("header %v %d×%d, want %v %d×%d", hdr.Pixel, hdr.Width, hdr.Height, p, w, h)
							}
							if hdr.Compression != comp {
								t.Errorf("compression %q, want %q", hdr.Compression, comp)
							}
							if got := slices.Contains(hdr.Details, "predictor"); got != pred {
								t.Errorf("predictor in details = %v, want %v", got, pred)
							}
							if d := firstDiff(got, pix, w*p.BytesPerPixel()); d != "" {
								t.Fatalf("batch %d: %s", batch, d)
							}
						}
						if o.Tiled {
							checkTiles(t, file, w, h, p, pix, o.TileSize)
						}
					})
				}
			}
		}
	}
}

// checkTiles reads every tile with ReadTile, concurrently, and compares it
// with the image, padding included (zeros).
func checkTiles(t *testing.T, file []byte, w, h int, p raster.PixelFormat, pix []byte, ts int) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(file), int64(len(file)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hdr := r.Header()
	if hdr.TileWidth != ts || hdr.TileHeight != ts {
		t.Fatalf("tile size %d×%d, want %d×%d", hdr.TileWidth, hdr.TileHeight, ts, ts)
	}
	bpp := p.BytesPerPixel()
	across, down := (w+ts-1)/ts, (h+ts-1)/ts
	errs := make(chan error, across*down)
	for ty := 0; ty < down; ty++ {
		for tx := 0; tx < across; tx++ {
			go func() {
				dst := make([]byte, ts*ts*bpp)
				if err := r.ReadTile(tx, ty, dst); err != nil {
					errs <- err
					return
				}
				want := make([]byte, ts*ts*bpp)
				for y := 0; y < ts && ty*ts+y < h; y++ {
					x0 := tx * ts
					n := min(ts, w-x0)
					copy(want[y*ts*bpp:], pix[((ty*ts+y)*w+x0)*bpp:((ty*ts+y)*w+x0+n)*bpp])
				}
				if d := firstDiff(dst, want, ts*bpp); d != "" {
					errs <- fmt.Errorf("tile (%d, %d): %s", tx, ty, d)
					return
				}
				errs <- nil
			}()
		}
	}
	for range across * down {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestEmbedded writes a TIFF after other bytes in the same stream: offsets
// count from the TIFF's own start, so the file reads back from there.
func TestEmbedded(t *testing.T) {
	pix := testImage(30, 20, raster.GrayAlpha8)
	for _, o := range []WriterOptions{{}, {BigTIFF: true, Tiled: true, TileSize: 16, Compression: "deflate"}} {
		t.Run(fmt.Sprintf("bigtiff=%v", o.BigTIFF), func(t *testing.T) {
			f := &memFile{}
			f.Write([]byte("some leading bytes"))
			w, err := NewWriter(f, raster.Header{Width: 30, Height: 20, Pixel: raster.GrayAlpha8}, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteRows(pix); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if f.pos != int64(len(f.b)) {
				t.Errorf("position after Close %d, want the end %d", f.pos, len(f.b))
			}
			_, got := decodeAll(t, f.b[18:], ReaderOptions{}, 7)
			if d := firstDiff(got, pix, 60); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// checkBands encodes pix through the Writer's bands on three goroutines,
// out of order, and checks that the file is the one WriteRows wrote; then
// decodes file through the Reader's bands on two goroutines and checks the
// pixels. Only uncompressed 8-bit strips offer no bands to write: their
// rows go straight to the file.
func checkBands(t *testing.T, file []byte, w, h int, p raster.PixelFormat, pix []byte, o WriterOptions) {
	t.Helper()
	var f memFile
	hdr := raster.Header{Width: w, Height: h, Pixel: p}
	wr, err := NewWriter(&f, hdr, o)
	if err != nil {
		t.Fatal(err)
	}
	direct := !o.Tiled && (o.Compression == "none" || o.Compression == "") && p.Depth == 8
	if got := wr.BandRows() == 0; got != direct {
		t.Fatalf("Writer.BandRows() == 0 is %v, want %v", got, direct)
	}
	if !direct {
		if err := bandtest.Encode(wr, hdr, pix, 3); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.b, file) {
			t.Fatalf("bands on 3 goroutines: got %d bytes differing at %d, want the %d bytes of WriteRows", len(f.b), diffAt(f.b, file), len(file))
		}
	}
	r, err := NewReader(bytes.NewReader(file), int64(len(file)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := bandtest.Decode(r, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := firstDiff(got, pix, w*p.BytesPerPixel()); d != "" {
		t.Fatalf("bands on 2 goroutines: %s", d)
	}
}

func diffAt(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

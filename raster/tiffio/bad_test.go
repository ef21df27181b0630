package tiffio

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// tent is a classic IFD entry for hand-built files; val is the inline value
// or offset.
type tent struct {
	tag, typ uint16
	count    uint32
	val      uint32
}

// build makes a little-endian classic TIFF with one IFD at offset 8 holding
// ents, then data. ifdEnd is where data starts; next is the next-IFD offset.
func build(ents []tent, next uint32, data []byte) []byte {
	le := binary.LittleEndian
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	b = le.AppendUint16(b, uint16(len(ents)))
	for _, e := range ents {
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, e.typ)
		b = le.AppendUint32(b, e.count)
		b = le.AppendUint32(b, e.val)
	}
	b = le.AppendUint32(b, next)
	return append(b, data...)
}

// dataAt is where build puts data for n entries.
func dataAt(n int) uint32 { return uint32(8 + 2 + 12*n + 4) }

// gray builds an 8×4 Gray8 image file in one strip with the given
// compression, strip data and byte count, plus extra entries.
func gray(comp uint32, data []byte, count uint32, extra ...tent) []byte {
	ents := []tent{
		{tagImageWidth, typeLong, 1, 8}, {tagImageLength, typeLong, 1, 4},
		{tagBitsPerSample, typeShort, 1, 8}, {tagCompression, typeShort, 1, comp},
		{tagPhotometric, typeShort, 1, 1}, {tagStripOffsets, typeLong, 1, 0},
		{tagRowsPerStrip, typeLong, 1, 4}, {tagStripByteCounts, typeLong, 1, count},
	}
	for _, x := range extra {
		replaced := false
		for i := range ents {
			if ents[i].tag == x.tag {
				ents[i], replaced = x, true
			}
		}
		if !replaced {
			ents = append(ents, x)
		}
	}
	// Keep tags sorted and patch the strip offset.
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && ents[j].tag < ents[j-1].tag; j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
	for i := range ents {
		if ents[i].tag == tagStripOffsets && ents[i].val == 0 {
			ents[i].val = dataAt(len(ents))
		}
	}
	return build(ents, 0, data)
}

func zlibBytes(p []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(p)
	zw.Close()
	return b.Bytes()
}

// decodeErr opens b and reads every row (and tile), returning the first
// error.
func decodeErr(b []byte, lim raster.Limits) error {
	r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{Limits: lim})
	if err != nil {
		return err
	}
	defer r.Close()
	if h := r.Header(); h.Tiled() {
		dst := make([]byte, h.TileWidth*h.TileHeight*h.Pixel.BytesPerPixel())
		for ty := 0; ty*h.TileHeight < h.Height; ty++ {
			for tx := 0; tx*h.TileWidth < h.Width; tx++ {
				if err := r.ReadTile(tx, ty, dst); err != nil {
					return err
				}
			}
		}
	}
	_, err = readRows(r, 3)
	return err
}

func TestBadInput(t *testing.T) {
	pix := make([]byte, 32)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	good := gray(compNone, pix, 32)
	if err := decodeErr(good, raster.Limits{}); err != nil {
		t.Fatalf("the well-formed base file fails: %v", err)
	}
	loop := gray(compNone, pix, 32)
	binary.LittleEndian.PutUint32(loop[dataAt(8)-4:], 8) // next IFD is the first
	// A second IFD, after the pixels, whose next pointer is itself.
	loop2 := append([]byte(nil), good...)
	second := uint32(len(loop2))
	binary.LittleEndian.PutUint32(loop2[dataAt(8)-4:], second)
	loop2 = binary.LittleEndian.AppendUint16(loop2, 1)
	loop2 = append(loop2, make([]byte, 12)...)
	loop2 = binary.LittleEndian.AppendUint32(loop2, second)

	bigTile := []tent{
		{tagImageWidth, typeLong, 1, 8}, {tagImageLength, typeLong, 1, 4},
		{tagBitsPerSample, typeShort, 1, 8}, {tagPhotometric, typeShort, 1, 1},
		{tagTileWidth, typeLong, 1, 60000}, {tagTileLength, typeLong, 1, 60000},
		{tagTileOffsets, typeLong, 1, 100}, {tagTileByteCounts, typeLong, 1, 10},
	}
	bomb := zlibBytes(make([]byte, 16<<20))

	tests := []struct {
		name string
		file []byte
		lim  raster.Limits
		kind string // "format", "unsupported", "limit"
		msg  string
	}{
		{"empty", nil, raster.Limits{}, "format", "too short"},
		{"bad byte order", append([]byte("XX*\x00"), good[4:]...), raster.Limits{}, "format", "byte order"},
		{"bad version", append([]byte("II\x2b\x01"), good[4:]...), raster.Limits{}, "format", "version"},
		{"truncated IFD", good[:30], raster.Limits{}, "format", "past the end"},
		{"IFD offset past end", append([]byte("II*\x00\xff\xff\x00\x00"), good[8:]...), raster.Limits{}, "format", "past the end"},
		{"IFD loop to first", loop, raster.Limits{}, "format", "loops"},
		{"IFD loop to itself", loop2, raster.Limits{}, "format", "loops"},
		{"strip past end", gray(compNone, pix, 32, tent{tagStripOffsets, typeLong, 1, 5000}), raster.Limits{}, "format", "past the end"},
		{"byte count too small", gray(compNone, pix, 20), raster.Limits{}, "format", "want 32"},
		{"byte count past end", gray(compNone, pix, 1<<30), raster.Limits{}, "format", "past the end"},
		{"absurd strip count", gray(compNone, pix, 32, tent{tagStripOffsets, typeLong, 1 << 30, 100}), raster.Limits{}, "format", "more than the file holds"},
		{"strip count mismatch", gray(compNone, pix, 32, tent{tagRowsPerStrip, typeLong, 1, 1}), raster.Limits{}, "format", "want 4"},
		{"zero rows per strip", gray(compNone, pix, 32, tent{tagRowsPerStrip, typeLong, 1, 0}), raster.Limits{}, "format", "RowsPerStrip"},
		{"short deflate", gray(compDeflate, zlibBytes(pix[:20]), uint32(len(zlibBytes(pix[:20])))), raster.Limits{}, "format", "decompresses to 20 bytes, want 32"},
		{"corrupt deflate", gray(compDeflate, []byte("\x78\x9c\xff\xff\xff\xff"), 6), raster.Limits{}, "format", "deflate"},
		{"bad zlib header", gray(compDeflate, []byte("nonsense"), 8), raster.Limits{}, "format", "deflate"},
		{"bad lzw code", gray(compLZW, []byte{0x80, 0x3f, 0xff, 0xff, 0xff}, 5), raster.Limits{}, "format", "lzw"},
		{"short packbits", gray(compPackBits, []byte{3, 1, 2, 3, 4}, 5), raster.Limits{}, "format", "decompresses to 4 bytes"},
		{"huge image", gray(compNone, pix, 32, tent{tagImageWidth, typeLong, 1, 3_000_000}), raster.Limits{}, "limit", "width exceeds"},
		{"over pixel limit", good, raster.Limits{MaxPixels: 16}, "limit", "pixels exceed"},
		{"jpeg", gray(compJPEG, pix, 32), raster.Limits{}, "unsupported", "JPEG compression (7)"},
		{"old-style JPEG", gray(6, pix, 32), raster.Limits{}, "unsupported", "old-style JPEG compression (6)"},
		{"ZSTD", gray(50000, pix, 32), raster.Limits{}, "unsupported", "ZSTD compression (50000)"},
		{"WebP", gray(50001, pix, 32), raster.Limits{}, "unsupported", "WebP compression (50001)"},
		{"LZMA", gray(34925, pix, 32), raster.Limits{}, "unsupported", "LZMA compression (34925)"},
		{"LERC", gray(34887, pix, 32), raster.Limits{}, "unsupported", "LERC compression (34887)"},
		{"JPEG 2000", gray(34712, pix, 32), raster.Limits{}, "unsupported", "JPEG 2000 compression (34712)"},
		{"compression 12345", gray(12345, pix, 32), raster.Limits{}, "unsupported", "compression 12345"},
		{"photometric 5", gray(compNone, pix, 32, tent{tagPhotometric, typeShort, 1, 5}), raster.Limits{}, "unsupported", "CMYK (separated) photometric interpretation (5)"},
		{"photometric 6", gray(compNone, pix, 32, tent{tagPhotometric, typeShort, 1, 6}), raster.Limits{}, "unsupported", "YCbCr photometric interpretation (6)"},
		{"photometric 8", gray(compNone, pix, 32, tent{tagPhotometric, typeShort, 1, 8}), raster.Limits{}, "unsupported", "CIELab photometric interpretation (8)"},
		{"photometric 77", gray(compNone, pix, 32, tent{tagPhotometric, typeShort, 1, 77}), raster.Limits{}, "unsupported", "photometric interpretation 77"},
		{"planar separate", gray(compNone, pix, 32, tent{tagSamplesPerPixel, typeShort, 1, 3}, tent{tagPlanarConfig, typeShort, 1, 2}), raster.Limits{}, "unsupported", "planar"},
		{"float samples", gray(compNone, pix, 32, tent{tagSampleFormat, typeShort, 1, 3}), raster.Limits{}, "unsupported", "sample format 3"},
		{"5 samples", gray(compNone, pix, 32, tent{tagSamplesPerPixel, typeShort, 1, 5}), raster.Limits{}, "unsupported", "5 samples"},
		{"huge tiles", build(bigTile, 0, make([]byte, 100)), raster.Limits{}, "unsupported", "tiles of 60000×60000"},
		{"missing width", build([]tent{{tagImageLength, typeLong, 1, 4}}, 0, nil), raster.Limits{}, "format", "ImageWidth"},
		{"missing byte counts", build([]tent{
			{tagImageWidth, typeLong, 1, 8}, {tagImageLength, typeLong, 1, 4}, {tagCompression, typeShort, 1, compLZW},
			{tagStripOffsets, typeLong, 1, 60}}, 0, make([]byte, 40)), raster.Limits{}, "format", "byte counts"},
		{"values past end", gray(compNone, pix, 32, tent{tagBitsPerSample, typeShort, 3, 1 << 20}, tent{tagSamplesPerPixel, typeShort, 1, 3}), raster.Limits{}, "format", "past the end"},
		{"bomb", gray(compDeflate, bomb, uint32(len(bomb))), raster.Limits{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := decodeErr(tt.file, tt.lim)
			runtime.ReadMemStats(&after)
			if a := after.TotalAlloc - before.TotalAlloc; a > 4<<20 {
				t.Errorf("allocated %d bytes, want under 4 MiB", a)
			}
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want a %s error with %q", tt.kind, tt.msg)
			}
			var fe *raster.FormatError
			var ue *raster.UnsupportedError
			var le *raster.LimitError
			switch {
			case tt.kind == "format" && errors.As(err, &fe):
				if fe.Offset < 0 || fe.Format != "tiff" {
					t.Errorf("format %q offset %d, want tiff and an offset", fe.Format, fe.Offset)
				}
			case tt.kind == "unsupported" && errors.As(err, &ue):
			case tt.kind == "limit" && errors.As(err, &le):
			default:
				t.Fatalf("got %T %v, want a %s error", err, err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "tiff: ") {
				t.Errorf("got %q, want it to start with \"tiff: \" and contain %q", err, tt.msg)
			}
			for _, name := range []string{"tiff:", "lzw:", "deflate:"} {
				if n := strings.Count(err.Error(), name); n > 1 {
					t.Errorf("got %q, want %q at most once", err, name)
				}
			}
		})
	}
}

// TestTruncatedFiles cuts real files at many lengths: each cut is refused
// with a *raster.FormatError that wraps io.ErrUnexpectedEOF.
func TestTruncatedFiles(t *testing.T) {
	for _, name := range []string{"gray8.tif", "rgb8-lzw-pred.tif", "rgb8-zip-tiles16.tif", "graya16-bigtiff-tiles.tif", "gray8-packbits.tif"} {
		t.Run(name, func(t *testing.T) {
			data := readFile(t, filepath.Join("testdata", name))
			if err := decodeErr(data, raster.Limits{}); err != nil {
				t.Fatalf("whole file: got %v, want no error", err)
			}
			for cut := 0; cut < len(data); cut += 1 + cut/50 {
				err := decodeErr(data[:cut], raster.Limits{})
				var fe *raster.FormatError
				if !errors.As(err, &fe) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d of %d bytes: got %v, want a *raster.FormatError wrapping io.ErrUnexpectedEOF", cut, len(data), err)
				}
			}
		})
	}
}

package pngio

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// chunk encodes one PNG chunk.
func chunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// ihdrChunk encodes an IHDR chunk.
func ihdrChunk(w, h uint32, depth, ct, interlace byte) []byte {
	d := binary.BigEndian.AppendUint32(nil, w)
	d = binary.BigEndian.AppendUint32(d, h)
	return chunk("IHDR", append(d, depth, ct, 0, 0, interlace))
}

// zlibBytes compresses raw into a zlib stream.
func zlibBytes(raw []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	return b.Bytes()
}

// file joins a signature and chunks into a PNG file.
func file(chunks ...[]byte) []byte {
	return bytes.Join(append([][]byte{[]byte(signature)}, chunks...), nil)
}

var iend = chunk("IEND", nil)

// small is a valid 3×2 RGB8 file written by hand: two rows, filter None.
var small = file(
	ihdrChunk(3, 2, 8, ctRGB, 0),
	chunk("tEXt", []byte("Comment\x00hand made")),
	chunk("IDAT", zlibBytes(make([]byte, 2*(1+9)))),
	iend,
)

// TestTruncated cuts valid files at every length and checks that each cut
// gives a FormatError at an offset within what was read.
func TestTruncated(t *testing.T) {
	h := raster.Header{Width: 20, Height: 9, Pixel: raster.RGBA16}
	ours, err := encodeAll(h, photo(h.Width, h.Height, h.Pixel, 5), WriterOptions{}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"hand": small, "ours": ours} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := decodeAll(data, ReaderOptions{}); err != nil {
				t.Fatalf("whole file: got error %v, want none", err)
			}
			for cut := range len(data) {
				_, _, err := decodeAll(data[:cut], ReaderOptions{})
				var fe *raster.FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("cut at %d: got error %v, want a *raster.FormatError", cut, err)
				}
				if fe.Offset < 0 || fe.Offset > int64(cut) {
					t.Fatalf("cut at %d: got offset %d, want 0…%d", cut, fe.Offset, cut)
				}
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d: got error %v, want one wrapping io.ErrUnexpectedEOF", cut, err)
				}
			}
		})
	}
}

// TestFlippedBytes flips each byte of a valid file in turn: every flip must
// be an error, since CRCs cover every chunk.
func TestFlippedBytes(t *testing.T) {
	for i := range small {
		data := bytes.Clone(small)
		data[i] ^= 0x21
		if _, _, err := decodeAll(data, ReaderOptions{}); err == nil {
			t.Fatalf("byte %d flipped: got no error, want one", i)
		}
	}
}

// TestCorrupt checks the error for each kind of malformed file: its type,
// its message and the byte offset it names.
func TestCorrupt(t *testing.T) {
	row := func(n int) []byte { return make([]byte, n) }
	badCRC := chunk("IDAT", zlibBytes(row(20)))
	badCRC[len(badCRC)-1] ^= 1
	badData := chunk("IDAT", zlibBytes(row(20)))
	badData[10] ^= 0x40                     // a byte of the deflate data; the CRC is left as it was
	bomb := zlibBytes(make([]byte, 16<<20)) // 16 MiB of zeros for a 3×2 image
	rgbHead := ihdrChunk(3, 2, 8, ctRGB, 0)
	tests := []struct {
		name   string
		data   []byte
		want   string
		offset int64 // -2: do not check
	}{
		{"empty", nil, "unexpected end of file in signature", 0},
		{"signature", []byte("\x89PNG\r\n\x1a\x0b rest"), "not a PNG file", 0},
		{"first chunk", file(chunk("gAMA", []byte{0, 0, 0, 1})), "first chunk is gAMA, want IHDR", 8},
		{"IHDR length", file(chunk("IHDR", make([]byte, 12))), "IHDR chunk length 12, want 13", 8},
		{"zero width", file(ihdrChunk(0, 5, 8, ctRGB, 0)), "image size 0×5 out of range", 16},
		{"huge width", file(ihdrChunk(1<<31, 5, 8, ctRGB, 0)), "out of range", 16},
		{"depth", file(ihdrChunk(4, 4, 4, ctRGB, 0)), "bit depth 4 is not allowed with colour type 2", 24},
		{"colour type", file(ihdrChunk(4, 4, 8, 5, 0)), "colour type 5", 24},
		{"interlace method", file(ihdrChunk(4, 4, 8, 0, 2)), "unknown interlace method 2", 28},
		{"chunk type", file(rgbHead, chunk("g@MA", nil)), "bad chunk type", 37},
		{"chunk length", file(rgbHead, []byte{0x80, 0, 0, 0, 'I', 'D', 'A', 'T'}), "chunk length 2147483648 exceeds", 33},
		{"no PLTE", file(ihdrChunk(2, 2, 8, ctPalette, 0), chunk("IDAT", zlibBytes(row(6))), iend), "IDAT chunk before the PLTE chunk", 33},
		{"PLTE length", file(ihdrChunk(2, 2, 1, ctPalette, 0), chunk("PLTE", make([]byte, 9)), iend), "PLTE chunk length 9", 33},
		{"PLTE in gray", file(ihdrChunk(2, 2, 8, ctGray, 0), chunk("PLTE", make([]byte, 3)), iend), "PLTE chunk in a gray image", 33},
		{"tRNS length", file(rgbHead, chunk("tRNS", make([]byte, 2)), iend), "tRNS chunk length 2, want 6", 33},
		{"tRNS with alpha", file(ihdrChunk(2, 2, 8, ctRGBA, 0), chunk("tRNS", make([]byte, 6)), iend), "tRNS chunk in an image with an alpha channel", 33},
		{"tRNS before PLTE", file(ihdrChunk(2, 2, 8, ctPalette, 0), chunk("tRNS", []byte{1}), chunk("PLTE", make([]byte, 3))), "tRNS chunk out of order", 33},
		{"IEND early", file(rgbHead, iend), "IEND chunk before the image data", 33},
		{"IDAT CRC", file(rgbHead, badCRC, iend), "bad CRC in IDAT chunk", int64(33 + len(badCRC) - 4)},
		{"IDAT data", file(rgbHead, badData, iend), "bad CRC in IDAT chunk", int64(33 + len(badData) - 4)},
		{"zlib header", file(rgbHead, chunk("IDAT", []byte{0x78, 0x00, 1, 2}), iend), "bad zlib header", -2},
		{"deflate data", file(rgbHead, chunk("IDAT", []byte{0x78, 0x9c, 0xff, 0xff, 0xff, 0xff}), iend), "corrupt deflate data", -2},
		{"filter type", file(rgbHead, chunk("IDAT", zlibBytes(append([]byte{5}, row(19)...))), iend), "row 0: unknown filter type 5", -2},
		{"short data", file(rgbHead, chunk("IDAT", zlibBytes(row(15))), iend), "not enough image data", -2},
		{"too much data", file(rgbHead, chunk("IDAT", zlibBytes(row(21))), iend), "too much image data", -2},
		{"zlib bomb", file(rgbHead, chunk("IDAT", bomb), iend), "too much image data", -2},
		{"zlib checksum", file(rgbHead, chunk("IDAT", flipLast(zlibBytes(row(20)))), iend), "bad zlib checksum", -2},
		{"data after stream", file(rgbHead, chunk("IDAT", append(zlibBytes(row(20)), 0)), iend), "1 bytes of IDAT data after the end of the zlib stream", -2},
		{"no IEND", file(rgbHead, chunk("IDAT", zlibBytes(row(20)))), "unexpected end of file in chunk header", -2},
		{"PLTE after IDAT", file(rgbHead, chunk("IDAT", zlibBytes(row(20))), chunk("PLTE", make([]byte, 3)), iend), "PLTE chunk after the image data", -2},
		{"IEND length", file(rgbHead, chunk("IDAT", zlibBytes(row(20))), chunk("IEND", []byte{0})), "IEND chunk length 1, want 0", -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeAll(tt.data, ReaderOptions{})
			var fe *raster.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got error %v, want a *raster.FormatError", err)
			}
			if !strings.Contains(fe.Msg, tt.want) {
				t.Errorf("got message %q, want it to contain %q", fe.Msg, tt.want)
			}
			if tt.offset != -2 && fe.Offset != tt.offset {
				t.Errorf("got offset %d, want %d", fe.Offset, tt.offset)
			}
			if fe.Offset < 0 || fe.Offset > int64(len(tt.data)) {
				t.Errorf("got offset %d, want one within the %d-byte file", fe.Offset, len(tt.data))
			}
		})
	}
}

func flipLast(b []byte) []byte {
	b[len(b)-1] ^= 1
	return b
}

// TestUnknownCriticalChunk checks that a critical chunk we do not know is
// refused as unsupported, while an unknown ancillary chunk is skipped.
func TestUnknownCriticalChunk(t *testing.T) {
	idat := chunk("IDAT", zlibBytes(make([]byte, 20)))
	_, _, err := decodeAll(file(ihdrChunk(3, 2, 8, ctRGB, 0), chunk("ZZZZ", nil), idat, iend), ReaderOptions{})
	var ue *raster.UnsupportedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `critical chunk "ZZZZ"`) {
		t.Errorf("critical: got error %v, want an UnsupportedError naming ZZZZ", err)
	}
	_, _, err = decodeAll(file(ihdrChunk(3, 2, 8, ctRGB, 0), chunk("zzZz", []byte("x")), idat, chunk("zzZz", nil), iend), ReaderOptions{})
	if err != nil {
		t.Errorf("ancillary: got error %v, want none", err)
	}
}

// TestLimits checks that sizes over the limits are refused from the IHDR
// chunk alone, before anything is allocated for the image, and that the
// defaults admit a 100,000 × 100,000 streamed image.
func TestLimits(t *testing.T) {
	idat := chunk("IDAT", zlibBytes([]byte{0}))
	tests := []struct {
		name string
		head []byte
		lim  raster.Limits
		want string // "" means accepted
	}{
		{"default admits 100k", ihdrChunk(100_000, 100_000, 16, ctRGBA, 0), raster.Limits{}, ""},
		{"width", ihdrChunk(1_000_001, 1, 8, ctGray, 0), raster.Limits{}, "width exceeds the limit of 1000000"},
		{"height", ihdrChunk(1, 1_000_001, 8, ctGray, 0), raster.Limits{}, "height exceeds the limit of 1000000"},
		{"pixels", ihdrChunk(200_000, 200_000, 8, ctGray, 0), raster.Limits{}, "pixels exceed the limit"},
		{"custom", ihdrChunk(1000, 1000, 8, ctGray, 0), raster.Limits{MaxPixels: 999_999}, "1000000 pixels exceed the limit of 999999"},
		{"interlaced", ihdrChunk(50_000, 50_000, 16, ctRGBA, 1), raster.Limits{}, "too large: the file is interlaced (Adam7), so it must be decoded whole, which takes 18.6 GiB of scratch, past the spill limit of 16.0 GiB"},
		{"interlaced spilled", ihdrChunk(20_000, 20_000, 8, ctRGBA, 1), raster.Limits{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only the head of the file: the limit must be checked before
			// anything past IHDR is needed.
			r, err := NewReader(bytes.NewReader(file(tt.head, idat)), ReaderOptions{Limits: tt.lim})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if r.Header().Width != int(binary.BigEndian.Uint32(tt.head[8:])) {
					t.Fatalf("got width %d, want the header's", r.Header().Width)
				}
				return
			}
			var le *raster.LimitError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want a LimitError containing %q", err, tt.want)
			}
			if interlaced := tt.head[20] == 1; errors.Is(err, raster.ErrSpillLimit) != interlaced {
				t.Errorf("errors.Is(%v, raster.ErrSpillLimit): got %v, want %v", err, !interlaced, interlaced)
			}
		})
	}
}

// TestInterlacedSpill decodes interlaced images held in memory and in a
// spill file, at several depths and odd sizes: both give image/png's
// pixels. A Reader closed before its last row reads no more and leaves no
// file behind.
func TestInterlacedSpill(t *testing.T) {
	for _, tt := range []struct {
		depth, ct, max int
	}{{8, ctRGB, 256}, {16, ctRGBA, 65536}, {4, ctGray, 16}, {16, ctGrayAlpha, 65536}} {
		for _, size := range [][2]int{{1, 1}, {37, 29}, {8, 100}} {
			data := rawImage(size[0], size[1], tt.depth, tt.ct, true, nil, func(x, y, c int) int {
				return (x*7919 + y*104729 + c*31 + x*y) % tt.max
			})
			t.Run(fmt.Sprintf("depth%d/ct%d/%dx%d", tt.depth, tt.ct, size[0], size[1]), func(t *testing.T) {
				if !compareWithStdlib(t, data) { // decodes in memory
					t.Fatal("image/png rejects the file, want a valid one")
				}
				_, want, err := decodeAll(data, ReaderOptions{})
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				o := ReaderOptions{Spill: raster.SpillOptions{Memory: -1, Dir: dir}}
				_, got, err := decodeAll(data, o)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("through a spill file: got %d bytes differing from the %d decoded in memory", len(got), len(want))
				}
				r, err := NewReader(bytes.NewReader(data), o)
				if err != nil {
					t.Fatal(err)
				}
				row := make([]byte, r.Header().RowBytes())
				if _, err := r.ReadRows(row); err != nil {
					t.Fatal(err)
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				if size[1] > 1 {
					if _, err := r.ReadRows(row); err == nil {
						t.Errorf("ReadRows after Close: got no error, want one")
					}
				}
				if ents, _ := os.ReadDir(dir); len(ents) != 0 {
					t.Errorf("got %d files left in the spill folder, want none", len(ents))
				}
			})
		}
	}
}

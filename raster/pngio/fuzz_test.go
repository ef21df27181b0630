package pngio

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// FuzzDecode feeds arbitrary bytes to the Reader: it must never panic, and
// an image it decodes must survive a round trip through the Writer. Each
// input is tried as it is and again with its chunk CRCs repaired, so that
// mutations reach the inflater and the filters instead of stopping at a CRC.
// Headers over 2^16 pixels are refused by the limits, which keeps each run
// small.
func FuzzDecode(f *testing.F) {
	seeds := stdPNGFiles(f)
	local, err := filepath.Glob(filepath.Join("testdata", "*.png"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(seeds, local...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		// Large seeds make every mutation slow to run and to minimize.
		if len(data) <= 4<<10 {
			f.Add(data)
		}
	}
	f.Add(rawImage(3, 2, 8, ctRGB, false, [][]byte{
		chunk("iCCP", append([]byte("p\x00\x00"), zlibBytes(synth.ICCProfile(300, "fuzz"))...)),
		chunk("eXIf", synth.Exif(raster.RightTop)),
	}, func(x, y, c int) int { return x + y + c }))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOne(t, data)
		if fixed := fixCRCs(data); !bytes.Equal(fixed, data) {
			fuzzOne(t, fixed)
		}
	})
}

// fuzzLimits keeps fuzzed images small.
var fuzzLimits = raster.Limits{MaxPixels: 1 << 16, MaxWholePixels: 1 << 16}

// fuzzOne decodes data and, if that succeeds, round-trips the image.
func fuzzOne(t *testing.T, data []byte) {
	r, err := NewReader(bytes.NewReader(data), ReaderOptions{Limits: fuzzLimits})
	if err != nil {
		return
	}
	h := r.Header()
	if int64(h.Width)*int64(h.Height) > fuzzLimits.MaxPixels {
		t.Fatalf("got a %d×%d header past the limit of %d pixels", h.Width, h.Height, fuzzLimits.MaxPixels)
	}
	pix := make([]byte, 0, h.Bytes())
	buf := make([]byte, 2*h.RowBytes())
	for {
		n, err := r.ReadRows(buf)
		pix = append(pix, buf[:n*h.RowBytes()]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			return
		}
	}
	if int64(len(pix)) != h.Bytes() {
		t.Fatalf("got %d bytes of pixels, want %d", len(pix), h.Bytes())
	}
	hw := raster.Header{Width: h.Width, Height: h.Height, Pixel: h.Pixel, Meta: h.Meta, Orientation: h.Orientation}
	out, err := encodeAll(hw, pix, WriterOptions{Level: 1}, 3)
	if err != nil {
		t.Fatalf("encoding the decoded image: %v", err)
	}
	h2, back, err := decodeAll(out, ReaderOptions{Limits: fuzzLimits})
	if err != nil {
		t.Fatalf("decoding our encoding: %v", err)
	}
	if !raster.ICCFits(h.Meta.ICC, h.Pixel) {
		h.Meta.ICC = nil // left out by the writer
	}
	h.Meta.EXIF = raster.ExifToWrite(h) // the size entries set
	if !bytes.Equal(h2.Meta.ICC, h.Meta.ICC) || !bytes.Equal(h2.Meta.EXIF, h.Meta.EXIF) || h2.Orientation != h.Orientation {
		t.Fatalf("round trip: got ICC %d, EXIF %d bytes, orientation %d, want %d, %d, %d",
			len(h2.Meta.ICC), len(h2.Meta.EXIF), h2.Orientation, len(h.Meta.ICC), len(h.Meta.EXIF), h.Orientation)
	}
	if !bytes.Equal(back, pix) {
		t.Fatalf("round trip: pixels differ at byte %d", firstDiff(back, pix))
	}
}

// fixCRCs returns a copy of data with the CRC of every whole chunk set right.
func fixCRCs(data []byte) []byte {
	out := bytes.Clone(data)
	if len(out) < len(signature) || string(out[:len(signature)]) != signature {
		return out
	}
	for p := len(signature); p+12 <= len(out); {
		n := int(binary.BigEndian.Uint32(out[p:]))
		if n < 0 || n > len(out)-p-12 {
			break
		}
		binary.BigEndian.PutUint32(out[p+8+n:], crc32.ChecksumIEEE(out[p+4:p+8+n]))
		p += 12 + n
	}
	return out
}

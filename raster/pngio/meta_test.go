package pngio

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

func TestMetaRoundTrip(t *testing.T) {
	pix := photo(30, 20, raster.RGBA8, 1)
	plain, err := encodeAll(raster.Header{Width: 30, Height: 20, Pixel: raster.RGBA8}, pix, WriterOptions{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		m        raster.Metadata
		o        raster.Orientation
		wantEXIF []byte
		wantO    raster.Orientation
	}{
		{"icc", raster.Metadata{ICC: synth.ICCProfile(200000, "big")}, 0, nil, 0},
		{"exif", raster.Metadata{EXIF: synth.Exif(raster.TopRight)}, 0, synth.Exif(raster.TopRight), raster.TopRight},
		{"both", raster.Metadata{ICC: synth.ICCProfile(700, "p"), EXIF: synth.Exif(0)}, 0, synth.Exif(0), 0},
		{"orientation alone", raster.Metadata{}, raster.LeftTop, raster.MinimalExif(raster.LeftTop), raster.LeftTop},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := raster.Header{Width: 30, Height: 20, Pixel: raster.RGBA8, Meta: tt.m, Orientation: tt.o}
			data, err := encodeAll(h, pix, WriterOptions{}, 5)
			if err != nil {
				t.Fatal(err)
			}
			got, back, err := decodeAll(data, ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Meta.ICC, tt.m.ICC) {
				t.Errorf("got an ICC profile of %d bytes, want the %d written", len(got.Meta.ICC), len(tt.m.ICC))
			}
			if !bytes.Equal(got.Meta.EXIF, tt.wantEXIF) {
				t.Errorf("got EXIF % x, want % x", got.Meta.EXIF, tt.wantEXIF)
			}
			if got.Orientation != tt.wantO {
				t.Errorf("got orientation %d, want %d", got.Orientation, tt.wantO)
			}
			if !bytes.Equal(back, pix) {
				t.Errorf("pixels changed")
			}
			// The image data is the same bytes as without metadata.
			if !bytes.HasSuffix(data, plain[len(signature)+25:]) {
				t.Errorf("the chunks from IDAT on differ from a file without metadata")
			}
			if i, j := bytes.Index(data, []byte("iCCP")), bytes.Index(data, []byte("IDAT")); i > j {
				t.Errorf("iCCP at byte %d, after IDAT at %d", i, j)
			}
		})
	}
}

// zeroBomb returns the start of a zlib stream that inflates to mib MiB of
// zeros and more: one flushed block of 1 MiB repeated, which is valid
// since each copy refers only to the zeros before it. It never ends, and
// costs a few KiB where compressing the zeros would take seconds under
// the race detector.
func zeroBomb(mib int) []byte {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestSpeed)
	zeros := make([]byte, 1<<20)
	zw.Write(zeros)
	zw.Flush()
	n := b.Len()
	zw.Write(zeros)
	zw.Flush()
	out := bytes.Clone(b.Bytes())
	for range mib - 1 {
		out = append(out, b.Bytes()[n:]...)
	}
	return out
}

// iccp builds an iCCP chunk's data from a name and a zlib stream.
func iccp(name string, z []byte) []byte {
	return append(append([]byte(name), 0, 0), z...)
}

// TestMetaHostile checks that bad metadata chunks are dropped with a note
// in Details while the image decodes, and bad CRCs stay errors.
func TestMetaHostile(t *testing.T) {
	good := zlibBytes(synth.ICCProfile(1000, "ok"))
	bomb := zeroBomb(raster.MaxMetadata/(1<<20) + 1)
	huge := binary.BigEndian.AppendUint32(nil, raster.MaxMetadata+1)
	huge = append(huge, "eXIf"...)
	huge = append(huge, make([]byte, raster.MaxMetadata+1)...)
	huge = binary.BigEndian.AppendUint32(huge, 0)
	huge = fixCRCs(append([]byte(signature), huge...))[len(signature):]
	for _, tt := range []struct {
		name    string
		extra   []byte
		wantICC bool
		note    string
	}{
		{"good", chunk("iCCP", iccp("x", good)), true, ""},
		{"cut", chunk("iCCP", iccp("x", good[:len(good)/2])), false, "icc dropped: iCCP chunk at byte 33: compressed profile: unexpected EOF"},
		{"no name", chunk("iCCP", iccp("", good)), false, "no profile name of 1 to 79 bytes"},
		{"method", chunk("iCCP", append([]byte("x\x00\x01"), good...)), false, "unknown compression method"},
		{"bomb", chunk("iCCP", iccp("x", bomb)), false, "the profile inflates past 16.0 MiB"},
		{"huge exif", huge, false, "exif dropped: eXIf chunk of 16.0 MiB at byte 33, more than 16.0 MiB"},
		{"bad exif", chunk("eXIf", []byte("Exif\x00\x00II*\x00")), false, "exif dropped: the eXIf chunk at byte 33 does not start with a TIFF header"},
		{"second", append(chunk("iCCP", iccp("x", good)), chunk("iCCP", iccp("y", good))...), true, "icc dropped: a second iCCP chunk"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := rawImage(4, 3, 8, ctGray, false, [][]byte{tt.extra}, func(x, y, c int) int { return x * y })
			h, pix, err := decodeAll(data, ReaderOptions{})
			if err != nil {
				t.Fatalf("got %v, want the image decoded", err)
			}
			if len(pix) != 12 {
				t.Errorf("got %d pixels, want 12", len(pix))
			}
			if got := h.Meta.ICC != nil; got != tt.wantICC {
				t.Errorf("got a profile %v, want %v", got, tt.wantICC)
			}
			details := strings.Join(h.Details, "; ")
			if tt.note != "" && !strings.Contains(details, tt.note) {
				t.Errorf("got details %q, want them to say %q", details, tt.note)
			}
			if tt.note == "" && strings.Contains(details, "dropped") {
				t.Errorf("got details %q, want nothing dropped", details)
			}
		})
	}
	bad := chunk("iCCP", iccp("x", good))
	bad[len(bad)-1] ^= 1
	if _, _, err := decodeAll(rawImage(4, 3, 8, ctGray, false, [][]byte{bad}, func(x, y, c int) int { return 0 }), ReaderOptions{}); err == nil || !strings.Contains(err.Error(), "bad CRC in iCCP chunk") {
		t.Errorf("bad CRC: got %v, want a CRC error", err)
	}
}

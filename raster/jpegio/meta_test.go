package jpegio

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// metaFile encodes a small image carrying m and o.
func metaFile(t *testing.T, m raster.Metadata, o raster.Orientation) []byte {
	t.Helper()
	h := raster.Header{Width: 40, Height: 24, Pixel: raster.RGB8, Meta: m, Orientation: o}
	return encode(t, h, smooth(40, 24, raster.RGB8), WriterOptions{BandRows: 1})
}

func TestMetaRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name     string
		m        raster.Metadata
		o        raster.Orientation
		wantEXIF []byte
		wantO    raster.Orientation
	}{
		{"none", raster.Metadata{}, 0, nil, 0},
		{"icc one chunk", raster.Metadata{ICC: synth.ICCProfile(3000, "one")}, 0, nil, 0},
		{"icc exactly one chunk", raster.Metadata{ICC: synth.ICCProfile(iccChunk, "full")}, 0, nil, 0},
		{"icc three chunks", raster.Metadata{ICC: synth.ICCProfile(2*iccChunk+1, "three")}, 0, nil, 0},
		{"exif", raster.Metadata{EXIF: synth.Exif(raster.RightTop)}, 0, synth.Exif(raster.RightTop), raster.RightTop},
		{"both", raster.Metadata{ICC: synth.ICCProfile(500, "b"), EXIF: synth.Exif(raster.LeftBottom)}, raster.LeftBottom,
			synth.Exif(raster.LeftBottom), raster.LeftBottom},
		{"orientation reset", raster.Metadata{EXIF: synth.Exif(raster.RightTop)}, raster.TopLeft,
			raster.SetExifOrientation(synth.Exif(raster.RightTop), raster.TopLeft), raster.TopLeft},
		{"orientation alone", raster.Metadata{}, raster.BottomRight, raster.MinimalExif(raster.BottomRight), raster.BottomRight},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := metaFile(t, tt.m, tt.o)
			plain := metaFile(t, raster.Metadata{}, 0)
			r, err := NewReader(bytes.NewReader(file), ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if !bytes.Equal(h.Meta.ICC, tt.m.ICC) {
				t.Errorf("got an ICC profile of %d bytes, want the %d written", len(h.Meta.ICC), len(tt.m.ICC))
			}
			if !bytes.Equal(h.Meta.EXIF, tt.wantEXIF) {
				t.Errorf("got EXIF % x, want % x", h.Meta.EXIF, tt.wantEXIF)
			}
			if h.Orientation != tt.wantO {
				t.Errorf("got orientation %d, want %d", h.Orientation, tt.wantO)
			}
			// The pixels are the same as without metadata.
			got, want := readAll(t, file), readAll(t, plain)
			if !bytes.Equal(got, want) {
				t.Errorf("pixels differ from the same image written without metadata")
			}
			hh, err := ReadHeader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(hh.Meta.ICC, h.Meta.ICC) || !bytes.Equal(hh.Meta.EXIF, h.Meta.EXIF) || hh.Orientation != h.Orientation {
				t.Errorf("ReadHeader: got %d, %d bytes and orientation %d, want what NewReader gives", len(hh.Meta.ICC), len(hh.Meta.EXIF), hh.Orientation)
			}
		})
	}
}

// readAll decodes every row of a JPEG file.
func readAll(t *testing.T, file []byte) []byte {
	t.Helper()
	r, err := NewReader(bytes.NewReader(file), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	pix := make([]byte, h.Bytes())
	if n, err := r.ReadRows(pix); n != h.Height {
		t.Fatalf("read %d of %d rows: %v", n, h.Height, err)
	}
	return pix
}

// TestMetaTooLarge checks that what JPEG cannot hold is left out, and the
// file still written: an EXIF block past one segment, a profile past 255
// chunks.
func TestMetaTooLarge(t *testing.T) {
	big := synth.Exif(raster.RightTop)
	big = append(big, make([]byte, exifMax)...)
	file := metaFile(t, raster.Metadata{EXIF: big, ICC: synth.ICCProfile(255*iccChunk+1, "too big")}, 0)
	h, err := ReadHeader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if h.Meta.EXIF != nil || h.Meta.ICC != nil {
		t.Errorf("got EXIF of %d and ICC of %d bytes, want none", len(h.Meta.EXIF), len(h.Meta.ICC))
	}
}

// app builds a marker segment.
func app(m byte, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	return append([]byte{0xff, m, byte((len(p) + 2) >> 8), byte(len(p) + 2)}, p...)
}

// iccSeg is an APP2 ICC_PROFILE segment.
func iccSeg(seq, count int, data string) []byte {
	return app(mAPP2, []byte(iccPrefix), []byte{byte(seq), byte(count)}, []byte(data))
}

// TestMetaHostile splices metadata segments after SOI of a small file:
// a profile whose chunks lie is dropped with a note in Details, the
// pixels still decode; chunks out of order are joined in order.
func TestMetaHostile(t *testing.T) {
	base := metaFile(t, raster.Metadata{}, 0)
	for _, tt := range []struct {
		name    string
		segs    [][]byte
		wantICC string
		note    string // in Details
	}{
		{"out of order", [][]byte{iccSeg(2, 2, "BB"), iccSeg(1, 2, "AA")}, "AABB", ""},
		{"count lie", [][]byte{iccSeg(1, 3, "AA"), iccSeg(2, 3, "BB")}, "", "icc dropped: 2 of 3 ICC_PROFILE chunks"},
		{"counts differ", [][]byte{iccSeg(1, 2, "AA"), iccSeg(2, 3, "BB")}, "", "icc dropped: ICC_PROFILE chunks give counts 2 and 3"},
		{"twice", [][]byte{iccSeg(1, 2, "AA"), iccSeg(1, 2, "BB")}, "", "icc dropped: ICC_PROFILE chunk 1 of 2 twice"},
		{"number zero", [][]byte{iccSeg(0, 1, "AA")}, "", "icc dropped: ICC_PROFILE chunk number 0 of 1"},
		{"count zero", [][]byte{iccSeg(1, 0, "AA")}, "", "icc dropped: an ICC_PROFILE chunk count of 0"},
		{"no number", [][]byte{app(mAPP2, []byte(iccPrefix))}, "", "icc dropped: an ICC_PROFILE segment without its chunk number"},
		{"bad exif", [][]byte{app(mAPP1, []byte(exifPrefix), []byte("not a tiff header"))}, "", "exif dropped: the APP1 block does not start with a TIFF header"},
		{"256 chunks", slices.Repeat([][]byte{iccSeg(1, 1, "A")}, 256), "", "icc dropped: more than 255 ICC_PROFILE chunks"},
		{"xmp ignored", [][]byte{app(mAPP1, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>"))}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := append([]byte{0xff, mSOI}, bytes.Join(tt.segs, nil)...)
			file = append(file, base[2:]...)
			r, err := NewReader(bytes.NewReader(file), ReaderOptions{})
			if err != nil {
				t.Fatalf("got %v, want the file read", err)
			}
			h := r.Header()
			if string(h.Meta.ICC) != tt.wantICC {
				t.Errorf("got ICC %q, want %q", h.Meta.ICC, tt.wantICC)
			}
			details := strings.Join(h.Details, "; ")
			if tt.note != "" && !strings.Contains(details, tt.note) {
				t.Errorf("got details %q, want them to say %q", details, tt.note)
			}
			if tt.note == "" && strings.Contains(details, "dropped") {
				t.Errorf("got details %q, want nothing dropped", details)
			}
			if got, want := readAll(t, file), readAll(t, base); !bytes.Equal(got, want) {
				t.Errorf("pixels differ from the file without the segments")
			}
		})
	}
}

// TestMetaWhereWritten checks the segment order: SOI, JFIF APP0, APP1
// Exif, then the APP2 chunks numbered 1..n of n, before DQT.
func TestMetaWhereWritten(t *testing.T) {
	file := metaFile(t, raster.Metadata{ICC: synth.ICCProfile(2*iccChunk, "two"), EXIF: synth.Exif(1)}, 0)
	var got []string
	for i := 2; i+4 <= len(file) && file[i+1] != mSOS; {
		n := int(file[i+2])<<8 | int(file[i+3])
		s := fmt.Sprintf("%02x", file[i+1])
		switch file[i+1] {
		case mAPP1:
			s += string(file[i+4 : i+8])
		case mAPP2:
			s += fmt.Sprintf(" %d/%d %d", file[i+4+len(iccPrefix)], file[i+5+len(iccPrefix)], n-2-len(iccPrefix)-2)
		}
		got = append(got, s)
		i += 2 + n
	}
	want := fmt.Sprintf("e0 e1Exif e2 1/2 %d e2 2/2 %d db c0 c4 dd", iccChunk, iccChunk)
	if strings.Join(got, " ") != want {
		t.Errorf("got segments %q, want %q", strings.Join(got, " "), want)
	}
}

// TestMetaICCFits checks that a profile for other pixels is left out: a
// gray image does not get an RGB profile, nor an RGB image a CMYK one.
func TestMetaICCFits(t *testing.T) {
	rgb := synth.ICCProfile(1000, "rgb")
	cmyk := bytes.Clone(rgb)
	copy(cmyk[16:], "CMYK")
	gray := bytes.Clone(rgb)
	copy(gray[16:], "GRAY")
	for _, tt := range []struct {
		name string
		icc  []byte
		pix  raster.PixelFormat
		keep bool
	}{
		{"rgb on rgb", rgb, raster.RGB8, true},
		{"rgb on gray", rgb, raster.Gray8, false},
		{"gray on gray", gray, raster.Gray16, true},
		{"cmyk on rgb", cmyk, raster.RGBA8, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := raster.Header{Width: 16, Height: 8, Pixel: tt.pix, Meta: raster.Metadata{ICC: tt.icc}}
			got, err := ReadHeader(bytes.NewReader(encode(t, h, smooth(16, 8, tt.pix), WriterOptions{})))
			if err != nil {
				t.Fatal(err)
			}
			if kept := got.Meta.ICC != nil; kept != tt.keep {
				t.Errorf("got the profile kept %v, want %v", kept, tt.keep)
			}
		})
	}
}

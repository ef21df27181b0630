package tiffio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// encodeMeta writes a small RGB8 image with header h's metadata.
func encodeMeta(t testing.TB, m raster.Metadata, o raster.Orientation, wo WriterOptions) ([]byte, []byte) {
	t.Helper()
	pix := testImage(21, 9, raster.RGB8)
	var f memFile
	wr, err := NewWriter(&f, raster.Header{Width: 21, Height: 9, Pixel: raster.RGB8, Meta: m, Orientation: o}, wo)
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.WriteRows(pix); err != nil {
		t.Fatal(err)
	}
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}
	return f.b, pix
}

// exifEntries lists an EXIF block's entries as "tag type count value",
// IFD by IFD, values little-endian: what must survive a round trip
// whatever the layout and byte order.
func exifEntries(t *testing.T, exif []byte) []string {
	t.Helper()
	bo, ifd0, ok := parseExif(exif)
	if !ok {
		t.Fatalf("EXIF block % x does not parse", exif)
	}
	var out []string
	var walk func(prefix string, es []rawEntry)
	walk = func(prefix string, es []rawEntry) {
		es = slices.Clone(es)
		slices.SortFunc(es, func(x, y rawEntry) int { return int(x.tag) - int(y.tag) })
		for _, e := range es {
			if e.sub != nil {
				walk(fmt.Sprintf("%s%d/", prefix, e.tag), e.sub)
				continue
			}
			out = append(out, fmt.Sprintf("%s%d %d %d % x", prefix, e.tag, e.typ, e.count, toLittle(e, bo)))
		}
	}
	walk("", ifd0)
	return out
}

func TestMetaRoundTrip(t *testing.T) {
	// A big-endian camera block: the writer turns its values around.
	_, le0, _ := parseExif(synth.Exif(raster.RightTop))
	beExif := buildExif(binary.BigEndian, toBig(le0))
	for _, tt := range []struct {
		name  string
		m     raster.Metadata
		o     raster.Orientation
		wo    WriterOptions
		wantO raster.Orientation
	}{
		{"icc", raster.Metadata{ICC: synth.ICCProfile(5000, "tiff")}, 0, WriterOptions{}, 0},
		{"orientation", raster.Metadata{}, raster.LeftBottom, WriterOptions{}, raster.LeftBottom},
		{"exif", raster.Metadata{EXIF: synth.Exif(raster.RightTop)}, raster.RightTop, WriterOptions{}, raster.RightTop},
		{"exif orientation only in the block", raster.Metadata{EXIF: synth.Exif(raster.RightTop)}, 0, WriterOptions{}, raster.RightTop},
		{"big-endian exif", raster.Metadata{EXIF: beExif}, 0, WriterOptions{Compression: "lzw"}, raster.RightTop},
		{"bigtiff", raster.Metadata{ICC: synth.ICCProfile(300, "b"), EXIF: synth.Exif(raster.BottomLeft)}, raster.BottomLeft,
			WriterOptions{BigTIFF: true, Tiled: true, TileSize: 16}, raster.BottomLeft},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file, pix := encodeMeta(t, tt.m, tt.o, tt.wo)
			h, got := decodeAll(t, file, ReaderOptions{}, 3)
			if !bytes.Equal(got, pix) {
				t.Errorf("pixels changed")
			}
			if !bytes.Equal(h.Meta.ICC, tt.m.ICC) {
				t.Errorf("got an ICC profile of %d bytes, want the %d written", len(h.Meta.ICC), len(tt.m.ICC))
			}
			if h.Orientation != tt.wantO {
				t.Errorf("got orientation %d, want %d", h.Orientation, tt.wantO)
			}
			if tt.m.EXIF == nil {
				if h.Meta.EXIF != nil {
					t.Errorf("got EXIF % x, want none", h.Meta.EXIF)
				}
				return
			}
			if g, w := exifEntries(t, h.Meta.EXIF), exifEntries(t, tt.m.EXIF); !slices.Equal(g, w) {
				t.Errorf("got EXIF entries\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
			}
		})
	}
}

// toBig turns little-endian entries big-endian.
func toBig(es []rawEntry) []rawEntry {
	out := slices.Clone(es)
	for i, e := range out {
		if e.sub != nil {
			out[i].sub = toBig(e.sub)
			continue
		}
		out[i].raw = toLittle(e, binary.BigEndian) // the swap is its own inverse
	}
	return out
}

// TestMetaHostile checks that metadata tags that cannot be trusted are
// dropped with a note, and the image still reads.
func TestMetaHostile(t *testing.T) {
	img := make([]byte, 32)
	for _, tt := range []struct {
		name  string
		extra []tent
		note  string
	}{
		// A count past the file's size fails the file, as for any tag.
		{"icc longer than the file", []tent{{tagICC, typeUndefined, raster.MaxMetadata + 1, 8}}, "tag 34675 has 16777217 values, more than the file holds"},
		{"icc of wrong type", []tent{{tagICC, typeShort, 1, 0}}, "icc dropped: tag 34675 of field type 3"},
		{"exif pointer outside", []tent{{tagExifIFD, typeLong, 1, 1 << 30}}, "exif dropped: tag 34665 points to byte 1073741824, outside the file"},
		{"exif pointer to junk", []tent{{tagExifIFD, typeLong, 1, 9}}, "exif dropped: the IFD of tag 34665"},
		{"orientation out of range", []tent{{tagOrientation, typeShort, 1, 9}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := gray(compNone, img, 32, tt.extra...)
			r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{})
			if err != nil {
				if tt.name == "icc longer than the file" && strings.Contains(err.Error(), tt.note) {
					return
				}
				t.Fatalf("got %v, want the image read", err)
			}
			defer r.Close()
			h := r.Header()
			if h.Meta.ICC != nil || h.Meta.EXIF != nil || h.Orientation != 0 {
				t.Errorf("got ICC %d, EXIF %d bytes, orientation %d, want none", len(h.Meta.ICC), len(h.Meta.EXIF), h.Orientation)
			}
			if d := strings.Join(h.Details, "; "); !strings.Contains(d, tt.note) {
				t.Errorf("got details %q, want them to say %q", d, tt.note)
			}
			if _, err := readRows(r, 4); err != nil {
				t.Errorf("ReadRows: %v", err)
			}
		})
	}
	// The cap itself: a profile the file does hold, but past 16 MiB.
	big := make([]byte, raster.MaxMetadata+2)
	b := gray(compNone, img, 32, tent{tagICC, typeUndefined, raster.MaxMetadata + 1, 0})
	le := binary.LittleEndian
	// Point the profile at the image data, which big extends.
	at := bytes.Index(b, le.AppendUint32(le.AppendUint16(le.AppendUint16(nil, tagICC), typeUndefined), raster.MaxMetadata+1))
	le.PutUint32(b[at+8:], uint32(len(b)))
	b = append(b, big...)
	r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{})
	if err != nil {
		t.Fatalf("got %v, want the image read", err)
	}
	defer r.Close()
	h := r.Header()
	if want := "icc dropped: tag 34675 of 16.0 MiB, more than 16.0 MiB of metadata"; h.Meta.ICC != nil || !strings.Contains(strings.Join(h.Details, "; "), want) {
		t.Errorf("got ICC of %d bytes and details %q, want none and %q", len(h.Meta.ICC), h.Details, want)
	}
}

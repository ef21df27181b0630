package raster

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// exifWith builds a minimal EXIF block in byte order bo with IFD0 holding
// a tag 256 entry and, when o > 0, an orientation entry of type typ.
func exifWith(bo interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, o uint16, typ uint16) []byte {
	var b []byte
	if bo.String() == binary.LittleEndian.String() {
		b = []byte("II*\x00")
	} else {
		b = []byte("MM\x00*")
	}
	b = bo.AppendUint32(b, 8)
	entries := 1
	if o > 0 {
		entries = 2
	}
	b = bo.AppendUint16(b, uint16(entries))
	b = bo.AppendUint16(b, 256)
	b = bo.AppendUint16(b, 4)
	b = bo.AppendUint32(b, 1)
	b = bo.AppendUint32(b, 640)
	if o > 0 {
		b = bo.AppendUint16(b, 274)
		b = bo.AppendUint16(b, typ)
		b = bo.AppendUint32(b, 1)
		b = bo.AppendUint16(b, o)
		b = bo.AppendUint16(b, 0)
	}
	return bo.AppendUint32(b, 0)
}

func TestExifOrientation(t *testing.T) {
	for _, bo := range []interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}{binary.LittleEndian, binary.BigEndian} {
		for o := uint16(1); o <= 8; o++ {
			exif := exifWith(bo, o, 3)
			if got := ExifOrientation(exif); got != Orientation(o) {
				t.Errorf("%v orientation %d: read %d", bo, o, got)
			}
			set := SetExifOrientation(exif, TopLeft)
			if got := ExifOrientation(set); got != TopLeft {
				t.Errorf("%v orientation %d set to 1: read %d", bo, o, got)
			}
			if got := ExifOrientation(exif); got != Orientation(o) {
				t.Errorf("%v: SetExifOrientation changed its argument", bo)
			}
			if len(set) != len(exif) {
				t.Errorf("%v: length %d after set, want %d", bo, len(set), len(exif))
			}
		}
	}
	bad := map[string][]byte{
		"none":         exifWith(binary.LittleEndian, 0, 3),
		"out of range": exifWith(binary.LittleEndian, 9, 3),
		"wrong type":   exifWith(binary.LittleEndian, 6, 4),
		"short":        []byte("II*\x00\x08"),
		"bad mark":     []byte("XX*\x00\x08\x00\x00\x00"),
		"ifd past end": {'I', 'I', '*', 0, 0xff, 0, 0, 0},
		"cut entries":  exifWith(binary.BigEndian, 6, 3)[:20],
	}
	for name, exif := range bad {
		if got := ExifOrientation(exif); got != 0 {
			t.Errorf("%s: read %d, want 0", name, got)
		}
		if name == "out of range" {
			// The entry is there: setting it mends the value.
			if got := ExifOrientation(SetExifOrientation(exif, TopLeft)); got != TopLeft {
				t.Errorf("%s: read %d after set, want 1", name, got)
			}
			continue
		}
		if got := SetExifOrientation(exif, TopLeft); !bytes.Equal(got, exif) {
			t.Errorf("%s: SetExifOrientation changed the block", name)
		}
	}
}

func TestOrientationSwaps(t *testing.T) {
	for o := Orientation(0); o <= 9; o++ {
		want := o >= 5 && o <= 8
		if o.Swaps() != want {
			t.Errorf("%d.Swaps() = %v", o, o.Swaps())
		}
		if o.Valid() != (o >= 1 && o <= 8) {
			t.Errorf("%d.Valid() = %v", o, o.Valid())
		}
	}
}

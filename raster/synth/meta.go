package synth

import (
	"encoding/binary"

	"github.com/sluice-go/sluice/raster"
)

// ICCProfile returns a made-up ICC profile of size bytes (at least 256)
// whose description tag reads desc: a version 2 display RGB header (that
// libpng's checks accept), a tag table with one 'desc' entry, and filler
// bytes that depend on size alone. It is what metadata tests carry from
// file to file; colour code would find it holds no transform.
func ICCProfile(size int, desc string) []byte {
	be := binary.BigEndian
	size = max(size, 256)
	b := make([]byte, size)
	for i := 256; i < size; i++ {
		b[i] = byte(i*7 + i>>8)
	}
	be.PutUint32(b[0:], uint32(size))
	copy(b[4:], "none")
	be.PutUint32(b[8:], 0x02100000) // version 2.1
	copy(b[12:], "mntrRGB XYZ ")
	copy(b[36:], "acsp")
	be.PutUint32(b[68:], 0xf6d6) // the D50 illuminant, s15Fixed16
	be.PutUint32(b[72:], 0x10000)
	be.PutUint32(b[76:], 0xd32d)
	be.PutUint32(b[128:], 1) // one tag
	tag := append([]byte("desc\x00\x00\x00\x00"), be.AppendUint32(nil, uint32(len(desc)+1))...)
	tag = append(append(tag, desc...), 0)
	copy(b[132:], "desc")
	be.PutUint32(b[136:], 144)
	be.PutUint32(b[140:], uint32(len(tag)))
	copy(b[144:], tag)
	return b
}

// Exif returns a little-endian EXIF block as cameras write it: IFD0 with
// the camera's make and the orientation o (none when o is 0), and an EXIF
// IFD, which IFD0 points to, holding the exposure time (a RATIONAL, stored
// out of line) and the EXIF version.
func Exif(o raster.Orientation) []byte { return ExifSized(o, 0, 0) }

// ExifSized is Exif with the image's size in the EXIF IFD too
// (PixelXDimension as a LONG, PixelYDimension as a SHORT) when w and h
// are positive.
func ExifSized(o raster.Orientation, w, h int) []byte {
	le := binary.LittleEndian
	type ent struct {
		tag, typ uint16
		count    uint32
		val      []byte
	}
	ifd0 := []ent{{271, 2, 7, []byte("sluice\x00")}}
	if o != 0 {
		ifd0 = append(ifd0, ent{274, 3, 1, le.AppendUint16(nil, uint16(o))})
	}
	ifd0 = append(ifd0, ent{34665, 4, 1, nil}) // the EXIF IFD's offset, set below
	exif := []ent{
		{33434, 5, 1, le.AppendUint32(le.AppendUint32(nil, 1), 250)}, // 1/250 s
		{36864, 7, 4, []byte("0232")},
	}
	if w > 0 && h > 0 {
		exif = append(exif, ent{40962, 4, 1, le.AppendUint32(nil, uint32(w))}, ent{40963, 3, 1, le.AppendUint16(nil, uint16(h))})
	}
	// Layout: header, IFD0, its values, the EXIF IFD, its values.
	ifdLen := func(es []ent) int { return 2 + 12*len(es) + 4 }
	outLen := func(es []ent) int {
		n := 0
		for _, e := range es {
			if len(e.val) > 4 {
				n += (len(e.val) + 1) &^ 1
			}
		}
		return n
	}
	exifAt := 8 + ifdLen(ifd0) + outLen(ifd0)
	ifd0[len(ifd0)-1].val = le.AppendUint32(nil, uint32(exifAt))
	b := append([]byte("II*\x00"), le.AppendUint32(nil, 8)...)
	put := func(es []ent, at int) {
		b = le.AppendUint16(b, uint16(len(es)))
		extra := at + ifdLen(es)
		var tail []byte
		for _, e := range es {
			b = le.AppendUint16(b, e.tag)
			b = le.AppendUint16(b, e.typ)
			b = le.AppendUint32(b, e.count)
			if len(e.val) <= 4 {
				v := make([]byte, 4)
				copy(v, e.val)
				b = append(b, v...)
				continue
			}
			b = le.AppendUint32(b, uint32(extra+len(tail)))
			tail = append(tail, e.val...)
			if len(tail)%2 == 1 {
				tail = append(tail, 0)
			}
		}
		b = le.AppendUint32(b, 0)
		b = append(b, tail...)
	}
	put(ifd0, 8)
	put(exif, exifAt)
	return b
}

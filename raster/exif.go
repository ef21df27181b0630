package raster

import (
	"encoding/binary"
	"fmt"
)

// MaxMetadata bounds the ICC profile and the EXIF block a reader keeps, each
// on its own: 16 MiB, more than any camera or profile needs (a JPEG holds
// at most 255 ICC chunks of 65,519 bytes, under 16 MiB). Readers check a
// size the file declares against it before allocating, and drop what
// passes it, so a hostile file cannot make them hold gigabytes.
const MaxMetadata = 16 << 20

// DropNote is the Header.Details entry a reader adds when it drops a piece
// of metadata it could not trust, such as "icc dropped: chunk 2 of 3
// missing": what and why, so that `sluice info` can say it.
func DropNote(what, format string, args ...any) string {
	return what + " dropped: " + fmt.Sprintf(format, args...)
}

// ExifWithOrientation returns the EXIF block a writer stores for exif and
// the header's orientation o: exif with its orientation set to o when it
// has an orientation entry; a new block holding only the orientation when
// exif is empty and o is valid and not TopLeft; exif unchanged otherwise
// (o is 0 or invalid, or exif has no orientation entry, whose layout is
// never rewritten).
func ExifWithOrientation(exif []byte, o Orientation) []byte {
	if !o.Valid() {
		return exif
	}
	if len(exif) == 0 {
		if o == TopLeft {
			return exif
		}
		return MinimalExif(o)
	}
	if ExifOrientation(exif) == o {
		return exif
	}
	return SetExifOrientation(exif, o)
}

// MinimalExif returns a little-endian TIFF-structured EXIF block whose
// IFD0 holds one entry, the orientation o.
func MinimalExif(o Orientation) []byte {
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	b = le.AppendUint16(b, 1) // one entry
	b = le.AppendUint16(b, exifOrientationTag)
	b = le.AppendUint16(b, 3) // SHORT
	b = le.AppendUint32(b, 1) // one value
	b = le.AppendUint16(b, uint16(o))
	b = le.AppendUint16(b, 0)
	return le.AppendUint32(b, 0) // no next IFD
}

// ValidExif reports whether exif starts as a TIFF-structured block does:
// a byte-order mark, 42, and an IFD offset inside the block.
func ValidExif(exif []byte) bool {
	_, _, ok := exifIFD0(exif)
	return ok
}

// exifIFD0 reads the head of a TIFF-structured EXIF block: its byte order
// and the offset of IFD0, which it checks lies inside the block.
func exifIFD0(exif []byte) (binary.ByteOrder, int64, bool) {
	if len(exif) < 8 {
		return nil, 0, false
	}
	var bo binary.ByteOrder
	switch string(exif[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil, 0, false
	}
	ifd := int64(bo.Uint32(exif[4:]))
	return bo, ifd, ifd >= 8 && ifd+2 <= int64(len(exif))
}

// EXIF tags of the image's size, in the EXIF IFD that IFD0 points to.
const (
	exifIFDTag        = 34665
	exifPixelXDimTag  = 40962
	exifPixelYDimTag  = 40963
	maxExifIFDEntries = 1 << 12
)

// ExifToWrite returns the EXIF block a writer stores for header h:
// h.Meta.EXIF with its orientation set to h.Orientation
// (ExifWithOrientation) and, when the block has them, its
// PixelXDimension and PixelYDimension set to h's size, so that a resized
// image does not carry its source's size. The block's layout never
// changes; h.Meta.EXIF itself is not modified.
func ExifToWrite(h Header) []byte {
	exif := ExifWithOrientation(h.Meta.EXIF, h.Orientation)
	at := exifDimensions(exif)
	copied := len(exif) > 0 && (len(h.Meta.EXIF) == 0 || &exif[0] != &h.Meta.EXIF[0])
	for i, v := range []int{h.Width, h.Height} {
		e := at[i]
		if e.off == 0 || v <= 0 || (e.short && v > 0xffff) {
			continue
		}
		if !copied {
			exif, copied = append([]byte(nil), exif...), true
		}
		if e.short {
			e.bo.PutUint16(exif[e.off:], uint16(v))
		} else {
			e.bo.PutUint32(exif[e.off:], uint32(v))
		}
	}
	return exif
}

// dimEntry is where an EXIF size value lies: its byte order, the offset of
// its value (0 when absent), and whether it is a SHORT.
type dimEntry struct {
	bo    binary.ByteOrder
	off   int
	short bool
}

// exifDimensions finds PixelXDimension and PixelYDimension in the EXIF IFD.
func exifDimensions(exif []byte) (at [2]dimEntry) {
	if !ValidExif(exif) {
		return at
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if exif[0] == 'M' {
		bo = binary.BigEndian
	}
	entries := func(off int64) (int64, int64) { // first entry, count
		if off < 8 || off+2 > int64(len(exif)) {
			return 0, 0
		}
		n := min(int64(bo.Uint16(exif[off:])), maxExifIFDEntries, (int64(len(exif))-off-2)/12)
		return off + 2, n
	}
	first, n := entries(int64(bo.Uint32(exif[4:])))
	var sub int64
	for i := range n {
		e := first + 12*i
		if bo.Uint16(exif[e:]) == exifIFDTag && bo.Uint32(exif[e+4:]) == 1 {
			sub = int64(bo.Uint32(exif[e+8:]))
		}
	}
	first, n = entries(sub)
	for i := range n {
		e := first + 12*i
		tag, typ, count := bo.Uint16(exif[e:]), bo.Uint16(exif[e+2:]), bo.Uint32(exif[e+4:])
		k := int(tag) - exifPixelXDimTag
		if (k != 0 && k != 1) || count != 1 || (typ != 3 && typ != 4) {
			continue
		}
		at[k] = dimEntry{bo: bo, off: int(e + 8), short: typ == 3}
	}
	return at
}

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
	if len(exif) < 8 {
		return false
	}
	var bo binary.ByteOrder
	switch string(exif[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return false
	}
	ifd := int64(bo.Uint32(exif[4:]))
	return ifd >= 8 && ifd+2 <= int64(len(exif))
}

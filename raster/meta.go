package raster

import "encoding/binary"

// Metadata is what a file carries besides its pixels that a tool must not
// drop: the colour profile the pixels are meant in, and the camera's EXIF.
// Readers fill it; writers store it where their format has a place for it.
// A nil field means the file has none.
type Metadata struct {
	// ICC is an ICC colour profile, whole and uncompressed (JPEG APP2
	// ICC_PROFILE chunks joined, PNG iCCP inflated, TIFF tag 34675).
	ICC []byte
	// EXIF is a TIFF-structured EXIF block, starting with its byte-order
	// mark "II*\x00" or "MM\x00*", without JPEG's "Exif\x00\x00" prefix
	// (the form of PNG's eXIf chunk).
	EXIF []byte
}

// Empty reports whether m holds nothing.
func (m Metadata) Empty() bool { return len(m.ICC) == 0 && len(m.EXIF) == 0 }

// Orientation is the EXIF and TIFF orientation: which corner of the
// stored image is the top left of the picture as it is meant to be seen.
type Orientation uint8

// The eight orientations, numbered as in EXIF tag 274 and TIFF tag 274.
const (
	TopLeft     Orientation = 1 + iota // as stored
	TopRight                           // mirrored left to right (flop)
	BottomRight                        // turned half a turn (rotate:180)
	BottomLeft                         // mirrored top to bottom (flip)
	LeftTop                            // mirrored along the main diagonal (transpose)
	RightTop                           // to be turned a quarter turn clockwise (rotate:90)
	RightBottom                        // mirrored along the other diagonal
	LeftBottom                         // to be turned a quarter turn anticlockwise (rotate:270)
)

// Valid reports whether o is one of the eight orientations.
func (o Orientation) Valid() bool { return o >= TopLeft && o <= LeftBottom }

// Swaps reports whether displaying the image swaps its width and height.
func (o Orientation) Swaps() bool { return o >= LeftTop && o <= LeftBottom }

// exifOrientationTag is the tag of the orientation in EXIF's IFD0.
const exifOrientationTag = 274

// exifOrientationAt finds the orientation entry in IFD0 of a TIFF-structured
// EXIF block: the byte order, the offset of the entry's value, and true;
// false when the block is malformed or has no orientation.
func exifOrientationAt(exif []byte) (binary.ByteOrder, int, bool) {
	bo, ifd, ok := exifIFD0(exif)
	if !ok {
		return nil, 0, false
	}
	n := int64(bo.Uint16(exif[ifd:]))
	for i := int64(0); i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(exif)) {
			return nil, 0, false
		}
		if bo.Uint16(exif[e:]) != exifOrientationTag {
			continue
		}
		// SHORT, count 1: the value sits in the first two bytes of the
		// value field.
		if bo.Uint16(exif[e+2:]) != 3 || bo.Uint32(exif[e+4:]) != 1 {
			return nil, 0, false
		}
		return bo, int(e + 8), true
	}
	return nil, 0, false
}

// ExifOrientation reads the orientation from a TIFF-structured EXIF block;
// 0 when it has none or the block is malformed.
func ExifOrientation(exif []byte) Orientation {
	bo, at, ok := exifOrientationAt(exif)
	if !ok {
		return 0
	}
	o := Orientation(bo.Uint16(exif[at:]))
	if !o.Valid() {
		return 0
	}
	return o
}

// SetExifOrientation returns a copy of exif with its orientation set to o,
// or exif itself when it has no orientation entry to change (the block's
// layout is never rewritten, so nothing else in it moves).
func SetExifOrientation(exif []byte, o Orientation) []byte {
	bo, at, ok := exifOrientationAt(exif)
	if !ok {
		return exif
	}
	out := append([]byte(nil), exif...)
	bo.PutUint16(out[at:], uint16(o))
	return out
}

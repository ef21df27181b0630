package raster

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// ICCDescription returns the text of an ICC profile's description tag
// ('desc': the ASCII of a version 2 profile, or the first record of a
// version 4 'mluc'), trimmed; "" when the profile has none or is
// malformed. It reads only the bytes the tag table points at.
func ICCDescription(icc []byte) string {
	be := binary.BigEndian
	if len(icc) < 132 {
		return ""
	}
	n := int(be.Uint32(icc[128:]))
	if n > (len(icc)-132)/12 {
		return ""
	}
	for i := range n {
		e := icc[132+12*i:]
		if string(e[:4]) != "desc" {
			continue
		}
		off, size := int64(be.Uint32(e[4:])), int64(be.Uint32(e[8:]))
		if off+size > int64(len(icc)) || size < 12 {
			return ""
		}
		return descText(icc[off : off+size])
	}
	return ""
}

// descText reads a 'desc' or 'mluc' tag's text.
func descText(t []byte) string {
	be := binary.BigEndian
	var s string
	switch string(t[:4]) {
	case "desc":
		n := int64(be.Uint32(t[8:]))
		if n > int64(len(t)-12) {
			return ""
		}
		s = string(t[12 : 12+n])
	case "mluc":
		if len(t) < 28 || be.Uint32(t[8:]) == 0 {
			return ""
		}
		ln, off := int64(be.Uint32(t[20:])), int64(be.Uint32(t[24:]))
		if off+ln > int64(len(t)) || ln%2 != 0 {
			return ""
		}
		u := make([]uint16, ln/2)
		for i := range u {
			u[i] = be.Uint16(t[off+2*int64(i):])
		}
		s = string(utf16.Decode(u))
	default:
		return ""
	}
	s = strings.TrimRight(s, "\x00")
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// ICCFits reports whether an ICC profile describes pixels of format p: a
// profile of colour space "RGB " for RGB and RGBA, "GRAY" for gray and
// gray+alpha. Writers leave out a profile that does not fit the pixels
// they store (the CMYK profile of a CMYK JPEG decoded to RGB, the RGB
// profile of an image turned gray), since a reader would apply it to the
// wrong samples.
func ICCFits(icc []byte, p PixelFormat) bool {
	if len(icc) < 128 {
		return false
	}
	switch string(icc[16:20]) {
	case "RGB ":
		return p.Color()
	case "GRAY":
		return !p.Color()
	}
	return false
}

package tiffio

import (
	"encoding/binary"
)

// undoPredictor reverses horizontal differencing (predictor 2) on one row
// of spp samples per pixel, in the file's byte order.
func undoPredictor(row []byte, spp, bits int, bo binary.ByteOrder) {
	if bits == 8 {
		for i := spp; i < len(row); i++ {
			row[i] += row[i-spp]
		}
		return
	}
	n := len(row) / 2
	if bo == binary.LittleEndian {
		for i := spp; i < n; i++ {
			v := binary.LittleEndian.Uint16(row[2*i:]) + binary.LittleEndian.Uint16(row[2*(i-spp):])
			binary.LittleEndian.PutUint16(row[2*i:], v)
		}
		return
	}
	for i := spp; i < n; i++ {
		v := binary.BigEndian.Uint16(row[2*i:]) + binary.BigEndian.Uint16(row[2*(i-spp):])
		binary.BigEndian.PutUint16(row[2*i:], v)
	}
}

// applyPredictor is the inverse of undoPredictor, working from the end of
// the row back.
func applyPredictor(row []byte, spp, bits int, bo binary.ByteOrder) {
	if bits == 8 {
		for i := len(row) - 1; i >= spp; i-- {
			row[i] -= row[i-spp]
		}
		return
	}
	for i := len(row)/2 - 1; i >= spp; i-- {
		v := bo.Uint16(row[2*i:]) - bo.Uint16(row[2*(i-spp):])
		bo.PutUint16(row[2*i:], v)
	}
}

// invertGray inverts the gray sample (not alpha) of each pixel, turning
// MinIsWhite into MinIsBlack. 16-bit samples are big-endian here.
func invertGray(b []byte, spp, bits int) {
	step := spp * bits / 8
	for i := 0; i < len(b); i += step {
		b[i] = ^b[i]
		if bits == 16 {
			b[i+1] = ^b[i+1]
		}
	}
}

// expandGray unpacks 1-, 2- or 4-bit gray samples into 8-bit ones, scaled
// to 0…255 and inverted for MinIsWhite.
func expandGray(raw, out []byte, bits int, invert bool) {
	per := 8 / bits
	mask := byte(1<<bits - 1)
	scale := 255 / mask
	var inv byte
	if invert {
		inv = 0xff
	}
	for x := range out {
		v := raw[x/per] >> (8 - bits*(x%per+1)) & mask
		out[x] = v*scale ^ inv
	}
}

// expandPalette maps 1-, 2-, 4- or 8-bit palette indices to RGB8 pixels.
func expandPalette(raw, out []byte, bits int, cmap []byte) {
	per := 8 / bits
	mask := byte(1<<bits - 1)
	for x := 0; x < len(out)/3; x++ {
		v := int(raw[x/per] >> (8 - bits*(x%per+1)) & mask)
		copy(out[3*x:3*x+3], cmap[3*v:3*v+3])
	}
}

// unpremultiply turns associated alpha into straight alpha: each color
// sample is divided by alpha, rounded, clamped; a fully transparent pixel
// keeps color 0. 16-bit samples are big-endian here.
func unpremultiply(b []byte, spp, bits int) {
	if bits == 8 {
		for i := 0; i+spp <= len(b); i += spp {
			a := uint32(b[i+spp-1])
			if a == 255 {
				continue
			}
			for c := i; c < i+spp-1; c++ {
				if a == 0 {
					b[c] = 0
					continue
				}
				b[c] = byte(min(255, (uint32(b[c])*255+a/2)/a))
			}
		}
		return
	}
	step := 2 * spp
	for i := 0; i+step <= len(b); i += step {
		a := uint32(binary.BigEndian.Uint16(b[i+step-2:]))
		if a == 65535 {
			continue
		}
		for c := i; c < i+step-2; c += 2 {
			v := uint32(0)
			if a != 0 {
				v = min(65535, (uint32(binary.BigEndian.Uint16(b[c:]))*65535+a/2)/a)
			}
			binary.BigEndian.PutUint16(b[c:], uint16(v))
		}
	}
}

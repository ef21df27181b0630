package pngio

import "github.com/sluice-go/sluice/raster"

// An expander turns one unfiltered row of the file, src, into width pixels
// of the output format in dst.
type expander func(dst, src []byte, width int)

// newExpander returns the expander from the file's pixels (header h) to the
// output format out. palette holds RGBA entries; trns is the tRNS chunk's
// data or nil.
func newExpander(h ihdr, out raster.PixelFormat, palette *[256][4]byte, trns []byte) expander {
	switch h.colorType {
	case ctPalette:
		return paletteExpander(h.depth, palette, out.Channels)
	case ctGray:
		if h.depth < 8 {
			return lowGrayExpander(h.depth, trns)
		}
		if trns != nil {
			return keyExpander(1, h.depth, trns)
		}
	case ctRGB:
		if trns != nil {
			return keyExpander(3, h.depth, trns)
		}
	}
	return func(dst, src []byte, _ int) { copy(dst, src) }
}

// grayScale maps a sample of 1, 2 or 4 bits to 8 bits by repeating its
// bits: 1-bit 1 becomes 255, 2-bit 1 becomes 0x55.
var grayScale = [...]byte{1: 0xff, 2: 0x55, 4: 0x11}

// lowGrayExpander expands gray samples of 1, 2 or 4 bits to Gray8, or to
// GrayAlpha8 when trns holds a transparent gray level.
func lowGrayExpander(depth int, trns []byte) expander {
	scale, mask := grayScale[depth], byte(1<<depth-1)
	perByte := 8 / depth
	if trns == nil {
		return func(dst, src []byte, width int) {
			x := 0
			for _, b := range src {
				for k := 0; k < perByte && x < width; k++ {
					dst[x] = (b >> (8 - depth)) * scale
					b <<= depth
					x++
				}
			}
		}
	}
	key := int(trns[0])<<8 | int(trns[1])
	return func(dst, src []byte, width int) {
		x := 0
		for _, b := range src {
			for k := 0; k < perByte && x < width; k++ {
				v := (b >> (8 - depth)) & mask
				dst[2*x] = v * scale
				dst[2*x+1] = 0xff
				if int(v) == key {
					dst[2*x+1] = 0
				}
				b <<= depth
				x++
			}
		}
	}
}

// keyExpander adds an alpha sample to gray (channels 1) or RGB (channels 3)
// pixels of 8 or 16 bits: zero where the pixel equals the tRNS colour,
// opaque elsewhere.
func keyExpander(channels, depth int, trns []byte) expander {
	if depth == 8 {
		// A key above 255 never matches an 8-bit sample.
		var key [3]int
		for c := range channels {
			key[c] = int(trns[2*c])<<8 | int(trns[2*c+1])
		}
		return func(dst, src []byte, width int) {
			o := channels + 1
			for x := range width {
				s, d := src[x*channels:x*channels+channels], dst[x*o:x*o+o]
				match := true
				for c := range channels {
					d[c] = s[c]
					match = match && int(s[c]) == key[c]
				}
				d[channels] = 0xff
				if match {
					d[channels] = 0
				}
			}
		}
	}
	key := trns[:2*channels]
	return func(dst, src []byte, width int) {
		sb, db := 2*channels, 2*channels+2
		for x := range width {
			s, d := src[x*sb:x*sb+sb], dst[x*db:x*db+db]
			copy(d, s)
			a := byte(0xff)
			if string(s) == string(key) {
				a = 0
			}
			d[sb], d[sb+1] = a, a
		}
	}
}

// paletteExpander looks up palette indices of depth bits in palette, giving
// RGB8 (channels 3) or RGBA8 (channels 4) pixels.
func paletteExpander(depth int, palette *[256][4]byte, channels int) expander {
	if depth == 8 {
		if channels == 4 {
			return func(dst, src []byte, width int) {
				for x, i := range src[:width] {
					copy(dst[4*x:4*x+4], palette[i][:])
				}
			}
		}
		return func(dst, src []byte, width int) {
			for x, i := range src[:width] {
				p := &palette[i]
				d := dst[3*x : 3*x+3]
				d[0], d[1], d[2] = p[0], p[1], p[2]
			}
		}
	}
	perByte := 8 / depth
	return func(dst, src []byte, width int) {
		x := 0
		for _, b := range src {
			for k := 0; k < perByte && x < width; k++ {
				copy(dst[x*channels:x*channels+channels], palette[b>>(8-depth)][:channels])
				b <<= depth
				x++
			}
		}
	}
}

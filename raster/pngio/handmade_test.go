package pngio

import (
	"fmt"
	"testing"
)

// rawImage builds a PNG file from sample values, filter None, interlaced or
// not, with extra chunks between IHDR and IDAT. sample gives the value of
// sample c of pixel (x, y), below 1<<depth.
func rawImage(w, h, depth, ct int, interlace bool, extra [][]byte, sample func(x, y, c int) int) []byte {
	hd := ihdr{width: w, height: h, depth: depth, colorType: ct}
	var raw []byte
	pass := func(x0, y0, dx, dy int) {
		pw, ph := (w-x0+dx-1)/dx, (h-y0+dy-1)/dy
		if pw <= 0 || ph <= 0 {
			return
		}
		for py := range ph {
			row := make([]byte, hd.rowLen(pw))
			bit := 0
			for px := range pw {
				for c := range hd.channels() {
					v := sample(x0+px*dx, y0+py*dy, c)
					switch depth {
					case 16:
						row[bit/8], row[bit/8+1] = byte(v>>8), byte(v)
					case 8:
						row[bit/8] = byte(v)
					default:
						row[bit/8] |= byte(v << (8 - depth - bit%8))
					}
					bit += depth
				}
			}
			raw = append(append(raw, ftNone), row...)
		}
	}
	if interlace {
		for _, p := range adam7 {
			pass(p.x0, p.y0, p.dx, p.dy)
		}
	} else {
		pass(0, 0, 1, 1)
	}
	il := byte(0)
	if interlace {
		il = 1
	}
	chunks := [][]byte{ihdrChunk(uint32(w), uint32(h), byte(depth), byte(ct), il)}
	chunks = append(chunks, extra...)
	chunks = append(chunks, chunk("IDAT", zlibBytes(raw)), iend)
	return file(chunks...)
}

// TestHandmade compares our Reader with image/png on files our Writer does
// not make: low bit depths, tRNS keys, palettes with out-of-range indices
// and tRNS chunks of every length, each interlaced and not.
func TestHandmade(t *testing.T) {
	palette := func(n int) []byte {
		p := make([]byte, 3*n)
		for i := range p {
			p[i] = byte(i*37 + 11)
		}
		return chunk("PLTE", p)
	}
	alphas := func(n int) []byte {
		a := make([]byte, n)
		for i := range a {
			a[i] = byte(255 - i*9)
		}
		return chunk("tRNS", a)
	}
	key := func(v ...int) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x>>8), byte(x))
		}
		return chunk("tRNS", b)
	}
	tests := []struct {
		name      string
		depth, ct int
		extra     [][]byte
		max       int // sample values run over 0…max-1
	}{
		{"gray1", 1, ctGray, nil, 2},
		{"gray2", 2, ctGray, nil, 4},
		{"gray4", 4, ctGray, nil, 16},
		{"gray1-trns", 1, ctGray, [][]byte{key(1)}, 2},
		{"gray2-trns", 2, ctGray, [][]byte{key(2)}, 4},
		{"gray4-trns", 4, ctGray, [][]byte{key(9)}, 16},
		{"gray8-trns", 8, ctGray, [][]byte{key(7)}, 13},
		{"gray16-trns", 16, ctGray, [][]byte{key(1000)}, 1003},
		{"rgb8-trns", 8, ctRGB, [][]byte{key(1, 2, 3)}, 5},
		{"rgb16-trns", 16, ctRGB, [][]byte{key(300, 301, 302)}, 305},
		{"rgb8-plte", 8, ctRGB, [][]byte{palette(4)}, 256},
		{"gray-alpha8", 8, ctGrayAlpha, nil, 256},
		{"rgba16", 16, ctRGBA, nil, 65536},
		{"palette1", 1, ctPalette, [][]byte{palette(2)}, 2},
		{"palette2-short", 2, ctPalette, [][]byte{palette(3)}, 4},
		{"palette4-trns", 4, ctPalette, [][]byte{palette(16), alphas(5)}, 16},
		{"palette8-out-of-range", 8, ctPalette, [][]byte{palette(10)}, 20},
		{"palette8-trns-longer", 8, ctPalette, [][]byte{palette(10), alphas(14)}, 20},
		{"palette8-trns-full", 8, ctPalette, [][]byte{palette(256), alphas(256)}, 256},
	}
	for _, tt := range tests {
		for _, interlace := range []bool{false, true} {
			for _, size := range [][2]int{{1, 1}, {3, 2}, {13, 11}, {40, 9}} {
				name := fmt.Sprintf("%s/%dx%d/interlace=%v", tt.name, size[0], size[1], interlace)
				t.Run(name, func(t *testing.T) {
					data := rawImage(size[0], size[1], tt.depth, tt.ct, interlace, tt.extra, func(x, y, c int) int {
						return (x*7 + y*13 + c*5 + x*y) % tt.max
					})
					if !compareWithStdlib(t, data) {
						t.Fatal("image/png rejects the file, want a valid one")
					}
				})
			}
		}
	}
}

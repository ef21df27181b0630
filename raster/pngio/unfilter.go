package pngio

import "fmt"

// PNG filter types, the byte that starts every row of image data.
const (
	ftNone  = 0
	ftSub   = 1
	ftUp    = 2
	ftAvg   = 3
	ftPaeth = 4
)

// unfilter undoes filter ft on row cur in place, given the unfiltered row
// above it, prev (all zeros for the first row), and the filter distance bpp
// in bytes.
func unfilter(ft byte, cur, prev []byte, bpp int) error {
	prev = prev[:len(cur)]
	switch ft {
	case ftNone:
	case ftSub:
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case ftUp:
		for i, p := range prev {
			cur[i] += p
		}
	case ftAvg:
		unfilterAvg(cur, prev, bpp)
	case ftPaeth:
		unfilterPaeth(cur, prev, bpp)
	default:
		return fmt.Errorf("unknown filter type %d", ft)
	}
	return nil
}

// unfilterAvg undoes the Average filter.
func unfilterAvg(cur, prev []byte, bpp int) {
	bpp = min(bpp, len(cur))
	for i := range bpp {
		cur[i] += prev[i] / 2
	}
	for i := bpp; i < len(cur); i++ {
		cur[i] += byte((int(cur[i-bpp]) + int(prev[i])) / 2)
	}
}

// abs is the absolute value of x, without a branch.
func abs(x int) int {
	m := x >> (8*8 - 1)
	return (x ^ m) - m
}

// unfilterPaeth undoes the Paeth filter. The loop runs once per sample
// position of a pixel, carrying the left and upper-left bytes in registers.
func unfilterPaeth(cur, prev []byte, bpp int) {
	if bpp == 1 {
		var a, c byte
		for i, b := range prev {
			a = cur[i] + paethByte(a, b, c)
			cur[i] = a
			c = b
		}
		return
	}
	for k := range min(bpp, len(cur)) {
		var a, c byte
		for i := k; i < len(cur); i += bpp {
			b := prev[i]
			a = cur[i] + paethByte(a, b, c)
			cur[i] = a
			c = b
		}
	}
}

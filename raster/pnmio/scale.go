package pnmio

// badSample marks an 8-bit table entry for a value above maxval.
const badSample = 0x100

// table8 maps each byte value to itself scaled from 0..maxval onto 0..255,
// rounded to nearest; values above maxval map to badSample.
func table8(maxval int) *[256]uint16 {
	var t [256]uint16
	for v := range t {
		if v > maxval {
			t[v] = badSample
			continue
		}
		t[v] = uint16((v*255 + maxval/2) / maxval)
	}
	return &t
}

// table16 maps 0..maxval onto 0..65535, rounded to nearest.
func table16(maxval int) []uint16 {
	t := make([]uint16, maxval+1)
	for v := range t {
		t[v] = uint16((v*65535 + maxval/2) / maxval)
	}
	return t
}

package raster

import "encoding/binary"

// SwapBytes16 copies the 16-bit samples of src into dst, swapping the two
// bytes of each: a row's big-endian samples to little-endian ones (a TIFF
// file's, a kernel's words), and back. dst may be src itself; a last odd
// byte is left alone.
func SwapBytes16(dst, src []byte) {
	dst = dst[:len(src)]
	le := binary.LittleEndian
	i := 0
	for ; i+8 <= len(src); i += 8 {
		v := le.Uint64(src[i:])
		le.PutUint64(dst[i:], v>>8&0x00ff00ff00ff00ff|v&0x00ff00ff00ff00ff<<8)
	}
	for ; i+1 < len(src); i += 2 {
		dst[i], dst[i+1] = src[i+1], src[i]
	}
}

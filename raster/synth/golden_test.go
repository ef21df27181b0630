package synth

import (
	"hash/crc32"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestGolden pins the bytes of a small image in every format. All pixel
// arithmetic is integer, so these hold on every architecture; a change to
// the scene changes them, deliberately, here.
func TestGolden(t *testing.T) {
	want := map[raster.PixelFormat]uint32{
		raster.Gray8:       0x6839aa7e,
		raster.GrayAlpha8:  0x80c985c5,
		raster.RGB8:        0x98a8b6f0,
		raster.RGBA8:       0xfe28ef21,
		raster.Gray16:      0xd4f0a8e2,
		raster.GrayAlpha16: 0x981dc678,
		raster.RGB16:       0x579a1c75,
		raster.RGBA16:      0x5936386f,
	}
	for _, pf := range []raster.PixelFormat{
		raster.Gray8, raster.GrayAlpha8, raster.RGB8, raster.RGBA8,
		raster.Gray16, raster.GrayAlpha16, raster.RGB16, raster.RGBA16,
	} {
		t.Run(pf.String(), func(t *testing.T) {
			if got := crc32.ChecksumIEEE(render(301, 203, pf, 1)); got != want[pf] {
				t.Errorf("crc32 of the 301×203 image of seed 1: got %#08x, want %#08x", got, want[pf])
			}
		})
	}
}

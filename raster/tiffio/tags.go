package tiffio

import "strings"

// TIFF field types (TIFF 6.0 section 2, BigTIFF additions).
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeSByte     = 6
	typeUndefined = 7
	typeSShort    = 8
	typeSLong     = 9
	typeSRational = 10
	typeFloat     = 11
	typeDouble    = 12
	typeIFD       = 13
	typeLong8     = 16
	typeSLong8    = 17
	typeIFD8      = 18
)

// typeSize is the size in bytes of one value of each field type; 0 marks a
// type this package does not know.
var typeSize = [...]int{
	typeByte: 1, typeASCII: 1, typeShort: 2, typeLong: 4, typeRational: 8,
	typeSByte: 1, typeUndefined: 1, typeSShort: 2, typeSLong: 4, typeSRational: 8,
	typeFloat: 4, typeDouble: 8, typeIFD: 4, typeLong8: 8, typeSLong8: 8, typeIFD8: 8,
}

// Tags this package reads or writes.
const (
	tagNewSubfileType  = 254
	tagImageWidth      = 256
	tagImageLength     = 257
	tagBitsPerSample   = 258
	tagCompression     = 259
	tagPhotometric     = 262
	tagFillOrder       = 266
	tagStripOffsets    = 273
	tagSamplesPerPixel = 277
	tagRowsPerStrip    = 278
	tagStripByteCounts = 279
	tagPlanarConfig    = 284
	tagSoftware        = 305
	tagPredictor       = 317
	tagColorMap        = 320
	tagTileWidth       = 322
	tagTileLength      = 323
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
	tagExtraSamples    = 338
	tagSampleFormat    = 339
)

// Compression schemes.
const (
	compNone       = 1
	compLZW        = 5
	compJPEGOld    = 6
	compJPEG       = 7
	compDeflate    = 8
	compPackBits   = 32773
	compDeflateOld = 32946
)

// Photometric interpretations.
const (
	photoMinIsWhite = 0
	photoMinIsBlack = 1
	photoRGB        = 2
	photoPalette    = 3
)

// ExtraSamples values.
const (
	extraUnspecified = 0
	extraAssociated  = 1
	extraUnassoc     = 2
)

// compressionNames names the compression schemes sluice does not read, as
// libtiff's tiff.h lists them, for refusals that say what they refuse.
var compressionNames = map[int]string{
	2: "CCITT RLE", 3: "CCITT Group 3 fax", 4: "CCITT Group 4 fax",
	compJPEGOld: "old-style JPEG", compJPEG: "JPEG",
	9: "JBIG (T.85)", 10: "JBIG (T.43)",
	32766: "NeXT", 32771: "CCITT RLEW", 32809: "ThunderScan",
	32895: "IT8 CT padding", 32896: "IT8 linework", 32897: "IT8 monochrome", 32898: "IT8 binary line art",
	32908: "Pixar film", 32909: "PixarLog", 32947: "Kodak DCS", 34661: "JBIG",
	34676: "SGILog", 34677: "SGILog24", 34712: "JPEG 2000", 34887: "LERC",
	34892: "lossy JPEG (DNG)", 34925: "LZMA", 50000: "ZSTD", 50001: "WebP", 50002: "JPEG XL",
}

// photometricNames names the photometric interpretations sluice does not
// read.
var photometricNames = map[int]string{
	4: "transparency mask", 5: "CMYK (separated)", 6: "YCbCr", 8: "CIELab", 9: "ICCLab", 10: "ITULab",
	32803: "colour filter array", 32844: "LogL", 32845: "LogLuv", 34892: "linear raw",
}

// decompressMsg describes an error of the decompressor for scheme c without
// repeating the scheme's name, as in "deflate: corrupt input before offset
// 5" where the library said "flate: corrupt input…".
func decompressMsg(c int, err error) string {
	msg := err.Error()
	for _, p := range []string{"zlib: ", "flate: ", "lzw: ", "packbits: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return compressionName(c) + ": " + msg
}

// compressionName is the name Header.Compression uses for a scheme.
func compressionName(c int) string {
	switch c {
	case compNone:
		return "none"
	case compLZW:
		return "lzw"
	case compDeflate, compDeflateOld:
		return "deflate"
	case compPackBits:
		return "packbits"
	}
	return ""
}

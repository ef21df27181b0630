package tiffio

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

package tiffio

import (
	"encoding/binary"
	"fmt"

	"github.com/sluice-go/sluice/raster"
)

// maxTileBytes bounds one decoded tile.
const maxTileBytes = 1 << 26

// streamStripBytes is the decoded strip size above which strips are decoded
// row by row instead of whole, one at a time. Tests lower it.
var streamStripBytes = 1 << 24

// layout is what the first IFD says about the image and where its strips or
// tiles lie, checked for consistency.
type layout struct {
	width, height int
	bits          int // bits per sample in the file
	spp           int // samples per pixel
	photometric   int
	compression   int
	predictor     int // 1 none, 2 horizontal
	assoc         bool
	bo            binary.ByteOrder
	pix           raster.PixelFormat // what ReadRows delivers

	tiled          bool
	chunkW, chunkH int // tile size, or width × rows per strip
	across, down   int // chunks in a row and in a column
	offsets        []uint64
	counts         []uint64
	countsPos      int64 // file offset of the byte-count entry, for errors
	fileRowBytes   int   // bytes of one row of a chunk in the file (before conversion)
	outRowBytes    int   // bytes of one row of a chunk as delivered
	colormap       []byte
	inPlace        bool // the file layout converts to the delivered one in place
}

// chunkRows is the number of rows chunk i holds in the file: the tile
// height, or the rows of a strip (fewer in the last one).
func (l *layout) chunkRows(i int) int {
	if l.tiled {
		return l.chunkH
	}
	y0 := (i / l.across) * l.chunkH
	return min(l.chunkH, l.height-y0)
}

func unsupported(format string, args ...any) error {
	return &raster.UnsupportedError{Format: "tiff", Feature: fmt.Sprintf(format, args...)}
}

// parseLayout interprets the entries of the first IFD.
func parseLayout(f *file, e map[uint16]*entry, lim raster.Limits) (*layout, error) {
	l := &layout{bo: f.bo}
	for _, t := range []struct {
		tag  uint16
		name string
	}{{tagImageWidth, "ImageWidth"}, {tagImageLength, "ImageLength"}} {
		if _, ok := e[t.tag]; !ok {
			return nil, formatErr(f.ifd0, "missing required tag %s (%d)", t.name, t.tag)
		}
	}
	var vals [12]uint64
	tags := []struct {
		tag uint16
		def uint64
	}{
		{tagImageWidth, 0}, {tagImageLength, 0}, {tagBitsPerSample, 1}, {tagCompression, compNone},
		{tagPhotometric, 1 << 20}, {tagSamplesPerPixel, 1}, {tagRowsPerStrip, 1<<32 - 1},
		{tagPlanarConfig, 1}, {tagPredictor, 1}, {tagFillOrder, 1}, {tagSampleFormat, 1},
		{tagTileWidth, 0},
	}
	for i, t := range tags {
		v, err := f.int1(e, t.tag, t.def)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	w, h, bits, comp, photo, spp, rps, planar, pred, fill, sfmt, tw :=
		vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8], vals[9], vals[10], vals[11]
	if w > 1<<31 || h > 1<<31 {
		return nil, &raster.LimitError{Format: "tiff", Width: int(min(w, 1<<40)), Height: int(min(h, 1<<40)), Reason: "side exceeds 2^31"}
	}
	l.width, l.height = int(w), int(h)
	if err := lim.Check("tiff", l.width, l.height); err != nil {
		return nil, err
	}

	// Samples and what they mean.
	if spp < 1 || spp > 4 {
		return nil, unsupported("%d samples per pixel", spp)
	}
	l.spp = int(spp)
	if photo == 1<<20 { // absent: guess as libtiff does
		photo = photoMinIsBlack
		if spp >= 3 {
			photo = photoRGB
		}
	}
	l.photometric = int(photo)
	if planar != 1 && !(planar == 2 && spp == 1) {
		if planar == 2 {
			return nil, unsupported("planar configuration 2 (separate planes)")
		}
		return nil, formatErr(e[tagPlanarConfig].pos, "bad planar configuration %d", planar)
	}
	if fill != 1 {
		return nil, unsupported("fill order %d", fill)
	}
	if sfmt != 1 && sfmt != 4 {
		return nil, unsupported("sample format %d (only unsigned integers are read)", sfmt)
	}
	if ex, ok := e[tagExtraSamples]; ok && ex.count > 0 {
		v, err := f.ints(ex, 4)
		if err != nil {
			return nil, err
		}
		l.assoc = v[0] == extraAssociated
	}
	l.bits = int(bits)
	switch photo {
	case photoMinIsWhite, photoMinIsBlack:
		switch {
		case spp <= 2 && (bits == 8 || bits == 16):
			l.pix = raster.PixelFormat{Channels: l.spp, Depth: l.bits}
		case spp == 1 && (bits == 1 || bits == 2 || bits == 4):
			l.pix = raster.Gray8
		default:
			return nil, unsupported("gray image with %d samples of %d bits", spp, bits)
		}
	case photoRGB:
		if spp < 3 || (bits != 8 && bits != 16) {
			return nil, unsupported("RGB image with %d samples of %d bits", spp, bits)
		}
		l.pix = raster.PixelFormat{Channels: l.spp, Depth: l.bits}
	case photoPalette:
		if spp != 1 || (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
			return nil, unsupported("palette image with %d samples of %d bits", spp, bits)
		}
		cm, ok := e[tagColorMap]
		if !ok {
			return nil, formatErr(f.ifd0, "palette image without a ColorMap")
		}
		n := 1 << bits
		if cm.count != uint64(3*n) {
			return nil, formatErr(cm.pos, "ColorMap has %d values, want %d", cm.count, 3*n)
		}
		v, err := f.ints(cm, 3*n)
		if err != nil {
			return nil, err
		}
		l.colormap = make([]byte, 3*n)
		for i := 0; i < n; i++ {
			for c := 0; c < 3; c++ {
				l.colormap[3*i+c] = byte(v[c*n+i] >> 8)
			}
		}
		l.pix = raster.RGB8
	default:
		if name, ok := photometricNames[int(photo)]; ok {
			return nil, unsupported("%s photometric interpretation (%d)", name, photo)
		}
		return nil, unsupported("photometric interpretation %d", photo)
	}
	l.inPlace = l.bits >= 8 && photo != photoPalette

	// Compression and predictor.
	if compressionName(int(comp)) == "" {
		if name, ok := compressionNames[int(comp)]; ok {
			return nil, unsupported("%s compression (%d)", name, comp)
		}
		return nil, unsupported("compression %d", comp)
	}
	l.compression = int(comp)
	switch {
	case pred == 1:
	case pred == 2 && (bits == 8 || bits == 16):
	case pred == 2:
		return nil, unsupported("horizontal predictor with %d-bit samples", bits)
	case pred == 3:
		return nil, unsupported("floating-point predictor (3)")
	default:
		return nil, formatErr(e[tagPredictor].pos, "bad predictor %d", pred)
	}
	l.predictor = int(pred)

	// Strips or tiles.
	offTag, cntTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if tw != 0 {
		th, err := f.int1(e, tagTileLength, 0)
		if err != nil {
			return nil, err
		}
		if th == 0 || tw > 1<<16 || th > 1<<16 {
			return nil, formatErr(e[tagTileWidth].pos, "bad tile size %d×%d", tw, th)
		}
		if int64(tw)*int64(th)*int64(l.pix.BytesPerPixel()) > maxTileBytes {
			return nil, unsupported("tiles of %d×%d pixels (more than %s each)", tw, th, raster.FormatBytes(maxTileBytes))
		}
		l.tiled = true
		l.chunkW, l.chunkH = int(tw), int(th)
		offTag, cntTag = tagTileOffsets, tagTileByteCounts
	} else {
		if rps == 0 {
			return nil, formatErr(e[tagRowsPerStrip].pos, "RowsPerStrip is 0")
		}
		l.chunkW, l.chunkH = l.width, int(min(rps, h))
	}
	l.across = (l.width + l.chunkW - 1) / l.chunkW
	l.down = (l.height + l.chunkH - 1) / l.chunkH
	l.fileRowBytes = (l.chunkW*l.spp*l.bits + 7) / 8
	l.outRowBytes = l.chunkW * l.pix.BytesPerPixel()
	nchunks := l.across * l.down

	oe, ok := e[offTag]
	if !ok {
		return nil, formatErr(f.ifd0, "missing %s offsets (tag %d)", l.kind(), offTag)
	}
	if oe.count != uint64(nchunks) {
		return nil, formatErr(oe.pos, "%d %s offsets, want %d for a %d×%d image", oe.count, l.kind(), nchunks, l.width, l.height)
	}
	var err error
	if l.offsets, err = f.ints(oe, nchunks); err != nil {
		return nil, err
	}
	if ce, ok := e[cntTag]; ok {
		if ce.count != uint64(nchunks) {
			return nil, formatErr(ce.pos, "%d %s byte counts, want %d", ce.count, l.kind(), nchunks)
		}
		if l.counts, err = f.ints(ce, nchunks); err != nil {
			return nil, err
		}
		l.countsPos = ce.pos
	} else if comp == compNone {
		// Byte counts may be inferred for uncompressed data (libtiff does).
		l.counts = make([]uint64, nchunks)
		for i := range l.counts {
			l.counts[i] = uint64(l.chunkRows(i) * l.fileRowBytes)
		}
		l.countsPos = f.ifd0
	} else {
		return nil, formatErr(f.ifd0, "missing %s byte counts (tag %d)", l.kind(), cntTag)
	}
	// Every chunk must lie in the file (or be absent, 0 bytes at 0, as a
	// sparse file leaves it), so that a small file cannot make a reader
	// allocate for an image it does not hold.
	for i, off := range l.offsets {
		cnt := l.counts[i]
		if off == 0 && cnt == 0 {
			continue
		}
		if off > uint64(f.size) || cnt > uint64(f.size)-off {
			return nil, truncErr(int64(min(off, uint64(f.size))), "%s %d: %d bytes at offset %d run past the end of the file (%d bytes)", l.kind(), i, cnt, off, f.size)
		}
		if comp == compNone && cnt < uint64(l.chunkRows(i)*l.fileRowBytes) {
			return nil, formatErr(int64(off), "%s %d: holds %d bytes, want %d", l.kind(), i, cnt, l.chunkRows(i)*l.fileRowBytes)
		}
	}
	return l, nil
}

// kind is "tile" or "strip".
func (l *layout) kind() string {
	if l.tiled {
		return "tile"
	}
	return "strip"
}

// header describes l as a raster.Header.
func (l *layout) header(f *file, pages int) raster.Header {
	h := raster.Header{
		Format:      "tiff",
		Width:       l.width,
		Height:      l.height,
		Pixel:       l.pix,
		Compression: compressionName(l.compression),
	}
	if l.tiled {
		h.TileWidth, h.TileHeight = l.chunkW, l.chunkH
	}
	if f.big {
		h.Details = append(h.Details, "bigtiff")
	}
	if f.bo == binary.BigEndian {
		h.Details = append(h.Details, "big-endian")
	} else {
		h.Details = append(h.Details, "little-endian")
	}
	if !l.tiled {
		h.Details = append(h.Details, fmt.Sprintf("strips of %d rows", l.chunkH))
	}
	if l.predictor == 2 {
		h.Details = append(h.Details, "predictor")
	}
	switch l.photometric {
	case photoMinIsWhite:
		h.Details = append(h.Details, "min-is-white")
	case photoPalette:
		h.Details = append(h.Details, "palette")
	}
	if l.bits < 8 {
		h.Details = append(h.Details, fmt.Sprintf("%d-bit", l.bits))
	}
	if l.assoc && l.pix.HasAlpha() {
		h.Details = append(h.Details, "associated alpha (unpremultiplied)")
	}
	if l.compression == compDeflateOld {
		h.Details = append(h.Details, "old deflate code 32946")
	}
	if pages > 1 {
		h.Details = append(h.Details, fmt.Sprintf("%d pages (first read)", pages))
	}
	return h
}

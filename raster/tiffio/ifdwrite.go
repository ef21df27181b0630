package tiffio

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/sluice-go/sluice/raster"
)

// field is one IFD entry to write.
type field struct {
	tag  uint16
	typ  uint16
	vals []uint64 // integer values
	str  string   // ASCII value, when typ is typeASCII
	// raw is the value as bytes, little-endian, and count the number of
	// values they hold (0 means len(raw), for bytes): for metadata.
	raw   []byte
	count int
	sub   []field // the IFD this pointer field names (EXIF, GPS)
}

// fields lists the IFD entries of w's image.
func (w *Writer) fields() []field {
	g := w.g
	one := func(tag, typ uint16, v uint64) field { return field{tag: tag, typ: typ, vals: []uint64{v}} }
	bps := make([]uint64, g.pix.Channels)
	for i := range bps {
		bps[i] = uint64(g.pix.Depth)
	}
	photo := uint64(photoMinIsBlack)
	if g.pix.Color() {
		photo = photoRGB
	}
	offType := uint16(typeLong)
	if w.big {
		offType = typeLong8
	}
	fs := []field{
		one(tagNewSubfileType, typeLong, 0),
		one(tagImageWidth, typeLong, uint64(g.width)),
		one(tagImageLength, typeLong, uint64(g.height)),
		{tag: tagBitsPerSample, typ: typeShort, vals: bps},
		one(tagCompression, typeShort, uint64(g.comp)),
		one(tagPhotometric, typeShort, photo),
		one(tagSamplesPerPixel, typeShort, uint64(g.pix.Channels)),
		one(tagPlanarConfig, typeShort, 1),
		{tag: tagSoftware, typ: typeASCII, str: "sluice"},
	}
	if g.tiled {
		fs = append(fs,
			one(tagTileWidth, typeLong, uint64(g.chunkW)),
			one(tagTileLength, typeLong, uint64(g.chunkH)),
			field{tag: tagTileOffsets, typ: offType, vals: w.offsets},
			field{tag: tagTileByteCounts, typ: offType, vals: w.counts})
	} else {
		fs = append(fs,
			one(tagRowsPerStrip, typeLong, uint64(g.chunkH)),
			field{tag: tagStripOffsets, typ: offType, vals: w.offsets},
			field{tag: tagStripByteCounts, typ: offType, vals: w.counts})
	}
	if g.predictor {
		fs = append(fs, one(tagPredictor, typeShort, 2))
	}
	if g.pix.HasAlpha() {
		fs = append(fs, one(tagExtraSamples, typeShort, extraUnassoc))
	}
	fs = append(fs, metaFields(raster.Header{Width: g.width, Height: g.height, Pixel: g.pix, Meta: w.meta, Orientation: w.orient}, w.big)...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].tag < fs[j].tag })
	return fs
}

// writeIFD writes the IFD and its out-of-line values at the end of the
// file, then the IFDs its pointer fields name (EXIF, GPS), then points the
// header at it.
func (w *Writer) writeIFD() error {
	le := binary.LittleEndian
	fs := w.fields()
	if w.pos%2 == 1 {
		if err := w.write([]byte{0}); err != nil {
			return err
		}
	}
	ifdPos := w.pos
	b, err := w.layoutIFD(nil, uint64(ifdPos), fs)
	if err != nil {
		return err
	}
	if err := w.write(b); err != nil {
		return err
	}
	end := w.pos
	var p [8]byte
	at, n := int64(4), 4
	if w.big {
		at, n = 8, 8
		le.PutUint64(p[:], uint64(ifdPos))
	} else {
		le.PutUint32(p[:], uint32(ifdPos))
	}
	if _, err := w.w.Seek(w.base+at, io.SeekStart); err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	if _, err := w.w.Write(p[:n]); err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	if _, err := w.w.Seek(w.base+end, io.SeekStart); err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	return nil
}

// layoutIFD appends to b, which starts at file offset base, an IFD of fs
// (sorted by tag), its out-of-line values, then the IFDs that fields with
// sub point to.
func (w *Writer) layoutIFD(b []byte, base uint64, fs []field) ([]byte, error) {
	le := binary.LittleEndian
	countSize, entrySize, inline := 2, 12, 4
	if w.big {
		countSize, entrySize, inline = 8, 20, 8
	}
	at := len(b)
	// The next-IFD offset (zero) ends the IFD.
	b = append(b, make([]byte, countSize+len(fs)*entrySize+inline)...)
	if w.big {
		le.PutUint64(b[at:], uint64(len(fs)))
	} else {
		le.PutUint16(b[at:], uint16(len(fs)))
	}
	// putOffset sets the value field of entry i to the file offset of
	// the end of b.
	putOffset := func(i, size int) error {
		vf := b[at+countSize+i*entrySize+entrySize-inline:]
		off := base + uint64(len(b))
		if w.big {
			le.PutUint64(vf, off)
			return nil
		}
		if off+uint64(size) >= 1<<32 {
			return fmt.Errorf("tiff: IFD passes 4 GiB; set BigTIFF")
		}
		le.PutUint32(vf, uint32(off))
		return nil
	}
	for i, f := range fs {
		val, count := f.encode()
		e := b[at+countSize+i*entrySize:]
		le.PutUint16(e, f.tag)
		le.PutUint16(e[2:], f.typ)
		if w.big {
			le.PutUint64(e[4:], uint64(count))
		} else {
			le.PutUint32(e[4:], uint32(count))
		}
		if f.sub != nil {
			continue // placed below
		}
		if len(val) <= inline {
			copy(e[entrySize-inline:], val)
			continue
		}
		if err := putOffset(i, len(val)); err != nil {
			return nil, err
		}
		b = append(b, val...)
		if len(b)%2 == 1 {
			b = append(b, 0)
		}
	}
	for i, f := range fs {
		if f.sub == nil {
			continue
		}
		if err := putOffset(i, 0); err != nil {
			return nil, err
		}
		var err error
		if b, err = w.layoutIFD(b, base, f.sub); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// encode returns f's value bytes, little-endian, and its count.
func (f field) encode() ([]byte, int) {
	le := binary.LittleEndian
	switch {
	case f.sub != nil:
		return nil, 1
	case f.raw != nil:
		if f.count > 0 {
			return f.raw, f.count
		}
		return f.raw, len(f.raw)
	case f.typ == typeASCII:
		val := append([]byte(f.str), 0)
		return val, len(val)
	}
	sz := typeSize[f.typ]
	val := make([]byte, sz*len(f.vals))
	for k, v := range f.vals {
		switch sz {
		case 2:
			le.PutUint16(val[2*k:], uint16(v))
		case 4:
			le.PutUint32(val[4*k:], uint32(v))
		case 8:
			le.PutUint64(val[8*k:], v)
		}
	}
	return val, len(f.vals)
}

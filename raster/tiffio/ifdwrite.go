package tiffio

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// field is one IFD entry to write.
type field struct {
	tag  uint16
	typ  uint16
	vals []uint64 // integer values
	str  string   // ASCII value, when typ is typeASCII
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
	sort.Slice(fs, func(i, j int) bool { return fs[i].tag < fs[j].tag })
	return fs
}

// writeIFD writes the IFD and its out-of-line values at the end of the
// file, then points the header at it.
func (w *Writer) writeIFD() error {
	le := binary.LittleEndian
	fs := w.fields()
	if w.pos%2 == 1 {
		if err := w.write([]byte{0}); err != nil {
			return err
		}
	}
	ifdPos := w.pos
	countSize, entrySize, inline := 2, 12, 4
	if w.big {
		countSize, entrySize, inline = 8, 20, 8
	}
	ifdSize := countSize + len(fs)*entrySize + inline
	var ifd, extra []byte
	ifd = make([]byte, ifdSize)
	if w.big {
		le.PutUint64(ifd, uint64(len(fs)))
	} else {
		le.PutUint16(ifd, uint16(len(fs)))
	}
	for i, f := range fs {
		var val []byte
		count := len(f.vals)
		if f.typ == typeASCII {
			val = append([]byte(f.str), 0)
			count = len(val)
		} else {
			sz := typeSize[f.typ]
			val = make([]byte, sz*count)
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
		}
		e := ifd[countSize+i*entrySize:]
		le.PutUint16(e, f.tag)
		le.PutUint16(e[2:], f.typ)
		vf := e[8:12]
		if w.big {
			le.PutUint64(e[4:], uint64(count))
			vf = e[12:20]
		} else {
			le.PutUint32(e[4:], uint32(count))
		}
		if len(val) <= inline {
			copy(vf, val)
			continue
		}
		at := uint64(ifdPos) + uint64(ifdSize) + uint64(len(extra))
		if w.big {
			le.PutUint64(vf, at)
		} else {
			if at+uint64(len(val)) >= 1<<32 {
				return fmt.Errorf("tiff: IFD passes 4 GiB; set BigTIFF")
			}
			le.PutUint32(vf, uint32(at))
		}
		extra = append(extra, val...)
		if len(extra)%2 == 1 {
			extra = append(extra, 0)
		}
	}
	// The next-IFD offset (zero) ends ifd already.
	if err := w.write(ifd); err != nil {
		return err
	}
	if err := w.write(extra); err != nil {
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

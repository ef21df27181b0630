package tiffio

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/sluice-go/sluice/raster"
)

// Tags of metadata: the ICC profile, the orientation, the pointers to the
// EXIF and GPS IFDs, and the descriptive IFD0 tags that an EXIF block
// carries too (a camera's make and model, the date).
const (
	tagOrientation = 274
	tagICC         = 34675
	tagExifIFD     = 34665
	tagGPSIFD      = 34853
	tagInteropIFD  = 40965
)

// exifIFD0Tags are the IFD0 tags copied between a TIFF's first IFD and the
// IFD0 of an EXIF block: ImageDescription, Make, Model, XResolution,
// YResolution, ResolutionUnit, DateTime, Artist, Copyright. Software is
// left out: the writer names itself.
var exifIFD0Tags = []uint16{270, 271, 272, 282, 283, 296, 306, 315, 33432}

// subIFDTags are the pointers whose IFDs an EXIF block carries.
var subIFDTags = []uint16{tagExifIFD, tagGPSIFD}

// rawEntry is an IFD entry with its value bytes, in the byte order of the
// structure it comes from or goes to.
type rawEntry struct {
	tag, typ uint16
	count    uint32
	raw      []byte
	sub      []rawEntry // the IFD a pointer tag (EXIF, GPS) points to
}

// readMeta fills h.Meta and h.Orientation from the first IFD: the ICC
// profile of tag 34675, the orientation of tag 274, and an EXIF block
// rebuilt from the EXIF and GPS IFDs when the file has one (IFD0 holding
// the orientation, the descriptive tags and the pointers, then the IFDs
// with their values, in the file's byte order). What cannot be trusted is
// dropped with a note in Details, never failing the image.
func readMeta(f *file, entries map[uint16]*entry, h *raster.Header) {
	budget := raster.MaxMetadata
	if e, ok := entries[tagICC]; ok {
		if e.typ != typeUndefined && e.typ != typeByte {
			h.Details = append(h.Details, raster.DropNote("icc", "tag 34675 of field type %d", e.typ))
		} else if icc, err := f.rawValue(e, &budget); err != nil {
			h.Details = append(h.Details, raster.DropNote("icc", "%v", err))
		} else if len(icc) > 0 {
			h.Meta.ICC = icc
		}
	}
	if e, ok := entries[tagOrientation]; ok && e.typ == typeShort && e.count == 1 {
		if o := raster.Orientation(f.bo.Uint16(e.val[:])); o.Valid() {
			h.Orientation = o
		}
	}
	var ifd0 []rawEntry
	for _, tag := range subIFDTags {
		e, ok := entries[tag]
		if !ok {
			continue
		}
		sub, err := f.subIFD(e, &budget)
		if err != nil {
			h.Details = append(h.Details, raster.DropNote("exif", "%v", err))
			return
		}
		if len(sub) == 0 {
			continue // nothing an EXIF block can hold
		}
		ifd0 = append(ifd0, rawEntry{tag: tag, typ: typeLong, count: 1, sub: sub})
	}
	if ifd0 == nil {
		return // no EXIF IFD: the orientation alone travels, in the header
	}
	for _, tag := range exifIFD0Tags {
		if e, ok := entries[tag]; ok && e.typ < typeIFD && e.count < 1<<16 {
			if raw, err := f.rawValue(e, &budget); err == nil {
				ifd0 = append(ifd0, rawEntry{tag: tag, typ: e.typ, count: uint32(e.count), raw: raw})
			}
		}
	}
	if h.Orientation != 0 {
		v := make([]byte, 2)
		f.bo.PutUint16(v, uint16(h.Orientation))
		ifd0 = append(ifd0, rawEntry{tag: tagOrientation, typ: typeShort, count: 1, raw: v})
	}
	h.Meta.EXIF = buildExif(f.bo, ifd0)
}

// rawValue reads the value bytes of e, taking them from *budget; past it,
// an error.
func (f *file) rawValue(e *entry, budget *int) ([]byte, error) {
	n := e.count * uint64(typeSize[e.typ])
	if n > uint64(*budget) {
		return nil, fmt.Errorf("tag %d of %s, more than %s of metadata", e.tag, raster.FormatBytes(int64(n)), raster.FormatBytes(raster.MaxMetadata))
	}
	*budget -= int(n)
	if e.inl {
		return slices.Clone(e.val[:n]), nil
	}
	b := make([]byte, n)
	if err := f.readAt(b, e.off, fmt.Sprintf("values of tag %d", e.tag)); err != nil {
		return nil, err
	}
	return b, nil
}

// subIFD reads the IFD a pointer tag e names, with its values. Entries of
// BigTIFF's 8-byte types, which an EXIF block cannot hold, and pointers to
// further IFDs (interoperability) are left out.
func (f *file) subIFD(e *entry, budget *int) ([]rawEntry, error) {
	if e.count != 1 {
		return nil, fmt.Errorf("tag %d has %d values, want 1", e.tag, e.count)
	}
	var off uint64
	switch e.typ {
	case typeLong, typeIFD:
		off = uint64(f.bo.Uint32(e.val[:]))
	case typeLong8, typeIFD8:
		off = f.bo.Uint64(e.val[:])
	default:
		return nil, fmt.Errorf("tag %d of field type %d", e.tag, e.typ)
	}
	if off < 8 || off >= uint64(f.size) {
		return nil, fmt.Errorf("tag %d points to byte %d, outside the file", e.tag, off)
	}
	entries, _, err := f.readIFD(int64(off))
	if err != nil {
		return nil, fmt.Errorf("the IFD of tag %d: %v", e.tag, err)
	}
	tags := make([]uint16, 0, len(entries))
	for t := range entries {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	var out []rawEntry
	for _, t := range tags {
		se := entries[t]
		if se.typ >= typeIFD || t == tagInteropIFD || t == tagExifIFD || t == tagGPSIFD || se.count > 1<<31 {
			continue
		}
		raw, err := f.rawValue(se, budget)
		if err != nil {
			return nil, fmt.Errorf("the IFD of tag %d: %v", e.tag, err)
		}
		out = append(out, rawEntry{tag: t, typ: se.typ, count: uint32(se.count), raw: raw})
	}
	return out, nil
}

// buildExif lays out a TIFF-structured EXIF block in byte order bo: the
// header, IFD0 (entries sorted by tag), then each sub-IFD, every IFD
// followed by its out-of-line values.
func buildExif(bo binary.ByteOrder, ifd0 []rawEntry) []byte {
	var b []byte
	if bo == binary.BigEndian {
		b = []byte("MM\x00*\x00\x00\x00\x08")
	} else {
		b = []byte("II*\x00\x08\x00\x00\x00")
	}
	return appendIFD(b, bo, ifd0)
}

// appendIFD appends an IFD of classic TIFF entries at the end of b, its
// values after it, then the IFDs its pointer entries point to.
func appendIFD(b []byte, bo binary.ByteOrder, es []rawEntry) []byte {
	es = slices.Clone(es)
	slices.SortFunc(es, func(x, y rawEntry) int { return int(x.tag) - int(y.tag) })
	at := len(b)
	b = append(b, make([]byte, 2+12*len(es)+4)...)
	bo.PutUint16(b[at:], uint16(len(es)))
	for i, e := range es {
		p := b[at+2+12*i:]
		bo.PutUint16(p, e.tag)
		bo.PutUint16(p[2:], e.typ)
		bo.PutUint32(p[4:], e.count)
		if e.sub != nil {
			continue // the pointer is set once the IFD is placed
		}
		if len(e.raw) <= 4 {
			copy(p[8:12], e.raw)
			continue
		}
		bo.PutUint32(p[8:], uint32(len(b)))
		b = append(b, e.raw...)
		if len(b)%2 == 1 {
			b = append(b, 0)
		}
	}
	for i, e := range es {
		if e.sub != nil {
			bo.PutUint32(b[at+2+12*i+8:], uint32(len(b)))
			b = appendIFD(b, bo, e.sub)
		}
	}
	return b
}

// parseExif reads an EXIF block's IFD0 and the EXIF and GPS IFDs it points
// to, with their values; false when the block is malformed.
func parseExif(exif []byte) (binary.ByteOrder, []rawEntry, bool) {
	if !raster.ValidExif(exif) {
		return nil, nil, false
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if exif[0] == 'M' {
		bo = binary.BigEndian
	}
	ifd0, ok := parseExifIFD(exif, bo, int64(bo.Uint32(exif[4:])), 0)
	return bo, ifd0, ok
}

// parseExifIFD reads the IFD at off in exif; depth bounds the pointers
// followed (IFD0 to the EXIF and GPS IFDs, no further).
func parseExifIFD(exif []byte, bo binary.ByteOrder, off int64, depth int) ([]rawEntry, bool) {
	if off < 8 || off+2 > int64(len(exif)) {
		return nil, false
	}
	n := int64(bo.Uint16(exif[off:]))
	if off+2+12*n > int64(len(exif)) {
		return nil, false
	}
	var out []rawEntry
	for i := range n {
		p := exif[off+2+12*i:]
		e := rawEntry{tag: bo.Uint16(p), typ: bo.Uint16(p[2:]), count: bo.Uint32(p[4:])}
		if int(e.typ) >= len(typeSize) || typeSize[e.typ] == 0 || e.typ >= typeIFD {
			continue
		}
		size := int64(e.count) * int64(typeSize[e.typ])
		if slices.Contains(subIFDTags, e.tag) {
			if depth > 0 || size != 4 {
				continue
			}
			sub, ok := parseExifIFD(exif, bo, int64(bo.Uint32(p[8:])), depth+1)
			if !ok {
				return nil, false
			}
			e.typ, e.sub = typeLong, sub
			out = append(out, e)
			continue
		}
		if e.tag == tagInteropIFD {
			continue
		}
		if size <= 4 {
			e.raw = slices.Clone(p[8 : 8+size])
		} else {
			at := int64(bo.Uint32(p[8:]))
			if at+size > int64(len(exif)) {
				return nil, false
			}
			e.raw = slices.Clone(exif[at : at+size])
		}
		out = append(out, e)
	}
	return out, true
}

// toLittle converts an entry's values from byte order bo to little-endian,
// each value by the size of its unit (RATIONALs are two LONGs).
func toLittle(e rawEntry, bo binary.ByteOrder) []byte {
	if bo == binary.LittleEndian {
		return e.raw
	}
	unit := typeSize[e.typ]
	if e.typ == typeRational || e.typ == typeSRational {
		unit = 4
	}
	out := slices.Clone(e.raw)
	if unit > 1 {
		for i := 0; i+unit <= len(out); i += unit {
			slices.Reverse(out[i : i+unit])
		}
	}
	return out
}

// metaFields are the IFD entries that store h's metadata in a TIFF: the
// ICC profile when it fits the pixels (raster.ICCFits), the orientation
// when valid, and from the EXIF block its
// descriptive IFD0 tags and its EXIF and GPS IFDs (a block that does not
// parse is left out), its size entries set to h's (raster.ExifToWrite).
func metaFields(h raster.Header, big bool) []field {
	var fs []field
	m, o := h.Meta, h.Orientation
	if len(m.ICC) > 0 && raster.ICCFits(m.ICC, h.Pixel) {
		fs = append(fs, field{tag: tagICC, typ: typeUndefined, raw: m.ICC})
	}
	if !o.Valid() {
		o = raster.ExifOrientation(m.EXIF)
	}
	if o.Valid() {
		fs = append(fs, field{tag: tagOrientation, typ: typeShort, vals: []uint64{uint64(o)}})
	}
	bo, ifd0, ok := parseExif(raster.ExifToWrite(h))
	if !ok {
		return fs
	}
	for _, e := range ifd0 {
		switch {
		case e.sub != nil:
			ptr := field{tag: e.tag, typ: typeLong}
			if big {
				ptr.typ = typeIFD8
			}
			for _, s := range e.sub {
				ptr.sub = append(ptr.sub, field{tag: s.tag, typ: s.typ, raw: toLittle(s, bo), count: int(s.count)})
			}
			slices.SortStableFunc(ptr.sub, func(x, y field) int { return int(x.tag) - int(y.tag) })
			fs = append(fs, ptr)
		case slices.Contains(exifIFD0Tags, e.tag):
			fs = append(fs, field{tag: e.tag, typ: e.typ, raw: toLittle(e, bo), count: int(e.count)})
		}
	}
	return fs
}

package tiffio

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// maxEntries bounds the number of entries in one IFD and maxPages the length
// of the IFD chain walked when counting pages.
const (
	maxEntries = 1 << 12
	maxPages   = 1 << 16
)

// entry is one IFD entry: a tag, its field type and count, and where its
// value lies (inline in the entry or at an offset in the file).
type entry struct {
	tag   uint16
	typ   uint16
	count uint64
	pos   int64 // file offset of the entry itself, for error messages
	off   int64 // file offset of the value when it is not inline
	val   [8]byte
	inl   bool // value stored inline in val
}

// file is the low-level view of a TIFF file: its byte order, variant and
// size, with helpers that read bounded ranges and report FormatErrors.
type file struct {
	r    io.ReaderAt
	size int64
	bo   binary.ByteOrder
	big  bool  // BigTIFF
	ifd0 int64 // offset of the first IFD
}

func formatErr(off int64, format string, args ...any) error {
	return &raster.FormatError{Format: "tiff", Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// truncErr is formatErr for a file that ends before what its header
// points to: the error wraps io.ErrUnexpectedEOF.
func truncErr(off int64, format string, args ...any) error {
	return raster.Truncated("tiff", off, fmt.Sprintf(format, args...))
}

// readAt reads exactly len(p) bytes at off, or returns a FormatError saying
// what was being read.
func (f *file) readAt(p []byte, off int64, what string) error {
	if off < 0 || off > f.size || int64(len(p)) > f.size-off {
		return raster.Truncated("tiff", off, fmt.Sprintf("%s of %d bytes runs past the end of the file (%d bytes)", what, len(p), f.size))
	}
	n, err := f.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		return raster.Truncated("tiff", off+int64(n), fmt.Sprintf("reading %s: unexpected end of file", what))
	}
	return &raster.FormatError{Format: "tiff", Offset: off + int64(n), Msg: fmt.Sprintf("reading %s: %v", what, err), Err: err}
}

// openFile reads the file header.
func openFile(r io.ReaderAt, size int64) (*file, error) {
	f := &file{r: r, size: size}
	var h [16]byte
	n := 8
	if size >= 16 {
		n = 16
	}
	if size < 8 {
		return nil, raster.Truncated("tiff", 0, fmt.Sprintf("file of %d bytes is too short for a header", size))
	}
	if err := f.readAt(h[:n], 0, "header"); err != nil {
		return nil, err
	}
	switch string(h[:2]) {
	case "II":
		f.bo = binary.LittleEndian
	case "MM":
		f.bo = binary.BigEndian
	default:
		return nil, formatErr(0, "bad byte order mark %q, want \"II\" or \"MM\"", h[:2])
	}
	switch v := f.bo.Uint16(h[2:]); v {
	case 42:
		f.ifd0 = int64(f.bo.Uint32(h[4:]))
	case 43:
		if n < 16 {
			return nil, raster.Truncated("tiff", 0, fmt.Sprintf("file of %d bytes is too short for a BigTIFF header", size))
		}
		if bs, z := f.bo.Uint16(h[4:]), f.bo.Uint16(h[6:]); bs != 8 || z != 0 {
			return nil, formatErr(4, "BigTIFF offset size %d, want 8", bs)
		}
		f.big = true
		o := f.bo.Uint64(h[8:])
		if o > uint64(size) {
			return nil, truncErr(8, "first IFD offset %d is past the end of the file (%d bytes)", o, size)
		}
		f.ifd0 = int64(o)
	default:
		return nil, formatErr(2, "version %d, want 42 (TIFF) or 43 (BigTIFF)", v)
	}
	return f, nil
}

// entrySizes returns the size of the entry count, one entry, and the next
// IFD offset for f's variant.
func (f *file) entrySizes() (countSize, entrySize, nextSize int) {
	if f.big {
		return 8, 20, 8
	}
	return 2, 12, 4
}

// readIFD parses the IFD at off into entries by tag, and returns the offset
// of the next IFD (0 at the end of the chain).
func (f *file) readIFD(off int64) (map[uint16]*entry, int64, error) {
	cs, es, ns := f.entrySizes()
	var b [8]byte
	if err := f.readAt(b[:cs], off, "IFD entry count"); err != nil {
		return nil, 0, err
	}
	var n uint64
	if f.big {
		n = f.bo.Uint64(b[:])
	} else {
		n = uint64(f.bo.Uint16(b[:]))
	}
	if n == 0 {
		return nil, 0, formatErr(off, "IFD has no entries")
	}
	if n > maxEntries {
		return nil, 0, formatErr(off, "IFD has %d entries, more than the %d allowed", n, maxEntries)
	}
	buf := make([]byte, int(n)*es+ns)
	if err := f.readAt(buf, off+int64(cs), "IFD"); err != nil {
		return nil, 0, err
	}
	entries := make(map[uint16]*entry, n)
	for i := 0; i < int(n); i++ {
		p := buf[i*es:]
		e := &entry{pos: off + int64(cs+i*es), tag: f.bo.Uint16(p), typ: f.bo.Uint16(p[2:])}
		var vf []byte
		if f.big {
			e.count = f.bo.Uint64(p[4:])
			vf = p[12:20]
		} else {
			e.count = uint64(f.bo.Uint32(p[4:]))
			vf = p[8:12]
		}
		if int(e.typ) >= len(typeSize) || typeSize[e.typ] == 0 {
			continue // unknown types are to be ignored (TIFF 6.0 section 2)
		}
		if _, dup := entries[e.tag]; dup {
			continue // the first of duplicate tags wins, as libtiff does
		}
		sz := uint64(typeSize[e.typ])
		if e.count > uint64(f.size) {
			return nil, 0, formatErr(e.pos, "tag %d has %d values, more than the file holds", e.tag, e.count)
		}
		if e.count*sz <= uint64(len(vf)) {
			e.inl = true
			copy(e.val[:], vf)
		} else {
			var o uint64
			if f.big {
				o = f.bo.Uint64(vf)
			} else {
				o = uint64(f.bo.Uint32(vf))
			}
			if o > uint64(f.size) || e.count*sz > uint64(f.size)-o {
				return nil, 0, truncErr(e.pos, "values of tag %d at offset %d run past the end of the file (%d bytes)", e.tag, o, f.size)
			}
			e.off = int64(o)
		}
		entries[e.tag] = e
	}
	nb := buf[int(n)*es:]
	var next uint64
	if f.big {
		next = f.bo.Uint64(nb)
	} else {
		next = uint64(f.bo.Uint32(nb))
	}
	if next > uint64(f.size) {
		return nil, 0, truncErr(off+int64(cs)+int64(n)*int64(es), "next IFD offset %d is past the end of the file (%d bytes)", next, f.size)
	}
	return entries, int64(next), nil
}

// countPages walks the IFD chain from the one after the first, returning the
// number of IFDs, and a FormatError if the chain loops or runs off the file.
func (f *file) countPages(next int64) (int, error) {
	seen := map[int64]bool{f.ifd0: true}
	cs, es, ns := f.entrySizes()
	pages := 1
	for next != 0 {
		if seen[next] {
			return 0, formatErr(next, "IFD chain loops back to the IFD at offset %d", next)
		}
		if pages >= maxPages {
			return 0, formatErr(next, "IFD chain is longer than %d images", maxPages)
		}
		seen[next] = true
		pages++
		var b [8]byte
		if err := f.readAt(b[:cs], next, "IFD entry count"); err != nil {
			return 0, err
		}
		var n uint64
		if f.big {
			n = f.bo.Uint64(b[:])
		} else {
			n = uint64(f.bo.Uint16(b[:]))
		}
		if n > maxEntries {
			return 0, formatErr(next, "IFD has %d entries, more than the %d allowed", n, maxEntries)
		}
		at := next + int64(cs) + int64(n)*int64(es)
		if err := f.readAt(b[:ns], at, "next IFD offset"); err != nil {
			return 0, err
		}
		var o uint64
		if f.big {
			o = f.bo.Uint64(b[:])
		} else {
			o = uint64(f.bo.Uint32(b[:]))
		}
		if o > uint64(f.size) {
			return 0, truncErr(at, "next IFD offset %d is past the end of the file (%d bytes)", o, f.size)
		}
		next = int64(o)
	}
	return pages, nil
}

// ints reads the values of e as unsigned integers. It fails if e is not of
// an integer type or holds more than max values.
func (f *file) ints(e *entry, max int) ([]uint64, error) {
	if e.count > uint64(max) {
		return nil, formatErr(e.pos, "tag %d has %d values, want at most %d", e.tag, e.count, max)
	}
	var sz int
	switch e.typ {
	case typeByte, typeUndefined:
		sz = 1
	case typeShort:
		sz = 2
	case typeLong, typeIFD:
		sz = 4
	case typeLong8, typeIFD8:
		sz = 8
	default:
		return nil, formatErr(e.pos, "tag %d has field type %d, want an unsigned integer type", e.tag, e.typ)
	}
	n := int(e.count)
	var raw []byte
	if e.inl {
		raw = e.val[:n*sz]
	} else {
		raw = make([]byte, n*sz)
		if err := f.readAt(raw, e.off, fmt.Sprintf("values of tag %d", e.tag)); err != nil {
			return nil, err
		}
	}
	out := make([]uint64, n)
	for i := range out {
		switch sz {
		case 1:
			out[i] = uint64(raw[i])
		case 2:
			out[i] = uint64(f.bo.Uint16(raw[2*i:]))
		case 4:
			out[i] = uint64(f.bo.Uint32(raw[4*i:]))
		case 8:
			out[i] = f.bo.Uint64(raw[8*i:])
		}
	}
	return out, nil
}

// int1 reads a tag that must hold one integer (or several equal ones, as
// BitsPerSample does), returning def when the tag is absent.
func (f *file) int1(entries map[uint16]*entry, tag uint16, def uint64) (uint64, error) {
	e, ok := entries[tag]
	if !ok {
		return def, nil
	}
	if e.count == 0 {
		return 0, formatErr(e.pos, "tag %d has no values", tag)
	}
	v, err := f.ints(e, 16)
	if err != nil {
		return 0, err
	}
	for _, x := range v[1:] {
		if x != v[0] {
			return 0, &raster.UnsupportedError{Format: "tiff", Feature: fmt.Sprintf("differing values %v in tag %d", v, tag)}
		}
	}
	return v[0], nil
}

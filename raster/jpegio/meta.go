package jpegio

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/sluice-go/sluice/raster"
)

// Metadata in JPEG files: EXIF in an APP1 segment after the prefix
// "Exif\0\0", an ICC profile cut into APP2 segments after the prefix
// "ICC_PROFILE\0", a sequence number (1-based) and the count of chunks.
const (
	exifPrefix = "Exif\x00\x00"
	iccPrefix  = "ICC_PROFILE\x00"
	// iccChunk is the most profile bytes one APP2 segment holds: 65,535
	// less the length field, the prefix, the sequence number and count.
	iccChunk = 65535 - 2 - len(iccPrefix) - 2
	// exifMax is the largest EXIF block one APP1 segment holds.
	exifMax = 65535 - 2 - len(exifPrefix)
)

// metaReader gathers the metadata segments before the first scan.
type metaReader struct {
	exif    []byte
	chunks  []iccPart
	iccSize int    // bytes in chunks
	bad     string // why the profile is dropped, once it is
}

type iccPart struct {
	seq, count int
	data       []byte
}

// app1 takes an APP1 segment's payload: the first EXIF block counts,
// later ones (and XMP, which shares the marker) are ignored.
func (m *metaReader) app1(p []byte) {
	if m.exif != nil || !bytes.HasPrefix(p, []byte(exifPrefix)) {
		return
	}
	m.exif = bytes.Clone(p[len(exifPrefix):])
}

// app2 takes an APP2 segment's payload: one chunk of the ICC profile.
func (m *metaReader) app2(p []byte) {
	if !bytes.HasPrefix(p, []byte(iccPrefix)) || m.bad != "" {
		return
	}
	p = p[len(iccPrefix):]
	if len(p) < 2 {
		m.bad = "an ICC_PROFILE segment without its chunk number"
		return
	}
	// A profile has at most 255 chunks of at most 64 KiB, under the cap;
	// more chunks than that are a lie, refused before they pile up.
	if len(m.chunks) == 255 {
		m.bad = "more than 255 ICC_PROFILE chunks"
		return
	}
	if m.iccSize+len(p)-2 > raster.MaxMetadata {
		m.bad = fmt.Sprintf("the profile passes %s", raster.FormatBytes(raster.MaxMetadata))
		return
	}
	m.chunks = append(m.chunks, iccPart{seq: int(p[0]), count: int(p[1]), data: bytes.Clone(p[2:])})
	m.iccSize += len(p) - 2
}

// finish joins the chunks: a profile whose chunks disagree on their count,
// lack one, repeat one or number one outside 1..count is dropped, as
// libjpeg's read_icc_profile does, with a note in Details saying why.
// The pixels do not depend on it, so the file still decodes.
func (m *metaReader) finish(h *raster.Header) {
	if m.exif != nil {
		if raster.ValidExif(m.exif) {
			h.Meta.EXIF = m.exif
			h.Orientation = raster.ExifOrientation(m.exif)
		} else {
			h.Details = append(h.Details, raster.DropNote("exif", "the APP1 block does not start with a TIFF header"))
		}
	}
	if m.bad == "" && len(m.chunks) > 0 {
		m.bad = m.check()
	}
	if m.bad != "" {
		h.Details = append(h.Details, raster.DropNote("icc", "%s", m.bad))
		return
	}
	if len(m.chunks) == 0 {
		return
	}
	slices.SortFunc(m.chunks, func(a, b iccPart) int { return cmp.Compare(a.seq, b.seq) })
	icc := make([]byte, 0, m.iccSize)
	for _, c := range m.chunks {
		icc = append(icc, c.data...)
	}
	h.Meta.ICC = icc
}

// check says what is wrong with the chunks, or "".
func (m *metaReader) check() string {
	count := m.chunks[0].count
	if count == 0 {
		return "an ICC_PROFILE chunk count of 0"
	}
	seen := make([]bool, count+1)
	for _, c := range m.chunks {
		switch {
		case c.count != count:
			return fmt.Sprintf("ICC_PROFILE chunks give counts %d and %d", count, c.count)
		case c.seq < 1 || c.seq > count:
			return fmt.Sprintf("ICC_PROFILE chunk number %d of %d", c.seq, count)
		case seen[c.seq]:
			return fmt.Sprintf("ICC_PROFILE chunk %d of %d twice", c.seq, count)
		}
		seen[c.seq] = true
	}
	if len(m.chunks) != count {
		return fmt.Sprintf("%d of %d ICC_PROFILE chunks", len(m.chunks), count)
	}
	return ""
}

// ReadHeader reads a JPEG file's headers up to the first scan and returns
// what they say, metadata included, without decoding or allocating for
// any pixel: no size limit applies. It is what `sluice info` uses.
func ReadHeader(r io.Reader) (raster.Header, error) {
	d, err := newDecoder(r, ReaderOptions{Limits: raster.NoLimits}, true)
	if err != nil {
		return raster.Header{}, err
	}
	return d.h, nil
}

// writeMeta writes the APP1 EXIF segment and the APP2 ICC_PROFILE
// segments of h into b, after the JFIF segment. The header's orientation
// and size are set in the EXIF block (raster.ExifToWrite). An
// EXIF block too large for one segment (64 KiB) or a profile of more than
// 255 chunks is left out: JPEG has no room for it; so is a profile that
// does not fit the pixels (raster.ICCFits).
func writeMeta(b *bytes.Buffer, h raster.Header) {
	seg := func(m byte, parts ...[]byte) {
		n := 2
		for _, p := range parts {
			n += len(p)
		}
		b.Write([]byte{0xff, m, byte(n >> 8), byte(n)})
		for _, p := range parts {
			b.Write(p)
		}
	}
	if exif := raster.ExifToWrite(h); len(exif) > 0 && len(exif) <= exifMax {
		seg(mAPP1, []byte(exifPrefix), exif)
	}
	icc := h.Meta.ICC
	count := (len(icc) + iccChunk - 1) / iccChunk
	if count == 0 || count > 255 || !raster.ICCFits(icc, h.Pixel) {
		return
	}
	for i := range count {
		part := icc[i*iccChunk : min(len(icc), (i+1)*iccChunk)]
		seg(mAPP2, []byte(iccPrefix), []byte{byte(i + 1), byte(count)}, part)
	}
}

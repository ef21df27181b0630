package pngio

import (
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/zlib"

	"github.com/sluice-go/sluice/raster"
)

// iccName is the profile name the Writer gives in iCCP, as libpng and
// vips do; readers ignore it.
const iccName = "ICC profile"

// metaChunk reads an iCCP or eXIf chunk c into d.hdr. What cannot be
// trusted (a chunk past raster.MaxMetadata, a profile that does not
// inflate, an EXIF block without a TIFF header, a second chunk of a
// kind) is dropped with a note in Details, and the image still decodes:
// the pixels do not depend on it. A bad CRC is an error, as for any chunk.
func (d *Reader) metaChunk(c chunkHeader) error {
	what := map[string]string{"iCCP": "icc", "eXIf": "exif"}[c.typ]
	if (c.typ == "iCCP" && d.hdr.Meta.ICC != nil) || (c.typ == "eXIf" && d.hdr.Meta.EXIF != nil) {
		d.hdr.Details = append(d.hdr.Details, raster.DropNote(what, "a second %s chunk at byte %d", c.typ, c.off))
		return d.src.skipChunk(c)
	}
	if c.length > raster.MaxMetadata {
		d.hdr.Details = append(d.hdr.Details, raster.DropNote(what, "%s chunk of %s at byte %d, more than %s",
			c.typ, raster.FormatBytes(int64(c.length)), c.off, raster.FormatBytes(raster.MaxMetadata)))
		return d.src.skipChunk(c)
	}
	p := make([]byte, c.length)
	if err := d.src.readChunkData(c, p); err != nil {
		return err
	}
	if c.typ == "eXIf" {
		if !raster.ValidExif(p) {
			d.hdr.Details = append(d.hdr.Details, raster.DropNote(what, "the eXIf chunk at byte %d does not start with a TIFF header", c.off))
			return nil
		}
		d.hdr.Meta.EXIF = p
		d.hdr.Orientation = raster.ExifOrientation(p)
		return nil
	}
	icc, err := inflateICC(p)
	if err != nil {
		d.hdr.Details = append(d.hdr.Details, raster.DropNote(what, "iCCP chunk at byte %d: %v", c.off, err))
		return nil
	}
	d.hdr.Meta.ICC = icc
	return nil
}

// inflateICC returns the profile an iCCP chunk's data p holds: a name of
// 1 to 79 bytes, a zero byte, compression method 0, a zlib stream.
func inflateICC(p []byte) ([]byte, error) {
	n := bytes.IndexByte(p, 0)
	if n < 1 || n > 79 {
		return nil, fmt.Errorf("no profile name of 1 to 79 bytes")
	}
	if n+1 >= len(p) || p[n+1] != 0 {
		return nil, fmt.Errorf("unknown compression method")
	}
	zr, err := zlib.NewReader(bytes.NewReader(p[n+2:]))
	if err != nil {
		return nil, fmt.Errorf("compressed profile: %v", err)
	}
	defer zr.Close()
	icc, err := io.ReadAll(io.LimitReader(zr, raster.MaxMetadata+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("compressed profile: %v", err)
	case len(icc) > raster.MaxMetadata:
		return nil, fmt.Errorf("the profile inflates past %s", raster.FormatBytes(raster.MaxMetadata))
	case len(icc) == 0:
		return nil, fmt.Errorf("an empty profile")
	}
	return icc, nil
}

// writeMeta writes the iCCP and eXIf chunks of pw.h, after IHDR (so before
// any PLTE and IDAT). The header's orientation and size are set in the
// EXIF block (raster.ExifToWrite); a profile that does not fit the
// pixels (raster.ICCFits) is left out.
func (pw *Writer) writeMeta() error {
	if icc := pw.h.Meta.ICC; len(icc) > 0 && raster.ICCFits(icc, pw.h.Pixel) {
		var b bytes.Buffer
		b.WriteString(iccName)
		b.Write([]byte{0, 0})
		zw, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
		if err != nil {
			return fmt.Errorf("png: %w", err)
		}
		zw.Write(icc) // a bytes.Buffer does not fail
		if err := zw.Close(); err != nil {
			return fmt.Errorf("png: compressing the ICC profile: %w", err)
		}
		if err := pw.writeChunk("iCCP", b.Bytes()); err != nil {
			return err
		}
	}
	if exif := raster.ExifToWrite(pw.h); len(exif) > 0 {
		if err := pw.writeChunk("eXIf", exif); err != nil {
			return err
		}
	}
	return nil
}

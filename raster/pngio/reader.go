package pngio

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"
	"io"
	"slices"

	"github.com/sluice-go/sluice/raster"
)

// ReaderOptions configure a Reader. The zero value means the defaults.
type ReaderOptions struct {
	// Limits bound the image size accepted; the zero value means
	// raster.DefaultLimits.
	Limits raster.Limits
	// Spill says where an interlaced image is held while its seven passes
	// are decoded: in memory up to Spill.Memory bytes, in a temporary file
	// in Spill.Dir past that, and refused past Spill.Limit. The zero value
	// means raster's defaults.
	Spill raster.SpillOptions
}

// Reader decodes a PNG file row by row. It holds two rows of the image and
// the inflater's window, whatever the image's height; an interlaced image is
// the exception and is decoded whole on the first ReadRows, into a
// raster.Spill (memory or a temporary file, see ReaderOptions.Spill) that
// the following calls read from. Close releases it.
//
// Rows come out in the raster pixel format given by Header().Pixel:
//   - gray at 1, 2, 4 or 8 bits becomes Gray8, scaled to the full range
//     (1-bit 0 and 1 become 0 and 255); 16-bit gray becomes Gray16;
//   - palette images become RGB8, or RGBA8 when a tRNS chunk is present;
//   - gray and RGB images with a tRNS chunk gain an alpha channel at the
//     same depth (GrayAlpha8/16, RGBA8/16), zero where the pixel equals the
//     transparent colour;
//   - gray+alpha, RGB and RGBA at 8 and 16 bits come out as they are.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	src       source
	lim       raster.Limits
	hdr       raster.Header
	ihdr      ihdr
	palette   [256][4]byte // RGBA; entries past the PLTE chunk are opaque black
	trns      []byte       // tRNS chunk data, nil when absent
	idat      *idatReader
	zr        io.ReadCloser
	cur       []byte // the row being decoded: filter byte then data
	prev      []byte // the row above it, unfiltered
	expand    expander
	y         int           // rows handed out
	whole     *raster.Spill // an interlaced image, decoded
	spillOpts raster.SpillOptions
	err       error // sticky
}

// NewReader reads the PNG signature and the chunks before the image data
// (IHDR, PLTE, tRNS; iCCP and eXIf into Header.Meta, the EXIF's
// orientation into Header.Orientation; other ancillary chunks are skipped
// after their CRC is checked) and stops at the first IDAT chunk: an eXIf
// chunk after the image data, which the streaming reader never reaches,
// is not read. The image size is checked
// against o.Limits before anything is allocated for it. Errors for malformed
// input are *raster.FormatError with the byte offset of the problem.
func NewReader(r io.Reader, o ReaderOptions) (*Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 32<<10)
	}
	d := &Reader{src: source{br: br}, lim: o.Limits.WithDefaults(), spillOpts: o.Spill}
	var sig [8]byte
	if err := d.src.readFull(sig[:], "signature"); err != nil {
		return nil, err
	}
	if string(sig[:]) != signature {
		return nil, formatErr(0, "not a PNG file: bad signature")
	}
	if err := d.readHeaderChunks(); err != nil {
		return nil, err
	}
	return d, nil
}

// Header describes the image: Format "png", Compression "deflate", Pixel the
// format rows come out in, Details such as "palette", "4-bit" or "tRNS".
func (d *Reader) Header() raster.Header {
	h := d.hdr
	h.Details = slices.Clone(h.Details)
	return h
}

// ReadRows decodes as many whole rows as fit in dst, in the format of
// Header().Pixel. It returns fewer only at the end of the image, and
// (0, io.EOF) once every row has been read. The call that returns the last
// rows also checks the zlib checksum and the chunks up to IEND, so an error
// may come with n > 0. After an error every call returns it.
func (d *Reader) ReadRows(dst []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.y >= d.hdr.Height {
		return 0, io.EOF
	}
	rb := d.hdr.RowBytes()
	want := min(len(dst)/rb, d.hdr.Height-d.y)
	if want == 0 {
		return 0, fmt.Errorf("png: buffer of %d bytes holds no row of %d bytes", len(dst), rb)
	}
	if d.zr == nil {
		if err := d.openZlib(); err != nil {
			d.err = err
			return 0, err
		}
	}
	n := 0
	if d.ihdr.interlaced {
		if _, err := d.whole.ReadAt(dst[:want*rb], int64(d.y)*int64(rb)); err != nil {
			d.err = fmt.Errorf("png: %w", err)
			return 0, d.err
		}
		n = want
		d.y += n
	} else {
		for ; n < want; n++ {
			if err := d.readRow(dst[n*rb : (n+1)*rb]); err != nil {
				d.err = err
				return n, err
			}
			d.y++
		}
	}
	if d.y == d.hdr.Height {
		if err := d.Close(); err != nil {
			d.err = fmt.Errorf("png: %w", err)
			return n, d.err
		}
		if err := d.finish(); err != nil {
			d.err = err
			return n, err
		}
	}
	return n, nil
}

// Close releases what an interlaced image is held in; the Reader reads no
// more rows after it. It does not close the underlying reader, and is
// needed only when the Reader is abandoned before its last row: reading
// the last row releases the same.
func (d *Reader) Close() error {
	if d.whole == nil {
		return nil
	}
	err := d.whole.Close()
	if d.y < d.hdr.Height && d.err == nil {
		d.err = errors.New("png: ReadRows after Close")
	}
	return err
}

// openZlib starts the inflater and, for an interlaced image, decodes the
// whole image.
func (d *Reader) openZlib() error {
	zr, err := zlib.NewReader(d.idat)
	if err != nil {
		return d.zlibError(err)
	}
	d.zr = zr
	n := d.ihdr.rowLen(d.ihdr.width) + 1
	d.cur, d.prev = make([]byte, n), make([]byte, n)
	if d.ihdr.interlaced {
		return d.decodeInterlaced()
	}
	return nil
}

// readRow decodes the next row of a non-interlaced image into dst.
func (d *Reader) readRow(dst []byte) error {
	if _, err := io.ReadFull(d.zr, d.cur); err != nil {
		return d.zlibError(err)
	}
	if err := unfilter(d.cur[0], d.cur[1:], d.prev[1:], d.ihdr.filterBPP()); err != nil {
		return formatErr(d.idat.offset(), "row %d: %v", d.y, err)
	}
	d.expand(dst, d.cur[1:], d.hdr.Width)
	d.cur, d.prev = d.prev, d.cur
	return nil
}

// zlibError turns an error from the inflater into a FormatError at the
// offset being decoded, unless it already is one.
func (d *Reader) zlibError(err error) error {
	var fe *raster.FormatError
	if errors.As(err, &fe) {
		return err
	}
	off := d.idat.offset()
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return raster.Truncated("png", off, fmt.Sprintf("not enough image data: the zlib stream ends at row %d of %d", d.y, d.hdr.Height))
	case errors.As(err, &ce):
		return formatErr(off, "corrupt deflate data")
	case errors.Is(err, zlib.ErrChecksum):
		return formatErr(off, "bad zlib checksum")
	case errors.Is(err, zlib.ErrHeader), errors.Is(err, zlib.ErrDictionary):
		return formatErr(off, "bad zlib header: %v", err)
	}
	return fmt.Errorf("png: at byte %d: %w", off, err)
}

// finish checks, after the last row, that the zlib stream ends there with
// the right checksum and that the file ends with IEND, checking the CRC of
// every chunk on the way.
func (d *Reader) finish() error {
	var one [1]byte
	n, err := d.zr.Read(one[:])
	for i := 0; n == 0 && err == nil; i++ {
		if i == 100 {
			return formatErr(d.idat.offset(), "zlib stream makes no progress")
		}
		n, err = d.zr.Read(one[:])
	}
	if n > 0 {
		return formatErr(d.idat.offset(), "too much image data: the zlib stream goes on after the last row")
	}
	if err != io.EOF {
		return d.zlibError(err)
	}
	d.zr.Close()
	c, err := d.idat.finish()
	for err == nil {
		switch {
		case c.typ == "IEND":
			if c.length != 0 {
				return formatErr(c.off, "IEND chunk length %d, want 0", c.length)
			}
			return d.src.checkCRC(c, 0xae426082)
		case c.critical():
			return formatErr(c.off, "%s chunk after the image data", c.typ)
		}
		if err = d.src.skipChunk(c); err == nil {
			c, err = d.src.readChunkHeader()
		}
	}
	return err
}

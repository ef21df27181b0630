package pngio

import (
	"encoding/binary"
	"fmt"
	"github.com/klauspost/compress/flate"
	"hash/crc32"
	"io"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// maxIDAT bounds the data length of the IDAT chunks the Writer writes.
const maxIDAT = 256 << 10

// WriterOptions configure a Writer. The zero value means the defaults.
type WriterOptions struct {
	// Level is the deflate compression level, 1 fastest to 9 best; 0 means
	// the default, 6; -1 stores the data without compression (and without
	// filtering).
	Level int
}

// Writer encodes an image row by row into a PNG file.
//
// Rows are gathered into groups of about 256 KiB; each group is filtered
// (adaptively: for every row the filter with the smallest sum of absolute
// differences) and deflated on its own, and the results are written in
// order. Because each group's deflate stream starts with an empty window,
// files come out about 1% larger than from a single stream, but the groups
// can be encoded in parallel: Writer implements raster.BandWriter, whose
// bands are the groups, and EncodeBand may run on any number of
// goroutines while WriteBand writes the results in order. The output
// depends only on the header and the level, never on how the groups were
// encoded. Through WriteRows, groups are encoded on the calling goroutine;
// the Writer then holds one group of rows and one encoder, about 1 MiB.
//
// A Writer starts no goroutine. It is not safe for concurrent use, except
// for EncodeBand.
type Writer struct {
	w         io.Writer
	h         raster.Header
	level     int
	rowBytes  int
	groupRows int
	adaptive  bool
	bpp       int

	y     int    // rows received
	cur   *group // the group being filled by WriteRows
	encs  sync.Pool
	enc   []byte // encoded group on the WriteRows path, reused
	bands bool   // WriteBand has been called

	adler  uint32 // Adler-32 of the filtered data so far
	chunk  []byte // IDAT data not yet written
	err    error
	closed bool
}

// NewWriter writes the PNG signature and IHDR chunk of an image described by
// h to w and returns a Writer for its rows. h.Pixel may be any of the eight
// raster formats; rows are taken in raster layout (16-bit samples
// big-endian), which is PNG's own. Width, Height and Pixel are read from
// h, and its Meta and Orientation, stored in iCCP and eXIf chunks before
// the image data: the output is never interlaced.
func NewWriter(w io.Writer, h raster.Header, o WriterOptions) (*Writer, error) {
	if !h.Pixel.Valid() {
		return nil, fmt.Errorf("png: cannot write pixel format %v", h.Pixel)
	}
	if h.Width <= 0 || h.Height <= 0 || h.Width > maxChunkLen || h.Height > maxChunkLen {
		return nil, fmt.Errorf("png: cannot write an image of %d×%d pixels", h.Width, h.Height)
	}
	level := o.Level
	switch {
	case level == 0:
		level = 6
	case level == -1:
		level = flate.NoCompression
	case level < -1 || level > 9:
		return nil, fmt.Errorf("png: compression level %d is not -1 or 0…9", o.Level)
	}
	rb := h.RowBytes()
	pw := &Writer{
		w:         w,
		h:         h,
		level:     level,
		rowBytes:  rb,
		groupRows: max(1, groupBytes/(rb+1)),
		adaptive:  level != flate.NoCompression,
		bpp:       h.Pixel.BytesPerPixel(),
		adler:     1,
	}
	pw.encs.New = func() any { return newEncoder(pw.level, pw.rowBytes, pw.bpp, pw.adaptive) }
	if err := pw.writeHead(); err != nil {
		return nil, err
	}
	return pw, nil
}

// writeHead writes the signature, the IHDR chunk and the zlib header.
func (pw *Writer) writeHead() error {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(pw.h.Width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(pw.h.Height))
	ihdr[8] = byte(pw.h.Pixel.Depth)
	ihdr[9] = [...]byte{1: ctGray, 2: ctGrayAlpha, 3: ctRGB, 4: ctRGBA}[pw.h.Pixel.Channels]
	if _, err := io.WriteString(pw.w, signature); err != nil {
		return fmt.Errorf("png: %w", err)
	}
	if err := pw.writeChunk("IHDR", ihdr[:]); err != nil {
		return err
	}
	if err := pw.writeMeta(); err != nil {
		return err
	}
	pw.chunk = make([]byte, 0, maxIDAT)
	pw.chunk = append(pw.chunk, zlibHeader(pw.level)...)
	return nil
}

// zlibHeader returns the two bytes that open a zlib stream deflated at level.
func zlibHeader(level int) []byte {
	var flevel byte
	switch {
	case level <= 1:
		flevel = 0
	case level <= 5:
		flevel = 1
	case level == 6:
		flevel = 2
	default:
		flevel = 3
	}
	cmf, flg := byte(0x78), flevel<<6
	flg += byte(31 - (uint(cmf)<<8|uint(flg))%31)
	return []byte{cmf, flg}
}

// writeChunk writes one chunk with its length and CRC.
func (pw *Writer) writeChunk(typ string, data []byte) error {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	crc := crc32.Update(crc32.ChecksumIEEE(head[4:]), crc32.IEEETable, data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc)
	for _, b := range [][]byte{head[:], data, tail[:]} {
		if _, err := pw.w.Write(b); err != nil {
			return fmt.Errorf("png: writing %s chunk: %w", typ, err)
		}
	}
	return nil
}

// writeIDAT adds p to the image data, writing an IDAT chunk each time
// maxIDAT bytes have gathered.
func (pw *Writer) writeIDAT(p []byte) error {
	for len(p) > 0 {
		k := min(len(p), maxIDAT-len(pw.chunk))
		pw.chunk = append(pw.chunk, p[:k]...)
		p = p[k:]
		if len(pw.chunk) == maxIDAT {
			if err := pw.writeChunk("IDAT", pw.chunk); err != nil {
				return err
			}
			pw.chunk = pw.chunk[:0]
		}
	}
	return nil
}

// WriteRows encodes whole rows from src (len(src) a multiple of the row
// length) on the calling goroutine. It is an error to write more rows than
// the header's height.
func (pw *Writer) WriteRows(src []byte) error {
	if pw.err != nil {
		return pw.err
	}
	if pw.closed {
		return fmt.Errorf("png: write after close")
	}
	if pw.bands {
		return fmt.Errorf("png: WriteRows after WriteBand")
	}
	rb := pw.rowBytes
	if len(src)%rb != 0 {
		return fmt.Errorf("png: %d bytes is not a whole number of %d-byte rows", len(src), rb)
	}
	if n := len(src) / rb; n > pw.h.Height-pw.y {
		return fmt.Errorf("png: %d rows would pass the image height %d (%d written)", n, pw.h.Height, pw.y)
	}
	if pw.cur == nil {
		pw.cur = &group{raw: make([]byte, (pw.groupRows+1)*rb)}
	}
	for len(src) > 0 {
		g := pw.cur
		k := min(len(src)/rb, pw.groupRows-g.rows)
		copy(g.raw[(g.rows+1)*rb:], src[:k*rb])
		src = src[k*rb:]
		g.rows += k
		pw.y += k
		if g.rows == pw.groupRows || pw.y == pw.h.Height {
			e := pw.encs.Get().(*encoder)
			pw.enc = e.encode(pw.enc[:0], g.raw[:rb], g.raw[rb:(g.rows+1)*rb], pw.y == pw.h.Height)
			pw.encs.Put(e)
			if err := pw.emit(pw.enc); err != nil {
				pw.err = err
				return err
			}
			// The next group's filters need this group's last row.
			copy(g.raw[:rb], g.raw[g.rows*rb:(g.rows+1)*rb])
			g.rows = 0
		}
	}
	return nil
}

// BandRows returns the number of rows in a group: about 256 KiB of pixels.
func (pw *Writer) BandRows() int { return pw.groupRows }

// EncodeBand filters and deflates group i, whose rows are src, and
// returns the result appended to dst[:0]; above is the last row of group
// i-1 (nil for group 0). It is safe for concurrent use, with itself and
// with WriteBand, and costs the CPU of encoding the group: about 10 ns a
// byte at level 6.
func (pw *Writer) EncodeBand(i int, above, src, dst []byte) ([]byte, error) {
	rb := pw.rowBytes
	y0 := i * pw.groupRows
	if i < 0 || y0 >= pw.h.Height {
		return dst, fmt.Errorf("png: group %d outside the image's %d rows", i, pw.h.Height)
	}
	rows := min(pw.groupRows, pw.h.Height-y0)
	if len(src) != rows*rb || (i > 0) != (above != nil) || (above != nil && len(above) != rb) {
		return dst, fmt.Errorf("png: group %d given %d bytes and a row above of %d, want %d rows of %d bytes", i, len(src), len(above), rows, rb)
	}
	e := pw.encs.Get().(*encoder)
	dst = e.encode(dst[:0], above, src, y0+rows == pw.h.Height)
	pw.encs.Put(e)
	return dst, nil
}

// WriteBand writes group i as EncodeBand returned it. Groups must come in
// order, each once, and WriteRows must not be used as well.
func (pw *Writer) WriteBand(i int, enc []byte) error {
	if pw.err != nil {
		return pw.err
	}
	if pw.closed {
		return fmt.Errorf("png: write after close")
	}
	if pw.y%pw.groupRows != 0 || (pw.y > 0 && !pw.bands) || i != pw.y/pw.groupRows || len(enc) < 8 {
		pw.err = fmt.Errorf("png: group %d written out of order (%d rows written)", i, pw.y)
		return pw.err
	}
	pw.bands = true
	if err := pw.emit(enc); err != nil {
		pw.err = err
		return err
	}
	pw.y = min(pw.y+pw.groupRows, pw.h.Height)
	return nil
}

// emit writes out an encoded group, followed by its trailer.
func (pw *Writer) emit(enc []byte) error {
	n := len(enc) - 8
	adler := binary.BigEndian.Uint32(enc[n:])
	flen := binary.BigEndian.Uint32(enc[n+4:])
	pw.adler = adler32Combine(pw.adler, adler, int64(flen))
	return pw.writeIDAT(enc[:n])
}

// Close writes the zlib checksum, the last IDAT chunk and IEND. It does
// not close the underlying writer. It is an error to close before every
// row has been written; the output is then incomplete. Closing twice
// returns the first result.
func (pw *Writer) Close() error {
	if pw.closed {
		return pw.err
	}
	pw.closed = true
	if pw.err == nil && pw.y < pw.h.Height {
		pw.err = fmt.Errorf("png: close after %d of %d rows", pw.y, pw.h.Height)
	}
	if pw.err != nil {
		return pw.err
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], pw.adler)
	pw.err = pw.writeIDAT(sum[:])
	if pw.err == nil && len(pw.chunk) > 0 {
		pw.err = pw.writeChunk("IDAT", pw.chunk)
	}
	if pw.err == nil {
		pw.err = pw.writeChunk("IEND", nil)
	}
	return pw.err
}

// Package pnmio reads and writes the binary netpbm formats: PGM (P5), PPM
// (P6) and PAM (P7), at 8 and 16 bits per sample, row by row.
//
// PNM is sluice's fastest format: the pixels on disk are laid out as raster
// lays out rows (16-bit samples big-endian), so reading and writing at a
// maxval of 255 or 65535 is a buffered copy with no work per pixel. Any other
// maxval is scaled to the full 8-bit (maxval ≤ 255) or 16-bit range through a
// lookup table.
package pnmio

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// bufferSize is the size of the read and write buffers.
const bufferSize = 1 << 20

// Reader decodes a P5, P6 or P7 file row by row. It implements
// raster.RowReader. A Reader is not safe for concurrent use.
type Reader struct {
	br       *bufio.Reader
	src      io.Reader // what br reads from, for large reads that bypass it
	h        raster.Header
	maxval   int
	start    int64 // byte offset of the first pixel
	rowBytes int
	row      int // rows read so far
	scale8   *[256]uint16
	scale16  []uint16 // maxval+1 entries
	err      error    // sticky
}

// NewReader reads the header of a binary netpbm file from r and returns a
// Reader positioned at the first row. A maxval of at most 255 gives 8-bit
// rows, a larger one 16-bit rows. The image size is checked against lim
// before anything is allocated. r is buffered (1 MiB) unless it already is a
// large enough *bufio.Reader.
//
// Malformed headers are reported as *raster.FormatError with the byte
// offset, sizes beyond lim as *raster.LimitError, and valid files that use
// something else (plain P1–P4, an unknown PAM tuple type) as
// *raster.UnsupportedError.
func NewReader(r io.Reader, lim raster.Limits) (*Reader, error) {
	s := &scanner{br: bufio.NewReaderSize(r, bufferSize)}
	src := r
	if br, ok := r.(*bufio.Reader); ok && br == s.br {
		src = br // r is buffered already: nothing to bypass
	}
	hd, err := parseHeader(s)
	if err != nil {
		return nil, err
	}
	details, err := hd.check(s.off)
	if err != nil {
		return nil, err
	}
	if err := lim.Check("pnm", hd.width, hd.height); err != nil {
		return nil, err
	}
	depth := 8
	if hd.maxval > 255 {
		depth = 16
	}
	pf := raster.PixelFormat{Channels: hd.depth, Depth: depth}
	rd := &Reader{
		br:     s.br,
		src:    src,
		maxval: hd.maxval,
		start:  s.off,
		h: raster.Header{
			Format:      "pnm",
			Width:       hd.width,
			Height:      hd.height,
			Pixel:       pf,
			Compression: "none",
			Details:     details,
		},
	}
	if int64(hd.width)*int64(pf.BytesPerPixel()) > 1<<31-1 {
		return nil, &raster.LimitError{Format: "pnm", Width: hd.width, Height: hd.height,
			Reason: "a row would take more than 2 GiB"}
	}
	rd.rowBytes = rd.h.RowBytes()
	switch hd.maxval {
	case 255, 65535:
	default:
		if depth == 8 {
			rd.scale8 = table8(hd.maxval)
		} else {
			rd.scale16 = table16(hd.maxval)
		}
	}
	return rd, nil
}

// Header returns what the file's header says. Details holds the magic
// number, for PAM the tuple type, and the maxval when it is neither 255 nor
// 65535.
func (r *Reader) Header() raster.Header { return r.h }

// ReadRows reads as many whole rows as fit in dst and returns how many it
// read. It returns fewer only at the end of the image, and (0, io.EOF) once
// every row has been read. A file that ends early or holds a sample above
// its maxval gives a *raster.FormatError with the byte offset, together
// with the count of the good rows before it.
func (r *Reader) ReadRows(dst []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	left := r.h.Height - r.row
	if left == 0 {
		return 0, io.EOF
	}
	n := len(dst) / r.rowBytes
	if n == 0 {
		return 0, fmt.Errorf("pnm: buffer of %d bytes is shorter than one row of %d bytes", len(dst), r.rowBytes)
	}
	n = min(n, left)
	buf := dst[:n*r.rowBytes]
	m, err := r.readFull(buf)
	got := m / r.rowBytes
	if err != nil {
		at := r.offset(r.row) + int64(m)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			r.err = raster.Truncated("pnm", at, fmt.Sprintf("truncated pixel data: file ends in row %d of %d", r.row+got, r.h.Height))
		} else {
			r.err = fmt.Errorf("pnm: reading row %d at byte %d: %w", r.row+got, at, err)
		}
	}
	if bad := r.scale(buf[:got*r.rowBytes]); bad >= 0 {
		good := bad / r.rowBytes
		r.err = &raster.FormatError{Format: "pnm", Offset: r.offset(r.row) + int64(bad),
			Msg: fmt.Sprintf("sample in row %d exceeds maxval %d", r.row+good, r.maxval)}
		r.row += good
		return good, r.err
	}
	r.row += got
	return got, r.err
}

// directMin is the read size from which ReadRows reads straight into the
// caller's buffer rather than through the 1 MiB buffer, saving a copy.
const directMin = 64 << 10

// readFull fills buf, through the buffer for small reads, and for large
// ones by emptying the buffer and then reading the rest directly.
func (r *Reader) readFull(buf []byte) (int, error) {
	if len(buf) < directMin || r.src == io.Reader(r.br) {
		return io.ReadFull(r.br, buf)
	}
	n := 0
	if b := r.br.Buffered(); b > 0 {
		n, _ = r.br.Read(buf[:min(b, len(buf))]) // cannot fail: the bytes are buffered
	}
	m, err := io.ReadFull(r.src, buf[n:])
	if err == io.EOF && n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n + m, err
}

// offset is the byte offset in the file of the start of row y.
func (r *Reader) offset(y int) int64 { return r.start + int64(y)*int64(r.rowBytes) }

// scale maps samples of a maxval other than 255 or 65535 onto the full range
// in place. It returns the index of the first sample above maxval, or -1.
func (r *Reader) scale(buf []byte) int {
	switch {
	case r.scale8 != nil:
		t := r.scale8
		for i, v := range buf {
			s := t[v]
			if s&badSample != 0 {
				return i
			}
			buf[i] = byte(s)
		}
	case r.scale16 != nil:
		t := r.scale16
		for i := 0; i+1 < len(buf); i += 2 {
			v := int(buf[i])<<8 | int(buf[i+1])
			if v >= len(t) {
				return i
			}
			s := t[v]
			buf[i], buf[i+1] = byte(s>>8), byte(s)
		}
	}
	return -1
}

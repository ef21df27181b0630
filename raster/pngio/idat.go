package pngio

import (
	"hash/crc32"
	"io"
)

// idatBufSize is the most IDAT data read from the file at a time. A chunk no
// longer than this is read whole and its CRC checked before any of its data
// reaches the inflater, so corruption is reported as a bad CRC.
const idatBufSize = 256 << 10

// idatReader presents the data of consecutive IDAT chunks as one stream, the
// zlib stream of the image, checking each chunk's CRC at its end. It
// implements io.ByteReader so that the inflater reads from it directly and
// never ahead of what it consumes, which lets an error name the offset of
// the byte being decoded.
type idatReader struct {
	s      *source
	chunk  chunkHeader // the IDAT chunk being read
	remain int         // bytes of the chunk's data not yet buffered
	crc    uint32      // CRC of the chunk so far
	crcOK  bool        // the chunk's CRC has been read and checked
	buf    []byte
	i      int   // next byte of buf to serve
	bufOff int64 // file offset of buf[0]
	next   *chunkHeader
	err    error
}

// newIDATReader starts reading the data of IDAT chunk c, whose header has
// just been read.
func newIDATReader(s *source, c chunkHeader) *idatReader {
	return &idatReader{
		s:      s,
		chunk:  c,
		remain: int(c.length),
		crc:    crc32.ChecksumIEEE([]byte("IDAT")),
		buf:    make([]byte, 0, min(idatBufSize, max(int(c.length), 4096))),
	}
}

// offset is the file offset of the next byte to be served.
func (r *idatReader) offset() int64 { return r.bufOff + int64(r.i) }

// fill buffers more data. It returns io.EOF when the chunk after the last
// IDAT chunk has been reached; its header is then in r.next.
func (r *idatReader) fill() error {
	if r.err != nil {
		return r.err
	}
	for r.remain == 0 {
		if !r.crcOK {
			if err := r.s.checkCRC(r.chunk, r.crc); err != nil {
				r.err = err
				return err
			}
		}
		c, err := r.s.readChunkHeader()
		if err != nil {
			r.err = err
			return err
		}
		if c.typ != "IDAT" {
			r.next = &c
			r.buf, r.i, r.bufOff = r.buf[:0], 0, c.off
			r.err = io.EOF
			return io.EOF
		}
		r.chunk, r.remain, r.crc, r.crcOK = c, int(c.length), crc32.ChecksumIEEE([]byte("IDAT")), false
	}
	if want := min(r.remain, idatBufSize); cap(r.buf) < want {
		r.buf = make([]byte, 0, want)
	}
	k := min(r.remain, cap(r.buf))
	r.buf = r.buf[:k]
	r.bufOff, r.i = r.s.off, 0
	if err := r.s.readFull(r.buf, "IDAT chunk"); err != nil {
		r.buf = r.buf[:0]
		r.err = err
		return err
	}
	r.crc = crc32.Update(r.crc, crc32.IEEETable, r.buf)
	r.remain -= k
	if r.remain == 0 {
		// The chunk's end: check its CRC before serving its last piece.
		if err := r.s.checkCRC(r.chunk, r.crc); err != nil {
			r.buf = r.buf[:0]
			r.err = err
			return err
		}
		r.crcOK = true
	}
	return nil
}

// ReadByte returns the next byte of the zlib stream.
func (r *idatReader) ReadByte() (byte, error) {
	if r.i >= len(r.buf) {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	b := r.buf[r.i]
	r.i++
	return b, nil
}

// Read reads up to len(p) bytes of the zlib stream.
func (r *idatReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.i >= len(r.buf) {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.i:])
	r.i += n
	return n, nil
}

// finish is called once the zlib stream has ended. It checks that no data
// follows the stream inside its IDAT chunk, reads past any further IDAT
// chunks (as other decoders do, they are ignored), checking every CRC, and
// returns the header of the first chunk after them.
func (r *idatReader) finish() (chunkHeader, error) {
	if r.next == nil {
		if r.err != nil {
			return chunkHeader{}, r.err
		}
		if extra := len(r.buf) - r.i + r.remain; extra > 0 {
			return chunkHeader{}, formatErr(r.offset(), "%d bytes of IDAT data after the end of the zlib stream", extra)
		}
		if !r.crcOK {
			if err := r.s.checkCRC(r.chunk, r.crc); err != nil {
				return chunkHeader{}, err
			}
		}
		for {
			c, err := r.s.readChunkHeader()
			if err != nil {
				return chunkHeader{}, err
			}
			if c.typ != "IDAT" {
				r.next = &c
				break
			}
			if err := r.s.skipChunk(c); err != nil {
				return chunkHeader{}, err
			}
		}
	}
	return *r.next, nil
}

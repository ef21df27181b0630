package pngio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// signature is the eight bytes every PNG file starts with.
const signature = "\x89PNG\r\n\x1a\n"

// maxChunkLen is the largest chunk length the specification allows.
const maxChunkLen = 1<<31 - 1

// source reads the file, counting the bytes consumed so that errors can
// name their offset.
type source struct {
	br  *bufio.Reader
	off int64 // bytes consumed so far
	tmp [13]byte
}

// formatErr returns a *raster.FormatError at offset off.
func formatErr(off int64, format string, args ...any) error {
	return &raster.FormatError{Format: "png", Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// readFull fills p, turning a short read into a FormatError that names what
// was being read.
func (s *source) readFull(p []byte, what string) error {
	n, err := io.ReadFull(s.br, p)
	s.off += int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return raster.Truncated("png", s.off, "unexpected end of file in "+what)
		}
		return fmt.Errorf("png: reading %s at byte %d: %w", what, s.off, err)
	}
	return nil
}

// chunkHeader is the length and type that open a chunk, and the offset of
// the chunk in the file.
type chunkHeader struct {
	length uint32
	typ    string
	off    int64
}

// critical reports whether a decoder must understand the chunk to decode the
// image (an upper-case first letter).
func (c chunkHeader) critical() bool { return c.typ[0]&0x20 == 0 }

// readChunkHeader reads a chunk's length and type and checks both.
func (s *source) readChunkHeader() (chunkHeader, error) {
	off := s.off
	if err := s.readFull(s.tmp[:8], "chunk header"); err != nil {
		return chunkHeader{}, err
	}
	c := chunkHeader{length: binary.BigEndian.Uint32(s.tmp[:4]), typ: string(s.tmp[4:8]), off: off}
	if c.length > maxChunkLen {
		return c, formatErr(off, "chunk length %d exceeds 2^31-1", c.length)
	}
	for i := 4; i < 8; i++ {
		if b := s.tmp[i] | 0x20; b < 'a' || b > 'z' {
			return c, formatErr(off+4, "bad chunk type %q", s.tmp[4:8])
		}
	}
	return c, nil
}

// readChunkData reads the data of chunk c into p (len(p) == c.length) and
// checks its CRC.
func (s *source) readChunkData(c chunkHeader, p []byte) error {
	if err := s.readFull(p, c.typ+" chunk"); err != nil {
		return err
	}
	crc := crc32.Update(crc32.ChecksumIEEE([]byte(c.typ)), crc32.IEEETable, p)
	return s.checkCRC(c, crc)
}

// checkCRC reads the four CRC bytes that end chunk c and compares them with
// crc, computed over the chunk's type and data.
func (s *source) checkCRC(c chunkHeader, crc uint32) error {
	off := s.off
	if err := s.readFull(s.tmp[:4], c.typ+" chunk CRC"); err != nil {
		return err
	}
	if got := binary.BigEndian.Uint32(s.tmp[:4]); got != crc {
		return formatErr(off, "bad CRC in %s chunk: file says %08x, data gives %08x", c.typ, got, crc)
	}
	return nil
}

// skipChunk reads past the data of chunk c, checking its CRC.
func (s *source) skipChunk(c chunkHeader) error {
	crc := crc32.ChecksumIEEE([]byte(c.typ))
	var buf [4096]byte
	for n := int(c.length); n > 0; {
		k := min(n, len(buf))
		if err := s.readFull(buf[:k], c.typ+" chunk"); err != nil {
			return err
		}
		crc = crc32.Update(crc, crc32.IEEETable, buf[:k])
		n -= k
	}
	return s.checkCRC(c, crc)
}

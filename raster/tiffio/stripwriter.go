package tiffio

import (
	"encoding/binary"
	"errors"

	"github.com/klauspost/compress/zlib"

	"github.com/sluice-go/sluice/raster"
)

// stripStreamer writes strips too large to hold (more than streamStripBytes
// each, from a large RowsPerStrip) row by row, compressing in the caller's
// goroutine, so that a Writer holds one row instead of one strip.
type stripStreamer struct {
	w     *Writer
	row   []byte // the current row in file layout
	rows  int    // rows of the current strip written
	strip int
	start int64
	zw    *zlib.Writer
	lzw   lzwWriter
	buf   []byte
}

// posWriter adapts a Writer's write to io.Writer.
type posWriter struct{ w *Writer }

func (p posWriter) Write(b []byte) (int, error) {
	if err := p.w.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeRows compresses whole rows of src (raster layout) into the file.
func (s *stripStreamer) writeRows(src []byte) error {
	g := s.w.g
	if s.row == nil {
		s.row = make([]byte, g.rowBytes)
	}
	for len(src) > 0 {
		if s.rows == 0 {
			if err := s.open(); err != nil {
				return err
			}
		}
		row := s.row
		copy(row, src[:g.rowBytes])
		src = src[g.rowBytes:]
		if g.pix.Depth == 16 {
			raster.SwapBytes16(row, row)
		}
		if g.predictor {
			applyPredictor(row, g.pix.Channels, g.pix.Depth, binary.LittleEndian)
		}
		var err error
		switch g.comp {
		case compDeflate:
			_, err = s.zw.Write(row)
		case compLZW:
			s.lzw.write(row)
			if len(s.lzw.out) >= 64<<10 {
				err = s.w.write(s.lzw.out)
				s.lzw.out = s.lzw.out[:0]
			}
		case compPackBits:
			s.buf = packBits(s.buf[:0], row)
			err = s.w.write(s.buf)
		default:
			err = s.w.write(row)
		}
		if err != nil {
			return err
		}
		s.rows++
		if s.rows == min(g.chunkH, g.height-s.strip*g.chunkH) {
			if err := s.close(); err != nil {
				return err
			}
		}
	}
	return nil
}

// open starts a strip.
func (s *stripStreamer) open() error {
	g := s.w.g
	s.start = s.w.pos
	switch g.comp {
	case compDeflate:
		if s.zw == nil {
			zw, err := zlib.NewWriterLevel(posWriter{s.w}, g.level)
			if err != nil {
				return err
			}
			s.zw = zw
		} else {
			s.zw.Reset(posWriter{s.w})
		}
	case compLZW:
		s.lzw.begin(s.buf[:0])
	}
	return nil
}

// close finishes the strip and records where it lies.
func (s *stripStreamer) close() error {
	switch s.w.g.comp {
	case compDeflate:
		if err := s.zw.Close(); err != nil {
			return err
		}
	case compLZW:
		s.buf = s.lzw.finish()
		if err := s.w.write(s.buf); err != nil {
			return err
		}
	}
	if !s.w.big && s.w.pos >= 1<<32 {
		return errors.New("tiff: file passes 4 GiB; set BigTIFF")
	}
	s.w.offsets = append(s.w.offsets, uint64(s.start))
	s.w.counts = append(s.w.counts, uint64(s.w.pos-s.start))
	s.rows = 0
	s.strip++
	return nil
}

package tiffio

import (
	"bufio"
	"errors"
	"io"
)

// stripStream decodes a strip too large to hold whole row by row, straight
// from the file: used for files with few huge strips (such as one strip for
// the whole image), where read-ahead would hold too much memory.
type stripStream struct {
	d     *decoder
	i     int // strip being read
	start int64
	sec   *io.SectionReader
	bufr  *bufio.Reader
	r     io.Reader
	row   []byte // one file-layout row when conversion is not in place
}

// open starts strip i.
func (s *stripStream) open(i int) error {
	d, l := s.d, s.d.l
	s.i = i
	off, cnt := l.offsets[i], l.counts[i]
	if cnt == 0 && off == 0 {
		s.r = zeroReader{}
		return nil
	}
	if off > uint64(d.f.size) || cnt > uint64(d.f.size)-off {
		return d.chunkTrunc(i, int64(min(off, uint64(d.f.size))), "%d bytes at offset %d run past the end of the file (%d bytes)", cnt, off, d.f.size)
	}
	want := uint64(l.chunkRows(i) * l.fileRowBytes)
	if l.compression == compNone && cnt < want {
		return d.chunkErr(i, int64(off), "holds %d bytes, want %d", cnt, want)
	}
	s.start = int64(off)
	s.sec = io.NewSectionReader(d.f.r, int64(off), int64(cnt))
	switch l.compression {
	case compNone:
		s.r = s.sec
	case compDeflate, compDeflateOld:
		if s.bufr == nil {
			s.bufr = bufio.NewReaderSize(s.sec, 64<<10)
		} else {
			s.bufr.Reset(s.sec)
		}
		r, err := d.zlib(s.bufr)
		if err != nil {
			return d.chunkErr(i, int64(off), "%v", err)
		}
		s.r = r
	case compLZW:
		if d.lzw == nil {
			d.lzw = newLZWReader()
		}
		d.lzw.src.setReader(s.sec)
		d.lzw.reset()
		s.r = d.lzw
	case compPackBits:
		d.pb.src.setReader(s.sec)
		d.pb.reset()
		s.r = &d.pb
	}
	return nil
}

// readRows decodes the next n rows of the strip into dst.
func (s *stripStream) readRows(dst []byte, n int) error {
	l := s.d.l
	rb := len(dst) / n
	for y := 0; y < n; y++ {
		out := dst[y*rb : (y+1)*rb]
		raw := out
		if !l.inPlace {
			if s.row == nil {
				s.row = make([]byte, l.fileRowBytes)
			}
			raw = s.row
		}
		if _, err := io.ReadFull(s.r, raw); err != nil {
			pos := s.start
			if s.sec != nil {
				p, _ := s.sec.Seek(0, io.SeekCurrent)
				pos += p
			}
			if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
				return s.d.chunkErr(s.i, pos, "ends before its last row")
			}
			return s.d.chunkErr(s.i, pos, "%s", decompressMsg(l.compression, err))
		}
		s.d.finishRow(raw, out)
	}
	return nil
}

// zeroReader reads zeros: the pixels of a chunk a sparse file left out.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

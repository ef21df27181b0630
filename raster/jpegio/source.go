package jpegio

import (
	"errors"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// source buffers the file's bytes and knows the offset of each, so that
// errors can say where the fault lies.
type source struct {
	r    io.Reader
	buf  []byte
	i, j int   // unread bytes are buf[i:j]
	off  int64 // file offset of buf[0]
	err  error // sticky read error
}

func newSource(r io.Reader) *source {
	return &source{r: r, buf: make([]byte, 64<<10)}
}

// offset is the file offset of the next unread byte.
func (s *source) offset() int64 { return s.off + int64(s.i) }

// fill makes at least n bytes available unless the input ends first.
func (s *source) fill(n int) {
	if s.j-s.i >= n {
		return
	}
	if s.i > 0 {
		copy(s.buf, s.buf[s.i:s.j])
		s.off += int64(s.i)
		s.j -= s.i
		s.i = 0
	}
	for s.j < n && s.err == nil {
		m, err := s.r.Read(s.buf[s.j:])
		s.j += m
		if err != nil {
			s.err = err
		} else if m == 0 {
			s.err = io.ErrNoProgress
		}
	}
}

// errorAt is a FormatError at the current offset, or the read error when
// the input failed for another reason than ending.
func (s *source) errorAt(msg string, args ...any) error {
	if s.err != nil && !errors.Is(s.err, io.EOF) && !errors.Is(s.err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("jpeg: reading at byte %d: %w", s.offset(), s.err)
	}
	return &raster.FormatError{Format: "jpeg", Offset: s.offset(), Msg: fmt.Sprintf(msg, args...)}
}

// truncated is the error for input that ends early.
func (s *source) truncated(where string) error {
	return s.errorAt("truncated file: the input ends %s", where)
}

// readByte returns the next byte; ok is false when the input has ended.
func (s *source) readByte() (byte, bool) {
	if s.i < s.j {
		b := s.buf[s.i]
		s.i++
		return b, true
	}
	s.fill(1)
	if s.i == s.j {
		return 0, false
	}
	b := s.buf[s.i]
	s.i++
	return b, true
}

// peek returns the next n bytes without consuming them, or fewer when the
// input ends. n is at most the buffer size.
func (s *source) peek(n int) []byte {
	s.fill(n)
	return s.buf[s.i:min(s.j, s.i+n)]
}

// read returns the next n bytes, valid until the next call; ok is false
// when the input ends first.
func (s *source) read(n int) ([]byte, bool) {
	if n > len(s.buf) {
		return nil, false
	}
	s.fill(n)
	if s.j-s.i < n {
		s.i = s.j
		return nil, false
	}
	b := s.buf[s.i : s.i+n]
	s.i += n
	return b, true
}

// skip discards n bytes; ok is false when the input ends first.
func (s *source) skip(n int) bool {
	for n > 0 {
		s.fill(1)
		if s.i == s.j {
			return false
		}
		k := min(n, s.j-s.i)
		s.i += k
		n -= k
	}
	return true
}

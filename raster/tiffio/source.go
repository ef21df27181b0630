package tiffio

import "io"

// source feeds compressed bytes to the LZW and PackBits readers: a slice in
// memory (a whole strip or tile), or a buffer refilled from an io.Reader when
// a strip too large to hold is streamed.
type source struct {
	buf  []byte
	pos  int
	r    io.Reader
	back []byte
	err  error // first error of r other than io.EOF
}

// setBytes makes b the whole input.
func (s *source) setBytes(b []byte) {
	s.buf, s.pos, s.r, s.err = b, 0, nil, nil
}

// setReader makes r the input.
func (s *source) setReader(r io.Reader) {
	if s.back == nil {
		s.back = make([]byte, 64<<10)
	}
	s.buf, s.pos, s.r, s.err = nil, 0, r, nil
}

// fill refills buf from r when buf is used up; it reports whether any
// bytes are available.
func (s *source) fill() bool {
	if s.pos < len(s.buf) {
		return true
	}
	if s.r == nil || s.err != nil {
		return false
	}
	for range 100 {
		n, err := s.r.Read(s.back)
		if err != nil && err != io.EOF {
			s.err = err
		}
		if n > 0 {
			s.buf, s.pos = s.back[:n], 0
			return true
		}
		if err != nil {
			s.r = nil
			return false
		}
	}
	s.err = io.ErrNoProgress
	return false
}

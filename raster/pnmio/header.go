package pnmio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/sluice-go/sluice/raster"
)

// maxHeaderBytes bounds the header, comments included, so that a file of
// nothing but comment bytes fails early instead of being read to its end.
const maxHeaderBytes = 1 << 16

// header is what the text before the pixels says.
type header struct {
	magic    string // "P5", "P6" or "P7"
	width    int
	height   int
	depth    int // samples per pixel
	maxval   int
	tupltype string // P7 only; "" if the file gives none
}

// scanner reads a header byte by byte, counting the bytes it consumed.
type scanner struct {
	br   *bufio.Reader
	off  int64
	last int64 // offset of the number digits last read
}

func (s *scanner) errorf(off int64, format string, args ...any) error {
	return &raster.FormatError{Format: "pnm", Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// readByte returns the next byte; the end of the input is a FormatError.
func (s *scanner) readByte(what string) (byte, error) {
	if s.off >= maxHeaderBytes {
		return 0, s.errorf(s.off, "header longer than %d bytes", maxHeaderBytes)
	}
	c, err := s.br.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, raster.Truncated("pnm", s.off, "truncated header: end of file while reading "+what)
		}
		return 0, fmt.Errorf("pnm: reading header at byte %d: %w", s.off, err)
	}
	s.off++
	return c, nil
}

func (s *scanner) unreadByte() {
	_ = s.br.UnreadByte() // cannot fail right after a successful ReadByte
	s.off--
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// skipComment consumes a comment up to and including its end of line.
func (s *scanner) skipComment() error {
	for {
		c, err := s.readByte("a comment")
		if err != nil {
			return err
		}
		if c == '\n' || c == '\r' {
			return nil
		}
	}
}

// number reads a decimal number after white space and comments, as the
// P5 and P6 headers write them.
func (s *scanner) number(what string) (int, error) {
	for {
		c, err := s.readByte(what)
		if err != nil {
			return 0, err
		}
		switch {
		case c == '#':
			if err := s.skipComment(); err != nil {
				return 0, err
			}
		case isSpace(c):
		case c >= '0' && c <= '9':
			s.unreadByte()
			return s.digits(what)
		default:
			return 0, s.errorf(s.off-1, "%s: expected a decimal number, found %q", what, c)
		}
	}
}

// digits reads a run of decimal digits and stops before the first other
// byte. Values above 2^31-1 are an error, whatever the platform's int size.
func (s *scanner) digits(what string) (int, error) {
	start := s.off
	s.last = start
	n := 0
	for {
		c, err := s.readByte(what)
		if err != nil {
			return 0, err
		}
		if c < '0' || c > '9' {
			s.unreadByte()
			break
		}
		n = n*10 + int(c-'0')
		if n > 1<<31-1 {
			return 0, s.errorf(start, "%s is too large", what)
		}
	}
	if s.off == start {
		return 0, s.errorf(start, "%s: expected a decimal number", what)
	}
	return n, nil
}

// parseHeader reads a P5, P6 or P7 header up to the first pixel byte.
func parseHeader(s *scanner) (header, error) {
	var h header
	var m [2]byte
	for i := range m {
		c, err := s.readByte("the magic number")
		if err != nil {
			return h, err
		}
		m[i] = c
	}
	h.magic = string(m[:])
	switch h.magic {
	case "P5", "P6":
		return h, parseClassic(s, &h)
	case "P7":
		return h, parsePAM(s, &h)
	case "P1", "P2", "P3", "P4":
		return h, &raster.UnsupportedError{Format: "pnm", Feature: h.magic + " (plain or bitmap netpbm)"}
	}
	return h, s.errorf(0, "not a netpbm file: magic %q, want P5, P6 or P7", h.magic)
}

func parseClassic(s *scanner, h *header) error {
	h.depth = 1
	if h.magic == "P6" {
		h.depth = 3
	}
	c, err := s.readByte("the header")
	if err != nil {
		return err
	}
	if !isSpace(c) && c != '#' {
		return s.errorf(s.off-1, "expected white space after %s, found %q", h.magic, c)
	}
	s.unreadByte()
	for _, f := range []struct {
		p    *int
		what string
	}{{&h.width, "width"}, {&h.height, "height"}, {&h.maxval, "maxval"}} {
		if *f.p, err = s.number(f.what); err != nil {
			return err
		}
		if err := checkField(s, s.last, f.what, *f.p); err != nil {
			return err
		}
	}
	// Exactly one white space byte separates maxval from the pixels.
	c, err = s.readByte("the header")
	if err != nil {
		return err
	}
	if !isSpace(c) {
		return s.errorf(s.off-1, "expected white space after maxval, found %q", c)
	}
	return nil
}

func checkField(s *scanner, at int64, what string, v int) error {
	switch {
	case what == "maxval" && (v < 1 || v > 65535):
		return s.errorf(at, "maxval %d out of range 1..65535", v)
	case what == "depth" && (v < 1 || v > 4):
		return s.errorf(at, "depth %d out of range 1..4", v)
	case v < 1:
		return s.errorf(at, "%s must be positive, got %d", what, v)
	}
	return nil
}

// parsePAM reads the lines of a P7 header up to ENDHDR.
func parsePAM(s *scanner, h *header) error {
	c, err := s.readByte("the header")
	if err != nil {
		return err
	}
	if c != '\n' {
		return s.errorf(s.off-1, "expected a new line after P7, found %q", c)
	}
	seen := map[string]bool{}
	for {
		at := s.off
		key, err := s.word("a header line")
		if err != nil {
			return err
		}
		switch key {
		case "":
			// An empty line.
		case "ENDHDR":
			for _, k := range []string{"WIDTH", "HEIGHT", "DEPTH", "MAXVAL"} {
				if !seen[k] {
					return s.errorf(at, "header ends without %s", k)
				}
			}
			return s.endLine()
		case "WIDTH", "HEIGHT", "DEPTH", "MAXVAL":
			if seen[key] {
				return s.errorf(at, "%s given twice", key)
			}
			seen[key] = true
			p := map[string]*int{"WIDTH": &h.width, "HEIGHT": &h.height, "DEPTH": &h.depth, "MAXVAL": &h.maxval}[key]
			what := map[string]string{"WIDTH": "width", "HEIGHT": "height", "DEPTH": "depth", "MAXVAL": "maxval"}[key]
			s.skipBlanks()
			vat := s.off
			if *p, err = s.digits(what); err != nil {
				return err
			}
			if err := checkField(s, vat, what, *p); err != nil {
				return err
			}
			if err := s.endLine(); err != nil {
				return err
			}
		case "TUPLTYPE":
			s.skipBlanks()
			rest, err := s.rest()
			if err != nil {
				return err
			}
			if h.tupltype != "" {
				h.tupltype += " "
			}
			h.tupltype += rest
		default:
			if key[0] == '#' {
				if err := s.skipComment(); err != nil {
					return err
				}
				continue
			}
			return s.errorf(at, "unknown header keyword %q", key)
		}
	}
}

// skipBlanks consumes spaces and tabs.
func (s *scanner) skipBlanks() {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return
		}
		if c != ' ' && c != '\t' {
			_ = s.br.UnreadByte()
			return
		}
		s.off++
	}
}

// word skips leading blanks and reads bytes up to white space, which it
// leaves unread. A word starting with '#' is returned as "#" with the rest of
// the line unread; an empty line is consumed and returned as "".
func (s *scanner) word(what string) (string, error) {
	s.skipBlanks()
	var b []byte
	for {
		c, err := s.readByte(what)
		if err != nil {
			return "", err
		}
		if c == '#' && len(b) == 0 {
			return "#", nil
		}
		if isSpace(c) {
			if len(b) == 0 {
				// An empty line: consume its end.
				if c == '\n' {
					return "", nil
				}
				s.unreadByte()
				return "", s.endLine()
			}
			s.unreadByte()
			return string(b), nil
		}
		if len(b) >= 64 {
			return "", s.errorf(s.off, "header word longer than 64 bytes")
		}
		b = append(b, c)
	}
}

// endLine consumes trailing blanks and the new line that ends a header line.
func (s *scanner) endLine() error {
	s.skipBlanks()
	c, err := s.readByte("the header")
	if err != nil {
		return err
	}
	if c == '\r' {
		if c, err = s.readByte("the header"); err != nil {
			return err
		}
	}
	if c != '\n' {
		return s.errorf(s.off-1, "expected the end of the header line, found %q", c)
	}
	return nil
}

// rest reads the remainder of a line without its new line.
func (s *scanner) rest() (string, error) {
	var b []byte
	for {
		c, err := s.readByte("the header")
		if err != nil {
			return "", err
		}
		if c == '\n' {
			for len(b) > 0 && isSpace(b[len(b)-1]) {
				b = b[:len(b)-1]
			}
			return string(b), nil
		}
		if len(b) >= 256 {
			return "", s.errorf(s.off, "header line longer than 256 bytes")
		}
		b = append(b, c)
	}
}

// tupleDepths maps the PAM tuple types sluice reads to their depth.
var tupleDepths = map[string]int{
	"GRAYSCALE":           1,
	"GRAYSCALE_ALPHA":     2,
	"RGB":                 3,
	"RGB_ALPHA":           4,
	"BLACKANDWHITE":       1,
	"BLACKANDWHITE_ALPHA": 2,
}

// tupleTypes names the tuple type sluice writes for each number of channels.
var tupleTypes = [...]string{1: "GRAYSCALE", 2: "GRAYSCALE_ALPHA", 3: "RGB", 4: "RGB_ALPHA"}

// check validates the combination of fields and returns the details to show.
func (h *header) check(off int64) ([]string, error) {
	details := []string{h.magic}
	if h.magic == "P7" {
		if h.tupltype == "" {
			h.tupltype = tupleTypes[h.depth]
		}
		want, ok := tupleDepths[h.tupltype]
		if !ok {
			return nil, &raster.UnsupportedError{Format: "pnm", Feature: fmt.Sprintf("PAM tuple type %q", h.tupltype)}
		}
		if want != h.depth {
			return nil, &raster.FormatError{Format: "pnm", Offset: off,
				Msg: fmt.Sprintf("tuple type %s needs depth %d, header says %d", h.tupltype, want, h.depth)}
		}
		details = append(details, h.tupltype)
	}
	if h.maxval != 255 && h.maxval != 65535 {
		details = append(details, "maxval "+strconv.Itoa(h.maxval))
	}
	return details, nil
}

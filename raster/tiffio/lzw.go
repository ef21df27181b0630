package tiffio

import (
	"errors"
	"io"
)

// TIFF LZW (TIFF 6.0 section 13): codes are packed most significant bit
// first, 256 is Clear and 257 EndOfInformation, and the code width grows one
// code earlier than in GIF or compress/lzw (the "early change"): the decoder
// widens once the next free code reaches 2^width − 1.
const (
	lzwClear    = 256
	lzwEOI      = 257
	lzwFirst    = 258
	lzwMaxCodes = 4096
)

var errLZWCode = errors.New("invalid code")

// lzwReader decodes a TIFF LZW stream. The zero value is not usable; call
// reset first. It is not safe for concurrent use.
type lzwReader struct {
	src     source
	bits    uint64
	nbits   uint
	width   uint
	next    int // next free code
	last    int // previous code, -1 after Clear
	eof     bool
	err     error
	pending []byte // undelivered tail of the last string, in pend
	prefix  [lzwMaxCodes]uint16
	suffix  [lzwMaxCodes]byte
	first   [lzwMaxCodes]byte
	length  [lzwMaxCodes]uint16
	pend    [lzwMaxCodes]byte
}

func newLZWReader() *lzwReader {
	d := new(lzwReader)
	for i := 0; i < 256; i++ {
		d.suffix[i], d.first[i], d.length[i] = byte(i), byte(i), 1
	}
	return d
}

// reset prepares d to decode a new stream from its source.
func (d *lzwReader) reset() {
	d.bits, d.nbits, d.width, d.next, d.last = 0, 0, 9, lzwFirst, -1
	d.eof, d.err, d.pending = false, nil, nil
}

// Read implements io.Reader. At the end of the stream (EndOfInformation or
// the end of the input) it returns io.EOF.
func (d *lzwReader) Read(p []byte) (int, error) {
	n := 0
	if len(d.pending) > 0 {
		c := copy(p, d.pending)
		d.pending = d.pending[c:]
		n += c
	}
	for n < len(p) && !d.eof && d.err == nil {
		// Read one code, most significant bit first.
		for d.nbits < d.width {
			if d.src.pos >= len(d.src.buf) && !d.src.fill() {
				break
			}
			d.bits = d.bits<<8 | uint64(d.src.buf[d.src.pos])
			d.src.pos++
			d.nbits += 8
		}
		if d.nbits < d.width {
			d.eof = true // input ended without EndOfInformation: libtiff accepts it
			break
		}
		d.nbits -= d.width
		code := int(d.bits>>d.nbits) & (1<<d.width - 1)

		switch {
		case code == lzwClear:
			d.width, d.next, d.last = 9, lzwFirst, -1
			continue
		case code == lzwEOI:
			d.eof = true
			continue
		case code < 256 || (code >= lzwFirst && code < d.next):
			if d.last >= 0 {
				d.add(d.first[code])
			}
		case code == d.next && d.last >= 0:
			d.add(d.first[d.last])
		default:
			d.err = errLZWCode
			continue
		}
		l := int(d.length[code])
		dst := p[n:]
		if l > len(dst) {
			dst = d.pend[:l]
		}
		c := code
		for i := l - 1; i > 0; i-- {
			dst[i] = d.suffix[c]
			c = int(d.prefix[c])
		}
		dst[0] = byte(c)
		if l > len(p)-n {
			k := copy(p[n:], dst)
			d.pending = dst[k:]
			n += k
		} else {
			n += l
		}
		d.last = code
	}
	if n > 0 {
		return n, nil
	}
	if d.err != nil {
		return 0, d.err
	}
	if d.src.err != nil {
		return 0, d.src.err
	}
	return 0, io.EOF
}

// add appends the entry (last code's string + b) to the table.
func (d *lzwReader) add(b byte) {
	if d.next >= lzwMaxCodes {
		return
	}
	d.prefix[d.next] = uint16(d.last)
	d.suffix[d.next] = b
	d.first[d.next] = d.first[d.last]
	d.length[d.next] = d.length[d.last] + 1
	d.next++
	if d.next >= 1<<d.width-1 && d.width < 12 {
		d.width++
	}
}

// lzwWriter encodes TIFF LZW as libtiff does. It encodes a whole chunk with
// encode, or a stream piece by piece with begin, write and finish. It is not
// safe for concurrent use; one is kept per compressing worker.
type lzwWriter struct {
	table [1 << lzwHashBits]uint64 // generation<<32 | key<<12 | code, open addressing
	gen   uint64
	out   []byte
	bits  uint64
	nbits uint
	width uint
	next  int   // next free code
	ent   int32 // code of the string matched so far; -1 before the first byte
}

const lzwHashBits = 13

// encode appends the LZW encoding of src to dst.
func (e *lzwWriter) encode(dst, src []byte) []byte {
	e.begin(dst)
	e.write(src)
	return e.finish()
}

// begin starts a stream whose codes are appended to dst.
func (e *lzwWriter) begin(dst []byte) {
	e.out, e.bits, e.nbits = dst, 0, 0
	e.width, e.next, e.ent = 9, lzwFirst, -1
	e.put(lzwClear)
	e.clear()
}

// write encodes src, appending whole bytes of codes to e.out.
func (e *lzwWriter) write(src []byte) {
	if len(src) == 0 {
		return
	}
	if e.ent < 0 {
		e.ent = int32(src[0])
		src = src[1:]
	}
	ent := uint32(e.ent)
	next := e.next
	for _, c := range src {
		key := ent<<8 | uint32(c)
		h := (key * 0x9E3779B1) >> (32 - lzwHashBits)
		for {
			v := e.table[h]
			if v>>32 != e.gen {
				// Not found: emit, add, restart from c.
				e.put(ent)
				e.table[h] = e.gen<<32 | uint64(key)<<12 | uint64(next)
				next++
				ent = uint32(c)
				if next == lzwMaxCodes-2 {
					e.put(lzwClear)
					e.clear()
					next, e.width = lzwFirst, 9
				} else if next > 1<<e.width-1 {
					e.width++
				}
				break
			}
			if uint32(v>>12)&(1<<20-1) == key {
				ent = uint32(v & (1<<12 - 1))
				break
			}
			h = (h + 1) & (1<<lzwHashBits - 1)
		}
	}
	e.ent, e.next = int32(ent), next
}

// finish ends the stream and returns the codes not yet taken from e.out.
func (e *lzwWriter) finish() []byte {
	if e.ent >= 0 {
		e.put(uint32(e.ent))
		e.next++
		if e.next == lzwMaxCodes-2 {
			e.put(lzwClear)
			e.width = 9
		} else if e.next > 1<<e.width-1 {
			e.width++
		}
	}
	e.put(lzwEOI)
	if e.nbits > 0 {
		e.out = append(e.out, byte(e.bits<<(8-e.nbits)))
		e.nbits = 0
	}
	out := e.out
	e.out = nil
	return out
}

// clear empties the table by moving to a new generation.
func (e *lzwWriter) clear() {
	e.gen++
	if e.gen == 1<<32 {
		e.gen = 1
		clear(e.table[:])
	}
}

// put writes one code of the current width.
func (e *lzwWriter) put(code uint32) {
	e.bits = e.bits<<e.width | uint64(code)
	e.nbits += e.width
	for e.nbits >= 8 {
		e.nbits -= 8
		e.out = append(e.out, byte(e.bits>>e.nbits))
	}
}

package jpegio

import (
	"encoding/binary"
	"fmt"
)

// lookBits is how many bits the fast Huffman lookup resolves at once.
const lookBits = 10

// huffDecoder is one Huffman table for decoding (T.81 F.2.2.3).
type huffDecoder struct {
	look [1 << lookBits]uint16 // len<<8 | value for codes of at most lookBits bits; 0 for longer
	// fast resolves a code and its extra bits in one step where both fit
	// in lookBits bits and the value has extra bits (s > 0): the
	// coefficient << 16 | (run+1) << 8 | bits used; 0 elsewhere.
	fast    [1 << lookBits]int32
	maxcode [18]int32 // largest code of each length, -1 when none
	valptr  [17]int32 // index in vals of the first code of each length, minus that code
	vals    [256]uint8
	defined bool
}

// build fills the decoder from the 16 code-length counts and the values of
// a DHT segment, checking that the codes fit in 16 bits.
func (h *huffDecoder) build(counts *[16]uint8, vals []uint8) error {
	*h = huffDecoder{defined: true}
	copy(h.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		h.valptr[l] = k - code
		if code+n > 1<<l {
			return fmt.Errorf("Huffman table has more codes of %d bits than fit", l)
		}
		if n == 0 {
			h.maxcode[l] = -1
		} else {
			for i := range n {
				c := code + i
				if l <= lookBits {
					shift := lookBits - l
					for j := range int32(1) << shift {
						h.look[c<<shift|j] = uint16(l)<<8 | uint16(vals[k+i])
					}
				}
			}
			code += n
			k += n
			h.maxcode[l] = code - 1
		}
		code <<= 1
	}
	h.maxcode[17] = 1 << 30
	for i, v := range h.look {
		l, rs := uint(v>>8), uint8(v)
		r, sz := uint(rs>>4), uint(rs&15)
		if l == 0 || sz == 0 || l+sz > lookBits {
			continue
		}
		x := int32(i>>(lookBits-l-sz)) & (1<<sz - 1)
		if x < 1<<(sz-1) {
			x += -1<<sz + 1
		}
		h.fast[i] = x<<16 | int32(r+1)<<8 | int32(l+sz)
	}
	return nil
}

// bitReader reads the entropy-coded bits of a scan: it removes the zero
// stuffed after each 0xff byte and stops at a marker, feeding zeros past
// it. Bits already read are the low n bits of acc, oldest highest.
type bitReader struct {
	src    *source
	acc    uint64
	n      uint // bits in acc
	fake   uint // of those, zero bits fed past a marker
	marker bool // a marker was reached; src stands at its 0xff
}

// reset drops the buffered bits, for a restart or a new scan.
func (br *bitReader) reset() {
	br.acc, br.n, br.fake, br.marker = 0, 0, 0, false
}

// fill tops acc up to more than 56 bits.
func (br *bitReader) fill() {
	s := br.src
	if !br.marker {
		if s.j-s.i < 8 {
			s.fill(8)
		}
		if s.j-s.i >= 8 {
			// Eight bytes at once when none is 0xff (the test finds
			// every 0xff byte, and some bytes above a 0xff).
			w := binary.BigEndian.Uint64(s.buf[s.i:])
			if t := ^w; (t-0x0101010101010101)&^t&0x8080808080808080 == 0 {
				k := (63 - br.n) >> 3
				br.acc = br.acc<<(8*k) | w>>(64-8*k)
				br.n += 8 * k
				s.i += int(k)
				return
			}
		}
	}
	br.fillSlow()
}

// fillSlow is fill a byte at a time, removing stuffed zeros and stopping
// at a marker.
func (br *bitReader) fillSlow() {
	s := br.src
	for br.n <= 56 {
		if br.marker {
			br.acc <<= 8
			br.n += 8
			br.fake += 8
			continue
		}
		if s.j-s.i < 2 {
			s.fill(2)
			if s.j-s.i == 0 {
				br.marker = true // the input ended: treat as a marker
				continue
			}
		}
		b := s.buf[s.i]
		if b == 0xff {
			if s.i+1 < s.j && s.buf[s.i+1] == 0 {
				s.i += 2
			} else {
				br.marker = true
				continue
			}
		} else {
			s.i++
		}
		br.acc = br.acc<<8 | uint64(b)
		br.n += 8
	}
}

// overrun reports whether more bits were used than the data held.
func (br *bitReader) overrun() bool { return br.n < br.fake }

// bits returns the next k bits (k ≤ 16) as an unsigned number.
func (br *bitReader) bits(k uint) int32 {
	if br.n < k {
		br.fill()
	}
	br.n -= k
	return int32(br.acc>>br.n) & (1<<k - 1)
}

// bit returns the next bit.
func (br *bitReader) bit() bool {
	if br.n == 0 {
		br.fill()
	}
	br.n--
	return br.acc>>br.n&1 != 0
}

// receiveExtend reads s bits and extends them to a signed value (T.81
// F.2.2.1).
func (br *bitReader) receiveExtend(s uint8) int32 {
	if s == 0 {
		return 0
	}
	if br.n < uint(s) {
		br.fill()
	}
	br.n -= uint(s)
	v := int32(br.acc>>br.n) & (1<<s - 1)
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// errBadCode is returned for a bit pattern that is no code of the table.
var errBadCode = fmt.Errorf("bad Huffman code")

// decode reads one Huffman-coded value.
func (br *bitReader) decode(h *huffDecoder) (uint8, error) {
	if br.n < 16 {
		br.fill()
	}
	v := h.look[(br.acc>>(br.n-lookBits))&(1<<lookBits-1)]
	if v != 0 {
		br.n -= uint(v >> 8)
		return uint8(v), nil
	}
	for l := uint(lookBits + 1); l <= 16; l++ {
		c := int32(br.acc>>(br.n-l)) & (1<<l - 1)
		if c <= h.maxcode[l] {
			br.n -= l
			return h.vals[(c+h.valptr[l])&0xff], nil
		}
	}
	return 0, errBadCode
}

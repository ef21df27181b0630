package tiffio

import "io"

// packBitsReader decodes PackBits (TIFF 6.0 section 9): a header byte n
// followed by n+1 literal bytes (0 ≤ n ≤ 127), or one byte repeated 1−n
// times (−127 ≤ n ≤ −1); −128 is a no-op. It is not safe for concurrent use.
type packBitsReader struct {
	src  source
	lit  int  // literal bytes left to copy
	run  int  // repeats left of rb
	rb   byte // the repeated byte
	done bool
}

func (d *packBitsReader) reset() { d.lit, d.run, d.done = 0, 0, false }

// Read implements io.Reader.
func (d *packBitsReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		switch {
		case d.run > 0:
			k := min(d.run, len(p)-n)
			b := d.rb
			for i := range p[n : n+k] {
				p[n+i] = b
			}
			n += k
			d.run -= k
		case d.lit > 0:
			if !d.src.fill() {
				return n, d.end(n)
			}
			k := copy(p[n:n+min(d.lit, len(p)-n)], d.src.buf[d.src.pos:])
			d.src.pos += k
			n += k
			d.lit -= k
		default:
			if !d.src.fill() {
				return n, d.end(n)
			}
			h := int8(d.src.buf[d.src.pos])
			d.src.pos++
			switch {
			case h >= 0:
				d.lit = int(h) + 1
			case h != -128:
				if !d.src.fill() {
					return n, d.end(n)
				}
				d.rb = d.src.buf[d.src.pos]
				d.src.pos++
				d.run = 1 - int(h)
			}
		}
	}
	return n, nil
}

func (d *packBitsReader) end(n int) error {
	if d.src.err != nil {
		return d.src.err
	}
	if n > 0 {
		return nil
	}
	return io.EOF
}

// packBits appends the PackBits encoding of src to dst. Runs of three or
// more equal bytes become repeat runs; the rest are literals.
func packBits(dst, src []byte) []byte {
	i := 0
	for i < len(src) {
		// Length of the run starting at i.
		j := i + 1
		for j < len(src) && j-i < 128 && src[j] == src[i] {
			j++
		}
		if j-i >= 3 {
			dst = append(dst, byte(int8(1-(j-i))), src[i])
			i = j
			continue
		}
		// Literal up to the next run of three or 128 bytes.
		k := i
		for k < len(src) && k-i < 128 {
			if k+2 < len(src) && src[k] == src[k+1] && src[k] == src[k+2] {
				break
			}
			k++
		}
		dst = append(dst, byte(k-i-1))
		dst = append(dst, src[i:k]...)
		i = k
	}
	return dst
}

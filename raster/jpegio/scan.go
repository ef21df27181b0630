package jpegio

import (
	"fmt"
	"io"
)

// startScan resets the entropy decoder's state for a new scan.
func (d *Decoder) startScan() {
	d.br.reset()
	d.pred = [4]int32{}
	d.restartLeft = d.f.restart
	d.nextRST = 0
	d.eobrun = 0
}

// restartMarker reads the RSTn marker that ends a restart interval and
// resets the predictors.
func (d *Decoder) restartMarker() error {
	if d.br.overrun() {
		return d.src.truncated("inside a restart interval")
	}
	d.br.reset()
	s := d.src
	for {
		b, ok := s.readByte()
		if !ok {
			return s.truncated("before a restart marker")
		}
		if b == 0xff {
			break
		}
	}
	for {
		m, ok := s.readByte()
		if !ok {
			return s.truncated("in a restart marker")
		}
		if m == 0xff {
			continue
		}
		if m != mRST0+byte(d.nextRST) {
			return s.errorAt("found marker 0x%02x where RST%d was due", m, d.nextRST)
		}
		break
	}
	d.nextRST = (d.nextRST + 1) & 7
	d.restartLeft = d.f.restart
	d.pred = [4]int32{}
	d.eobrun = 0
	return nil
}

// beforeMCU counts down the restart interval, reading the marker when it
// is due.
func (d *Decoder) beforeMCU() error {
	if d.f.restart == 0 {
		return nil
	}
	if d.restartLeft == 0 {
		if err := d.restartMarker(); err != nil {
			return err
		}
	}
	d.restartLeft--
	return nil
}

// codeError turns a decoding fault into a FormatError at the current
// offset.
func (d *Decoder) codeError(err error) error {
	return d.src.errorAt("%v", err)
}

// decodeMCURow decodes MCU row m of the first (streamed) scan into dst,
// one slice per component holding its v block rows.
func (d *Decoder) decodeMCURow(m int, dst [][]int16) error {
	f := &d.f
	for mx := range f.mcusX {
		if err := d.beforeMCU(); err != nil {
			return err
		}
		for _, ci := range d.first.comps {
			c := &f.comps[ci]
			for v := range c.v {
				for h := range c.h {
					k := (v*c.bw + mx*c.h + h) * 64
					if err := d.decodeBlock(dst[ci][k:k+64], c, ci); err != nil {
						return d.codeError(err)
					}
				}
			}
		}
	}
	if d.br.overrun() {
		return d.src.truncated(fmt.Sprintf("in MCU row %d", m))
	}
	return nil
}

// finishScan checks, after the last MCU of a streamed scan, that the data
// did not end early and that the file goes on to its EOI marker.
func (d *Decoder) finishScan() error {
	if d.br.overrun() {
		return d.src.truncated("in the last MCU row")
	}
	// The file must go on to its EOI marker: a file cut after its last
	// MCU row is damaged as surely as one cut before it.
	if _, err := d.readHeaders(false); err != nil && err != io.EOF {
		return err
	}
	return nil
}

var errDCRange = fmt.Errorf("DC difference of more than 15 bits")

// decodeDC decodes the DC difference of a block of component c, the
// ci-th of the scan, and returns the DC value it predicts (T.81 F.2.2.1).
func (d *Decoder) decodeDC(c *component, ci int) (int32, error) {
	br := &d.br
	h := &d.huff[0][c.dc]
	if br.n < 32 {
		br.fill()
	}
	if e := h.fast[(br.acc>>(br.n-lookBits))&(1<<lookBits-1)]; e != 0 && e>>8&0xff == 1 {
		// A difference with its extra bits in one lookup.
		br.n -= uint(e & 0xff)
		d.pred[ci] += e >> 16
		return d.pred[ci], nil
	}
	t, err := br.decode(h)
	if err != nil {
		return 0, err
	}
	if t > 15 {
		return 0, errDCRange
	}
	d.pred[ci] += d.br.receiveExtend(t)
	return d.pred[ci], nil
}

// decodeBlock decodes one block of a sequential scan (T.81 F.2.2).
func (d *Decoder) decodeBlock(blk []int16, c *component, ci int) error {
	blk = blk[:64]
	clear(blk)
	br := &d.br
	dc, err := d.decodeDC(c, ci)
	if err != nil {
		return err
	}
	blk[0] = int16(dc)
	ac := &d.huff[1][c.ac]
	// The bit buffer lives in locals here, so that the stores to blk do
	// not make the compiler reload it; br holds it across calls.
	acc, n := br.acc, br.n
	for k := 1; k < 64; k++ {
		// A code and its extra bits take at most 31 bits: with 32 in
		// hand, the common case needs no further checks.
		if n < 32 {
			br.acc, br.n = acc, n
			br.fill()
			acc, n = br.acc, br.n
		}
		if e := ac.fast[(acc>>(n-lookBits))&(1<<lookBits-1)]; e != 0 {
			n -= uint(e & 0xff)
			k += int(e>>8&0xff) - 1
			blk[zigzag[k]&63] = int16(e >> 16)
			continue
		}
		var rs uint8
		if v := ac.look[(acc>>(n-lookBits))&(1<<lookBits-1)]; v != 0 {
			n -= uint(v >> 8)
			rs = uint8(v)
		} else {
			br.acc, br.n = acc, n
			var err error
			if rs, err = br.decode(ac); err != nil {
				return err
			}
			acc, n = br.acc, br.n
		}
		r, s := int(rs>>4), rs&15
		if s == 0 {
			if r != 15 {
				break
			}
			k += 15
			continue
		}
		k += r
		n -= uint(s)
		v := int32(acc>>n) & (1<<s - 1)
		if v < 1<<(s-1) {
			v += -1<<s + 1
		}
		blk[zigzag[k]&63] = int16(v)
	}
	br.acc, br.n = acc, n
	return nil
}

// decodeAll decodes every scan of a buffered file into the store.
func (d *Decoder) decodeAll() error {
	s := d.first
	for {
		if err := d.decodeScan(s); err != nil {
			return err
		}
		var err error
		s, err = d.readHeaders(false)
		if err == io.EOF {
			return d.store.flush()
		}
		if err != nil {
			return err
		}
	}
}

// decodeScan decodes one scan of a buffered file.
func (d *Decoder) decodeScan(s scan) error {
	f := &d.f
	d.startScan()
	decode := d.blockFunc(s)
	if len(s.comps) == 1 {
		ci := s.comps[0]
		c := &f.comps[ci]
		for by := range c.uh {
			row, err := d.store.row(ci, by)
			if err != nil {
				return err
			}
			for bx := range c.uw {
				if err := d.beforeMCU(); err != nil {
					return err
				}
				if err := decode(row[bx*64:bx*64+64], c, ci); err != nil {
					return d.codeError(err)
				}
			}
			if d.br.overrun() {
				return d.src.truncated(fmt.Sprintf("in block row %d of a scan", by))
			}
		}
		return d.store.flush()
	}
	var rows [4][4][]int16
	for m := range f.mcusY {
		for _, ci := range s.comps {
			c := &f.comps[ci]
			for v := range c.v {
				row, err := d.store.row(ci, m*c.v+v)
				if err != nil {
					return err
				}
				rows[ci][v] = row
			}
		}
		for mx := range f.mcusX {
			if err := d.beforeMCU(); err != nil {
				return err
			}
			for _, ci := range s.comps {
				c := &f.comps[ci]
				for v := range c.v {
					for h := range c.h {
						k := (mx*c.h + h) * 64
						if err := decode(rows[ci][v][k:k+64], c, ci); err != nil {
							return d.codeError(err)
						}
					}
				}
			}
		}
		if d.br.overrun() {
			return d.src.truncated(fmt.Sprintf("in MCU row %d of a scan", m))
		}
	}
	return d.store.flush()
}

// blockFunc returns the function that decodes one block of scan s.
func (d *Decoder) blockFunc(s scan) func([]int16, *component, int) error {
	if !d.f.progressive {
		return d.decodeBlock
	}
	br := &d.br
	al := uint(s.al)
	switch {
	case s.ss == 0 && s.ah == 0: // DC first (G.1.2.1)
		return func(blk []int16, c *component, ci int) error {
			dc, err := d.decodeDC(c, ci)
			if err != nil {
				return err
			}
			blk[0] = int16(dc << al)
			return nil
		}
	case s.ss == 0: // DC refinement
		return func(blk []int16, c *component, ci int) error {
			if br.bit() {
				blk[0] |= 1 << al
			}
			return nil
		}
	case s.ah == 0: // AC first (G.1.2.2)
		return func(blk []int16, c *component, ci int) error {
			if d.eobrun > 0 {
				d.eobrun--
				return nil
			}
			ac := &d.huff[1][c.ac]
			for k := s.ss; k <= s.se; k++ {
				rs, err := br.decode(ac)
				if err != nil {
					return err
				}
				r, sz := int(rs>>4), rs&15
				if sz == 0 {
					if r != 15 {
						d.eobrun = 1<<r - 1
						if r > 0 {
							d.eobrun += int(br.bits(uint(r)))
						}
						break
					}
					k += 15
					continue
				}
				k += r
				blk[zigzag[k]] = int16(br.receiveExtend(sz) << al)
			}
			return nil
		}
	}
	// AC refinement (G.1.2.3), as libjpeg's decode_mcu_AC_refine.
	p1, m1 := int16(1)<<al, int16(-1)<<al
	refine := func(z *int16) {
		if br.bit() && *z&p1 == 0 {
			if *z >= 0 {
				*z += p1
			} else {
				*z += m1
			}
		}
	}
	return func(blk []int16, c *component, ci int) error {
		k := s.ss
		if d.eobrun == 0 {
			ac := &d.huff[1][c.ac]
			for ; k <= s.se; k++ {
				rs, err := br.decode(ac)
				if err != nil {
					return err
				}
				r, sz := int(rs>>4), rs&15
				var val int16
				if sz != 0 {
					if sz != 1 {
						return fmt.Errorf("refinement of %d bits", sz)
					}
					val = m1
					if br.bit() {
						val = p1
					}
				} else if r != 15 {
					d.eobrun = 1 << r
					if r > 0 {
						d.eobrun += int(br.bits(uint(r)))
					}
					break
				}
				for k <= s.se {
					z := &blk[zigzag[k]]
					if *z != 0 {
						refine(z)
					} else {
						if r == 0 {
							break
						}
						r--
					}
					k++
				}
				if val != 0 {
					if k > 63 {
						return fmt.Errorf("refinement past the end of the block")
					}
					blk[zigzag[k]] = val
				}
			}
		}
		if d.eobrun > 0 {
			for ; k <= s.se; k++ {
				if z := &blk[zigzag[k]]; *z != 0 {
					refine(z)
				}
			}
			d.eobrun--
		}
		return nil
	}
}

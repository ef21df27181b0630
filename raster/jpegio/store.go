package jpegio

import (
	"encoding/binary"
	"fmt"
	"os"
)

// coefStore holds every DCT coefficient of a buffered (progressive) file,
// block row by block row. A scan walks the rows in order, so a store may
// keep only a window of them at hand.
//
// This is the seam for the spill file: fileStore is a small one of our
// own, to be replaced by raster's shared spill file once there is one.
type coefStore interface {
	// row returns block row by of component ci: bw blocks of 64
	// coefficients in natural order. Writes to it are kept. It stays
	// valid until row is called for a row of the same component outside
	// the same MCU row.
	row(ci, by int) ([]int16, error)
	// flush writes back whatever row changed.
	flush() error
	// readMCURow copies MCU row m of every component into dst.
	readMCURow(m int, dst [][]int16) error
	// close releases the store; it is safe to call more than once.
	close() error
}

// memStore keeps the coefficients in memory.
type memStore struct {
	f    *frame
	coef [][]int16
}

func newMemStore(f *frame) *memStore {
	s := &memStore{f: f, coef: make([][]int16, len(f.comps))}
	for i, c := range f.comps {
		s.coef[i] = make([]int16, c.bw*c.bh*64)
	}
	return s
}

func (s *memStore) row(ci, by int) ([]int16, error) {
	n := s.f.comps[ci].bw * 64
	return s.coef[ci][by*n : by*n+n], nil
}

func (s *memStore) flush() error { return nil }

func (s *memStore) readMCURow(m int, dst [][]int16) error {
	for i, c := range s.f.comps {
		n := c.v * c.bw * 64
		copy(dst[i], s.coef[i][m*n:m*n+n])
	}
	return nil
}

func (s *memStore) close() error {
	s.coef = nil
	return nil
}

// fileStore keeps the coefficients in an unlinked temporary file, with a
// window of whole MCU rows per component in memory. The file is removed
// as soon as it is created, so nothing is left behind if the process dies.
type fileStore struct {
	f     *frame
	file  *os.File
	base  []int64 // file offset of each component
	win   []window
	buf   []byte
	wrote int64 // bytes of the file written so far; beyond reads as zeros
}

// window is the block rows lo..lo+n of one component held in memory.
type window struct {
	lo, n int
	rows  []int16
	dirty bool
}

// windowMCURows is how many MCU rows a window holds.
const windowMCURows = 4

func newFileStore(f *frame, dir string) (*fileStore, error) {
	file, err := os.CreateTemp(dir, "sluice-jpeg-*.coef")
	if err != nil {
		return nil, fmt.Errorf("jpeg: spilling progressive coefficients: %w", err)
	}
	os.Remove(file.Name())
	s := &fileStore{f: f, file: file, base: make([]int64, len(f.comps)), win: make([]window, len(f.comps))}
	var off int64
	for i, c := range f.comps {
		s.base[i] = off
		off += int64(c.bw) * int64(c.bh) * 128
		s.win[i] = window{lo: -1, rows: make([]int16, windowMCURows*c.v*c.bw*64)}
	}
	return s, nil
}

func (s *fileStore) row(ci, by int) ([]int16, error) {
	c := &s.f.comps[ci]
	w := &s.win[ci]
	n := c.bw * 64
	if w.lo < 0 || by < w.lo || by >= w.lo+w.n {
		if err := s.flushOne(ci); err != nil {
			return nil, err
		}
		span := windowMCURows * c.v
		w.lo = by - by%span
		w.n = min(span, c.bh-w.lo)
		rows := w.rows[:w.n*n]
		if err := s.load(ci, w.lo, rows); err != nil {
			return nil, err
		}
	}
	w.dirty = true
	k := (by - w.lo) * n
	return w.rows[k : k+n], nil
}

// load reads rows lo.. of component ci from the file into dst.
func (s *fileStore) load(ci, lo int, dst []int16) error {
	off := s.base[ci] + int64(lo)*int64(s.f.comps[ci].bw)*128
	nb := 2 * len(dst)
	if cap(s.buf) < nb {
		s.buf = make([]byte, nb)
	}
	b := s.buf[:nb]
	clear(b)
	if avail := s.wrote - off; avail > 0 {
		k := int(min(avail, int64(nb)))
		if _, err := s.file.ReadAt(b[:k], off); err != nil {
			return fmt.Errorf("jpeg: reading spilled coefficients: %w", err)
		}
	}
	for i := range dst {
		dst[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return nil
}

// flushOne writes component ci's window back if it changed.
func (s *fileStore) flushOne(ci int) error {
	w := &s.win[ci]
	if w.lo < 0 || !w.dirty {
		return nil
	}
	c := &s.f.comps[ci]
	rows := w.rows[:w.n*c.bw*64]
	nb := 2 * len(rows)
	if cap(s.buf) < nb {
		s.buf = make([]byte, nb)
	}
	b := s.buf[:nb]
	for i, v := range rows {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	off := s.base[ci] + int64(w.lo)*int64(c.bw)*128
	if _, err := s.file.WriteAt(b, off); err != nil {
		return fmt.Errorf("jpeg: spilling progressive coefficients: %w", err)
	}
	// Rows never written lie in a hole of the file and read as zeros.
	s.wrote = max(s.wrote, off+int64(nb))
	w.dirty = false
	return nil
}

func (s *fileStore) flush() error {
	for ci := range s.win {
		if err := s.flushOne(ci); err != nil {
			return err
		}
	}
	return nil
}

func (s *fileStore) readMCURow(m int, dst [][]int16) error {
	for i, c := range s.f.comps {
		for v := range c.v {
			row, err := s.row(i, m*c.v+v)
			if err != nil {
				return err
			}
			n := c.bw * 64
			copy(dst[i][v*n:v*n+n], row)
		}
		s.win[i].dirty = false // reading only
	}
	return nil
}

func (s *fileStore) close() error {
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

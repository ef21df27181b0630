package raster

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// DefaultSpillMemory is SpillOptions.Memory when it is zero: a Spill of up
// to this many bytes lives in memory.
const DefaultSpillMemory = 64 << 20

// DefaultSpillLimit is SpillOptions.Limit when it is zero: 16 GiB.
const DefaultSpillLimit = 16 << 30

// ErrSpillLimit is wrapped by the *LimitError of a decoder that would need
// a Spill larger than SpillOptions.Limit.
var ErrSpillLimit = errors.New("past the spill limit")

// SpillOptions configure NewSpill. The zero value means the defaults.
type SpillOptions struct {
	// Memory is the largest Spill held in memory; a larger one is a
	// temporary file. 0 means DefaultSpillMemory; -1 means always a file.
	Memory int64
	// Dir is the folder of the temporary file; "" means os.TempDir().
	Dir string
	// Limit is the largest Spill accepted at all. 0 means
	// DefaultSpillLimit.
	Limit int64
}

// WithDefaults returns o with every zero field replaced by its default.
func (o SpillOptions) WithDefaults() SpillOptions {
	if o.Memory == 0 {
		o.Memory = DefaultSpillMemory
	}
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	if o.Limit <= 0 {
		o.Limit = DefaultSpillLimit
	}
	return o
}

// Check returns a *LimitError wrapping ErrSpillLimit when a decoder of
// format that needs n bytes of scratch for a w×h image may not have them.
// Decoders call it on the header, before anything is allocated.
func (o SpillOptions) Check(format string, w, h int, n int64) error {
	o = o.WithDefaults()
	if n > o.Limit {
		return &LimitError{Format: format, Width: w, Height: h, Err: ErrSpillLimit, Reason: fmt.Sprintf(
			"it must be decoded whole, which takes %s of scratch, past the spill limit of %s",
			FormatBytes(n), FormatBytes(o.Limit))}
	}
	return nil
}

var errSpillClosed = errors.New("raster: spill used after Close")

// Spill is scratch storage of a fixed size for what a decoder must hold
// whole before it can hand out its first row: the passes of an interlaced
// PNG, the coefficients of a progressive JPEG. Up to SpillOptions.Memory
// bytes it is a slice; past that a temporary file in SpillOptions.Dir,
// removed as soon as it is created where the system allows (so that
// nothing is left behind even if the process dies) and otherwise by Close.
// Reading and writing it is then a system call per call, through the page
// cache: the process's memory stays flat whatever the size.
//
// ReadAt and WriteAt may be called from several goroutines at once on
// ranges that do not overlap. Close releases the storage.
type Spill struct {
	mem  []byte
	f    *os.File
	name string // the file's name while it still has one
	size int64
	done bool // closed
}

// NewSpill returns a Spill of size bytes, all zero. It fails with a
// *LimitError wrapping ErrSpillLimit past o.Limit, or with the error of
// creating the temporary file.
func NewSpill(size int64, o SpillOptions) (*Spill, error) {
	o = o.WithDefaults()
	if size < 0 {
		return nil, fmt.Errorf("raster: negative spill size %d", size)
	}
	if size > o.Limit {
		return nil, &LimitError{Format: "spill", Err: ErrSpillLimit, Reason: fmt.Sprintf(
			"%s of scratch is past the spill limit of %s", FormatBytes(size), FormatBytes(o.Limit))}
	}
	s := &Spill{size: size}
	if o.Memory >= 0 && size <= o.Memory {
		s.mem = make([]byte, size)
		return s, nil
	}
	f, err := os.CreateTemp(o.Dir, "sluice-spill-*")
	if err != nil {
		return nil, fmt.Errorf("raster: creating a spill file of %s: %w", FormatBytes(size), err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("raster: sizing a spill file of %s in %s: %w", FormatBytes(size), o.Dir, err)
	}
	s.f = f
	if os.Remove(f.Name()) != nil {
		s.name = f.Name() // removed by Close instead
	}
	return s, nil
}

// Size is the number of bytes the Spill holds.
func (s *Spill) Size() int64 { return s.size }

// InMemory reports whether the Spill is a slice rather than a file.
func (s *Spill) InMemory() bool { return s.f == nil }

// ReadAt reads len(p) bytes at off, as io.ReaderAt does.
func (s *Spill) ReadAt(p []byte, off int64) (int, error) {
	if s.done {
		return 0, errSpillClosed
	}
	if off < 0 || off > s.size {
		return 0, fmt.Errorf("raster: spill read at %d of %d bytes", off, s.size)
	}
	if s.f == nil {
		n := copy(p, s.mem[off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	n, err := s.f.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("raster: reading the spill file: %w", err)
	}
	return n, err
}

// WriteAt writes p at off, which must lie within the Spill's size.
func (s *Spill) WriteAt(p []byte, off int64) (int, error) {
	if s.done {
		return 0, errSpillClosed
	}
	if off < 0 || off+int64(len(p)) > s.size {
		return 0, fmt.Errorf("raster: spill write of %d bytes at %d of %d", len(p), off, s.size)
	}
	if s.f == nil {
		return copy(s.mem[off:], p), nil
	}
	n, err := s.f.WriteAt(p, off)
	if err != nil {
		err = fmt.Errorf("raster: writing the spill file: %w", err)
	}
	return n, err
}

// Close releases the memory or closes (and, if need be, removes) the file.
// Calling it again does nothing.
func (s *Spill) Close() error {
	s.mem, s.done = nil, true
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	if s.name != "" {
		if rerr := os.Remove(s.name); err == nil {
			err = rerr
		}
		s.name = ""
	}
	return err
}

package raster

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSpill writes and reads back a Spill in memory and in a file, and
// checks where it lives, that it starts zeroed and that the file leaves
// nothing in its folder.
func TestSpill(t *testing.T) {
	for _, tt := range []struct {
		name   string
		memory int64
		inMem  bool
	}{
		{"memory", 1 << 20, true},
		{"file", 1000, false},
		{"always a file", -1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := NewSpill(5000, SpillOptions{Memory: tt.memory, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if s.InMemory() != tt.inMem || s.Size() != 5000 {
				t.Fatalf("got in memory %v, size %d, want %v, 5000", s.InMemory(), s.Size(), tt.inMem)
			}
			got := make([]byte, 100)
			if _, err := s.ReadAt(got, 4900); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, make([]byte, 100)) {
				t.Errorf("got %v before any write, want zeros", got[:8])
			}
			want := bytes.Repeat([]byte("spill"), 20)
			if _, err := s.WriteAt(want, 1234); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReadAt(got, 1234); err != nil || !bytes.Equal(got, want) {
				t.Errorf("read back %q, %v, want %q", got[:10], err, want[:10])
			}
			if _, err := s.WriteAt(want, 4950); err == nil {
				t.Errorf("write past the end: got no error, want one")
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 0 {
				t.Errorf("got %d entries in the spill folder while open, want 0 (the file is removed at once)", len(ents))
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: got %v, want nil", err)
			}
			if _, err := s.ReadAt(got, 0); err == nil {
				t.Errorf("ReadAt after Close: got no error, want one")
			}
		})
	}
}

func TestSpillLimit(t *testing.T) {
	_, err := NewSpill(3<<20, SpillOptions{Memory: 1 << 20, Limit: 2 << 20, Dir: t.TempDir()})
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrSpillLimit) {
		t.Fatalf("got %v, want a *LimitError wrapping ErrSpillLimit", err)
	}
	err = SpillOptions{Limit: 1 << 30}.Check("png", 30000, 30000, 7<<30)
	if !errors.Is(err, ErrSpillLimit) {
		t.Fatalf("Check: got %v, want ErrSpillLimit", err)
	}
	if want := "png: image of 30000×30000 pixels is too large: it must be decoded whole, which takes 7.0 GiB of scratch, past the spill limit of 1.0 GiB"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if err := (SpillOptions{}).Check("png", 16384, 16384, 2<<30); err != nil {
		t.Errorf("2 GiB under the default limit: got %v, want nil", err)
	}
	if _, err := NewSpill(10, SpillOptions{Dir: filepath.Join(t.TempDir(), "missing"), Memory: -1}); err == nil {
		t.Errorf("a spill file in a missing folder: got no error, want one")
	}
}

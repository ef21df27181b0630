package raster

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// memAt is an io.WriterAt over a byte slice that fails past failAt.
type memAt struct {
	mu     sync.Mutex
	b      []byte
	failAt int64
}

func (m *memAt) WriteAt(p []byte, off int64) (int, error) {
	if m.failAt > 0 && off+int64(len(p)) > m.failAt {
		return 0, errors.New("disk full")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	copy(m.b[off:], p)
	return len(p), nil
}

func TestFileRows(t *testing.T) {
	m := &memAt{b: make([]byte, 4+3*5)}
	f := &FileRows{W: m, Start: 4, RowBytes: 5, Height: 3, Format: "x"}
	var wg sync.WaitGroup
	for y := range 3 {
		wg.Go(func() {
			if err := f.WriteRowsAt(y, []byte(strings.Repeat(string(rune('a'+y)), 5))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := string(m.b[4:]); got != "aaaaabbbbbccccc" {
		t.Errorf("file holds %q", got)
	}
	if err := f.Finish(); err != nil {
		t.Errorf("Finish: %v", err)
	}
	if f.End() != 19 {
		t.Errorf("End: got %d, want 19", f.End())
	}
	if err := f.WriteRowsAt(2, make([]byte, 10)); err == nil {
		t.Error("rows past the height: got no error")
	}
	if err := f.WriteRowsAt(0, make([]byte, 4)); err == nil {
		t.Error("a partial row: got no error")
	}
}

func TestFileRowsErrors(t *testing.T) {
	f := &FileRows{W: &memAt{b: make([]byte, 20), failAt: 10}, RowBytes: 5, Height: 4, Format: "x"}
	if err := f.WriteRowsAt(0, make([]byte, 5)); err != nil {
		t.Fatal(err)
	}
	if err := f.Finish(); err == nil || !strings.Contains(err.Error(), "1 of 4 rows") {
		t.Errorf("rows missing: got %v, want an error naming 1 of 4 rows", err)
	}
	if err := f.WriteRowsAt(2, make([]byte, 5)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, want the writer's error", err)
	}
	if err := f.Finish(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Finish: got %v, want the first write error", err)
	}
}

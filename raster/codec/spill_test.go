package codec

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// readPixels reads every row of path opened with o.
func readPixels(t *testing.T, path string, o ReadOptions) ([]byte, error) {
	t.Helper()
	r, err := Open(path, o)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []byte
	buf := make([]byte, 5*r.Header().RowBytes())
	for {
		n, err := r.ReadRows(buf)
		out = append(out, buf[:n*r.Header().RowBytes()]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// TestJPEGSpillOptions checks that ReadOptions.Spill reaches the
// coefficient store of a progressive JPEG: held in memory by default
// (a missing Dir is never touched), in a file in Spill.Dir past
// Spill.Memory (a missing Dir is then an error naming it, a real one is
// left empty with the same pixels), and refused past Spill.Limit with an
// error that wraps raster.ErrSpillLimit and names --spill-limit.
func TestJPEGSpillOptions(t *testing.T) {
	path := filepath.Join("..", "jpegio", "testdata", "cjpeg-progressive.jpg")
	want, err := readPixels(t, path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	if _, err := readPixels(t, path, ReadOptions{Spill: raster.SpillOptions{Dir: missing}}); err != nil {
		t.Errorf("in memory, with a missing Dir: got %v, want no error", err)
	}
	_, err = readPixels(t, path, ReadOptions{Spill: raster.SpillOptions{Memory: 1, Dir: missing}})
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("spilling to a missing Dir: got %v, want an error naming the file and %s", err, missing)
	}
	dir := t.TempDir()
	got, err := readPixels(t, path, ReadOptions{Spill: raster.SpillOptions{Memory: -1, Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("pixels through the spill file differ from those held in memory")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("got %d files left in Spill.Dir, want none", len(ents))
	}
	_, err = readPixels(t, path, ReadOptions{Spill: raster.SpillOptions{Memory: 1, Limit: 1000}})
	if !errors.Is(err, raster.ErrSpillLimit) || !strings.Contains(err.Error(), "--spill-limit") {
		t.Errorf("past Spill.Limit: got %v, want raster.ErrSpillLimit naming --spill-limit", err)
	}
}

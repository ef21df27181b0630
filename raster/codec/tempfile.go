package codec

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// createTemp creates a new file beside target, named ".<base>.tmp-<random>",
// so that renaming it onto target is atomic. Unlike os.CreateTemp it asks
// for mode 0666, so the process umask applies as it would to a file created
// at the target; if target exists, its permission bits are copied instead.
func createTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	perm := fs.FileMode(0o666)
	if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() {
		perm = fi.Mode().Perm()
	}
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64()%1e10, 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if perm != 0o666 {
			// The umask may have cleared bits the existing file has.
			if err := f.Chmod(perm); err != nil {
				f.Close()
				os.Remove(name)
				return nil, err
			}
		}
		return f, nil
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, "."+base+".tmp-*"), Err: fs.ErrExist}
}

// syncDir flushes a directory's entries to disk after a rename. Errors are
// ignored: some file systems cannot sync a directory, and the rename has
// already happened.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

package raster

import (
	"fmt"
	"io"
	"sync/atomic"
)

// FileRows is the RowWriterAt of a codec whose file holds the rows one
// after another, uncompressed, in raster layout (uncompressed TIFF strips,
// PNM): row y lies at Start + y·RowBytes of W. It counts the rows written
// and keeps the first write error, for the codec's Close to check with
// Finish. Its methods are safe for concurrent use.
type FileRows struct {
	W        io.WriterAt
	Start    int64  // offset of row 0 in W
	RowBytes int    // bytes of a row
	Height   int    // rows in the image
	Format   string // prefixes errors, e.g. "tiff"

	rows atomic.Int64
	err  atomic.Pointer[error]
}

// WriteRowsAt writes whole rows starting at row y.
func (f *FileRows) WriteRowsAt(y int, src []byte) error {
	if len(src)%f.RowBytes != 0 {
		return fmt.Errorf("%s: WriteRowsAt given %d bytes, not a whole number of %d-byte rows", f.Format, len(src), f.RowBytes)
	}
	n := len(src) / f.RowBytes
	if y < 0 || y+n > f.Height {
		return fmt.Errorf("%s: WriteRowsAt given rows %d to %d of an image %d rows high", f.Format, y, y+n, f.Height)
	}
	if _, err := f.W.WriteAt(src, f.Start+int64(y)*int64(f.RowBytes)); err != nil {
		err = fmt.Errorf("%s: writing row %d: %w", f.Format, y, err)
		f.err.CompareAndSwap(nil, &err)
		return err
	}
	f.rows.Add(int64(n))
	return nil
}

// End is the offset just past the last row.
func (f *FileRows) End() int64 { return f.Start + int64(f.Height)*int64(f.RowBytes) }

// Finish returns the first write error, or an error if not every row was
// written.
func (f *FileRows) Finish() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	if got := f.rows.Load(); got != int64(f.Height) {
		return fmt.Errorf("%s: closed after %d of %d rows", f.Format, got, f.Height)
	}
	return nil
}

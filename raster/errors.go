package raster

import (
	"fmt"
	"io"
)

// FormatError reports input that does not follow its format's rules, at a
// byte offset into the file. Codecs return it for truncated and corrupt
// files; the caller that knows the file name wraps it with that name. A
// file that ends too early gives a FormatError whose Err is
// io.ErrUnexpectedEOF, so errors.Is(err, io.ErrUnexpectedEOF) holds.
type FormatError struct {
	Format string // "png", "tiff" …
	Offset int64  // byte offset where the problem was found; -1 if unknown
	Msg    string // what is wrong, lower case, e.g. "bad CRC in IDAT chunk"
	Err    error  // the cause, if any: io.ErrUnexpectedEOF for a truncated file
}

// Truncated returns a FormatError for a file that ends at offset off while
// msg was being read: it wraps io.ErrUnexpectedEOF.
func Truncated(format string, off int64, msg string) *FormatError {
	return &FormatError{Format: format, Offset: off, Msg: msg, Err: io.ErrUnexpectedEOF}
}

// Unwrap returns the cause, such as io.ErrUnexpectedEOF.
func (e *FormatError) Unwrap() error { return e.Err }

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("%s: %s", e.Format, e.Msg)
	}
	return fmt.Sprintf("%s: at byte %d: %s", e.Format, e.Offset, e.Msg)
}

// UnsupportedError reports a valid file that uses a feature sluice does not
// implement, such as a TIFF compression scheme.
type UnsupportedError struct {
	Format  string
	Feature string // e.g. "JPEG compression (7)"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: unsupported %s", e.Format, e.Feature)
}

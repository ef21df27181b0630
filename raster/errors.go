package raster

import "fmt"

// FormatError reports input that does not follow its format's rules, at a
// byte offset into the file. Codecs return it for truncated and corrupt
// files; the caller that knows the file name wraps it with that name.
type FormatError struct {
	Format string // "png", "tiff" …
	Offset int64  // byte offset where the problem was found; -1 if unknown
	Msg    string // what is wrong, lower case, e.g. "bad CRC in IDAT chunk"
}

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

package raster

import (
	"fmt"
	"math"
)

// Limits bound what a decoder may allocate, checked against the header
// before any pixel is read. The zero value means the defaults below; a field
// left at zero takes its default.
type Limits struct {
	// MaxWidth and MaxHeight bound each side, in pixels. Default 1,000,000.
	MaxWidth, MaxHeight int
	// MaxPixels bounds Width×Height for streamed formats. Default 2^34
	// (about 17 gigapixels), which admits a 100,000 × 100,000 image.
	MaxPixels int64
	// MaxWholePixels bounds images that must be decoded whole into memory:
	// JPEG, until its codec spills too. Default 2^28 (268 megapixels, 1 GiB
	// as RGBA8). An interlaced PNG is bounded by SpillOptions.Limit in
	// bytes instead.
	MaxWholePixels int64
}

// DefaultLimits are the limits the zero Limits stands for.
var DefaultLimits = Limits{
	MaxWidth:       1_000_000,
	MaxHeight:      1_000_000,
	MaxPixels:      1 << 34,
	MaxWholePixels: 1 << 28,
}

// NoLimits admits any size a file can state: for reading headers only,
// never for decoding.
var NoLimits = Limits{
	MaxWidth:       math.MaxInt,
	MaxHeight:      math.MaxInt,
	MaxPixels:      math.MaxInt64,
	MaxWholePixels: math.MaxInt64,
}

// WithDefaults returns l with every zero field replaced by its default.
func (l Limits) WithDefaults() Limits {
	if l.MaxWidth <= 0 {
		l.MaxWidth = DefaultLimits.MaxWidth
	}
	if l.MaxHeight <= 0 {
		l.MaxHeight = DefaultLimits.MaxHeight
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultLimits.MaxPixels
	}
	if l.MaxWholePixels <= 0 {
		l.MaxWholePixels = DefaultLimits.MaxWholePixels
	}
	return l
}

// LimitError says that a header asks for more than the limits allow.
type LimitError struct {
	Format string // "png", "tiff" …
	Width  int
	Height int
	Reason string // which limit, in words
	Err    error  // the limit as a value, if any: ErrSpillLimit
}

func (e *LimitError) Error() string {
	if e.Width == 0 && e.Height == 0 {
		return fmt.Sprintf("%s: %s", e.Format, e.Reason)
	}
	return fmt.Sprintf("%s: image of %d×%d pixels is too large: %s", e.Format, e.Width, e.Height, e.Reason)
}

// Unwrap returns Err.
func (e *LimitError) Unwrap() error { return e.Err }

// Check returns a *LimitError when a streamed image of w×h pixels with
// bytesPerPixel bytes each exceeds l (after defaults), or when w or h is not
// positive.
func (l Limits) Check(format string, w, h int) error {
	l = l.WithDefaults()
	switch {
	case w <= 0 || h <= 0:
		return &LimitError{Format: format, Width: w, Height: h, Reason: "width and height must be positive"}
	case w > l.MaxWidth:
		return &LimitError{Format: format, Width: w, Height: h, Reason: fmt.Sprintf("width exceeds the limit of %d", l.MaxWidth)}
	case h > l.MaxHeight:
		return &LimitError{Format: format, Width: w, Height: h, Reason: fmt.Sprintf("height exceeds the limit of %d", l.MaxHeight)}
	case int64(w)*int64(h) > l.MaxPixels:
		return &LimitError{Format: format, Width: w, Height: h, Reason: fmt.Sprintf("%d pixels exceed the limit of %d", int64(w)*int64(h), l.MaxPixels)}
	}
	return nil
}

// CheckWhole is Check for an image that must be decoded whole into memory.
// The error states how much memory decoding would take.
func (l Limits) CheckWhole(format string, w, h, bytesPerPixel int) error {
	if err := l.Check(format, w, h); err != nil {
		return err
	}
	l = l.WithDefaults()
	if n := int64(w) * int64(h); n > l.MaxWholePixels {
		return &LimitError{Format: format, Width: w, Height: h, Reason: fmt.Sprintf(
			"it must be decoded whole, which would take %s; the limit for whole decoding is %d pixels",
			FormatBytes(n*int64(bytesPerPixel)), l.MaxWholePixels)}
	}
	return nil
}

// FormatBytes writes n as a human size with binary units, e.g. "1.5 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

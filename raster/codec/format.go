package codec

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// ErrUnknownFormat is wrapped by the errors of Open for a file whose first
// bytes match no known format, and of Create and FormatFromPath for a
// format name or extension sluice does not know.
var ErrUnknownFormat = errors.New("unknown image format")

// Formats returns the names of the formats sluice reads and writes, sorted:
// "jpeg", "png", "pnm", "tiff".
func Formats() []string { return []string{"jpeg", "png", "pnm", "tiff"} }

// extensions maps a lower-case file extension, or a format name given in
// WriteOptions.Format, to the format.
var extensions = map[string]string{
	"pnm": "pnm", "ppm": "pnm", "pgm": "pnm", "pam": "pnm",
	"png": "png",
	"tif": "tiff", "tiff": "tiff",
	"jpg": "jpeg", "jpeg": "jpeg",
}

// knownExtensions lists the extensions for error messages.
func knownExtensions() string {
	var exts []string
	for e := range extensions {
		exts = append(exts, "."+e)
	}
	slices.Sort(exts)
	return strings.Join(exts, " ")
}

// FormatFromPath returns the format that path's extension names, case
// ignored: .pnm .ppm .pgm .pam → "pnm", .png → "png", .tif .tiff → "tiff",
// .jpg .jpeg → "jpeg". An unknown extension is an error listing the known
// ones.
func FormatFromPath(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if f, ok := extensions[ext]; ok {
		return f, nil
	}
	if ext == "" {
		return "", fmt.Errorf("%s: no file extension to choose the format by (%w); known extensions are %s",
			path, ErrUnknownFormat, knownExtensions())
	}
	return "", fmt.Errorf("%s: %w for extension .%s; known extensions are %s",
		path, ErrUnknownFormat, ext, knownExtensions())
}

// formatName resolves a format given by name ("png") or by an extension
// ("jpg") to its canonical name.
func formatName(name string) (string, bool) {
	f, ok := extensions[strings.ToLower(strings.TrimPrefix(name, "."))]
	return f, ok
}

// sniffLen is how many leading bytes sniff needs.
const sniffLen = 8

// sniff names the format whose magic bytes head starts with, or "".
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")),
		bytes.HasPrefix(head, []byte("II+\x00")), bytes.HasPrefix(head, []byte("MM\x00+")):
		return "tiff"
	case bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}):
		return "jpeg"
	case len(head) >= 2 && head[0] == 'P' && head[1] >= '1' && head[1] <= '7':
		return "pnm"
	}
	return ""
}

package codec

import (
	"bufio"
	"io"
	"os"
)

// Sniff names the format whose magic bytes head starts with ("pnm", "png",
// "tiff", "jpeg"), or returns "" for none. Eight bytes are enough.
func Sniff(head []byte) string {
	if f := sniff(head); f != nil {
		return f.name
	}
	return ""
}

// KnownFormat reports whether name is a format or extension that Create
// and NewWriter accept.
func KnownFormat(name string) bool { return byExt(name) != nil }

// NewReader decodes an image from a stream that cannot seek, such as a
// pipe or a request body, choosing the format by its first bytes. PNM, PNG
// and JPEG read front to back; TIFF needs a file (Open, OpenFile). Errors
// name name.
func NewReader(src io.Reader, name string, o ReadOptions) (*Reader, error) {
	br := bufio.NewReaderSize(src, bufferSize)
	head, _ := br.Peek(sniffLen)
	r := &Reader{path: name}
	if err := r.start(input{br: br}, head, o, "an empty stream"); err != nil {
		return nil, err
	}
	return r, nil
}

// OpenFile is Open for a file already open, named name in errors. The
// Reader owns f from then on: its Close closes f.
func OpenFile(f *os.File, name string, o ReadOptions) (*Reader, error) {
	return open(name, f, o)
}

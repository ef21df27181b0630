package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInfoHuge prints the headers of images far past the decoding limits:
// info decodes no pixel, so no size limit applies to it.
func TestInfoHuge(t *testing.T) {
	dir := t.TempDir()
	ihdr := binary.BigEndian.AppendUint32(nil, 30000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 30000)
	ihdr = append(ihdr, 16, 6, 0, 0, 1) // RGBA16, interlaced
	png := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	png = append(png, pngChunk("IDAT", []byte{0x78, 0x9c})...) // the rest is never read
	png = append(png, pngChunk("IEND", nil)...)
	// A JFIF marker and a start of frame: 8-bit, 65,000 × 65,000, three
	// components; no pixel data.
	jpg := []byte{0xff, 0xd8,
		0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
		0xff, 0xc0, 0, 17, 8, 0xfd, 0xe8, 0xfd, 0xe8, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0,
		0xff, 0xd9}
	// The same frame, progressive: a decoder would need 24 GiB of
	// coefficients; info allocates none.
	prog := bytes.Clone(jpg)
	prog[bytes.Index(prog, []byte{0xff, 0xc0})+1] = 0xc2
	for _, tt := range []struct {
		name string
		data []byte
		want []string
	}{
		{"huge-progressive.jpg", prog, []string{"65000×65000", "progressive"}},
		{"huge.png", png, []string{"30000×30000", "rgba16", "interlaced:  yes"}},
		{"huge.jpg", jpg, []string{"65000×65000", "rgb8", "format:      jpeg"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o666); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr}, []string{"info", path}); err != nil {
				t.Fatalf("got %v, want the header printed", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("got %q, want it to contain %q", stdout.String(), w)
				}
			}
		})
	}
}

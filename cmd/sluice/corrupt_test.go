package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// grayPNG builds an 8-bit gray PNG of w×h pixels whose zlib stream is
// passed through damage first: each chunk's CRC is right, so the damage
// lies only where damage puts it. With noEnd the IEND chunk is left out.
func grayPNG(w, h int, damage func(z []byte) []byte, noEnd bool) []byte {
	raw := make([]byte, h*(w+1)) // filter byte 0, then the row
	for i := range raw {
		if i%(w+1) != 0 {
			raw[i] = byte(i * 7)
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	out := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", damage(z.Bytes()))...)
	if !noEnd {
		out = append(out, pngChunk("IEND", nil)...)
	}
	return out
}

// TestCorruptEnd runs files whose only damage lies at or after their last
// row through `sluice run`, for every codec and several chains (a crop
// that needs only the first rows included): each run must fail with one
// line naming the file, and leave no output file.
func TestCorruptEnd(t *testing.T) {
	dir := t.TempDir()
	keep := func(z []byte) []byte { return z }
	files := map[string][]byte{
		"adler.png": grayPNG(40, 30, func(z []byte) []byte {
			z = bytes.Clone(z)
			z[len(z)-1] ^= 1
			return z
		}, false),
		"noiend.png": grayPNG(40, 30, keep, true),
		"extra.png": grayPNG(40, 30, func(z []byte) []byte {
			// The zlib stream of one more row than the header says.
			raw := make([]byte, 31*41)
			var b bytes.Buffer
			zw := zlib.NewWriter(&b)
			zw.Write(raw)
			zw.Close()
			return b.Bytes()
		}, false),
		"zcut.png": grayPNG(40, 30, func(z []byte) []byte { return z[:len(z)-3] }, false),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	// Files sluice writes, then cut: the last bytes of the pixel data or of
	// the trailer go missing (a TIFF's last byte is padding).
	for _, f := range []struct {
		name string
		args []string
		cut  int64
	}{
		{"short.ppm", nil, 1},
		{"short.pgm", []string{"--channels", "1"}, 2},
		{"short.tif", nil, 3},
		{"shortz.tif", []string{"--compression", "deflate"}, 3},
		{"shorttiles.tif", []string{"--compression", "lzw", "--tiled"}, 3},
		{"short.png", nil, 1},
		{"short.jpg", nil, 2},
	} {
		path := filepath.Join(dir, f.name)
		args := append([]string{"gen", "--quiet", "300x200"}, f.args...)
		if err := dispatch(context.Background(), &env{stdout: new(bytes.Buffer), stderr: new(bytes.Buffer)}, append(args, path)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, fi.Size()-f.cut); err != nil {
			t.Fatal(err)
		}
		files[f.name] = nil
	}
	for name := range files {
		for _, chain := range [][]string{nil, {"crop:0,0,8,4"}} {
			for _, workers := range []string{"1", "2"} {
				t.Run(name+"/"+strings.Join(chain, ",")+"/workers="+workers, func(t *testing.T) {
					in := filepath.Join(dir, name)
					out := filepath.Join(t.TempDir(), "out.pnm")
					var stdout, stderr bytes.Buffer
					args := append([]string{"run", "--quiet", "--workers", workers, in, out}, chain...)
					err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args)
					if code := report(&stderr, err, false); code != exitFailure {
						t.Fatalf("got exit status %d, want %d (error %v)", code, exitFailure, err)
					}
					msg := stderr.String()
					if !strings.HasPrefix(msg, "sluice: "+in+": ") || strings.Count(msg, "\n") != 1 {
						t.Errorf("stderr: got %q, want one line starting with \"sluice: %s: \"", msg, in)
					}
					ents, err := os.ReadDir(filepath.Dir(out))
					if err != nil {
						t.Fatal(err)
					}
					if len(ents) != 0 {
						t.Errorf("got %d files in the output folder (first %s), want none", len(ents), ents[0].Name())
					}
				})
			}
		}
	}
}

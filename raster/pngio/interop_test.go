package pngio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
)

// lookTool finds an external program or skips the test.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	return testtool.Require(t, name)
}

// run runs a program and fails the test with its output on error.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return out
}

// writeOurs encodes a test image in format f into a file in dir.
func writeOurs(t *testing.T, dir string, f raster.PixelFormat, w, h int, o WriterOptions) (string, []byte) {
	t.Helper()
	hd := raster.Header{Width: w, Height: h, Pixel: f}
	pix := photo(w, h, f, uint64(w*h))
	data, err := encodeAll(hd, pix, o, 7)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%v.png", f))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, pix
}

// TestPngcheck checks that pngcheck accepts our files in every format, at
// several levels, each with several groups of rows.
func TestPngcheck(t *testing.T) {
	tool := lookTool(t, "pngcheck")
	levels := []int{-1, 1, 9}
	if raceEnabled {
		levels = []int{1} // the levels' paths are checked in the plain run
	}
	for _, f := range allFormats {
		for _, level := range levels {
			t.Run(fmt.Sprintf("%v/level%d", f, level), func(t *testing.T) {
				t.Parallel() // each runs a tool: overlap their start-up
				path, _ := writeOurs(t, t.TempDir(), f, 700, 200*8/f.BytesPerPixel(), WriterOptions{Level: level})
				run(t, tool, "-q", path)
			})
		}
	}
}

// TestVipsReadsOurs checks that vips decodes our files to the pixels we
// wrote: it saves them raw (16-bit samples in the machine's order).
func TestVipsReadsOurs(t *testing.T) {
	tool := lookTool(t, "vips")
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel() // each runs a tool: overlap their start-up
			dir := t.TempDir()
			path, pix := writeOurs(t, dir, f, 300, 400, WriterOptions{})
			rawPath := filepath.Join(dir, "out.raw")
			run(t, tool, "rawsave", path, rawPath)
			got, err := os.ReadFile(rawPath)
			if err != nil {
				t.Fatal(err)
			}
			if f.Depth == 16 {
				for i := 0; i+1 < len(got); i += 2 {
					v := binary.NativeEndian.Uint16(got[i:])
					binary.BigEndian.PutUint16(got[i:], v)
				}
			}
			if !bytes.Equal(got, pix) {
				t.Fatalf("got %d bytes from vips differing at %d, want our %d bytes", len(got), firstDiff(got, pix), len(pix))
			}
		})
	}
}

// TestToolFiles decodes files that ImageMagick and vips write, interlaced
// and not, in palette and low-bit-depth forms our Writer never makes, and
// compares them with image/png.
func TestToolFiles(t *testing.T) {
	convert := lookTool(t, "convert")
	dir := t.TempDir()
	rgb, _ := writeOurs(t, dir, raster.RGB8, 97, 61, WriterOptions{})
	rgba16, _ := writeOurs(t, dir, raster.RGBA16, 97, 61, WriterOptions{})
	tests := []struct {
		name string
		args []string
	}{
		{"interlaced-rgb8", []string{rgb, "-interlace", "PNG", "png24:%s"}},
		{"interlaced-rgba16", []string{rgba16, "-interlace", "PNG", "png64:%s"}},
		{"interlaced-gray8", []string{rgb, "-colorspace", "gray", "-define", "png:color-type=0", "-interlace", "PNG", "%s"}},
		{"palette8", []string{rgb, "-colors", "200", "png8:%s"}},
		{"palette-interlaced", []string{rgb, "-colors", "50", "-interlace", "PNG", "png8:%s"}},
		{"palette-alpha", []string{rgba16, "-colors", "100", "png8:%s"}},
		{"palette4", []string{rgb, "-colors", "16", "-define", "png:bit-depth=4", "-define", "png:color-type=3", "%s"}},
		{"gray1", []string{rgb, "-colorspace", "gray", "-threshold", "50%", "-define", "png:bit-depth=1", "-define", "png:color-type=0", "%s"}},
		{"gray2-interlaced", []string{rgb, "-colorspace", "gray", "-depth", "2", "-define", "png:bit-depth=2", "-define", "png:color-type=0", "-interlace", "PNG", "%s"}},
		{"gray4", []string{rgb, "-colorspace", "gray", "-depth", "4", "-define", "png:bit-depth=4", "-define", "png:color-type=0", "%s"}},
		{"gray16", []string{rgba16, "-colorspace", "gray", "-alpha", "off", "-define", "png:bit-depth=16", "%s"}},
		{"gray-alpha16-interlaced", []string{rgba16, "-colorspace", "gray", "-interlace", "PNG", "%s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each runs a tool: overlap their start-up
			out := filepath.Join(dir, tt.name+".png")
			args := append([]string(nil), tt.args...)
			args[len(args)-1] = fmt.Sprintf(args[len(args)-1], out)
			run(t, convert, args...)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !compareWithStdlib(t, data) {
				t.Fatal("image/png rejects the file, want a valid one")
			}
		})
	}
	t.Run("vips-interlaced", func(t *testing.T) {
		vips := lookTool(t, "vips")
		out := filepath.Join(dir, "vips-interlaced.png")
		run(t, vips, "copy", rgba16, out+"[interlace]")
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(bytes.NewReader(data), ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Header().Interlaced {
			t.Fatalf("got a file that is not interlaced, want vips to interlace it")
		}
		if !compareWithStdlib(t, data) {
			t.Fatal("image/png rejects the file, want a valid one")
		}
	})
}

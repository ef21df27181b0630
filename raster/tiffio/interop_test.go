package tiffio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
)

// needTool skips the test when an external program is not installed.
func needTool(t *testing.T, name string) {
	t.Helper()
	testtool.Require(t, name)
}

// run runs a program and fails the test if it fails or writes to stderr.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Fatalf("%s %s wrote to stderr: %s", name, strings.Join(args, " "), s)
	}
}

// writeTemp writes our TIFF of pix into dir and returns its path.
func writeTemp(t *testing.T, dir, name string, w, h int, p raster.PixelFormat, pix []byte, o WriterOptions) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, encode(t, w, h, p, pix, o), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkFile decodes the TIFF at path with our reader and compares it with pix.
func checkFile(t *testing.T, path string, p raster.PixelFormat, pix []byte, rowBytes int) raster.Header {
	t.Helper()
	hdr, got := decodeAll(t, readFile(t, path), ReaderOptions{}, 7)
	if hdr.Pixel != p {
		t.Fatalf("pixel format %v, want %v", hdr.Pixel, p)
	}
	if d := firstDiff(got, pix, rowBytes); d != "" {
		t.Fatalf("pixels differ: %s", d)
	}
	return hdr
}

// TestTiffcpWrites decodes what libtiff's tiffcp writes, in every
// compression, strips and tiles, both byte orders, classic and BigTIFF. The
// source is our own uncompressed file, so tiffcp reading it is tested too.
func TestTiffcpWrites(t *testing.T) {
	needTool(t, "tiffcp")
	const w, h = 71, 45
	variants := [][]string{
		{"-c", "none"}, {"-c", "lzw"}, {"-c", "zip"}, {"-c", "packbits"},
		{"-c", "lzw:2"}, {"-c", "zip:2"}, {"-p", "contig", "-c", "none"},
		{"-s", "-r", "5", "-c", "packbits"},
		{"-t", "-w", "16", "-l", "16", "-c", "zip:2"},
		{"-t", "-w", "64", "-l", "64", "-c", "lzw"},
		{"-8", "-c", "zip"}, {"-8", "-t", "-w", "32", "-l", "32", "-c", "lzw:2"},
		{"-B", "-c", "lzw:2"}, {"-B", "-8", "-t", "-w", "16", "-l", "16", "-c", "zip:2"},
		{"-B", "-c", "none"},
	}
	for _, p := range allFormats {
		pix := testImage(w, h, p)
		dir := t.TempDir()
		src := writeTemp(t, dir, "src.tif", w, h, p, pix, WriterOptions{})
		for i, v := range variants {
			t.Run(fmt.Sprintf("%v/%s", p, strings.Join(v, "_")), func(t *testing.T) {
				out := filepath.Join(dir, fmt.Sprintf("out%d.tif", i))
				run(t, "tiffcp", append(v, src, out)...)
				hdr := checkFile(t, out, p, pix, w*p.BytesPerPixel())
				if big := strings.Contains(strings.Join(v, " "), "-8"); big != (hdr.Details[0] == "bigtiff") {
					t.Errorf("details %v, want bigtiff=%v", hdr.Details, big)
				}
			})
		}
	}
}

// TestLibtiffReadsOurs checks that tiffinfo -D reads our files without a
// complaint and that tiffcp decompresses them to the same pixels.
func TestLibtiffReadsOurs(t *testing.T) {
	needTool(t, "tiffinfo")
	needTool(t, "tiffcp")
	const w, h = 83, 51
	opts := []WriterOptions{
		{}, {Compression: "deflate", Predictor: true}, {Compression: "lzw"},
		{Compression: "lzw", Predictor: true, RowsPerStrip: 4}, {Compression: "packbits"},
		{Compression: "lzw", Tiled: true, TileSize: 32}, {Compression: "deflate", Tiled: true, TileSize: 16, Predictor: true},
		{Compression: "lzw", BigTIFF: true, Tiled: true, TileSize: 48},
	}
	for _, p := range allFormats {
		pix := testImage(w, h, p)
		dir := t.TempDir()
		for i, o := range opts {
			t.Run(fmt.Sprintf("%v/%+v", p, o), func(t *testing.T) {
				ours := writeTemp(t, dir, fmt.Sprintf("ours%d.tif", i), w, h, p, pix, o)
				run(t, "tiffinfo", "-D", ours)
				plain := filepath.Join(dir, fmt.Sprintf("plain%d.tif", i))
				run(t, "tiffcp", "-c", "none", "-s", ours, plain)
				checkFile(t, plain, p, pix, w*p.BytesPerPixel())
			})
		}
	}
}

// TestLZWLarge checks our LZW against libtiff on an image large enough for
// the code table to fill and clear many times, in both directions.
func TestLZWLarge(t *testing.T) {
	needTool(t, "tiffcp")
	const w, h = 700, 300
	p := raster.RGB8
	pix := testImage(w, h, p)
	dir := t.TempDir()
	ours := writeTemp(t, dir, "ours.tif", w, h, p, pix, WriterOptions{Compression: "lzw", RowsPerStrip: h})
	plain := filepath.Join(dir, "plain.tif")
	run(t, "tiffcp", "-c", "none", ours, plain)
	checkFile(t, plain, p, pix, w*3)
	theirs := filepath.Join(dir, "theirs.tif")
	run(t, "tiffcp", "-c", "lzw", "-r", "300", plain, theirs)
	checkFile(t, theirs, p, pix, w*3)
}

// TestVips decodes what vips writes, and checks that vips reads our files
// to the same pixels (saved raw).
func TestVips(t *testing.T) {
	needTool(t, "vips")
	const w, h = 77, 53
	saves := []string{
		"compression=none", "compression=deflate", "compression=lzw,predictor=horizontal",
		"compression=packbits", "tile,tile-width=32,tile-height=32,compression=deflate",
		"tile,tile-width=16,tile-height=16,compression=lzw,predictor=horizontal,bigtiff",
	}
	opts := []WriterOptions{
		{}, {Compression: "deflate", Predictor: true}, {Compression: "lzw", Tiled: true, TileSize: 32},
		{Compression: "packbits", RowsPerStrip: 3},
	}
	for _, p := range allFormats {
		pix := testImage(w, h, p)
		dir := t.TempDir()
		src := writeTemp(t, dir, "src.tif", w, h, p, pix, WriterOptions{})
		for i, s := range saves {
			t.Run(fmt.Sprintf("%v/vips-writes/%s", p, s), func(t *testing.T) {
				t.Parallel() // each runs a tool: overlap their start-up
				out := filepath.Join(dir, fmt.Sprintf("vips%d.tif", i))
				run(t, "vips", "copy", src, out+"["+s+"]")
				checkFile(t, out, p, pix, w*p.BytesPerPixel())
			})
		}
		for i, o := range opts {
			t.Run(fmt.Sprintf("%v/vips-reads/%+v", p, o), func(t *testing.T) {
				t.Parallel() // each runs a tool: overlap their start-up
				ours := writeTemp(t, dir, fmt.Sprintf("ours%d.tif", i), w, h, p, pix, o)
				raw := filepath.Join(dir, fmt.Sprintf("ours%d.raw", i))
				run(t, "vips", "rawsave", ours, raw)
				got := readFile(t, raw)
				if p.Depth == 16 { // vips saves native (little-endian) samples
					for k := 0; k+1 < len(got); k += 2 {
						binary.BigEndian.PutUint16(got[k:], binary.LittleEndian.Uint16(got[k:]))
					}
				}
				if d := firstDiff(got, pix, w*p.BytesPerPixel()); d != "" {
					t.Fatalf("vips read: %s", d)
				}
			})
		}
	}
}

// TestVipsReadsTestdata compares our decoding of every file in testdata,
// including the kinds x/image/tiff does not read (BigTIFF, 4-bit), with
// what vips decodes from it.
func TestVipsReadsTestdata(t *testing.T) {
	needTool(t, "vips")
	files, err := filepath.Glob("testdata/*.tif")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata files: %v", err)
	}
	dir := t.TempDir()
	for i, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw := filepath.Join(dir, fmt.Sprintf("%d.raw", i))
			run(t, "vips", "rawsave", f, raw)
			want := readFile(t, raw)
			hdr, got := decodeAll(t, readFile(t, f), ReaderOptions{}, 3)
			if hdr.Pixel.Depth == 16 {
				for k := 0; k+1 < len(want); k += 2 {
					binary.BigEndian.PutUint16(want[k:], binary.LittleEndian.Uint16(want[k:]))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d bytes, vips gives %d", len(got), len(want))
			}
			tol := 0
			if strings.Contains(f, "assoc") {
				tol = 1 // both unpremultiply, with different rounding
			}
			if d := maxDiff(got, want, hdr.Pixel.Depth); d > tol {
				t.Fatalf("differs from vips by up to %d: %s", d, firstDiff(got, want, hdr.RowBytes()))
			}
		})
	}
}

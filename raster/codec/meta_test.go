package codec

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// convertFile reads src and writes its pixels to dst, with the header's
// metadata, as `sluice run` without operations does.
func convertFile(t *testing.T, src, dst string) raster.Header {
	t.Helper()
	h, pix := readFile(t, src)
	out := raster.Header{Width: h.Width, Height: h.Height, Pixel: h.Pixel, Meta: h.Meta, Orientation: h.Orientation}
	writeFile(t, dst, out, pix, WriteOptions{})
	return h
}

// TestMetaTravels carries an ICC profile and EXIF from a JPEG through PNG
// and TIFF back to JPEG and PNG: the profile and the EXIF keep their
// bytes (the EXIF rebuilt from the TIFF's IFDs included), the orientation
// its value; PNM drops them, as it has no place for them.
func TestMetaTravels(t *testing.T) {
	dir := t.TempDir()
	icc := synth.ICCProfile(150000, "travel") // three JPEG chunks
	exif := synth.Exif(raster.LeftBottom)
	h := raster.Header{Width: 50, Height: 30, Pixel: raster.RGB8, Meta: raster.Metadata{ICC: icc, EXIF: exif}}
	first := filepath.Join(dir, "a.jpg")
	writeFile(t, first, h, pattern(50, 30, raster.RGB8), WriteOptions{})
	path := first
	for _, next := range []string{"b.png", "c.tif", "d.jpg", "e.png"} {
		to := filepath.Join(dir, next)
		got := convertFile(t, path, to)
		if !bytes.Equal(got.Meta.ICC, icc) {
			t.Errorf("%s: got a profile of %d bytes, want the %d written", filepath.Base(path), len(got.Meta.ICC), len(icc))
		}
		if !bytes.Equal(got.Meta.EXIF, exif) {
			t.Errorf("%s: got EXIF % x, want % x", filepath.Base(path), got.Meta.EXIF, exif)
		}
		if got.Orientation != raster.LeftBottom {
			t.Errorf("%s: got orientation %d, want %d", filepath.Base(path), got.Orientation, raster.LeftBottom)
		}
		path = to
	}
	convertFile(t, path, filepath.Join(dir, "f.ppm"))
	if got, _ := readFile(t, filepath.Join(dir, "f.ppm")); !got.Meta.Empty() || got.Orientation != 0 {
		t.Errorf("pnm: got metadata %d, %d bytes, orientation %d, want none", len(got.Meta.ICC), len(got.Meta.EXIF), got.Orientation)
	}
	// Header-only opening (sluice info) sees the same.
	for _, name := range []string{"a.jpg", "b.png", "c.tif"} {
		r, err := Open(filepath.Join(dir, name), ReadOptions{HeaderOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		hh := r.Header()
		r.Close()
		if !bytes.Equal(hh.Meta.ICC, icc) || hh.Orientation != raster.LeftBottom {
			t.Errorf("%s opened for its header: got a profile of %d bytes and orientation %d", name, len(hh.Meta.ICC), hh.Orientation)
		}
	}
}

// TestMetaToolFiles reads the metadata of files libvips, ImageMagick and
// exiftool made: vips embeds its sRGB profile, exiftool sets the
// orientation, ImageMagick and vips convert to PNG and TIFF.
func TestMetaToolFiles(t *testing.T) {
	vips := testtool.Require(t, "vips")
	convert := testtool.Require(t, "convert")
	exiftool := testtool.Require(t, "exiftool")
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %q: %v\n%s", filepath.Base(name), args, err, b)
		}
	}
	src := filepath.Join(dir, "src.ppm")
	writeFile(t, src, raster.Header{Width: 40, Height: 24, Pixel: raster.RGB8}, pattern(40, 24, raster.RGB8), WriteOptions{})
	jpg := filepath.Join(dir, "vips.jpg")
	run(vips, "icc_transform", src, jpg, "srgb", "--input-profile", "srgb")
	run(exiftool, "-q", "-overwrite_original", "-Orientation#=6", "-Make=ToolCam", jpg)
	run(convert, jpg, filepath.Join(dir, "magick.png"))
	run(vips, "copy", jpg, filepath.Join(dir, "vips.tif"))
	run(vips, "copy", jpg, filepath.Join(dir, "vips.png"))
	run(convert, jpg, filepath.Join(dir, "magick.jpg"))
	run(convert, jpg, filepath.Join(dir, "magick.tif"))
	// exiftool adds an EXIF IFD to ImageMagick's TIFF.
	run(convert, jpg, filepath.Join(dir, "exiftool.tif"))
	run(exiftool, "-q", "-overwrite_original", "-ExposureTime=1/100", "-Model=ToolModel", filepath.Join(dir, "exiftool.tif"))
	for _, tt := range []struct {
		name  string
		exif  bool
		orien raster.Orientation
	}{
		{"vips.jpg", true, raster.RightTop},
		{"magick.png", false, 0}, // ImageMagick 6 keeps EXIF in a text chunk
		{"vips.png", true, raster.RightTop},
		{"vips.tif", false, raster.RightTop}, // vips writes tag 274, no EXIF IFD
		{"magick.jpg", true, raster.RightTop},
		{"magick.tif", false, raster.RightTop},
		{"exiftool.tif", true, raster.RightTop},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := readFile(t, filepath.Join(dir, tt.name))
			if got := raster.ICCDescription(h.Meta.ICC); got != "sRGB" {
				t.Errorf("got a profile of %d bytes described %q, want vips' sRGB", len(h.Meta.ICC), got)
			}
			if got := h.Meta.EXIF != nil; got != tt.exif {
				t.Errorf("got EXIF %v, want %v", got, tt.exif)
			}
			if h.Orientation != tt.orien {
				t.Errorf("got orientation %d, want %d", h.Orientation, tt.orien)
			}
			if tt.name == "exiftool.tif" && !bytes.Contains(h.Meta.EXIF, []byte("ToolModel")) {
				t.Errorf("got EXIF % x, want the model exiftool set", h.Meta.EXIF)
			}
		})
	}
}

// TestToolsReadOurMeta writes a profile and EXIF in each format and reads
// them back with vipsheader and exiftool.
func TestToolsReadOurMeta(t *testing.T) {
	vipsheader := testtool.Require(t, "vipsheader")
	exiftool := testtool.Require(t, "exiftool")
	dir := t.TempDir()
	icc := synth.ICCProfile(70000, "Ours")
	h := raster.Header{Width: 40, Height: 24, Pixel: raster.RGB8, Orientation: raster.RightTop,
		Meta: raster.Metadata{ICC: icc, EXIF: synth.Exif(raster.RightTop)}}
	for _, name := range []string{"ours.jpg", "ours.png", "ours.tif"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			writeFile(t, path, h, pattern(40, 24, raster.RGB8), WriteOptions{})
			out, err := exec.Command(vipsheader, "-a", path).CombinedOutput()
			if err != nil {
				t.Fatalf("vipsheader: %v\n%s", err, out)
			}
			for _, want := range []string{"icc-profile-data: 70000 bytes", "orientation: 6"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("vipsheader -a: got\n%s\nwant a line %q", out, want)
				}
			}
			out, err = exec.Command(exiftool, "-j", "-Orientation", "-Make", "-ExposureTime", "-ProfileDescription", path).Output()
			if err != nil {
				t.Fatalf("exiftool: %v\n%s", err, out)
			}
			var tags []map[string]any
			if err := json.Unmarshal(out, &tags); err != nil || len(tags) != 1 {
				t.Fatalf("exiftool -j: %v\n%s", err, out)
			}
			want := map[string]any{"Orientation": "Rotate 90 CW", "Make": "sluice", "ExposureTime": "1/250", "ProfileDescription": "Ours"}
			for k, v := range want {
				if tags[0][k] != v {
					t.Errorf("exiftool: got %s = %v, want %v", k, tags[0][k], v)
				}
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
	"github.com/sluice-go/sluice/raster/synth"
)

// metaInput writes a JPEG with an ICC profile, EXIF and an orientation.
func metaInput(t *testing.T, dir string) (string, raster.Metadata) {
	t.Helper()
	m := raster.Metadata{ICC: synth.ICCProfile(9000, "Cmd RGB"), EXIF: synth.ExifSized(raster.RightTop, 48, 32)}
	h := raster.Header{Width: 48, Height: 32, Pixel: raster.RGB8, Meta: m}
	path := filepath.Join(dir, "in.jpg")
	w, err := codec.Create(path, h, codec.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.WriteRows(make([]byte, h.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path, m
}

// runCmd runs the command in-process and returns its standard output.
func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args); err != nil {
		t.Fatalf("sluice %q: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

func header(t *testing.T, path string) raster.Header {
	t.Helper()
	r, err := codec.Open(path, codec.ReadOptions{HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.Header()
}

// TestRunMeta checks that run carries the metadata to each output format
// that holds it, through a chain that changes the size: by default turned
// upright, the orientation then top left in the EXIF too, with
// --no-autorotate as it was; and that --strip drops it.
func TestRunMeta(t *testing.T) {
	dir := t.TempDir()
	in, m := metaInput(t, dir) // 48×32, orientation 6: 32×48 upright
	for _, tt := range []struct {
		out   string
		args  []string
		keep  bool
		wantO raster.Orientation
		w, h  int
	}{
		{"out.png", []string{"blur:1"}, true, raster.TopLeft, 32, 48},
		{"out.tif", []string{"resize:0.5"}, true, raster.TopLeft, 16, 24},
		{"out.jpg", []string{"crop:0,0,30,40"}, true, raster.TopLeft, 30, 40},
		{"kept.jpg", []string{"--no-autorotate", "crop:0,0,40,30"}, true, raster.RightTop, 40, 30},
		{"kept.tif", []string{"--no-autorotate"}, true, raster.RightTop, 48, 32},
		{"strip.png", []string{"--strip"}, false, 0, 32, 48},
		{"strip.jpg", []string{"--strip", "--no-autorotate", "invert"}, false, 0, 48, 32},
		{"strip.tif", []string{"--strip"}, false, 0, 32, 48},
		{"out.ppm", nil, false, 0, 32, 48}, // PNM holds none
	} {
		t.Run(tt.out, func(t *testing.T) {
			out := filepath.Join(dir, tt.out)
			runCmd(t, append([]string{"run", "--quiet", in, out}, tt.args...)...)
			h := header(t, out)
			if h.Width != tt.w || h.Height != tt.h {
				t.Errorf("got %d×%d, want %d×%d", h.Width, h.Height, tt.w, tt.h)
			}
			if !tt.keep {
				if !h.Meta.Empty() || h.Orientation != 0 {
					t.Errorf("got ICC %d, EXIF %d bytes, orientation %d, want none", len(h.Meta.ICC), len(h.Meta.EXIF), h.Orientation)
				}
				return
			}
			if !bytes.Equal(h.Meta.ICC, m.ICC) {
				t.Errorf("got a profile of %d bytes, want the input's %d", len(h.Meta.ICC), len(m.ICC))
			}
			// The EXIF's orientation and size entries follow the output.
			if want := synth.ExifSized(tt.wantO, tt.w, tt.h); !bytes.Equal(h.Meta.EXIF, want) {
				t.Errorf("got EXIF % x, want % x", h.Meta.EXIF, want)
			}
			if h.Orientation != tt.wantO {
				t.Errorf("got orientation %d, want %d", h.Orientation, tt.wantO)
			}
		})
	}
	// gen writes no metadata.
	gen := filepath.Join(dir, "gen.jpg")
	runCmd(t, "gen", "--quiet", "40x30", gen)
	if h := header(t, gen); !h.Meta.Empty() || h.Orientation != 0 {
		t.Errorf("gen: got ICC %d, EXIF %d bytes, orientation %d, want none", len(h.Meta.ICC), len(h.Meta.EXIF), h.Orientation)
	}
}

func TestInfoMeta(t *testing.T) {
	dir := t.TempDir()
	in, m := metaInput(t, dir)
	out := runCmd(t, "info", in)
	for _, want := range []string{
		`icc:         8.8 KiB "Cmd RGB"`,
		"exif:        " + raster.FormatBytes(int64(len(m.EXIF))),
		"orientation: 6 (right-top: to turn a quarter clockwise)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant a line %q", out, want)
		}
	}
	var j infoJSON
	if err := json.Unmarshal([]byte(runCmd(t, "info", "--json", in)), &j); err != nil {
		t.Fatal(err)
	}
	if j.ICCBytes != len(m.ICC) || j.ICCDescription != "Cmd RGB" || j.EXIFBytes != len(m.EXIF) || j.Orientation != 6 {
		t.Errorf("info --json: got %+v, want the profile, EXIF and orientation 6", j)
	}
	plain := filepath.Join(dir, "plain.png")
	runCmd(t, "gen", "--quiet", "20x20", plain)
	if out := runCmd(t, "info", plain); strings.Contains(out, "icc:") || strings.Contains(out, "exif:") || strings.Contains(out, "orientation:") {
		t.Errorf("a file without metadata: got\n%s\nwant no metadata lines", out)
	}
}

// TestRunWarnsDropped checks that run says when the input's metadata was
// dropped as untrustworthy, and stays silent with --quiet.
func TestRunWarnsDropped(t *testing.T) {
	dir := t.TempDir()
	in, _ := metaInput(t, dir)
	good, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	// An ICC_PROFILE chunk that says it is 1 of 2, after SOI: the
	// profile is dropped.
	lie := []byte{0xff, 0xe2, 0, 2 + 12 + 2 + 2}
	lie = append(append(lie, "ICC_PROFILE\x00"...), 1, 2, 'x', 'y')
	bad := filepath.Join(dir, "bad.jpg")
	if err := os.WriteFile(bad, append(append([]byte{0xff, 0xd8}, lie...), good[2:]...), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, quiet := range []bool{false, true} {
		args := []string{"run", bad, filepath.Join(dir, "out.png")}
		if quiet {
			args = append(args, "--quiet")
		}
		var stdout, stderr bytes.Buffer
		if err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args); err != nil {
			t.Fatalf("run: %v", err)
		}
		want := "sluice: " + bad + ": icc dropped: ICC_PROFILE chunks give counts 2 and 1; the output goes without it"
		if got := strings.Contains(stderr.String(), want); got == quiet {
			t.Errorf("quiet %v: got stderr %q, want the line %q %v", quiet, stderr.String(), want, !quiet)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// shrinkPSNR is the bound the test holds shrink-on-load to: PSNR in dB of
// a chain's output decoded at a reduced size against the same chain on
// the full decode, on a photo-like image from sluice gen.
const shrinkPSNR = 35

// TestShrinkOnLoad runs resize:F on a 1200×900 photo-like JPEG with
// shrink-on-load and without (--no-shrink-on-load): the images must be the
// same size, differ (the reduced decode ran), be within shrinkPSNR dB of
// each other, and come out as the same bytes for every worker count.
func TestShrinkOnLoad(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "photo.jpg")
	if err := dispatch(context.Background(), &env{stdout: new(bytes.Buffer), stderr: new(bytes.Buffer)}, []string{"gen", "--quiet", "1200x900", in}); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) []byte {
		t.Helper()
		out := filepath.Join(dir, name)
		var stderr bytes.Buffer
		if err := dispatch(context.Background(), &env{stdout: new(bytes.Buffer), stderr: &stderr}, append(append([]string{"run", "--quiet"}, args[:len(args)-1]...), in, out, args[len(args)-1])); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return pixelsOf(t, out)
	}
	for _, f := range []string{"0.25", "0.1", "0.05"} {
		t.Run(f, func(t *testing.T) {
			op := "resize:" + f
			full := run("full.ppm", "--no-shrink-on-load", op)
			got := run("shrunk.ppm", "--workers", "1", op)
			if len(got) != len(full) {
				t.Fatalf("got %d bytes of pixels, want %d as from the full decode", len(got), len(full))
			}
			if bytes.Equal(got, full) {
				t.Errorf("the output equals the full decode's: shrink-on-load did not run")
			}
			if p := psnr(got, full); p < shrinkPSNR {
				t.Errorf("PSNR against the full decode: got %.1f dB, want at least %d", p, shrinkPSNR)
			}
			if again := run("shrunk3.ppm", "--workers", "3", "--memory", "4MiB", op); !bytes.Equal(again, got) {
				t.Errorf("3 workers and a 4 MiB budget: got other bytes than 1 worker")
			}
		})
	}
}

// pixelsOf reads the image at path and removes the file.
func pixelsOf(t *testing.T, path string) []byte {
	t.Helper()
	_, pix := readPixels(t, path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	return pix
}

func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}

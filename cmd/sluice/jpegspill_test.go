package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJPEGSpillFlags runs a progressive JPEG through --memory, --tmpdir
// and --spill-limit: with a small budget its coefficients go to a file in
// --tmpdir (a missing folder is then the error), and past --spill-limit the
// run is refused in one line that names the file and the flag, leaving no
// output.
func TestJPEGSpillFlags(t *testing.T) {
	in := filepath.Join("..", "..", "raster", "jpegio", "testdata", "cjpeg-progressive.jpg")
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	for _, tc := range []struct {
		name string
		args []string
		want string // in the one line of stderr; "" for success
	}{
		{"in memory", []string{"--tmpdir", missing}, ""},
		{"spilled", []string{"--memory", "8KiB", "--tmpdir", t.TempDir()}, ""},
		{"spilled to a missing folder", []string{"--memory", "8KiB", "--tmpdir", missing}, missing},
		{"past the spill limit", []string{"--memory", "8KiB", "--spill-limit", "1KiB"}, "--spill-limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ppm")
			var stdout, stderr bytes.Buffer
			args := append(append([]string{"run", "--quiet"}, tc.args...), in, out)
			err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args)
			code := report(&stderr, err, false)
			_, statErr := os.Stat(out)
			if tc.want == "" {
				if code != 0 || statErr != nil {
					t.Fatalf("got exit status %d (%s), want a written file", code, stderr.String())
				}
				return
			}
			msg := stderr.String()
			if code != exitFailure || !strings.HasPrefix(msg, "sluice: "+in+": ") || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 {
				t.Errorf("got exit status %d, stderr %q; want %d and one line naming %s and %q", code, msg, exitFailure, in, tc.want)
			}
			if statErr == nil {
				t.Errorf("got an output file after the failure")
			}
		})
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/bench/internal/suite"
)

// TestJobsHoldNoMachinePaths checks that the recorded command lines name
// files relative to the work directory, so that the results say what ran
// without naming this machine's directories.
func TestJobsHoldNoMachinePaths(t *testing.T) {
	work := t.TempDir()
	o := options{work: work, sluice: filepath.Join(work, "bin", "sluice"), goblur: "/opt/goblur"}
	progs := resolvePrograms(o)
	if got, want := progs["sluice"], "./bin/sluice"; got != want {
		t.Errorf("sluice: got %q, want %q", got, want)
	}
	if got, want := progs["goblur"], "/opt/goblur"; got != want {
		t.Errorf("goblur outside the work directory: got %q, want %q", got, want)
	}
	r := newImageRunner(o, progs)
	r.mask, r.env = "sharpen.mat", []string{"MAGICK_CONFIGURE_PATH=magick"}
	for _, c := range suite.Full() {
		for _, j := range r.jobs(c) {
			line := j.cmd.String()
			if strings.Contains(line, work) {
				t.Errorf("%s/%s: command %q names the work directory", c.Name, j.tool.Name, line)
			}
			if j.cmd.Dir != work {
				t.Errorf("%s/%s: dir got %q, want %q", c.Name, j.tool.Name, j.cmd.Dir, work)
			}
			im := j.tool.Program == "convert" || j.tool.Program == "gm"
			if hasPolicy := len(j.cmd.Env) > 0; hasPolicy != im {
				t.Errorf("%s/%s: got policy env %v, want it only for ImageMagick and GraphicsMagick", c.Name, j.tool.Name, j.cmd.Env)
			}
			if !strings.HasPrefix(j.cmd.Output, "out/") {
				t.Errorf("%s/%s: output got %q, want it under out/", c.Name, j.tool.Name, j.cmd.Output)
			}
		}
	}
}

func TestMissingProgramIsReported(t *testing.T) {
	r := newImageRunner(options{work: t.TempDir()}, programs{})
	for _, j := range r.jobs(suite.Quick()[0]) {
		if j.missing == "" {
			t.Errorf("%s: got no missing reason with no programs, want one", j.tool.Name)
		}
	}
}

func TestMagickPolicy(t *testing.T) {
	p := magickPolicy(16 << 30)
	for _, want := range []string{`name="memory" value="16384MiB"`, `name="width" value="1MP"`, `name="area"`} {
		if !strings.Contains(p, want) {
			t.Errorf("policy lacks %s; got\n%s", want, p)
		}
	}
}

func TestRelPath(t *testing.T) {
	got, err := relPath("..", "results/chart.png")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Base(mustAbs(t, ".")) + "/results/chart.png"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEveryProgramResolves checks that resolvePrograms looks for every
// program a comparison runs: with an executable of each name on the PATH,
// none is reported missing (a program it never looks for would read as
// "not installed" on any machine).
func TestEveryProgramResolves(t *testing.T) {
	bin := t.TempDir()
	for _, name := range []string{"vips", "vipsthumbnail", "convert-im6.q16", "gm", "djpeg", "cjpeg", "sh", "node"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	progs := resolvePrograms(options{work: t.TempDir(), sluice: "sluice", goblur: "goblur"})
	for _, key := range suite.Programs(append(suite.All(), suite.Quick()...)) {
		if _, ok := progs[key]; !ok {
			t.Errorf("program %q: not looked for", key)
		}
	}
}

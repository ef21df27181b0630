package report

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-go/sluice/bench/internal/gobench"
	"github.com/sluice-go/sluice/bench/internal/measure"
)

func sample(wall float64, rss int64) measure.Sample {
	return measure.Sample{Outcome: measure.OK, Usage: measure.Usage{
		Wall: time.Duration(wall * float64(time.Second)), User: time.Second, System: time.Second / 2, MaxRSS: rss,
	}}
}

func TestNewToolResult(t *testing.T) {
	ok := sample(1, 100)
	tests := []struct {
		name        string
		warm        measure.Sample
		runs        []measure.Sample
		wantOutcome string
		wantWall    float64
		wantRSS     int64
		wantDetail  string
	}{
		{"all ok", ok, []measure.Sample{sample(3, 30), sample(1, 10), sample(2, 20)}, "ok", 2, 20, ""},
		{"one killed", ok, []measure.Sample{sample(3, 30), {Outcome: measure.Killed, Detail: "killed by signal 9"}, sample(1, 10)},
			"killed", 2, 20, "signal 9"},
		{"warm-up failed", measure.Sample{Outcome: measure.Failed, Detail: "exit status 1: no decoder"}, nil,
			"failed", 0, 0, "warm-up: exit status 1: no decoder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewToolResult("vips", "vips x", "", tt.warm, tt.runs)
			if tr.Outcome != tt.wantOutcome || tr.WallS != tt.wantWall || tr.MaxRSS != tt.wantRSS {
				t.Errorf("got outcome %q wall %v RSS %d, want %q %v %d", tr.Outcome, tr.WallS, tr.MaxRSS, tt.wantOutcome, tt.wantWall, tt.wantRSS)
			}
			if !strings.Contains(tr.Detail, tt.wantDetail) {
				t.Errorf("detail: got %q, want it to contain %q", tr.Detail, tt.wantDetail)
			}
			if len(tr.Samples) != len(tt.runs) {
				t.Errorf("samples: got %d, want %d (failed runs are kept)", len(tr.Samples), len(tt.runs))
			}
		})
	}
}

func TestSetRatios(t *testing.T) {
	c := Comparison{Tools: []ToolResult{
		NewToolResult("sluice", "", "", sample(1, 10), []measure.Sample{sample(1, 10), sample(2, 10), sample(1, 10)}),
		// Twice as slow in every round, including the slow round 2.
		NewToolResult("peer", "", "", sample(1, 10), []measure.Sample{sample(2, 40), sample(4, 40), {Outcome: measure.Failed}}),
	}}
	c.SetRatios()
	p := c.Tools[1]
	if p.WallRatio != 2 || p.RSSRatio != 4 || p.Pairs != 2 {
		t.Errorf("got wall ratio %v, RSS ratio %v over %d pairs, want 2, 4 over 2", p.WallRatio, p.RSSRatio, p.Pairs)
	}
	if c.Tools[0].WallRatio != 0 {
		t.Errorf("base ratio: got %v, want 0 (not set)", c.Tools[0].WallRatio)
	}
}

func testResult(quick bool, started time.Time) *Result {
	ok := sample(1, 64<<20)
	mk := func(name string, size int, scaling bool) Comparison {
		c := Comparison{Name: name, Work: "Gaussian blur σ=2, TIFF→TIFF", Input: "test input", Size: size, Scaling: scaling,
			Tools: []ToolResult{
				NewToolResult("sluice", "./bin/sluice run in.tif out.tif blur:2", "", ok, []measure.Sample{ok, ok}),
				NewToolResult("vips", "vips gaussblur in.tif out.tif 2", "shorter | kernel", ok, []measure.Sample{sample(2, 128<<20), sample(2, 128<<20)}),
				NewToolResult("ImageMagick", "convert in.tif -gaussian-blur 0x2 out.tif", "", ok,
					[]measure.Sample{{Outcome: measure.Killed, Detail: "killed by signal 9 (out of memory?)"}}),
			}}
		c.SetRatios()
		return c
	}
	return &Result{
		Date: "2024-01-02", Host: "box/1", Quick: quick, Started: started, Duration: 4000, Runs: 2,
		Machine:  Machine{CPU: "Test CPU", Cores: 2, Memory: 8 << 30, OS: "Debian", Go: "go1.26"},
		Versions: map[string]string{"vips": "vips-8.14.1"},
		Images:   []Comparison{mk("blur-tif", 10000, true), mk("blur-tif-20k", 20000, true)},
		Pipeline: &Pipeline{Command: "go test -bench .", Missing: map[string]string{"rill": "not fetched"},
			Results: []gobench.Result{{Workload: "Overhead", Params: map[string]string{"impl": "sluice", "workers": "1"},
				Metrics: map[string]float64{"ns/item": 30, "allocs/item": 0.002}}}},
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, testResult(false, time.Now()), "bench/results/x.json", "bench/results/chart.png"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"from bench/results/x.json",
		"The full run took 1 h 6 min",
		"![Wall time relative to sluice per comparison, and peak memory against image size, both on log scales](bench/results/chart.png)",
		"| sluice | 1.00 s | 1.50 s | 64 MiB | 1 | 1 |  |",
		"| vips | 2.00 s | 1.50 s | 128 MiB | 2.00 | 2.00 | shorter \\| kernel |",
		"| ImageMagick ✗ | — | — | — | — | — | **killed**: killed by signal 9 (out of memory?). |",
		"convert in.tif -gaussian-blur 0x2 out.tif",
		"| Overhead | 1 | 30 ns (0.002) | — |",
		"- rill did not run: not fetched",
		"| vips | vips-8.14.1 |",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q; got\n%s", want, page)
		}
	}
}

func TestChart(t *testing.T) {
	for _, scaling := range []bool{true, false} {
		r := testResult(false, time.Now())
		for i := range r.Images {
			r.Images[i].Scaling = scaling
		}
		var b bytes.Buffer
		if err := Chart(&b, r); err != nil {
			t.Fatalf("scaling=%v: %v", scaling, err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("scaling=%v: chart is not a PNG: %v", scaling, err)
		}
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 600 || h < 600 {
			t.Errorf("scaling=%v: chart size got %d×%d, want at least 600×600", scaling, w, h)
		}
	}
	if err := Chart(&bytes.Buffer{}, &Result{}); err == nil {
		t.Error("chart of no comparisons: got nil error, want one")
	}
}

func TestSaveLoadNewest(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	full := testResult(false, t0)
	quick := testResult(true, t0.Add(time.Hour))
	for _, r := range []*Result{full, quick} {
		if _, err := r.Save(dir); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := full.FileName(), "2024-01-02-box_1.json"; got != want {
		t.Errorf("file name: got %s, want %s", got, want)
	}
	if got, want := quick.FileName(), "2024-01-02-box_1-quick.json"; got != want {
		t.Errorf("quick file name: got %s, want %s", got, want)
	}
	tests := []struct {
		quickOK bool
		want    string
	}{{false, full.FileName()}, {true, quick.FileName()}}
	for _, tt := range tests {
		path, err := Newest(dir, tt.quickOK)
		if err != nil {
			t.Fatal(err)
		}
		if got := filepath.Base(path); got != tt.want {
			t.Errorf("Newest(quickOK=%v): got %s, want %s", tt.quickOK, got, tt.want)
		}
	}
	back, err := Load(filepath.Join(dir, full.FileName()))
	if err != nil {
		t.Fatal(err)
	}
	if back.Images[1].Tools[1].WallRatio != 2 || back.Images[1].Tools[2].Outcome != "killed" {
		t.Errorf("round trip: got %+v, want the saved figures", back.Images[1].Tools)
	}
	// A partial run, however new, is never the page's source.
	part := testResult(false, t0.Add(2*time.Hour))
	part.Only = "dist,chains"
	if got, want := part.FileName(), "2024-01-02-box_1-only-dist+chains.json"; got != want {
		t.Errorf("partial file name: got %s, want %s", got, want)
	}
	if _, err := part.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, quickOK := range []bool{false, true} {
		path, err := Newest(dir, quickOK)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(path) == part.FileName() {
			t.Errorf("Newest(quickOK=%v) chose the partial run", quickOK)
		}
	}
	if _, err := Newest(t.TempDir(), true); err == nil {
		t.Error("Newest of an empty directory: got nil error, want one")
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil {
		t.Error("Load of broken JSON: got nil error, want one")
	}
}

func TestFormat(t *testing.T) {
	bytesTests := []struct {
		n    int64
		want string
	}{{0, "—"}, {512 << 10, "512 KiB"}, {64 << 20, "64 MiB"}, {3 << 29, "1.50 GiB"}}
	for _, tt := range bytesTests {
		if got := FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d): got %s, want %s", tt.n, got, tt.want)
		}
	}
	durTests := []struct {
		s    float64
		want string
	}{{42, "42 s"}, {185, "3 min 5 s"}, {3900, "1 h 5 min"}}
	for _, tt := range durTests {
		if got := FormatDuration(tt.s); got != tt.want {
			t.Errorf("FormatDuration(%v): got %s, want %s", tt.s, got, tt.want)
		}
	}
}

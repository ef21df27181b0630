package suite

import (
	"slices"
	"strings"
	"testing"
)

func TestSuiteShape(t *testing.T) {
	for _, set := range []struct {
		name string
		cs   []Comparison
	}{{"full", Full()}, {"quick", Quick()}} {
		t.Run(set.name, func(t *testing.T) {
			names := map[string]bool{}
			for _, c := range set.cs {
				if names[c.Name] {
					t.Errorf("comparison %q: got it twice, want unique names", c.Name)
				}
				names[c.Name] = true
				if len(c.Tools) < 2 {
					t.Errorf("%s: got %d tools, want sluice and at least one peer", c.Name, len(c.Tools))
					continue
				}
				if c.Tools[0].Program != "sluice" {
					t.Errorf("%s: first tool got %q, want sluice (the base of the ratios)", c.Name, c.Tools[0].Program)
				}
				tools := map[string]bool{}
				for _, tool := range c.Tools {
					if tools[tool.Name] {
						t.Errorf("%s: tool %q twice", c.Name, tool.Name)
					}
					tools[tool.Name] = true
					joined := strings.Join(tool.Args, " ")
					if !strings.Contains(joined, "{in}") || !strings.Contains(joined, "{out}") {
						t.Errorf("%s/%s: args %q lack {in} or {out}", c.Name, tool.Name, joined)
					}
				}
			}
		})
	}
}

func TestQuick(t *testing.T) {
	q := Quick()
	if len(q) != 3 {
		t.Fatalf("got %d quick comparisons, want 3", len(q))
	}
	for _, c := range q {
		if c.Input.Size != QuickSize {
			t.Errorf("%s: size got %d, want %d", c.Name, c.Input.Size, QuickSize)
		}
	}
	// Quick must not shrink the full suite's inputs.
	for _, c := range Full() {
		if c.Input.Size < FullSize {
			t.Errorf("full %s: size got %d, want at least %d", c.Name, c.Input.Size, FullSize)
		}
	}
}

func TestScalingSizes(t *testing.T) {
	var sizes []int
	for _, c := range Full() {
		if c.Scaling {
			sizes = append(sizes, c.Input.Size)
		}
	}
	want := []int{10_000, 20_000, 30_000}
	if !slices.Equal(sizes, want) {
		t.Errorf("scaling sizes: got %v, want %v", sizes, want)
	}
}

func TestExpand(t *testing.T) {
	c := Comparison{Input: Input{Size: 10_000, Ext: "tif", Tiled: true}, Tools: vipsBenchTools()}
	got := c.Expand(c.Tools[2], "a.tif", "b.tif", "/t", "m.mat")
	want := []string{"a.tif", "-crop", "9800x9800+100+100", "+repage", "-resize", "90%", "-convolve",
		sharpenKernel, "-define", "tiff:tile-geometry=128x128", "b.tif"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	script := c.Expand(c.Tools[1], "a.tif", "b.tif", "/t", "m.mat")[1]
	for _, part := range []string{"extract_area a.tif /t/t1.v 100 100 9800 9800", "conv /t/t2.v 'b.tif[tile,tile-width=128,tile-height=128]' m.mat"} {
		if !strings.Contains(script, part) {
			t.Errorf("vips script %q: want it to contain %q", script, part)
		}
	}
	if c.Tools[2].Args[0] != "{in}" {
		t.Errorf("Expand modified the tool's args: got %q, want {in}", c.Tools[2].Args[0])
	}
}

func TestInput(t *testing.T) {
	tests := []struct {
		in       Input
		file     string
		str      string
		wantArgs string
	}{
		{Input{Size: 10_000, Ext: "ppm"}, "in-10000.ppm", "10000×10000 RGB8 PPM", "gen --quiet --seed 1 10000x10000 o"},
		{Input{Size: 10_000, Ext: "tif", Tiled: true}, "in-10000-tiled.tif", "10000×10000 RGB8 tiled TIFF",
			"gen --quiet --seed 1 --compression none --tiled --tile 128 10000x10000 o"},
		{Input{Size: 2_000, Ext: "jpg"}, "in-2000.jpg", "2000×2000 RGB8 JPEG", "gen --quiet --seed 1 --quality 90 2000x2000 o"},
		{Input{Size: 2_000, Ext: "jpg", By: "cjpeg"}, "in-2000-cjpeg.jpg", "2000×2000 RGB8 JPEG by cjpeg", "gen --quiet --seed 1 2000x2000 o"},
		{Input{Size: 6_000, Ext: "tif", Channels: 4}, "in-6000-rgba8.tif", "6000×6000 RGBA8 TIFF",
			"gen --quiet --seed 1 --channels 4 --compression none 6000x6000 o"},
		{Input{Size: 10_000, Ext: "tif", Depth: 16}, "in-10000-rgb16.tif", "10000×10000 RGB16 TIFF",
			"gen --quiet --seed 1 --depth 16 --compression none 10000x10000 o"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := tt.in.File(); got != tt.file {
				t.Errorf("File: got %q, want %q", got, tt.file)
			}
			if got := tt.in.String(); got != tt.str {
				t.Errorf("String: got %q, want %q", got, tt.str)
			}
			if got := strings.Join(tt.in.GenArgs("o"), " "); got != tt.wantArgs {
				t.Errorf("GenArgs: got %q, want %q", got, tt.wantArgs)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	all := Full()
	tests := []struct {
		names   string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"median-tif, blur-ppm", []string{"blur-ppm", "median-tif"}, ""},
		{"blur-ppm,nope", nil, "unknown comparison nope"},
		{"jpeg", []string{"jpeg-encode", "blur-jpg", "thumbnail-jpg", "jpeg-decode", "jpeg-decode-cjpeg", "blur-jpg-30k"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.names, func(t *testing.T) {
			got, err := Select(all, tt.names)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if len(got) != len(all) {
					t.Errorf("got %d, want all %d", len(got), len(all))
				}
				return
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
		})
	}
}

func TestLastUseAndPrograms(t *testing.T) {
	full := Full()
	last := LastUse(full)
	if got, want := full[last["in-10000.tif"]].Name, "dist"; got != want {
		t.Errorf("last use of in-10000.tif: got %s, want %s", got, want)
	}
	// Inputs must be grouped, so that at most one large input is on disk
	// at a time: the comparisons reading a file are consecutive.
	first := map[string]int{}
	for i, c := range full {
		f := c.Input.File()
		if _, ok := first[f]; !ok {
			first[f] = i
		}
		for j := first[f]; j <= last[f]; j++ {
			if full[j].Input.File() != f {
				t.Errorf("%s (at %d) lies between two users of %s (%d…%d)", full[j].Name, j, f, first[f], last[f])
			}
		}
	}
	want := []string{"cjpeg", "convert", "djpeg", "gm", "goblur", "node", "sh", "sluice", "vips", "vipsthumbnail"}
	if got := Programs(full); !slices.Equal(got, want) {
		t.Errorf("Programs: got %v, want %v", got, want)
	}
}

// TestDiffuse checks the diffuse rows: one per step count, every sluice
// strategy, the peers, and that --only diffuse selects them all while
// the full run leaves them out.
func TestDiffuse(t *testing.T) {
	d := Diffuse()
	if len(d) != len(DiffuseSteps) {
		t.Fatalf("got %d diffuse comparisons, want %d", len(d), len(DiffuseSteps))
	}
	for _, c := range d {
		var names []string
		for _, tool := range c.Tools {
			names = append(names, tool.Name)
		}
		for _, want := range []string{"sluice", "sluice fused", "sluice steps", "sluice exchange", "G'MIC heat_flow", "ImageMagick"} {
			if !slices.Contains(names, want) {
				t.Errorf("%s: tools %q lack %q", c.Name, names, want)
			}
		}
		if c.Input.Size != DiffuseSize {
			t.Errorf("%s: size %d, want %d", c.Name, c.Input.Size, DiffuseSize)
		}
	}
	sel, err := Select(All(), "diffuse")
	if err != nil || len(sel) != len(DiffuseSteps) || sel[0].Name != "diffuse-1" {
		t.Errorf("Select(diffuse): got %d comparisons, %v; want %d from diffuse-1", len(sel), err, len(DiffuseSteps))
	}
	if sel, err := Select(All(), "diffuse-50,blur-ppm"); err != nil || len(sel) != 2 {
		t.Errorf("Select(diffuse-50,blur-ppm): got %d, %v; want 2", len(sel), err)
	}
	for _, c := range Full() {
		if strings.HasPrefix(c.Name, "diffuse") {
			t.Errorf("full run holds %s, want diffuse only on demand", c.Name)
		}
	}
}

// TestChains checks the chains group: --only chains selects every row of
// it, each chain has the sum of its parts and one vips command per
// operation, joined by .v files.
func TestChains(t *testing.T) {
	cs, err := Select(Full(), "chains")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(cs), len(Chains(FullSize)); got != want {
		t.Fatalf("--only chains: got %d comparisons, want %d", got, want)
	}
	for _, c := range cs {
		if c.Group != "chains" {
			t.Errorf("%s: group %q, want chains", c.Name, c.Group)
		}
	}
	c := cs[0]
	if c.Name != "chain-blur-invert" {
		t.Fatalf("first: got %s, want chain-blur-invert", c.Name)
	}
	names := []string{}
	for _, tl := range c.Tools {
		names = append(names, tl.Name)
	}
	if got, want := strings.Join(names, ","), "sluice,sluice, one run per operation,vips,sharp"; got != want {
		t.Fatalf("tools: got %q, want %q", got, want)
	}
	if got, want := c.Tools[1].Args[1], "{sluice} run --quiet {in} {tmp}/p1.tif blur:2 && {sluice} run --quiet {tmp}/p1.tif {out} invert"; got != want {
		t.Errorf("parts: got %q, want %q", got, want)
	}
	if got, want := c.Tools[2].Args[1], "vips gaussblur {in} {tmp}/t1.v 2 && vips invert {tmp}/t1.v {out}"; got != want {
		t.Errorf("vips: got %q, want %q", got, want)
	}
	if got, want := vipsOp("levels:0.1,0.9", "a", "b"), "vips linear --uchar -- a b 1.25 -31.875"; got != want {
		t.Errorf("levels: got %q, want %q", got, want)
	}
	if got, want := vipsOp("median:2", "a", "b"), "vips rank a b 5 5 12"; got != want {
		t.Errorf("median: got %q, want %q", got, want)
	}
}

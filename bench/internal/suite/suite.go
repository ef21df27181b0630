// Package suite lists the image comparisons that bench/run measures: what
// each one does, on which input, and the exact command line of every tool.
// It runs nothing; package measure runs what it describes.
package suite

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Input is a generated test image: Size×Size pixels, RGB 8-bit unless
// Channels (1 to 4) or Depth (8 or 16) say otherwise, in the format named
// by Ext ("ppm", "tif", "png" or "jpg"), stored in tiles of 128×128 when
// Tiled.
type Input struct {
	Size     int
	Ext      string
	Tiled    bool
	Channels int // 0 means 3
	Depth    int // 0 means 8
	// By names the encoder of a JPEG input: "" for sluice gen, "cjpeg"
	// for libjpeg-turbo's cjpeg at quality 90 from sluice gen's PPM (a
	// file without restart markers).
	By string
}

// pixel names the input's pixel format, e.g. "RGB8" or "RGBA16".
func (in Input) pixel() string {
	name := map[int]string{0: "RGB", 1: "Gray", 2: "GrayAlpha", 3: "RGB", 4: "RGBA"}[in.Channels]
	return fmt.Sprintf("%s%d", name, cmp.Or(in.Depth, 8))
}

// File is the input's file name, e.g. "in-10000.ppm",
// "in-10000-tiled.tif" or "in-6000-rgba8.tif".
func (in Input) File() string {
	name := fmt.Sprintf("in-%d", in.Size)
	if in.Tiled {
		name += "-tiled"
	}
	if p := in.pixel(); p != "RGB8" {
		name += "-" + strings.ToLower(p)
	}
	if in.By != "" {
		name += "-" + in.By
	}
	return name + "." + in.Ext
}

// String describes the input, e.g. "10000×10000 RGB8 tiled TIFF".
func (in Input) String() string {
	name := map[string]string{"ppm": "PPM", "tif": "TIFF", "png": "PNG", "jpg": "JPEG"}[in.Ext]
	if in.Tiled {
		name = "tiled " + name
	}
	if in.By != "" {
		name += " by " + in.By
	}
	return fmt.Sprintf("%d×%d %s %s", in.Size, in.Size, in.pixel(), name)
}

// GenArgs are the arguments of "sluice gen" that write this input as file
// out: deterministic (seed 1), uncompressed TIFF, JPEG quality 90. For an
// input By another encoder, they write the PPM that EncodeArgs encodes.
func (in Input) GenArgs(out string) []string {
	args := []string{"gen", "--quiet", "--seed", "1"}
	if in.By != "" {
		in.Ext = "ppm"
	}
	if in.Channels != 0 && in.Channels != 3 {
		args = append(args, "--channels", strconv.Itoa(in.Channels))
	}
	if in.Depth != 0 && in.Depth != 8 {
		args = append(args, "--depth", strconv.Itoa(in.Depth))
	}
	switch in.Ext {
	case "tif":
		args = append(args, "--compression", "none")
		if in.Tiled {
			args = append(args, "--tiled", "--tile", "128")
		}
	case "jpg":
		args = append(args, "--quality", "90")
	}
	return append(args, fmt.Sprintf("%dx%d", in.Size, in.Size), out)
}

// EncodeArgs are the program key and arguments that encode the PPM ppm
// into out for an input By another encoder; nil when sluice gen writes
// the input itself.
func (in Input) EncodeArgs(ppm, out string) []string {
	if in.By == "cjpeg" {
		return []string{"cjpeg", "-quality", "90", "-outfile", out, ppm}
	}
	return nil
}

// Tool is one program doing a comparison's work.
type Tool struct {
	// Name identifies the tool in tables and on the chart, e.g. "vips" or
	// "vips --min-ampl 0.011". The same name in two comparisons is the
	// same program with the same settings.
	Name string
	// Program is the key of the executable, resolved by the runner:
	// "sluice", "vips", "convert" (ImageMagick), "gm", "goblur" or "sh".
	Program string
	// Args follow the program. They may hold the placeholders {in},
	// {out}, {tmp} (a scratch directory), {mask} (the 3×3 sharpen matrix
	// for vips), {size}, {crop} (size-200), {shrunk} (90% of {crop}) and
	// {sluice} (the sluice binary, for shell commands).
	Args []string
	// Note says how the tool's work differs from sluice's, when it does.
	Note string
}

// Comparison is one row group of the results: one piece of work done by
// several tools on the same input. Tools[0] is sluice, the base that every
// ratio divides by.
type Comparison struct {
	Name   string // short, for --only: "blur-ppm"
	Group  string // a name for --only that selects several, e.g. "jpeg" or "chains"
	Work   string // what is done, e.g. "Gaussian blur σ=2, PPM→PPM"
	Input  Input
	OutExt string // the output's extension
	Tools  []Tool
	// Scaling marks the comparisons that share Work across input sizes;
	// the chart plots their peak memory against size.
	Scaling bool
}

// Expand returns t's arguments with the placeholders filled in.
func (c Comparison) Expand(t Tool, in, out, tmp, mask string) []string {
	crop := c.Input.Size - 200
	r := strings.NewReplacer(
		"{in}", in, "{out}", out, "{tmp}", tmp, "{mask}", mask,
		"{size}", strconv.Itoa(c.Input.Size),
		"{crop}", strconv.Itoa(crop),
		"{shrunk}", strconv.Itoa(crop*9/10),
	)
	args := make([]string, len(t.Args))
	for i, a := range t.Args {
		args[i] = r.Replace(a)
	}
	return args
}

// Programs returns the program keys that the comparisons need, sorted.
func Programs(cs []Comparison) []string {
	var ps []string
	for _, c := range cs {
		for _, t := range c.Tools {
			if !slices.Contains(ps, t.Program) {
				ps = append(ps, t.Program)
			}
		}
	}
	slices.Sort(ps)
	return ps
}

// Select returns the comparisons whose names, groups, or names up to their
// first dash, are listed in names (comma separated), in the suite's order,
// or an error naming any unknown one. An empty names selects all.
func Select(cs []Comparison, names string) ([]Comparison, error) {
	if strings.TrimSpace(names) == "" {
		return cs, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(names, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []Comparison
	found := map[string]bool{}
	for _, c := range cs {
		// A name before its first dash names a group too: "diffuse" is
		// diffuse-1, diffuse-10 and the others.
		prefix, _, _ := strings.Cut(c.Name, "-")
		if want[c.Name] || want[prefix] || c.Group != "" && want[c.Group] {
			out = append(out, c)
			found[c.Name], found[prefix] = true, true
			if c.Group != "" {
				found[c.Group] = true
			}
		}
	}
	for n := range found {
		delete(want, n)
	}
	if len(want) > 0 {
		var unknown, known []string
		for n := range want {
			unknown = append(unknown, n)
		}
		for _, c := range cs {
			known = append(known, c.Name)
		}
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown comparison %s (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return out, nil
}

// LastUse maps each input file to the index of the last comparison in cs
// that reads it, so that the runner can delete an input as soon as it is no
// longer needed.
func LastUse(cs []Comparison) map[string]int {
	m := map[string]int{}
	for i, c := range cs {
		m[c.Input.File()] = i
	}
	return m
}

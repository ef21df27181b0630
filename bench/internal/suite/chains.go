package suite

import (
	"fmt"
	"strconv"
	"strings"
)

// The chains group: chains of operations and formats other than RGB 8-bit,
// each against libvips run the way a user would (one vips call per
// operation, joined by files in vips' own format, which it maps into
// memory) and against sharp, the most used libvips binding (libvips 8.18
// with SIMD, installed by bench/run with npm). A chain's rows also hold
// "sluice, one run per operation": the sum of its parts run alone by sluice,
// through uncompressed TIFF files.

// Notes on the chain peers.
const (
	noteSharp = "one sharp pipeline per operation in the given order, raw pixels in memory between them " +
		"(a pipeline applies its operations in sharp's own fixed order); sharp.concurrency = cores"
	noteVipsChain    = "one vips command per operation, joined by .v files in a scratch directory"
	noteVipsSharpen  = "vips and sharp sharpen lightness only, in CIELAB, with a non-linear gain"
	noteVipsAlpha    = "vips blurs and ranks the four bands as they are: alpha not premultiplied"
	noteResizeDef    = "vips resize's default (gap 2) box-shrinks by floor(1/(2·factor)) first, then Lanczos-3 over what is left, as sluice does from 1/4 down: like with like"
	noteResizeGap0   = "--gap 0: Lanczos-3 over the whole factor, no box: more work than sluice below 1/4"
	noteSharpResize  = "sharp's resize box-shrinks first, like vips resize's default"
	noteSluiceParts  = "the sum of the parts: one sluice run per operation, through uncompressed TIFF files"
	noteGaussDefault = "vips and sharp cut the Gaussian below 0.2 of its peak (radius 3 at σ=2; sluice 6)"
)

// vipsOp returns the vips command of one sluice operation, from in to out.
func vipsOp(op string, in, out string) string {
	name, arg, _ := strings.Cut(op, ":")
	switch name {
	case "blur":
		return fmt.Sprintf("vips gaussblur %s %s %s", in, out, arg)
	case "invert":
		return fmt.Sprintf("vips invert %s %s", in, out)
	case "median":
		r, _ := strconv.Atoi(arg)
		n := 2*r + 1
		return fmt.Sprintf("vips rank %s %s %d %d %d", in, out, n, n, n*n/2)
	case "gray":
		return fmt.Sprintf("vips colourspace %s %s b-w", in, out)
	case "levels":
		lo, hi, _ := strings.Cut(arg, ",")
		l, _ := strconv.ParseFloat(lo, 64)
		h, _ := strconv.ParseFloat(hi, 64)
		a := 1 / (h - l)
		// "--" ends the options, so that the negative offset is not read
		// as one.
		return fmt.Sprintf("vips linear --uchar -- %s %s %g %g", in, out, a, -l*a*255)
	case "resize":
		return fmt.Sprintf("vips resize %s %s %s", in, out, arg)
	case "sharpen":
		return fmt.Sprintf("vips sharpen %s %s --sigma 1", in, out)
	}
	panic("suite: no vips command for " + op)
}

// chainTools are sluice, the sum of its parts, libvips and sharp doing ops
// in order on an input of the given channels.
func chainTools(ops []string, in Input) []Tool {
	channels := in.Channels
	if channels == 0 {
		channels = 3
	}
	sluiceArgs := append([]string{"run", "--quiet", "{in}", "{out}"}, ops...)
	tools := []Tool{{Name: "sluice", Program: "sluice", Args: sluiceArgs}}
	var vips, parts []string
	for i, op := range ops {
		src, dst := fmt.Sprintf("{tmp}/t%d.v", i), fmt.Sprintf("{tmp}/t%d.v", i+1)
		psrc, pdst := fmt.Sprintf("{tmp}/p%d.tif", i), fmt.Sprintf("{tmp}/p%d.tif", i+1)
		if i == 0 {
			src, psrc = "{in}", "{in}"
		}
		if i == len(ops)-1 {
			dst, pdst = "{out}", "{out}"
		}
		vips = append(vips, vipsOp(op, src, dst))
		parts = append(parts, fmt.Sprintf("{sluice} run --quiet %s %s %s", psrc, pdst, op))
	}
	if len(ops) > 1 {
		tools = append(tools, Tool{Name: "sluice, one run per operation", Program: "sh",
			Args: []string{"-c", strings.Join(parts, " && ")}, Note: noteSluiceParts})
	}
	note := noteVipsChain
	if strings.Contains(strings.Join(ops, " "), "sharpen") {
		note += "; " + noteVipsSharpen
	}
	if strings.Contains(strings.Join(ops, " "), "blur") {
		note += "; " + noteGaussDefault
	}
	if channels == 4 {
		note += "; " + noteVipsAlpha
	}
	tools = append(tools,
		Tool{Name: "vips", Program: "sh", Args: []string{"-c", strings.Join(vips, " && ")}, Note: note},
		Tool{Name: "sharp", Program: "node", Args: append([]string{"../sharp/run.js", "{in}", "{out}"}, ops...), Note: noteSharp},
	)
	return tools
}

// resizeTools are sluice, vips resize at its default and with --gap 0, and
// sharp, resizing by s.
func resizeTools(s string) []Tool {
	return []Tool{
		{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}", "resize:" + s}},
		{Name: "vips resize", Program: "vips", Args: []string{"resize", "{in}", "{out}", s}, Note: noteResizeDef},
		{Name: "vips resize --gap 0", Program: "vips", Args: []string{"resize", "{in}", "{out}", s, "--gap", "0"}, Note: noteResizeGap0},
		{Name: "sharp", Program: "node", Args: []string{"../sharp/run.js", "{in}", "{out}", "resize:" + s}, Note: noteSharpResize},
	}
}

// Chains returns the comparisons of the chains group, on size² images.
func Chains(size int) []Comparison {
	rgb := Input{Size: size, Ext: "tif"}
	rgba := Input{Size: size, Ext: "tif", Channels: 4}
	rgb16 := Input{Size: size, Ext: "tif", Depth: 16}
	chain := func(name string, in Input, ops ...string) Comparison {
		return Comparison{Name: name, Group: "chains", Work: strings.Join(ops, " ") + ", TIFF→TIFF", Input: in, OutExt: "tif", Tools: chainTools(ops, in)}
	}
	resize := func(name string, in Input, s string) Comparison {
		return Comparison{Name: name, Group: "chains", Work: "resize:" + s + " (Lanczos-3), TIFF→TIFF", Input: in, OutExt: "tif", Tools: resizeTools(s)}
	}
	return []Comparison{
		chain("chain-blur-invert", rgb, "blur:2", "invert"),
		chain("chain-blur-median", rgb, "blur:2", "median:1"),
		chain("chain-gray-levels-blur", rgb, "gray", "levels:0.1,0.9", "blur:1"),
		chain("chain-blur-resize-sharpen", rgb, "blur:1", "resize:0.5", "sharpen"),
		resize("resize-0.5-rgb", rgb, "0.5"),
		resize("resize-0.1-rgb", rgb, "0.1"),
		resize("resize-2-rgb", rgb, "2"),
		resize("resize-0.5-rgba", rgba, "0.5"),
		resize("resize-0.1-rgba", rgba, "0.1"),
		resize("resize-2-rgba", rgba, "2"),
		chain("blur-rgba", rgba, "blur:2"),
		chain("sharpen-rgba", rgba, "sharpen"),
		chain("median-rgba", rgba, "median:2"),
		chain("blur-rgb16", rgb16, "blur:2"),
		chain("sharpen-rgb16", rgb16, "sharpen"),
		chain("median-rgb16", rgb16, "median:2"),
		resize("resize-0.1-rgb16", rgb16, "0.1"),
		resize("resize-0.5-rgb16", rgb16, "0.5"),
		resize("resize-2-rgb16", rgb16, "2"),
	}
}

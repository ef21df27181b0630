package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
	"github.com/sluice-go/sluice/raster/synth"
)

const demoUsage = `usage: sluice demo [flags]

Generates a large photo-like test image in a temporary folder, filters it
with a chain of operations while showing progress, and prints where the time
went: how busy each stage was, what it waited for, which stage limited the
run, and the peak memory against the image's size.`

// demoChain is the chain the demo runs.
var demoChain = []string{"blur:2", "sharpen", "contrast:1.1"}

type demoOptions struct {
	commonFlags
	size string
	keep bool
	dir  string
}

func runDemo(ctx context.Context, e *env, args []string) (err error) {
	var o demoOptions
	fs := newFlagSet("demo", demoUsage)
	o.register(fs)
	fs.StringVar(&o.size, "size", "20000x20000", "size of the generated image, WxH")
	fs.BoolVar(&o.keep, "keep", false, "keep the generated input image as well as the output")
	fs.StringVar(&o.dir, "dir", "", "folder for the files (default: a new temporary folder)")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("demo takes no arguments, got %q", strings.Join(pos, " "))
	}
	w, h, err := parseDims(o.size)
	if err != nil {
		return usageErrorf("--size: %v", err)
	}
	if err := o.watch.start(e); err != nil {
		return err
	}
	defer func() { err = o.watch.finish(ctx, e, err) }()
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "sluice-demo-"); err != nil {
			return err
		}
	}
	input := filepath.Join(dir, "input.tif")
	output := filepath.Join(dir, "output.png")
	out := e.stdout
	pf := raster.RGB8
	fmt.Fprintf(out, "sluice demo: a %d×%d RGB image is %s decoded; sluice streams it through a memory budget of %s.\n\n",
		w, h, raster.FormatBytes(int64(w)*int64(h)*3), raster.FormatBytes(budgetOf(&o.commonFlags)))

	// 1. Generate the input.
	fmt.Fprintf(out, "1. generating %s\n", input)
	t0 := time.Now()
	gen := synth.New(w, h, pf, synth.Options{Seed: 1, Workers: o.workers})
	genFlags := o.commonFlags
	genFlags.stats = statsFlag{}
	_, err = process(ctx, e, gen, input, nil, &genFlags, "gen")
	gen.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   %s in %s\n\n", raster.FormatBytes(fileSize(input)), time.Since(t0).Round(time.Millisecond))
	if !o.keep {
		defer os.Remove(input)
	}

	// 2. Filter it.
	chain, err := filter.ParseChain(demoChain)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "2. filtering: %s → %s with %s\n", filepath.Base(input), filepath.Base(output), chain)
	in, err := codec.Open(input, codec.ReadOptions{Workers: o.workers})
	if err != nil {
		return err
	}
	defer in.Close()
	runFlags := o.commonFlags
	runFlags.stats = statsFlag{}
	t1 := time.Now()
	job, err := process(ctx, e, in, output, chain, &runFlags, "run")
	if err != nil {
		return err
	}
	elapsed := time.Since(t1)
	st := job.Stats()
	mpx := float64(w) * float64(h) / 1e6
	fmt.Fprintf(out, "   %.0f megapixels in %s: %.1f Mpx/s on %d workers\n\n", mpx, elapsed.Round(time.Millisecond), mpx/elapsed.Seconds(), job.Workers())

	// 3. Where the time went.
	fmt.Fprintln(out, "3. where the time went")
	for _, s := range st.Stages {
		fmt.Fprintf(out, "   %-7s %s busy over %d worker(s)\n", s.Name, s.Busy.Round(time.Millisecond), s.Workers)
	}
	fmt.Fprintln(out)
	var table strings.Builder
	writeStageTable(&table, st)
	indented(out, table.String())
	if b := st.Bottleneck(); b != "" {
		fmt.Fprintf(out, "   %s\n", b)
	}
	fmt.Fprintf(out, "\n4. memory: peak %s of rows in flight, process peak RSS %s, for an image of %s\n\n",
		raster.FormatBytes(st.PeakBytes), raster.FormatBytes(peakRSS()), raster.FormatBytes(int64(w)*int64(h)*3))
	fmt.Fprintf(out, "output: %s (%s)\n", output, raster.FormatBytes(fileSize(output)))
	if o.keep {
		fmt.Fprintf(out, "input:  %s\n", input)
	}
	fmt.Fprintf(out, "\nThe same on your own image:\n  sluice run --stats YOUR.tif out.png %s\n", chain)
	return nil
}

// budgetOf is the memory budget the flags ask for.
func budgetOf(c *commonFlags) int64 {
	if c.memory.n > 0 {
		return c.memory.n
	}
	return engine.DefaultMemory
}

// indented writes text with every line prefixed by three spaces.
func indented(w io.Writer, text string) {
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" {
			fmt.Fprint(w, "   "+line)
		}
	}
}

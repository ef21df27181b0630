package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

const runUsage = `usage: sluice run [flags] INPUT OUTPUT [OP ...]

Applies the operations in order to INPUT and writes OUTPUT, streaming: the
image is never held whole in memory. With no operations it converts formats.
The input format is read from the file's first bytes; the output format comes
from OUTPUT's extension (.ppm .pgm .pnm .pam .png .tif .tiff .jpg .jpeg).

The input is first turned upright by its orientation (EXIF or TIFF tag 274),
as viewers show it, unless --no-autorotate.

Run 'sluice help ops' for the operations. Example:

  sluice run --stats scan.tif out.png blur:2 sharpen`

type runOptions struct {
	commonFlags
	nats     natsFlags
	noShrink bool // --no-shrink-on-load
}

func runRun(ctx context.Context, e *env, args []string) (err error) {
	var o runOptions
	fs := newFlagSet("run", runUsage)
	o.register(fs)
	o.nats.register(fs)
	fs.BoolVar(&o.noAutorotate, "no-autorotate", false, "keep the pixels as stored, not turned upright by the input's orientation (EXIF or TIFF tag 274); the output keeps the orientation")
	fs.BoolVar(&o.noShrink, "no-shrink-on-load", false, "decode a JPEG whole even when the chain starts with resize:S, S ≤ 0.5 (slower; the pixels of a full decode)")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	if err := o.validate(fs); err != nil {
		return err
	}
	if err := o.nats.validate(); err != nil {
		return err
	}
	if len(pos) < 2 {
		return usageErrorf("run needs INPUT and OUTPUT (run 'sluice run --help')")
	}
	if err := o.watch.start(e); err != nil {
		return err
	}
	defer func() { err = o.watch.finish(ctx, e, err) }()
	chain, err := filter.ParseChain(pos[2:])
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := checkOutput(pos[1], &o.commonFlags); err != nil {
		return err
	}
	ro := o.readOptions()
	var shrunk filter.Chain
	if !o.noShrink {
		ro.Shrink = func(w, h int) int { return shrinkOnLoad(chain, w, h, &shrunk) }
	}
	in, err := codec.Open(pos[0], ro)
	if err != nil {
		return err
	}
	defer in.Close()
	if shrunk != nil {
		chain = shrunk
	}
	_, err = process(ctx, e, in, pos[1], chain, &o.commonFlags, "run", o.nats.remote(e.stderr, o.quiet))
	return err
}

// process runs chain over src and writes outPath, showing progress and
// stats as the flags ask, filtering through remote workers when remote
// says so. It returns the finished job.
func process(ctx context.Context, e *env, src raster.RowReader, outPath string, chain filter.Chain, c *commonFlags, label string, remote ...remoteRun) (*engine.Job, error) {
	h := src.Header()
	name := sourceName(src)
	chain, turn := upright(h, chain, c.noAutorotate)
	plan, err := chain.Plan(h.Width, h.Height, h.Pixel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rp, err := remotePlan(plan, remote)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	w, ht := plan.OutputSize()
	oh := raster.Header{Width: w, Height: ht, Pixel: plan.Output()}
	oh.Meta, oh.Orientation = outputMeta(h, turn, c)
	if !c.quiet && !c.strip {
		warnDropped(e.stderr, name, h)
	}
	out, err := codec.Create(outPath, oh, c.write)
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	o := engine.Options{Workers: c.workers, Tile: c.tile, Memory: c.engineMemory(h), Strategy: c.strategy.s,
		Scratch: raster.SpillOptions{Dir: c.tmpdir, Limit: c.spill.n}}
	for _, r := range remote {
		if r == nil || rp == nil {
			continue
		}
		// The remote workers plan the chain they run against the image
		// it reads: the input, or the image turned by the steps before.
		rw, rh := rp.InputSize()
		done, rerr := r(ctx, raster.Header{Width: rw, Height: rh, Pixel: rp.Input()}, rp.Chain(), rp, &o)
		if rerr != nil {
			return nil, rerr
		}
		defer func() { done(err == nil) }()
	}
	var job *engine.Job
	o = c.watch.engineOptions(o, label, &job)
	job, err = engine.New(src, out, plan, o)
	if err != nil {
		return nil, err
	}
	if asked, ok := job.Capped(); ok && !c.quiet {
		fmt.Fprintf(e.stderr, "sluice: --workers %d capped at %d: the memory budget of %s holds no more workers' tiles (raise --memory for more)\n",
			asked, job.Workers(), raster.FormatBytes(job.Budget()))
	}
	setMemoryLimit(max(budgetOf(c), job.Budget()), job.Workers())
	var bar *progress
	if !c.quiet {
		bar = startProgress(ctx, e.stderr, job, label+" "+outPath)
	}
	err = job.Run(ctx)
	if err == nil {
		err = out.Close()
	}
	if bar != nil {
		bar.stop(err == nil)
	}
	if err != nil {
		return job, err
	}
	if c.stats.mode != "" {
		if err := printStats(e.stdout, c.stats.mode, job, plan.Kernels()); err != nil {
			return job, err
		}
	}
	return job, nil
}

// outputMeta is the metadata the output of an input with header h
// carries: the input's ICC profile, EXIF and orientation (TopLeft once
// turned upright, see turnedUpright.orientation), each written where the
// output format can hold it; nothing with --strip.
func outputMeta(h raster.Header, turn turnedUpright, c *commonFlags) (raster.Metadata, raster.Orientation) {
	if c.strip {
		return raster.Metadata{}, 0
	}
	o, m := turn.orientation(h)
	return m, o
}

// warnDropped prints a line on w for each piece of metadata the reader
// dropped as untrustworthy (a " dropped: " note in h.Details), since the
// output will not carry it.
func warnDropped(w io.Writer, name string, h raster.Header) {
	for _, d := range h.Details {
		if strings.Contains(d, " dropped: ") {
			fmt.Fprintf(w, "sluice: %s: %s; the output goes without it\n", name, d)
		}
	}
}

// setMemoryLimit sets the garbage collector's soft memory limit to what
// the process holds when the budget is full: the budget, half as much
// again for the bands and groups waiting on free lists for reuse (they
// are charged only while in flight), 16 MiB for the runtime and codec
// buffers and 1 MiB per worker, unless GOMEMLIMIT is set. Without it the
// heap grows to twice the live data before a collection, so peak memory
// grew with the image's length: a long run makes a little garbage that a
// short one never collects. With too little room above the live data the
// collector runs without end: JPEG encoding by bands spent 40% more CPU
// time collecting with a quarter.
func setMemoryLimit(budget int64, workers int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(budget + budget/2 + 16<<20 + int64(workers)<<20)
}

// checkOutput refuses an output path whose format cannot be told, before
// anything is read: "-" (standard output) needs --format, and leaves no
// room for --stats on the same stream.
func checkOutput(path string, c *commonFlags) error {
	switch {
	case path == "-" && c.write.Format == "":
		return usageErrorf("writing to standard output (-) needs --format NAME, e.g. --format png")
	case path == "-" && c.stats.mode != "":
		return usageErrorf("--stats prints to standard output, where the image goes with -: leave one out")
	case c.write.Format != "":
		return nil // Create checks the name
	}
	if _, err := codec.FormatFromPath(path); err != nil {
		return usageErrorf("%v", err)
	}
	return nil
}

// sourceName names a reader in messages: its path when it has one.
func sourceName(src raster.RowReader) string {
	if p, ok := src.(interface{ Path() string }); ok {
		return p.Path()
	}
	return strings.ToLower(src.Header().Format)
}

// fileSize returns the size of the file at path, or 0.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// shrinkOnLoad is codec.ReadOptions.Shrink for a chain: when it starts by
// shrinking by 2 or more, a JPEG input is decoded at 1/2, 1/4 or 1/8 of
// its size (the smallest that is still as large as the resize's output)
// and *shrunk is set to the chain to run on it (filter.Chain.Preshrink).
func shrinkOnLoad(chain filter.Chain, w, h int, shrunk *filter.Chain) int {
	d, c := chain.Preshrink(w, h, 2, 4, 8)
	if d > 1 {
		*shrunk = c
	}
	return d
}

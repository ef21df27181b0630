package main

import (
	"context"
	"fmt"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
	"github.com/sluice-go/sluice/raster/synth"
)

const genUsage = `usage: sluice gen [flags] WxH OUTPUT

Writes a deterministic photo-like test image (smooth gradients, edges,
texture and a little noise) of W×H pixels, streaming, so that
'sluice gen 30000x30000 big.tif' runs in little memory. The same flags give
the same bytes. The format comes from OUTPUT's extension.`

type genOptions struct {
	commonFlags
	seed     int64
	channels int
	depth    int
}

func runGen(ctx context.Context, e *env, args []string) (err error) {
	var o genOptions
	fs := newFlagSet("gen", genUsage)
	o.register(fs)
	fs.Int64Var(&o.seed, "seed", 1, "seed of the generated scene")
	fs.IntVar(&o.channels, "channels", 3, "1 gray, 2 gray+alpha, 3 RGB, 4 RGBA")
	fs.IntVar(&o.depth, "depth", 8, "bits per sample: 8 or 16")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErrorf("gen needs WxH and OUTPUT (run 'sluice gen --help')")
	}
	w, h, err := parseDims(pos[0])
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := (raster.Limits{}).Check("gen", w, h); err != nil {
		return usageErrorf("%v", err)
	}
	pf := raster.PixelFormat{Channels: o.channels, Depth: o.depth}
	if !pf.Valid() {
		return usageErrorf("--channels must be 1 to 4 and --depth 8 or 16, got %d and %d", o.channels, o.depth)
	}
	if _, err := codec.FormatFromPath(pos[1]); err != nil {
		return usageErrorf("%v", err)
	}
	if err := o.watch.start(e); err != nil {
		return err
	}
	defer func() { err = o.watch.finish(ctx, e, err) }()
	src := synth.New(w, h, pf, synth.Options{Seed: o.seed, Workers: o.workers})
	defer src.Close()
	if _, err := process(ctx, e, src, pos[1], nil, &o.commonFlags, "gen"); err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %d×%d %s, %s\n", pos[1], w, h, pf, raster.FormatBytes(fileSize(pos[1])))
	}
	return nil
}

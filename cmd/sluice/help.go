package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sluice-go/sluice/filter"
)

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "sluice %s filters images far larger than memory, tile by tile, on every core.\n\n", version)
	fmt.Fprintln(w, "usage: sluice COMMAND [flags] [args]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'sluice help COMMAND' for a command's flags, 'sluice help ops' for the operations.")
}

func printOps(w io.Writer) {
	fmt.Fprintln(w, "Operations, applied in order, fused per tile (sluice run IN OUT OP ...):")
	specs := make([]string, 0)
	width := 0
	for _, op := range filter.Ops() {
		spec := op.Name
		if op.Params != "" {
			spec += ":" + op.Params
		}
		specs = append(specs, spec)
		width = max(width, len([]rune(spec)))
	}
	for i, op := range filter.Ops() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, specs[i], op.Doc)
	}
	fmt.Fprintln(w, "\nGeometry (rotate, flip, flop, transpose, transverse) turns the whole image between")
	fmt.Fprintln(w, "the fused operations before and after it, through a scratch file in --tmpdir.")
	fmt.Fprintln(w, "The input is first turned upright by its orientation tag unless --no-autorotate.")
}

func runHelp(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stdout)
		return nil
	}
	if args[0] == "ops" || args[0] == "operations" {
		printOps(e.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] && c.name != "help" && c.name != "version" {
			return c.run(ctx, e, []string{"--help"})
		}
	}
	if args[0] == "help" || args[0] == "version" {
		printUsage(e.stdout)
		return nil
	}
	names := make([]string, 0)
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return usageErrorf("unknown help topic %q (known: %s, ops)", args[0], strings.Join(names, ", "))
}

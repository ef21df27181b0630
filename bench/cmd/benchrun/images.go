package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/sluice-go/sluice/bench/internal/measure"
	"github.com/sluice-go/sluice/bench/internal/report"
	"github.com/sluice-go/sluice/bench/internal/suite"
)

// sharpenMatrix is the libvips benchmark's 3×3 kernel in vips' matrix
// format: width, height, scale (the sum, 8) and offset, then the rows.
const sharpenMatrix = "3 3 8 0\n-1 -1 -1\n-1 16 -1\n-1 -1 -1\n"

// imageRunner runs the image comparisons in its work directory.
type imageRunner struct {
	o     options
	progs programs
	env   []string // extra environment of the peers: ImageMagick's policy
	mask  string   // path of the vips sharpen matrix
}

func newImageRunner(o options, progs programs) *imageRunner {
	return &imageRunner{o: o, progs: progs}
}

// prepare creates the work directory, the ImageMagick policy and the vips
// sharpen matrix.
func (r *imageRunner) prepare() error {
	dir, err := filepath.Abs(r.o.work)
	if err != nil {
		return err
	}
	r.o.work = dir
	policyDir := filepath.Join(dir, "magick")
	if err := os.MkdirAll(policyDir, 0o755); err != nil {
		return err
	}
	mem := machine().Memory * 2 / 3
	if mem <= 0 {
		mem = 4 << 30
	}
	if err := os.WriteFile(filepath.Join(policyDir, "policy.xml"), []byte(magickPolicy(mem)), 0o644); err != nil {
		return err
	}
	r.env = []string{"MAGICK_CONFIGURE_PATH=magick"}
	r.mask = "sharpen.mat"
	return os.WriteFile(filepath.Join(dir, r.mask), []byte(sharpenMatrix), 0o644)
}

// cleanup removes the outputs and scratch files, keeping the inputs that
// are still there.
func (r *imageRunner) cleanup() {
	os.RemoveAll(filepath.Join(r.o.work, "out"))
}

// inputPath is where comparison c's input lives.
func (r *imageRunner) inputPath(c suite.Comparison) string {
	return filepath.Join(r.o.work, c.Input.File())
}

// ensureInput generates c's input with sluice gen unless it is there.
func (r *imageRunner) ensureInput(ctx context.Context, c suite.Comparison) error {
	path := r.inputPath(c)
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	}
	bin, ok := r.progs["sluice"]
	if !ok {
		return errors.New("no sluice binary to generate the inputs (--sluice)")
	}
	fmt.Printf("generating %s (%s)\n", c.Input.File(), c.Input)
	tmp := "part-" + c.Input.File()
	gen := tmp
	enc := c.Input.EncodeArgs("part-src.ppm", tmp)
	if enc != nil {
		gen = "part-src.ppm"
		defer os.Remove(filepath.Join(r.o.work, gen))
	}
	cmd := exec.CommandContext(ctx, bin, c.Input.GenArgs(gen)...)
	cmd.Dir = r.o.work
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		os.Remove(filepath.Join(r.o.work, gen))
		return fmt.Errorf("sluice %s: %w", strings.Join(c.Input.GenArgs(gen), " "), err)
	}
	if enc != nil {
		prog, ok := r.progs[enc[0]]
		if !ok {
			return fmt.Errorf("%s is not installed: it makes the input %s", enc[0], c.Input.File())
		}
		cmd := exec.CommandContext(ctx, prog, enc[1:]...)
		cmd.Dir = r.o.work
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			os.Remove(filepath.Join(r.o.work, tmp))
			return fmt.Errorf("%s: %w", strings.Join(enc, " "), err)
		}
	}
	return os.Rename(filepath.Join(r.o.work, tmp), path)
}

// dropInput deletes comps[i]'s input when no later comparison reads it.
func (r *imageRunner) dropInput(comps []suite.Comparison, i int) error {
	if suite.LastUse(comps)[comps[i].Input.File()] != i {
		return nil
	}
	err := os.Remove(r.inputPath(comps[i]))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// job is one tool of one comparison, ready to run.
type job struct {
	tool suite.Tool
	cmd  measure.Command
	// missing is why the tool cannot run at all, e.g. not installed.
	missing string
}

// jobs builds the command of every tool of c, to run in the work directory
// with paths relative to it: the command lines in the results say exactly
// what ran, and hold no path of this machine.
func (r *imageRunner) jobs(c suite.Comparison) []job {
	js := make([]job, len(c.Tools))
	for k, t := range c.Tools {
		tmp := fmt.Sprintf("out/tmp-%d", k)
		outFile := fmt.Sprintf("out/%s-%d.%s", c.Name, k, c.OutExt)
		args := c.Expand(t, c.Input.File(), outFile, tmp, r.mask)
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "{sluice}", r.progs["sluice"])
		}
		js[k].tool = t
		bin, ok := r.progs[t.Program]
		if !ok {
			bin = t.Program
			js[k].missing = t.Program + " is not installed"
		}
		js[k].cmd = measure.Command{Argv: append([]string{bin}, args...), Output: outFile, Dir: r.o.work}
		if t.Program == "convert" || t.Program == "gm" {
			js[k].cmd.Env = r.env
		}
	}
	return js
}

// compare runs one comparison: a warm-up of each tool, then o.runs rounds
// in which every tool runs once, in turn. A tool whose warm-up fails is not
// run again and is reported with its failure.
func (r *imageRunner) compare(ctx context.Context, c suite.Comparison) (report.Comparison, error) {
	cr := report.Comparison{Name: c.Name, Work: c.Work, Input: c.Input.String(), Size: c.Input.Size, Scaling: c.Scaling}
	js := r.jobs(c)
	fmt.Printf("\n== %s: %s, %s\n", c.Name, c.Work, c.Input)
	if err := os.MkdirAll(filepath.Join(r.o.work, "out"), 0o755); err != nil {
		return cr, err
	}
	for k := range js {
		if err := os.MkdirAll(filepath.Join(r.o.work, "out", fmt.Sprintf("tmp-%d", k)), 0o755); err != nil {
			return cr, err
		}
	}
	var genErr error
	if err := r.ensureInput(ctx, c); err != nil {
		if ctx.Err() != nil {
			return cr, ctx.Err()
		}
		genErr = err
	}
	warm := make([]measure.Sample, len(js))
	samples := make([][]measure.Sample, len(js))
	for k, j := range js {
		switch {
		case genErr != nil:
			warm[k] = measure.Sample{Outcome: measure.Failed, Detail: "input not generated: " + genErr.Error()}
		case j.missing != "":
			warm[k] = measure.Sample{Outcome: measure.Failed, Detail: j.missing}
		default:
			s, err := measure.Run(ctx, j.cmd, r.o.timeout)
			if err != nil {
				return cr, err
			}
			warm[k] = s
		}
		fmt.Printf("   warm-up %-24s %s\n", j.tool.Name, describe(warm[k]))
	}
	for round := range r.o.runs {
		for k, j := range js {
			if warm[k].Outcome != measure.OK {
				continue
			}
			s, err := measure.Run(ctx, j.cmd, r.o.timeout)
			if err != nil {
				return cr, err
			}
			if ctx.Err() != nil {
				return cr, ctx.Err()
			}
			samples[k] = append(samples[k], s)
			fmt.Printf("   run %d/%d %-24s %s\n", round+1, r.o.runs, j.tool.Name, describe(s))
		}
	}
	for k, j := range js {
		cr.Tools = append(cr.Tools, report.NewToolResult(j.tool.Name, j.cmd.String(), j.tool.Note, warm[k], samples[k]))
		os.Remove(filepath.Join(r.o.work, j.cmd.Output))
		os.RemoveAll(filepath.Join(r.o.work, "out", fmt.Sprintf("tmp-%d", k)))
	}
	cr.SetRatios()
	return cr, nil
}

// describe is one line about a sample for the progress log.
func describe(s measure.Sample) string {
	if s.Outcome != measure.OK {
		return fmt.Sprintf("%s: %s", s.Outcome, firstLine(s.Detail))
	}
	return fmt.Sprintf("%6.2f s wall %7.2f s CPU %10s peak RSS", s.Wall.Seconds(), s.CPU().Seconds(), report.FormatBytes(s.MaxRSS))
}

// firstLine is the first line of s, cut to 100 characters.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if r := []rune(line); len(r) > 100 {
		line = string(r[:100]) + "…"
	}
	return line
}

// printImages prints the results as one table for the terminal.
func printImages(w io.Writer, cs []report.Comparison) {
	fmt.Fprintln(w, "\nResults (medians; ratios are peer ÷ sluice, pair by pair: above 1, sluice is faster or smaller)")
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "comparison\ttool\twall\tCPU\tpeak RSS\twall ÷ sluice\tRSS ÷ sluice\t")
	for _, c := range cs {
		for i, t := range c.Tools {
			name := ""
			if i == 0 {
				name = c.Name
			}
			if t.Outcome != "ok" {
				fmt.Fprintf(tw, "%s\t%s\t%s: %s\t\t\t\t\t\n", name, t.Tool, t.Outcome, firstLine(t.Detail))
				continue
			}
			wr, rr := "1", "1"
			if i > 0 {
				wr, rr = fmt.Sprintf("%.2f", t.WallRatio), fmt.Sprintf("%.2f", t.RSSRatio)
			}
			fmt.Fprintf(tw, "%s\t%s\t%.2f s\t%.2f s\t%s\t%s\t%s\t\n", name, t.Tool, t.WallS, t.CPUS, report.FormatBytes(t.MaxRSS), wr, rr)
		}
	}
	tw.Flush()
}

// list prints what a run would do, running nothing.
func list(comps []suite.Comparison, progs programs, o options) error {
	r := newImageRunner(o, progs)
	dir, err := filepath.Abs(o.work)
	if err != nil {
		return err
	}
	r.o.work = dir
	r.mask = "sharpen.mat"
	r.env = []string{"MAGICK_CONFIGURE_PATH=magick"}
	fmt.Printf("commands run in %s\n", o.work)
	fmt.Printf("%d comparisons, a warm-up and %d alternating runs per tool, each run at most %s\n", len(comps), o.runs, o.timeout)
	for _, c := range comps {
		made := "sluice " + strings.Join(c.Input.GenArgs(c.Input.File()), " ")
		if enc := c.Input.EncodeArgs("src.ppm", c.Input.File()); enc != nil {
			made = "sluice " + strings.Join(c.Input.GenArgs("src.ppm"), " ") + " && " + strings.Join(enc, " ")
		}
		fmt.Printf("\n%s: %s\n  input: %s, made by: %s\n", c.Name, c.Work, c.Input, made)
		for _, j := range r.jobs(c) {
			status := ""
			if j.missing != "" {
				status = "  [" + j.missing + "]"
			}
			fmt.Printf("  %-24s %s%s\n", j.tool.Name, j.cmd, status)
		}
	}
	if !o.noPipeline {
		fmt.Printf("\npipeline: %s\n", pipelineCommand(o.benchtime))
	}
	return nil
}

// Command benchrun measures sluice against its peers and writes the
// results: bench/results/<date>-<host>.json, BENCHMARKS.md and its chart.
// bench/run builds the programs it needs and calls it; run it directly
// from the bench directory as
//
//	go run ./cmd/benchrun --sluice PATH --goblur PATH [flags]
//
// Flags:
//
//	--quick        a subset on 2,000² images with 3 runs, under 2 minutes (CI)
//	--only a,b     run only the named comparisons (see --list)
//	--list         print every comparison and its command lines, run nothing
//	--runs N       timed runs per tool after one warm-up (default 5; 3 with --quick)
//	--size N       override every input's side, to try comparisons quickly
//	--timeout D    longest one run may take before it counts as timed out
//	--no-pipeline  skip the pipeline comparison (go test -bench)
//	--no-images    skip the image comparisons
//	--page-only    regenerate BENCHMARKS.md and the chart from the newest result
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sluice-go/sluice/bench/internal/report"
	"github.com/sluice-go/sluice/bench/internal/suite"
)

// options are the command's flags.
type options struct {
	quick, list, noPipeline, noImages, pageOnly bool
	only                                        string
	runs, size                                  int
	timeout                                     time.Duration
	sluice, goblur                              string
	work, results, page, chart                  string
	benchtime                                   string
}

func main() {
	var o options
	flag.BoolVar(&o.quick, "quick", false, "a small subset for CI: 2,000² images, 3 comparisons, 3 runs")
	flag.BoolVar(&o.list, "list", false, "print the comparisons and their command lines, run nothing")
	flag.BoolVar(&o.noPipeline, "no-pipeline", false, "skip the pipeline comparison")
	flag.BoolVar(&o.noImages, "no-images", false, "skip the image comparisons")
	flag.BoolVar(&o.pageOnly, "page-only", false, "only regenerate the page and chart from the newest result")
	flag.StringVar(&o.only, "only", "", "comma-separated comparison names to run (see --list)")
	flag.IntVar(&o.size, "size", 0, "override every input's side in pixels, to try comparisons quickly")
	flag.IntVar(&o.runs, "runs", 0, "timed runs per tool after one warm-up (default 5, 3 with --quick)")
	flag.DurationVar(&o.timeout, "timeout", 0, "longest one run may take (default 20m, 2m with --quick)")
	flag.StringVar(&o.sluice, "sluice", "", "the sluice binary to measure")
	flag.StringVar(&o.goblur, "goblur", "", "the goblur binary (Go image libraries)")
	flag.StringVar(&o.work, "work", "work", "directory for inputs and outputs, emptied as the run goes")
	flag.StringVar(&o.results, "results", "results", "directory of the JSON results")
	flag.StringVar(&o.page, "page", "../BENCHMARKS.md", "the Markdown page to regenerate")
	flag.StringVar(&o.chart, "chart", "results/chart.png", "the chart to regenerate")
	flag.StringVar(&o.benchtime, "benchtime", "", "go test -benchtime of the pipeline comparison (default 1s, 50000x with --quick)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "benchrun: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.pageOnly {
		return writePage(o)
	}
	comps := suite.Full()
	if o.only != "" {
		comps = suite.All() // --only may name comparisons outside the full run
	}
	if o.quick {
		comps = suite.Quick()
		o.runs = cmp(o.runs, 3)
		o.timeout = cmpDur(o.timeout, 2*time.Minute)
		o.benchtime = cmpStr(o.benchtime, "50000x")
	}
	o.runs = cmp(o.runs, 5)
	o.timeout = cmpDur(o.timeout, 20*time.Minute)
	o.benchtime = cmpStr(o.benchtime, "1s")
	comps, err := suite.Select(comps, o.only)
	if err != nil {
		return err
	}
	if o.noImages {
		comps = nil
	}
	if o.size > 0 {
		for i := range comps {
			comps[i].Input.Size = o.size
		}
	}
	progs := resolvePrograms(o)
	if o.list {
		return list(comps, progs, o)
	}

	start := time.Now()
	res := &report.Result{
		Date: start.Format("2006-01-02"), Host: hostname(), Quick: o.quick, Only: o.only, Started: start,
		Machine: machine(), Runs: o.runs, Versions: versions(ctx, progs, suite.Programs(comps), o.work),
	}
	if len(comps) > 0 {
		r := newImageRunner(o, progs)
		if err := r.prepare(); err != nil {
			return err
		}
		for i, c := range comps {
			cr, err := r.compare(ctx, c)
			if err != nil {
				return err
			}
			res.Images = append(res.Images, cr)
			if err := r.dropInput(comps, i); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		r.cleanup()
		printImages(os.Stdout, res.Images)
	}
	if !o.noPipeline {
		p, err := runPipeline(ctx, o.benchtime)
		if err != nil {
			return err
		}
		res.Pipeline = p
	}
	res.Duration = time.Since(start).Seconds()
	if err := os.MkdirAll(o.results, 0o755); err != nil {
		return err
	}
	path, err := res.Save(o.results)
	if err != nil {
		return err
	}
	fmt.Printf("\nwrote %s (the run took %s)\n", path, report.FormatDuration(res.Duration))
	if o.only != "" {
		fmt.Printf("left %s as it is: the page is made from whole runs, not --only\n", o.page)
		return nil
	}
	return writePage(o)
}

// writePage regenerates the page and the chart from the newest result,
// preferring a full run to a quick one.
func writePage(o options) error {
	path, err := report.Newest(o.results, false)
	if err != nil {
		return err
	}
	res, err := report.Load(path)
	if err != nil {
		return err
	}
	chartRef := ""
	if len(res.Images) > 0 {
		f, err := os.Create(o.chart)
		if err != nil {
			return err
		}
		err = report.Chart(f, res)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		chartRef, err = relPath(filepath.Dir(o.page), o.chart)
		if err != nil {
			return err
		}
	}
	source, err := relPath(filepath.Dir(o.page), path)
	if err != nil {
		return err
	}
	f, err := os.Create(o.page)
	if err != nil {
		return err
	}
	err = report.Markdown(f, res, source, chartRef)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s and %s from %s\n", o.page, o.chart, path)
	return nil
}

// relPath is target relative to dir, with forward slashes.
func relPath(dir, target string) (string, error) {
	ad, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	at, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(ad, at)
	if err != nil {
		return "", errors.New("benchrun: " + err.Error())
	}
	return filepath.ToSlash(rel), nil
}

func cmp(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func cmpDur(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func cmpStr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

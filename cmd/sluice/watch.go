package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/monitor"
)

// defaultStall is the stall timeout when --stall is not given.
const defaultStall = 2 * time.Minute

// watchFlags are --trace, --ui and --stall, and what they set up while a
// command runs: a trace file, a live page, the core's stall watchdog.
type watchFlags struct {
	trace string
	ui    uiFlag
	stall time.Duration

	s *watchState // set by start; shared by copies of the flags
}

// watchState is what start sets up.
type watchState struct {
	tr     *monitor.Trace
	trFile *os.File
	trTemp string
	traced int // pipelines recorded
	srv    *monitor.Server
	shown  int // pipelines on the page
}

// uiFlag is --ui (the loopback interface, a free port) or --ui=ADDR.
type uiFlag struct {
	on   bool
	addr string
}

func (u *uiFlag) String() string   { return u.addr }
func (u *uiFlag) IsBoolFlag() bool { return true }
func (u *uiFlag) Set(v string) error {
	switch v {
	case "true":
		u.on, u.addr = true, ""
	case "false":
		u.on, u.addr = false, ""
	default:
		if !strings.Contains(v, ":") {
			return fmt.Errorf("want --ui or --ui=HOST:PORT, got %q", v)
		}
		u.on, u.addr = true, v
	}
	return nil
}

func (w *watchFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&w.trace, "trace", "", "write a timeline of the run to `FILE` (Chrome trace JSON; open it in ui.perfetto.dev)")
	fs.Var(&w.ui, "ui", "serve a live page of the run on 127.0.0.1 at a free port (--ui=ADDR: on ADDR) and keep it up until Ctrl-C")
	fs.DurationVar(&w.stall, "stall", defaultStall, "fail the run with a report of who waits on whom when nothing moves for this `long` (0 = never)")
}

// start opens the trace file and starts the live page, as the flags ask.
func (w *watchFlags) start(e *env) error {
	if w.stall < 0 {
		return usageErrorf("--stall must be 0 or more, got %s", w.stall)
	}
	w.s = &watchState{}
	if w.trace != "" {
		f, err := os.CreateTemp(filepath.Dir(w.trace), "."+filepath.Base(w.trace)+".*.tmp")
		if err != nil {
			return fmt.Errorf("cannot write trace %s: %w", w.trace, errors.Unwrap(err))
		}
		f.Chmod(0o644) // as os.Create would leave it, under the usual umask
		w.s.trFile, w.s.trTemp = f, f.Name()
		w.s.tr = monitor.NewTrace(f)
	}
	if w.ui.on {
		w.s.srv = monitor.NewServer()
		if err := w.s.srv.Listen(w.ui.addr); err != nil {
			w.discardTrace()
			return fmt.Errorf("--ui: %w", errors.Unwrap(err))
		}
		fmt.Fprintf(e.stderr, "live page: %s\n", w.s.srv.URL())
	}
	return nil
}

// engineOptions adds to o what the job needs to be watched; job is where
// the caller will keep the job, for the page's progress.
func (w *watchFlags) engineOptions(o engine.Options, label string, job **engine.Job) engine.Options {
	o.Name = label
	o.Stall = w.stall
	if w.s == nil {
		return o
	}
	o.Watch = func(p *sluice.Pipeline) {
		if w.s.tr != nil {
			w.s.tr.Watch(p)
			w.s.traced++
		}
		if w.s.srv != nil {
			w.s.shown++
			w.s.srv.Watch(p, monitor.Options{Unit: "rows", Progress: func() (int64, int64) {
				if *job == nil {
					return 0, 0
				}
				d, t := (*job).Progress()
				return int64(d), int64(t)
			}})
		}
	}
	return o
}

// finish writes the trace and, with --ui, keeps the page up until ctx is
// done (Ctrl-C). It returns the command's error: err, or failing that a
// failure to write the trace.
func (w *watchFlags) finish(ctx context.Context, e *env, err error) error {
	if w.s == nil {
		return err
	}
	var se *sluice.StallError
	if errors.As(err, &se) {
		fmt.Fprintf(e.stderr, "stall report:\n%s", se.Report)
		err = fmt.Errorf("%s (--stall %s)", strings.TrimPrefix(se.Error(), "sluice: "), w.stall)
	}
	if w.s.tr != nil {
		if w.s.traced == 0 {
			w.discardTrace()
		} else {
			terr := w.s.tr.Close()
			if cerr := w.s.trFile.Close(); terr == nil {
				terr = cerr
			}
			if terr == nil {
				terr = os.Rename(w.s.trTemp, w.trace)
			}
			if terr != nil {
				os.Remove(w.s.trTemp)
				if err == nil {
					err = fmt.Errorf("writing trace %s: %w", w.trace, terr)
				}
			} else {
				fmt.Fprintf(e.stderr, "trace: %s (open it in ui.perfetto.dev)\n", w.trace)
			}
		}
	}
	if w.s.srv != nil {
		ranOut := ctx.Err() == nil // the run ended by itself
		if ranOut && w.s.shown > 0 {
			fmt.Fprintf(e.stderr, "live page: %s stays up with the final figures; press Ctrl-C to exit\n", w.s.srv.URL())
			<-ctx.Done()
		}
		w.s.srv.Close()
		if err != nil && ranOut {
			// Ctrl-C ended the page, not the run: the exit status is the run's.
			err = &ranToEnd{err}
		}
	}
	return err
}

func (w *watchFlags) discardTrace() {
	if w.s.trFile != nil {
		w.s.trFile.Close()
		os.Remove(w.s.trTemp)
	}
}

// ranToEnd is the error of a run that ended before the user interrupted
// the command, which then only closed the live page.
type ranToEnd struct{ err error }

func (e *ranToEnd) Error() string { return e.err.Error() }
func (e *ranToEnd) Unwrap() error { return e.err }

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/raster"
)

// stageJSON is one row of --stats=json.
type stageJSON struct {
	Name         string  `json:"name"`
	Workers      int     `json:"workers"`
	In           int64   `json:"in"`
	Out          int64   `json:"out"`
	Errors       int64   `json:"errors"`
	BusySeconds  float64 `json:"busy_seconds"`
	IOSeconds    float64 `json:"io_seconds"`
	WaitInSecs   float64 `json:"wait_in_seconds"`
	WaitOutSecs  float64 `json:"wait_out_seconds"`
	WaitPoolSecs float64 `json:"wait_pool_seconds"`
	BusyFraction float64 `json:"busy_fraction"`
}

type statsJSON struct {
	ElapsedSeconds float64     `json:"elapsed_seconds"`
	Rows           int         `json:"rows"`
	Workers        int         `json:"workers"`
	RemoteSlots    int         `json:"remote_slots,omitempty"` // tiles out on other machines at once, in a --nats run
	BudgetBytes    int64       `json:"budget_bytes"`           // --memory
	InFlightCap    int64       `json:"in_flight_cap_bytes"`    // what the pipeline may hold at once, at most the budget
	PeakBytes      int64       `json:"peak_bytes_in_flight"`
	PeakRSSBytes   int64       `json:"peak_rss_bytes,omitempty"`
	Bottleneck     string      `json:"bottleneck"`
	Kernels        []string    `json:"kernels,omitempty"`
	Stages         []stageJSON `json:"stages"`

	Strategy string `json:"strategy,omitempty"` // how a lone diffuse ran, and why
}

// fraction is d as a share of the time n workers had in elapsed.
func fraction(d time.Duration, n int, elapsed time.Duration) float64 {
	if n <= 0 || elapsed <= 0 {
		return 0
	}
	return float64(d) / float64(elapsed) / float64(n)
}

// printStats writes the stage table (mode "text") or JSON (mode "json"),
// with the kernels the filter plan chose.
func printStats(w io.Writer, mode string, job *engine.Job, kernels []string) error {
	st := job.Stats()
	rows, _ := job.Progress()
	if mode == "json" {
		out := statsJSON{
			ElapsedSeconds: st.Elapsed.Seconds(), Rows: rows, Workers: job.Workers(), RemoteSlots: job.RemoteSlots(),
			BudgetBytes: job.Budget(), InFlightCap: st.Budget, PeakBytes: st.PeakBytes, PeakRSSBytes: peakRSS(),
			Bottleneck: st.Bottleneck(), Strategy: strategyLine(job), Kernels: kernels,
		}
		for _, s := range st.Stages {
			out.Stages = append(out.Stages, stageJSON{
				Name: s.Name, Workers: s.Workers, In: s.In, Out: s.Out, Errors: s.Errors,
				BusySeconds: s.Busy.Seconds(), IOSeconds: s.IO.Seconds(), WaitInSecs: s.WaitIn.Seconds(), WaitOutSecs: s.WaitOut.Seconds(),
				WaitPoolSecs: s.WaitPool.Seconds(),
				BusyFraction: fraction(s.Busy, s.Workers, st.Elapsed),
			})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	writeStageTable(w, st)
	writeExchangeTable(w, st)
	if s := strategyLine(job); s != "" {
		fmt.Fprintln(w, "strategy", s)
	}
	fmt.Fprintf(w, "memory in flight: peak %s", raster.FormatBytes(st.PeakBytes))
	if st.Budget < job.Budget() {
		// The engine holds no more bands than its workers can use, so
		// the cap can sit below the budget.
		fmt.Fprintf(w, " (at most %s: the bands %d workers use at once)", raster.FormatBytes(st.Budget), job.Workers())
	}
	fmt.Fprintf(w, " of a %s budget", raster.FormatBytes(job.Budget()))
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(w, "; process peak RSS %s", raster.FormatBytes(rss))
	}
	fmt.Fprintln(w)
	if b := st.Bottleneck(); b != "" {
		fmt.Fprintln(w, b)
	}
	if len(kernels) > 0 {
		fmt.Fprintf(w, "kernels: %s\n", strings.Join(kernels, ", "))
	}
	return nil
}

// writeStageTable prints one line per stage: what went through it and where
// its workers spent their time.
func writeStageTable(w io.Writer, st sluice.Stats) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tworkers\titems in\titems out\tbusy\tI/O\twaiting for input\tblocked on output\twaiting for a worker\t")
	for _, s := range st.Stages {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f%%\t%.0f%%\t%.0f%%\t%.0f%%\t%.0f%%\t\n", s.Name, s.Workers, s.In, s.Out,
			100*fraction(s.Busy, s.Workers, st.Elapsed),
			100*fraction(s.IO, s.Workers, st.Elapsed),
			100*fraction(s.WaitIn, s.Workers, st.Elapsed),
			100*fraction(s.WaitOut, s.Workers, st.Elapsed),
			100*fraction(s.WaitPool, s.Workers, st.Elapsed))
	}
	tw.Flush()
	fmt.Fprintf(w, "elapsed %s\n", st.Elapsed.Round(time.Millisecond))
}

// describe turns an error into the one line printed after "sluice: ". An
// error from inside the pipeline is shown by its cause, with the stage
// named only where the cause does not say enough.
func describe(err error) string {
	var se *sluice.StageError
	if errors.As(err, &se) {
		var pe *sluice.PanicError
		if errors.As(err, &pe) {
			return fmt.Sprintf("internal error in stage %q: %v", se.Stage, pe.Value)
		}
		err = se.Err
	}
	if errors.Is(err, raster.ErrSpillLimit) && !strings.Contains(err.Error(), "--spill-limit") {
		return err.Error() + " (--spill-limit SIZE raises it)"
	}
	return err.Error()
}

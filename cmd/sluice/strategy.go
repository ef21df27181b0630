package main

import (
	"fmt"
	"io"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/engine"
)

// strategyFlag is --strategy auto|fused|steps|exchange.
type strategyFlag struct{ s engine.Strategy }

func (f *strategyFlag) String() string { return f.s.String() }
func (f *strategyFlag) Set(v string) error {
	s, err := engine.ParseStrategy(v)
	if err != nil {
		return err
	}
	f.s = s
	return nil
}

const strategyUsage = "how to run a lone diffuse: auto, fused (recompute a border that grows with the steps), " +
	"steps (stream bands through a pipeline of steps) or exchange (strips in memory trading edges)"

// strategyLine says which strategy ran and why, or "" when the chain is
// not iterative.
func strategyLine(job *engine.Job) string {
	if !job.Iterative() {
		return ""
	}
	_, why := job.Strategy()
	return why
}

// writeExchangeTable prints, for each Exchange stage, where each part's
// time went.
func writeExchangeTable(w io.Writer, st sluice.Stats) {
	for _, x := range st.Exchanges {
		for i, p := range x.Parts {
			fmt.Fprintf(w, "%s %d: %d steps, computing %.0f%%", x.Name, i, p.Steps, 100*fraction(p.Busy, 1, st.Elapsed))
			if i > 0 {
				fmt.Fprintf(w, ", waiting for %s %d %.0f%%", x.Name, i-1, 100*fraction(p.WaitPrev, 1, st.Elapsed))
			}
			if i < len(x.Parts)-1 {
				fmt.Fprintf(w, ", waiting for %s %d %.0f%%", x.Name, i+1, 100*fraction(p.WaitNext, 1, st.Elapsed))
			}
			fmt.Fprintln(w)
		}
	}
}

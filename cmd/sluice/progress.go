package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/sluice-go/sluice/engine"
)

// logInterval is the least time between two progress lines when stderr is
// not a terminal.
const logInterval = 5 * time.Second

// progress shows a job's advance: a bar on a terminal, an occasional line
// otherwise.
type progress struct {
	done  chan struct{}
	wg    sync.WaitGroup
	bar   *mpb.Bar
	p     *mpb.Progress
	job   *engine.Job
	width int
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress shows progress for job on w until stop is called.
func startProgress(ctx context.Context, w io.Writer, job *engine.Job, label string) *progress {
	pr := &progress{done: make(chan struct{}), job: job}
	_, total := job.Progress()
	pr.width = job.OutputWidth()
	if isTerminal(w) {
		pr.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(120*time.Millisecond))
		pr.bar = pr.p.AddBar(int64(total),
			mpb.PrependDecorators(decor.Name(label+" "), decor.CountersNoUnit("%d/%d rows", decor.WCSyncWidth)),
			mpb.AppendDecorators(
				decor.Percentage(decor.WC{W: 5}),
				decor.Any(func(s decor.Statistics) string { return " " + pr.rate(s.Current) }),
				decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO),
			),
		)
	}
	start := time.Now()
	pr.wg.Add(1)
	go func() {
		defer pr.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-pr.done:
				return
			case <-tick.C:
			}
			done, total := job.Progress()
			if pr.bar != nil {
				pr.bar.SetCurrent(int64(done))
			} else if time.Since(last) >= logInterval {
				last = time.Now()
				pct := 100 * float64(done) / float64(max(total, 1))
				eta := "?"
				if done > 0 {
					el := time.Since(start)
					eta = (time.Duration(float64(el) * float64(total-done) / float64(done))).Round(time.Second).String()
				}
				fmt.Fprintf(w, "sluice: %s: %d/%d rows (%.0f%%), %s, about %s left\n", label, done, total, pct, pr.rate(int64(done)), eta)
			}
		}
	}()
	return pr
}

// rate is the speed so far in megapixels per second.
func (pr *progress) rate(rows int64) string {
	st := pr.job.Stats()
	el := st.Elapsed.Seconds()
	if el <= 0 {
		return "- Mpx/s"
	}
	return fmt.Sprintf("%.1f Mpx/s", float64(rows)*float64(pr.width)/1e6/el)
}

// stop ends the display; ok says whether the job finished.
func (pr *progress) stop(ok bool) {
	close(pr.done)
	pr.wg.Wait()
	if pr.bar != nil {
		if ok {
			done, _ := pr.job.Progress()
			pr.bar.SetCurrent(int64(done))
		} else {
			pr.bar.Abort(false)
		}
		pr.p.Wait()
	}
}

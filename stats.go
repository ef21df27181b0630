package sluice

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a pipeline's figures, from Pipeline.Stats.
type Stats struct {
	Stages    []StageStats  // in the order the stages were added
	Budget    int64         // Config.Budget
	InFlight  int64         // bytes held by sized items now
	PeakBytes int64         // highest InFlight seen
	Elapsed   time.Duration // since Run started; its whole length once it returned
}

// StageStats holds one stage's figures. Durations are summed over the
// stage's workers, so Busy can reach Workers × Elapsed.
type StageStats struct {
	Name    string
	Workers int
	In      int64 // items received
	Out     int64 // items sent on
	Errors  int64 // failures in user code, panics included

	Busy       time.Duration // in user code (and the few ns per item around it)
	WaitIn     time.Duration // waiting for input
	WaitOut    time.Duration // blocked on a full output queue or the reorder window
	WaitBudget time.Duration // sources only: waiting for room in the memory budget

	QueueLen int // batches waiting in the queue that feeds the stage
	QueueCap int // capacity of that queue, in batches
}

// stageStats is the live, atomically updated form of StageStats.
type stageStats struct {
	name    string
	workers int
	gauge   func() (int, int)

	in, out, errors                   atomic.Int64
	busy, waitIn, waitOut, waitBudget atomic.Int64 // nanoseconds
}

func (s *stageStats) snapshot() StageStats {
	r := StageStats{
		Name:       s.name,
		Workers:    s.workers,
		In:         s.in.Load(),
		Out:        s.out.Load(),
		Errors:     s.errors.Load(),
		Busy:       time.Duration(s.busy.Load()),
		WaitIn:     time.Duration(s.waitIn.Load()),
		WaitOut:    time.Duration(s.waitOut.Load()),
		WaitBudget: time.Duration(s.waitBudget.Load()),
	}
	if s.gauge != nil {
		r.QueueLen, r.QueueCap = s.gauge()
	}
	return r
}

// Stats returns the pipeline's figures so far. It is safe to call while
// Run is running, from any goroutine, and after it returned.
func (p *Pipeline) Stats() Stats {
	p.mu.Lock()
	stages := p.stages[:len(p.stages):len(p.stages)]
	p.mu.Unlock()
	s := Stats{Budget: p.cfg.Budget, Stages: make([]StageStats, len(stages))}
	for i, st := range stages {
		s.Stages[i] = st.snapshot()
	}
	s.InFlight, s.PeakBytes = p.budget.snapshot()
	if start := p.start.Load(); start != 0 {
		end := p.end.Load()
		if end == 0 {
			end = time.Now().UnixNano()
		}
		s.Elapsed = time.Duration(end - start)
	}
	return s
}

// share is d as a fraction of workers × elapsed.
func share(d time.Duration, workers int, elapsed time.Duration) float64 {
	if workers < 1 {
		workers = 1
	}
	return float64(d) / (float64(workers) * float64(elapsed))
}

// Bottleneck names the stage that limits throughput and says why, in one
// sentence, such as "blur limits throughput: its 2 workers were busy 97% of
// the time; write waited for input 81%". The limiting stage is the one
// whose workers were busiest; a source that mostly waited for the memory
// budget names the budget instead. It returns "" if nothing ran.
func (s Stats) Bottleneck() string {
	if s.Elapsed <= 0 || len(s.Stages) == 0 {
		return ""
	}
	top, topShare := -1, -1.0
	for i, st := range s.Stages {
		if f := share(st.Busy, st.Workers, s.Elapsed); f > topShare {
			top, topShare = i, f
		}
	}
	for _, st := range s.Stages {
		if f := share(st.WaitBudget, 1, s.Elapsed); f > topShare && f >= 0.2 {
			return fmt.Sprintf("the memory budget of %s limits throughput: %s waited for room %s of the time (peak %s in flight)",
				bytesText(s.Budget), st.Name, percent(f), bytesText(s.PeakBytes))
		}
	}
	b := s.Stages[top]
	var sb strings.Builder
	if b.Workers == 1 {
		fmt.Fprintf(&sb, "%s limits throughput: its 1 worker was busy %s of the time", b.Name, percent(topShare))
	} else {
		fmt.Fprintf(&sb, "%s limits throughput: its %d workers were busy %s of the time", b.Name, b.Workers, percent(topShare))
	}
	waiter, waitShare := -1, 0.0
	for i, st := range s.Stages {
		if f := share(st.WaitIn, st.Workers, s.Elapsed); i != top && f > waitShare {
			waiter, waitShare = i, f
		}
	}
	if waiter >= 0 && waitShare >= 0.1 {
		fmt.Fprintf(&sb, "; %s waited for input %s", s.Stages[waiter].Name, percent(waitShare))
	}
	return sb.String()
}

func percent(f float64) string {
	return fmt.Sprintf("%d%%", int(min(f, 1)*100+0.5))
}

func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

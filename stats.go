package sluice

import (
	"fmt"
	"slices"
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
// stage's workers, so Busy can reach Workers × Elapsed. Busy includes the
// stretch each worker is in now, so it grows while a long item is being
// handled.
type StageStats struct {
	Name    string
	Workers int
	Inputs  []string // stages whose output this stage reads; none for a source
	In      int64    // items received
	Out     int64    // items sent on
	Errors  int64    // failures in user code, panics included

	Busy       time.Duration // in user code (and the few ns per item around it)
	WaitIn     time.Duration // waiting for input
	WaitOut    time.Duration // blocked on a full output queue or the reorder window
	WaitBudget time.Duration // sources only: waiting for room in the memory budget
	WaitPool   time.Duration // waiting for a slot of Config.Pool

	// QueueItems is the number of items waiting in the queue that feeds
	// the stage. QueueLen and QueueCap count that queue in batches of up
	// to 32 items, the unit its capacity is set in (Opts.QueueLen).
	QueueItems int64
	QueueLen   int // batches waiting in the queue that feeds the stage
	QueueCap   int // capacity of that queue, in batches
}

// stageStats is the live, atomically updated form of StageStats.
type stageStats struct {
	name    string
	workers int
	inputs  []*stageStats
	gauge   func() (n, capacity int, items int64)
	meters  []meter // one per goroutine that runs user code

	in, out, errors                   atomic.Int64
	busy, waitIn, waitOut, waitBudget atomic.Int64 // nanoseconds
	waitPool                          atomic.Int64
}

// epoch is the origin of nanotime.
var epoch = time.Now()

// nanotime reads the monotonic clock, in nanoseconds since epoch plus
// one, so that it is never 0. It costs one clock read, half of time.Now.
func nanotime() int64 { return int64(time.Since(epoch)) + 1 }

// meter times the busy stretches of one goroutine of a stage: it holds the
// time the current stretch began, so that Stats can count it while it
// lasts. Stretches end only where the goroutine blocks, so a goroutine that
// never waits reads the clock twice in its life. A nil *meter does nothing
// but read the clock.
//
// A worker of a pooled stage holds a slot of the pool while it runs user
// code: claim takes one before a batch, pause gives it back, and resume
// takes one again if the worker paused in user code (in emit), waiting if
// need be; that wait is counted apart, not in the wait resume returns.
type meter struct {
	st    *stageStats
	since atomic.Int64 // nanotime the current busy stretch began; 0 if none
	seat  *seat        // the goroutine's claim on Config.Pool; nil outside one
	_     [40]byte     // one cache line per goroutine
}

// start begins a busy stretch and returns the time.
func (m *meter) start() int64 {
	now := nanotime()
	if m != nil {
		m.since.Store(now)
	}
	return now
}

// pause ends the busy stretch, counting it, and returns the time.
func (m *meter) pause() int64 {
	now := nanotime()
	if m != nil {
		if t := m.since.Swap(0); t != 0 {
			m.st.busy.Add(now - t)
		}
		if m.seat != nil {
			m.seat.release(now)
		}
	}
	return now
}

// resume begins a new busy stretch after a wait that began at t0 and
// returns the length of the wait.
func (m *meter) resume(t0 int64) time.Duration {
	now := nanotime()
	if m != nil {
		if m.seat != nil && m.seat.want {
			m.since.Store(m.seat.acquire(now))
		} else {
			m.since.Store(now)
		}
	}
	return time.Duration(now - t0)
}

func (s *stageStats) snapshot(now int64) StageStats {
	r := StageStats{
		Name:       s.name,
		Workers:    s.workers,
		In:         s.in.Load(),
		Out:        s.out.Load(),
		Errors:     s.errors.Load(),
		WaitIn:     time.Duration(s.waitIn.Load()),
		WaitOut:    time.Duration(s.waitOut.Load()),
		WaitBudget: time.Duration(s.waitBudget.Load()),
		WaitPool:   time.Duration(s.waitPool.Load()),
	}
	// The stretches first: a stretch that ends meanwhile is then missed
	// for a moment rather than counted twice.
	var live int64
	for i := range s.meters {
		if t := s.meters[i].since.Load(); t != 0 && now > t {
			live += now - t
		}
	}
	r.Busy = time.Duration(s.busy.Load() + live)
	for _, in := range s.inputs {
		r.Inputs = append(r.Inputs, in.name)
	}
	if s.gauge != nil {
		r.QueueLen, r.QueueCap, r.QueueItems = s.gauge()
	}
	return r
}

// Stats returns the pipeline's figures so far. It is safe to call while
// Run is running, from any goroutine, and after it returned.
func (p *Pipeline) Stats() Stats {
	p.mu.Lock()
	stages := p.stages[:len(p.stages):len(p.stages)]
	p.mu.Unlock()
	now := nanotime()
	s := Stats{Budget: p.cfg.Budget, Stages: make([]StageStats, len(stages))}
	for i, st := range stages {
		s.Stages[i] = st.snapshot(now)
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
// the time; write waited for input 81%".
//
// The limiting stage is the one whose workers were busiest, as a share of
// Workers × Elapsed. If a source waited for room in the memory budget for
// most of the run, longer than any stage was busy, while no later stage
// was busy or blocked on output for most of it, the budget is named
// instead. The second clause names the stage directly downstream of the
// limiting one that waited longest for input or, failing that (the
// limiting stage is the last, or nothing after it waited 10% of the time),
// the stage directly upstream most blocked on output. It returns "" if
// nothing ran.
func (s Stats) Bottleneck() string {
	if s.Elapsed <= 0 || len(s.Stages) == 0 {
		return ""
	}
	top, topShare := 0, -1.0
	for i, st := range s.Stages {
		if f := share(st.Busy, st.Workers, s.Elapsed); f > topShare {
			top, topShare = i, f
		}
	}
	budget, budgetShare := -1, 0.0
	for i, st := range s.Stages {
		if f := share(st.WaitBudget, 1, s.Elapsed); f > budgetShare {
			budget, budgetShare = i, f
		}
	}
	// The budget limits only when what it admitted drains quickly: if a
	// stage after the sources was busy or blocked on output most of the
	// time, the pipeline is full behind that stage, not short of memory.
	occupied := 0.0
	for _, st := range s.Stages {
		if len(st.Inputs) > 0 {
			occupied = max(occupied, share(st.Busy+st.WaitOut, st.Workers, s.Elapsed))
		}
	}
	if budget >= 0 && budgetShare >= 0.5 && budgetShare > topShare && occupied < 0.5 {
		return fmt.Sprintf("the memory budget of %s limits throughput: %s waited for room %s of the time (peak %s in flight)",
			bytesText(s.Budget), s.Stages[budget].Name, percent(budgetShare), bytesText(s.PeakBytes))
	}
	b := s.Stages[top]
	var sb strings.Builder
	if b.Workers == 1 {
		fmt.Fprintf(&sb, "%s limits throughput: its 1 worker was busy %s of the time", b.Name, percent(topShare))
	} else {
		fmt.Fprintf(&sb, "%s limits throughput: its %d workers were busy %s of the time", b.Name, b.Workers, percent(topShare))
	}
	const minShare = 0.1
	next, nextShare := -1, 0.0
	for i, st := range s.Stages {
		if f := share(st.WaitIn, st.Workers, s.Elapsed); i != top && slices.Contains(st.Inputs, b.Name) && f > nextShare {
			next, nextShare = i, f
		}
	}
	if next >= 0 && nextShare >= minShare {
		fmt.Fprintf(&sb, "; %s waited for input %s", s.Stages[next].Name, percent(nextShare))
		return sb.String()
	}
	prev, prevShare := -1, 0.0
	for i, st := range s.Stages {
		if f := share(st.WaitOut, st.Workers, s.Elapsed); i != top && slices.Contains(b.Inputs, st.Name) && f > prevShare {
			prev, prevShare = i, f
		}
	}
	if prev >= 0 && prevShare >= minShare {
		fmt.Fprintf(&sb, "; %s was blocked on output %s", s.Stages[prev].Name, percent(prevShare))
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

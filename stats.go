package sluice

import (
	"context"
	"fmt"
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

	// Exchanges holds the figures of each Exchange stage, part by part.
	Exchanges []ExchangeStats
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

	Busy       time.Duration // computing: in user code (and the few ns per item around it), I/O excepted
	IO         time.Duration // in user code that said it does I/O, with BeginIO
	WaitIn     time.Duration // waiting for input
	WaitOut    time.Duration // blocked on a full output queue or the reorder window
	WaitBudget time.Duration // sources only: waiting for room in the memory budget

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

	in, out, errors                       atomic.Int64
	busy, io, waitIn, waitOut, waitBudget atomic.Int64 // nanoseconds
}

// epoch is the origin of nanotime.
var epoch = time.Now()

// nanotime reads the monotonic clock, in nanoseconds since epoch plus
// one, so that it is never 0. It costs one clock read, half of time.Now.
func nanotime() int64 { return int64(time.Since(epoch)) + 1 }

// meter times the working stretches of one goroutine of a stage: it holds
// the time the current stretch began, so that Stats can count it while it
// lasts. Stretches end only where the goroutine blocks or user code says
// it begins or ends I/O (BeginIO), so a goroutine that never waits reads
// the clock twice in its life. A stretch is computing (busy) or, between
// BeginIO and its end, I/O. A nil *meter does nothing but read the clock.
type meter struct {
	st      *stageStats
	since   atomic.Int64 // nanotime the current busy stretch began; 0 if none
	ioSince atomic.Int64 // nanotime the current I/O stretch began; 0 if none
	inIO    bool         // between BeginIO and its end; owned by the goroutine
	endIO   func()       // m.stopIO, bound once so that BeginIO does not allocate
	obs     *observed    // set when the run is watched (observe.go)
	_       [16]byte     // one cache line per goroutine
}

// start begins a working stretch and returns the time.
func (m *meter) start() int64 {
	now := nanotime()
	if m != nil {
		if m.inIO {
			m.ioSince.Store(now)
		} else {
			m.since.Store(now)
		}
		if m.obs != nil {
			m.obs.set(StateBusy, now)
		}
	}
	return now
}

// pause ends the working stretch, counting it, and returns the time.
func (m *meter) pause() int64 {
	now := nanotime()
	if m != nil {
		if m.inIO {
			if t := m.ioSince.Swap(0); t != 0 {
				m.st.io.Add(now - t)
			}
		} else if t := m.since.Swap(0); t != 0 {
			m.st.busy.Add(now - t)
		}
	}
	return now
}

// beginIO ends the busy stretch and begins an I/O stretch, which the
// function it returns ends.
func (m *meter) beginIO() func() {
	if m.inIO {
		return noIO
	}
	m.pause()
	m.inIO = true
	m.start()
	return m.endIO
}

// stopIO ends the I/O stretch and begins a busy one; m.endIO is this
// method, bound once when the stage is added.
func (m *meter) stopIO() {
	if m.inIO {
		m.pause()
		m.inIO = false
		m.start()
	}
}

func noIO() {}

type meterKey struct{}

// withMeter returns the context a stage's function receives: ctx, through
// which BeginIO finds the goroutine's meter.
func withMeter(ctx context.Context, m *meter) context.Context {
	return context.WithValue(ctx, meterKey{}, m)
}

// BeginIO is a cheap call that tells the stage running the calling function
// that what follows is I/O, not computing: reading or writing a file,
// waiting on the network. Stats counts the time until the returned function
// is called in StageStats.IO instead of Busy, so that a stage bound by its
// disk is not mistaken for one bound by its CPU. ctx is the context the
// stage's function received; with any other context, and when called
// again before the first stretch ends, BeginIO does nothing. It must be
// called, and the stretch ended, in the goroutine that runs the function.
//
// It costs two clock reads and a context lookup, about 50 ns a stretch,
// and does not allocate:
//
//	end := sluice.BeginIO(ctx)
//	_, err := f.Write(buf)
//	end()
func BeginIO(ctx context.Context) (end func()) {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil {
		return noIO
	}
	return m.beginIO()
}

// resume begins a new busy stretch after a wait that began at t0 and
// returns the length of the wait.
func (m *meter) resume(t0 int64) time.Duration {
	return time.Duration(m.start() - t0)
}

func (s *stageStats) snapshot(now int64) StageStats {
	r := StageStats{
		Name:       s.name,
		Workers:    s.workers,
		In:         s.in.Load(),
		Out:        s.out.Load(),
		Errors:     s.errors.Load(),
		IO:         time.Duration(s.io.Load()),
		WaitIn:     time.Duration(s.waitIn.Load()),
		WaitOut:    time.Duration(s.waitOut.Load()),
		WaitBudget: time.Duration(s.waitBudget.Load()),
	}
	// The stretches first: a stretch that ends meanwhile is then missed
	// for a moment rather than counted twice.
	var live, liveIO int64
	for i := range s.meters {
		if t := s.meters[i].since.Load(); t != 0 && now > t {
			live += now - t
		}
		if t := s.meters[i].ioSince.Load(); t != 0 && now > t {
			liveIO += now - t
		}
	}
	r.Busy = time.Duration(s.busy.Load() + live)
	r.IO += time.Duration(liveIO)
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
	s.Exchanges = p.exchangeStats()
	if start := p.start.Load(); start != 0 {
		end := p.end.Load()
		if end == 0 {
			end = time.Now().UnixNano()
		}
		s.Elapsed = time.Duration(end - start)
	}
	return s
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

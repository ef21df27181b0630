package sluice

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// StallError is the error Run returns when the stall watchdog
// (Config.StallTimeout) found that nothing moved anywhere for the timeout
// while the run was not finished: no item was taken, handled or passed on,
// no goroutine changed state and nobody called Heartbeat.
//
// Run returns it without waiting for goroutines stuck in user code: they
// exit once their function returns, having seen the run's context
// cancelled with this error as its cause.
type StallError struct {
	Idle time.Duration // how long nothing had moved
	// Stuck names the stages at fault: those with a goroutine inside the
	// user's function, which nothing else can move. If none is, it is
	// empty and Budget may say the memory budget is full.
	Stuck   []string
	Budget  bool          // sources wait for the memory budget, and no stage is stuck
	Workers []WorkerState // every goroutine of every stage, stage by stage
	// Report says, stage by stage, what each goroutine waits on, in lines
	// a person reads.
	Report string
}

func (e *StallError) Error() string {
	var why string
	switch {
	case len(e.Stuck) > 0:
		why = fmt.Sprintf("stage %q is stuck in its function", e.Stuck[0])
		for _, w := range e.Workers {
			if w.Stage == e.Stuck[0] && w.State == StateBusy {
				why = fmt.Sprintf("stage %q is stuck in its function (worker %d, %s, %s)", w.Stage, w.Worker, itemText(w.Item), roundDur(w.Since))
				break
			}
		}
		if len(e.Stuck) > 1 {
			why += fmt.Sprintf(", and %d more", len(e.Stuck)-1)
		}
	case e.Budget:
		why = "the memory budget is full and nothing releases it"
	default:
		why = "every goroutine waits on another"
	}
	return fmt.Sprintf("sluice: stalled: nothing moved for %s; %s", roundDur(e.Idle), why)
}

// watchdog waits for the goroutines of wg like wg.Wait, unless nothing
// moves for Config.StallTimeout: it then fails the run with a *StallError
// and returns shortly after, whether or not every goroutine has exited.
func (p *Pipeline) watchdog(ctx context.Context, wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	timeout := p.cfg.StallTimeout
	tick := time.NewTicker(max(timeout/8, time.Millisecond))
	defer tick.Stop()
	w := p.watch.Load()
	last, lastAt := w.movement(), nanotime()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		now := nanotime()
		if m := w.movement(); m != last || ctx.Err() != nil {
			last, lastAt = m, now
			continue
		}
		idle := time.Duration(now - lastAt)
		if idle < timeout {
			continue
		}
		se := w.stallError(idle)
		p.errOnce.Do(func() {
			p.err = se
			p.cancel(se)
		})
		// The goroutines that only wait see the cancellation at once;
		// those in user code may never return.
		select {
		case <-done:
		case <-time.After(min(timeout/4, time.Second)):
		}
		return
	}
}

// movement sums everything that changes when anything moves: item
// counts, changes of state, item indices and heartbeats.
func (w *watch) movement() int64 {
	n := w.beats.Load()
	for _, st := range w.stages {
		n += st.in.Load() + st.out.Load()
		for i := range st.meters {
			o := st.meters[i].obs
			n += o.moves.Load() + o.item.Load() // items only go up
		}
	}
	return n
}

// stallError describes what every goroutine waits on.
func (w *watch) stallError(idle time.Duration) *StallError {
	p := w.p
	e := &StallError{Idle: idle, Workers: p.WorkerStates()}
	g := p.Graph()
	st := p.Stats()
	byName := make(map[string]StageStats, len(st.Stages))
	for _, s := range st.Stages {
		byName[s.Name] = s
	}
	budgetWait := false
	for _, ws := range e.Workers {
		switch ws.State {
		case StateBusy:
			if !slices.Contains(e.Stuck, ws.Stage) {
				e.Stuck = append(e.Stuck, ws.Stage)
			}
		case StateWaitBudget:
			budgetWait = true
		}
	}
	e.Budget = len(e.Stuck) == 0 && budgetWait

	var b strings.Builder
	fmt.Fprintf(&b, "pipeline %q: nothing moved for %s\n", g.Name, roundDur(idle))
	k := 0
	for i, gs := range g.Stages {
		s := st.Stages[i]
		fmt.Fprintf(&b, "stage %q: %d in, %d out", gs.Name, s.In, s.Out)
		if s.QueueCap > 0 {
			fmt.Fprintf(&b, ", input queue %d of %d batches (%d items)", s.QueueLen, s.QueueCap, s.QueueItems)
		}
		if slices.Contains(e.Stuck, gs.Name) {
			b.WriteString("  <- stuck")
		}
		b.WriteByte('\n')
		for ; k < len(e.Workers) && e.Workers[k].Stage == gs.Name; k++ {
			ws := e.Workers[k]
			fmt.Fprintf(&b, "  worker %d: %s\n", ws.Worker, waitText(ws, gs, byName, st))
		}
	}
	if st.Budget > 0 {
		fmt.Fprintf(&b, "budget: %s of %s in flight\n", bytesText(st.InFlight), bytesText(st.Budget))
	}
	e.Report = b.String()
	return e
}

// waitText says what one goroutine waits on.
func waitText(ws WorkerState, gs GraphStage, byName map[string]StageStats, st Stats) string {
	d := roundDur(ws.Since)
	switch ws.State {
	case StateBusy:
		if len(gs.Inputs) == 0 {
			return fmt.Sprintf("in its function for %s, after emitting %d items", d, max(ws.Item, 0))
		}
		return fmt.Sprintf("in its function for %s on %s", d, itemText(ws.Item))
	case StateWaitIn:
		return fmt.Sprintf("waiting for input from %s for %s", quoted(gs.Inputs), d)
	case StateWaitOut:
		var qs []string
		for _, o := range gs.Outputs {
			if s, ok := byName[o]; ok {
				qs = append(qs, fmt.Sprintf("%q (%d of %d batches full)", o, s.QueueLen, s.QueueCap))
			}
		}
		return fmt.Sprintf("waiting for room in the queue to %s for %s", strings.Join(qs, ", "), d)
	case StateWaitOrder:
		return fmt.Sprintf("waiting for earlier items of its own stage to leave (reorder window) for %s", d)
	case StateWaitBudget:
		return fmt.Sprintf("waiting for room in the memory budget (%s of %s in flight) for %s", bytesText(st.InFlight), bytesText(st.Budget), d)
	case StateDone:
		return "finished"
	}
	return ws.State.String()
}

func itemText(i int64) string {
	if i < 0 {
		return "no item yet"
	}
	return fmt.Sprintf("item %d", i)
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

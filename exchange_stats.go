package sluice

import (
	"fmt"
	"sync/atomic"
	"time"
)

// ExchangeStats holds the figures of one Exchange stage, part by part.
type ExchangeStats struct {
	Stage string      // the stage's name
	Name  string      // what a part is called: ExchangeOpts.Name or "part"
	Parts []PartStats // in part order
}

// PartStats holds the figures of one part of an Exchange stage. The
// durations add up to the time the part's goroutine ran.
type PartStats struct {
	Steps      int64         // steps taken
	Busy       time.Duration // in Edges and Step
	WaitPrev   time.Duration // waiting for the part before: its edge, or room on the link to it
	WaitNext   time.Duration // waiting for the part after
	WaitReduce time.Duration // waiting for every part at a reduction
	// WaitingOn is the index of the neighbour this part waits for now,
	// or -1; Reducing says it waits at a reduction now.
	WaitingOn int
	Reducing  bool
}

// exchangeStats is the live form of ExchangeStats.
type exchangeStats struct {
	name, part string
	parts      []partStats
}

type partStats struct {
	steps, busy, waitPrev, waitNext, waitReduce atomic.Int64
	waitingOn                                   atomic.Int32
	reducing                                    atomic.Bool
	index                                       int
	_                                           [64]byte
}

// addWait counts a wait on neighbour k.
func (ps *partStats) addWait(k int, d time.Duration) {
	if k < ps.index {
		ps.waitPrev.Add(int64(d))
	} else {
		ps.waitNext.Add(int64(d))
	}
}

func (x *exchangeStats) snapshot() ExchangeStats {
	e := ExchangeStats{Stage: x.name, Name: x.part, Parts: make([]PartStats, len(x.parts))}
	for i := range x.parts {
		ps := &x.parts[i]
		e.Parts[i] = PartStats{
			Steps:      ps.steps.Load(),
			Busy:       time.Duration(ps.busy.Load()),
			WaitPrev:   time.Duration(ps.waitPrev.Load()),
			WaitNext:   time.Duration(ps.waitNext.Load()),
			WaitReduce: time.Duration(ps.waitReduce.Load()),
			WaitingOn:  int(ps.waitingOn.Load()),
			Reducing:   ps.reducing.Load(),
		}
	}
	return e
}

// exchanges returns the figures of every Exchange stage.
func (p *Pipeline) exchangeStats() []ExchangeStats {
	p.mu.Lock()
	xs := p.exchanges[:len(p.exchanges):len(p.exchanges)]
	p.mu.Unlock()
	var out []ExchangeStats
	for _, x := range xs {
		out = append(out, x.snapshot())
	}
	return out
}

// Waits names the part that holds the others back, the one busiest
// computing, and the neighbour that waits on it longest, as shares of
// elapsed: "strip 3 waits on strip 4 41% of the time (strip 4 computes
// 95%)". It returns "" if no neighbour of that part waited on it 5% of
// the time.
func (e ExchangeStats) Waits(elapsed time.Duration) string {
	if elapsed <= 0 || len(e.Parts) < 2 {
		return ""
	}
	slow := 0
	for i, ps := range e.Parts {
		if ps.Busy > e.Parts[slow].Busy {
			slow = i
		}
	}
	from, most := -1, time.Duration(0)
	if slow > 0 {
		from, most = slow-1, e.Parts[slow-1].WaitNext
	}
	if slow < len(e.Parts)-1 && e.Parts[slow+1].WaitPrev > most {
		from, most = slow+1, e.Parts[slow+1].WaitPrev
	}
	if from < 0 || share(most, 1, elapsed) < 0.05 {
		return ""
	}
	return fmt.Sprintf("%s %d waits on %s %d %s of the time (%s %d computes %s)",
		e.Name, from, e.Name, slow, percent(share(most, 1, elapsed)),
		e.Name, slow, percent(share(e.Parts[slow].Busy, 1, elapsed)))
}

// exchangeWaits is Waits for the Exchange stage named stage, if any.
func (s Stats) exchangeWaits(stage string) string {
	for _, e := range s.Exchanges {
		if e.Stage == stage {
			return e.Waits(s.Elapsed)
		}
	}
	return ""
}

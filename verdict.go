package sluice

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TimeKind is what a stage's goroutines spent a stretch of time on. Each
// kind is one of the durations of StageStats.
type TimeKind int

const (
	Computing     TimeKind = iota // in user code: StageStats.Busy
	DoingIO                       // in user code after BeginIO: StageStats.IO
	WaitingInput                  // StageStats.WaitIn
	BlockedOutput                 // StageStats.WaitOut
	WaitingBudget                 // StageStats.WaitBudget
)

var timeKindNames = [...]string{"computing", "doing I/O", "waiting for input", "blocked on output", "waiting for room in the budget"}

// String returns the kind in words, such as "blocked on output".
func (k TimeKind) String() string {
	if k < 0 || int(k) >= len(timeKindNames) {
		return fmt.Sprintf("TimeKind(%d)", int(k))
	}
	return timeKindNames[k]
}

// Time returns the time of kind k the stage's goroutines spent, summed
// over them.
func (s StageStats) Time(k TimeKind) time.Duration {
	switch k {
	case Computing:
		return s.Busy
	case DoingIO:
		return s.IO
	case WaitingInput:
		return s.WaitIn
	case BlockedOutput:
		return s.WaitOut
	case WaitingBudget:
		return s.WaitBudget
	}
	return 0
}

// Verdict says which stage limits a pipeline's throughput and why: the
// structured form of Stats.Bottleneck, from Stats.Verdict. Shares are
// fractions of the stage's Workers × Elapsed, from 0 to about 1.
type Verdict struct {
	// Stage is the stage that limits throughput, "" if nothing ran. When
	// the memory budget limits, it is the source that waited for room.
	Stage   string
	Workers int // Stage's goroutines
	// Kind is what Stage spent its time on: Computing or DoingIO,
	// whichever took more of it, or WaitingBudget when the memory budget
	// limits.
	Kind TimeKind
	// Share is the time Stage worked (computing and I/O), or waited for
	// room when Kind is WaitingBudget.
	Share float64
	// IOShare is the part of Share spent doing I/O.
	IOShare float64
	// Waiter is the neighbour that waits on Stage most: a stage it feeds,
	// waiting for input (WaiterKind WaitingInput), or else a stage that
	// feeds it, blocked on output (BlockedOutput). It is "" unless one
	// waited at least a tenth of the time.
	Waiter      string
	WaiterKind  TimeKind
	WaiterShare float64
}

// Thresholds of the verdict, as shares of a stage's Workers × Elapsed.
const (
	// handOff: a stage blocked on output this long, and longer than it
	// waited for input, is held back by the stage it feeds, if that stage
	// waited for input less than this.
	handOff = 0.25
	// minWait: a neighbour that waited less is not named.
	minWait = 0.1
)

// share is d as a fraction of workers × elapsed.
func share(d time.Duration, workers int, elapsed time.Duration) float64 {
	if workers < 1 {
		workers = 1
	}
	return float64(d) / (float64(workers) * float64(elapsed))
}

// Verdict names the stage that limits throughput, what it spent its time
// on, and the neighbour that waited on it. It is cheap and may be called
// on a snapshot taken while the pipeline runs.
//
// The limiting stage is the one whose workers worked longest (computing
// and I/O), as a share of Workers × Elapsed, with two exceptions. A stage
// blocked on output for a quarter of the time or more, and longer than it
// waited for input, is held back by the stage it feeds: that stage is
// named instead, unless it too waited for input a quarter of the time
// (then neither keeps the other waiting for long). And if a source
// waited for room in the memory budget for most of the run, longer than
// any stage worked, while no later stage was working or blocked on output
// for most of it, the budget limits (Kind WaitingBudget). A stage that
// stopped early (Take) stops counting time when it stops, so it is not
// named for the time the others went on.
func (s Stats) Verdict() Verdict {
	if s.Elapsed <= 0 || len(s.Stages) == 0 {
		return Verdict{}
	}
	work := func(st StageStats) float64 { return share(st.Busy+st.IO, st.Workers, s.Elapsed) }
	top, topShare := 0, -1.0
	for i, st := range s.Stages {
		if f := work(st); f > topShare {
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
			occupied = max(occupied, share(st.Busy+st.IO+st.WaitOut, st.Workers, s.Elapsed))
		}
	}
	if budget >= 0 && budgetShare >= 0.5 && budgetShare > topShare && occupied < 0.5 {
		return Verdict{Stage: s.Stages[budget].Name, Workers: s.Stages[budget].Workers, Kind: WaitingBudget, Share: budgetShare}
	}
	top = s.handOff(top)
	b := s.Stages[top]
	v := Verdict{Stage: b.Name, Workers: b.Workers, Kind: Computing, Share: work(b), IOShare: share(b.IO, b.Workers, s.Elapsed)}
	if b.IO > b.Busy {
		v.Kind = DoingIO
	}
	for i, st := range s.Stages {
		if f := share(st.WaitIn, st.Workers, s.Elapsed); i != top && slices.Contains(st.Inputs, b.Name) && f > v.WaiterShare {
			v.Waiter, v.WaiterKind, v.WaiterShare = st.Name, WaitingInput, f
		}
	}
	if v.WaiterShare >= minWait {
		return v
	}
	v.Waiter, v.WaiterShare = "", 0
	for i, st := range s.Stages {
		if f := share(st.WaitOut, st.Workers, s.Elapsed); i != top && slices.Contains(b.Inputs, st.Name) && f > v.WaiterShare {
			v.Waiter, v.WaiterKind, v.WaiterShare = st.Name, BlockedOutput, f
		}
	}
	if v.WaiterShare < minWait {
		v.Waiter, v.WaiterKind, v.WaiterShare = "", 0, 0
	}
	return v
}

// handOff follows the stream from stage i while the stage is held back by
// the one it feeds, and returns the stage where it stops.
func (s Stats) handOff(i int) int {
	for range s.Stages {
		st := s.Stages[i]
		blocked := share(st.WaitOut, st.Workers, s.Elapsed)
		if blocked < handOff || blocked <= share(st.WaitIn, st.Workers, s.Elapsed) {
			return i
		}
		next, nextWork := -1, -1.0
		for j, r := range s.Stages {
			if f := share(r.Busy+r.IO, r.Workers, s.Elapsed); j != i && slices.Contains(r.Inputs, st.Name) && f > nextWork {
				next, nextWork = j, f
			}
		}
		if next < 0 || share(s.Stages[next].WaitIn, s.Stages[next].Workers, s.Elapsed) >= handOff {
			return i
		}
		i = next
	}
	return i
}

// Bottleneck says in one sentence which stage limits throughput and why,
// such as "blur limits throughput: its 2 workers were busy 97% of the
// time; write waited for input 81%", or "write limits throughput: its 1
// worker was busy 90% of the time, 85% doing I/O". It is the sentence form
// of Verdict, which says how the stage is chosen; it returns "" if nothing
// ran.
func (s Stats) Bottleneck() string {
	v := s.Verdict()
	if v.Stage == "" {
		return ""
	}
	if v.Kind == WaitingBudget {
		return fmt.Sprintf("the memory budget of %s limits throughput: %s waited for room %s of the time (peak %s in flight)",
			bytesText(s.Budget), v.Stage, percent(v.Share), bytesText(s.PeakBytes))
	}
	var sb strings.Builder
	if v.Workers == 1 {
		fmt.Fprintf(&sb, "%s limits throughput: its 1 worker was busy %s of the time", v.Stage, percent(v.Share))
	} else {
		fmt.Fprintf(&sb, "%s limits throughput: its %d workers were busy %s of the time", v.Stage, v.Workers, percent(v.Share))
	}
	if v.IOShare >= minWait {
		fmt.Fprintf(&sb, ", %s doing I/O", percent(v.IOShare))
	}
	if w := s.exchangeWaits(v.Stage); w != "" {
		fmt.Fprintf(&sb, "; %s", w)
	}
	switch v.WaiterKind {
	case WaitingInput:
		fmt.Fprintf(&sb, "; %s waited for input %s", v.Waiter, percent(v.WaiterShare))
	case BlockedOutput:
		fmt.Fprintf(&sb, "; %s was blocked on output %s", v.Waiter, percent(v.WaiterShare))
	}
	return sb.String()
}

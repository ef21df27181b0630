package sluice

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Observer sees a run from inside: the stage graph when it starts, every
// change of what a goroutine of a stage is doing while it runs, and the end.
// Add one to a pipeline with Pipeline.Observe; package monitor turns what it
// sees into a trace, metrics and a live page.
//
// Change is called by the goroutines of the run themselves, concurrently,
// at least once per item a stage handles: an Observer must be safe for
// concurrent use and quick, and must not block or call back into the
// pipeline's Run. Pipeline.Stats, Graph and WorkerStates may be called from
// it or from any other goroutine.
type Observer interface {
	// Start is called once by Run before any stage runs.
	Start(p *Pipeline)
	// Change is called when a goroutine of a stage changes state, and when
	// a busy goroutine moves on to the next item.
	Change(e Event)
	// End is called once when Run returns, with what it returns.
	End(p *Pipeline, err error)
}

// State is what one goroutine of a stage is doing.
type State uint8

// The states of a stage's goroutine.
const (
	StateIdle       State = iota // not started yet
	StateBusy                    // in user code, or moving items
	StateWaitIn                  // waiting for input from the stages before it
	StateWaitOut                 // blocked on output: the next stage's queue is full
	StateWaitOrder               // ordered stage: waiting for earlier items of its own to leave
	StateWaitBudget              // source: waiting for room in the memory budget
	StateDone                    // returned
)

var stateNames = [...]string{"idle", "busy", "waiting for input", "blocked on output", "waiting for order", "waiting for budget", "done"}

// String returns the state in words, such as "waiting for input".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}

// Event is one change of state of one goroutine of a stage.
type Event struct {
	Pipeline *Pipeline
	Stage    int           // index in Graph.Stages
	Worker   int           // index of the goroutine within its stage
	State    State         // the state it enters
	Item     int64         // item index the goroutine handles (see WorkerState.Item)
	Time     time.Duration // since Run started
}

// Graph is the shape of a pipeline: its stages and how they connect.
type Graph struct {
	Name   string       // Config.Name
	Start  time.Time    // when Run started; zero before
	Stages []GraphStage // in the order they were added, as in Stats.Stages
}

// GraphStage is one stage of a Graph.
type GraphStage struct {
	Name    string
	Workers int      // goroutines
	Inputs  []string // stages it reads from; none for a source
	Outputs []string // stages that read its output; none for a consumer
}

// WorkerState is what one goroutine of a stage is doing now.
type WorkerState struct {
	Stage  string
	Worker int
	State  State
	Since  time.Duration // how long it has been in State (busy: on this item)
	// Item is the index, in the stage's input, of the item a busy worker
	// handles; for a source, the number of items it has emitted. -1
	// before the first.
	Item int64
}

// Name returns Config.Name, or "pipeline" if it is empty.
func (p *Pipeline) Name() string {
	if p.cfg.Name == "" {
		return "pipeline"
	}
	return p.cfg.Name
}

// Observe adds o to the observers of the run. It panics once Run has
// started or if o is nil. Without an observer (and without
// Config.StallTimeout) the run keeps no per-goroutine state and pays
// nothing for it; with one, each item handled costs a call to o.Change.
func (p *Pipeline) Observe(o Observer) {
	if o == nil {
		panic("sluice: nil Observer")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		panic("sluice: Observe called after Run started")
	}
	p.observers = append(p.observers, o)
}

// Graph returns the stages of the pipeline and how they connect. It is
// safe to call at any time.
func (p *Pipeline) Graph() Graph {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := Graph{Name: p.Name(), Stages: make([]GraphStage, len(p.stages))}
	if t := p.start.Load(); t != 0 {
		g.Start = time.Unix(0, t)
	}
	idx := make(map[*stageStats]int, len(p.stages))
	for i, st := range p.stages {
		idx[st] = i
		g.Stages[i] = GraphStage{Name: st.name, Workers: st.workers}
		for _, in := range st.inputs {
			g.Stages[i].Inputs = append(g.Stages[i].Inputs, in.name)
		}
	}
	for _, e := range p.edges {
		if e, ok := e.(interface{ link() (*stageStats, string) }); ok {
			from, to := e.link()
			if i, ok := idx[from]; ok && to != "" {
				g.Stages[i].Outputs = append(g.Stages[i].Outputs, to)
			}
		}
	}
	return g
}

func (s *Stream[T]) link() (*stageStats, string) { return s.st, s.to }

// WorkerStates returns what every goroutine of every stage is doing now,
// stage by stage. It returns nil unless the run is watched: an Observer
// was added or Config.StallTimeout is set.
func (p *Pipeline) WorkerStates() []WorkerState {
	w := p.watch.Load()
	if w == nil {
		return nil
	}
	now := nanotime()
	var r []WorkerState
	for _, st := range w.stages {
		for i := range st.meters {
			o := st.meters[i].obs
			s := State(o.state.Load())
			ws := WorkerState{Stage: st.name, Worker: i, State: s, Item: o.item.Load()}
			if t := o.changed.Load(); t != 0 && s != StateIdle && s != StateDone {
				ws.Since = time.Duration(max(0, now-t))
			}
			r = append(r, ws)
		}
	}
	return r
}

// watch is the state of a watched run: one exists when the pipeline has
// observers or a stall timeout.
type watch struct {
	p      *Pipeline
	obs    []Observer
	stages []*stageStats
	start  atomic.Int64 // nanotime when Run started
	beats  atomic.Int64 // heartbeats
}

// observed is the per-goroutine state of a watched run, reached from its
// meter.
type observed struct {
	w       *watch
	stage   int
	worker  int
	state   atomic.Uint32
	item    atomic.Int64
	changed atomic.Int64 // nanotime of the last change
	moves   atomic.Int64 // changes of state, for the watchdog
	_       [72]byte     // written by one goroutine: keep others off its lines
}

// attach sets up the watch before Run starts the stages, once; p.mu is
// held.
func (p *Pipeline) attach() {
	if p.watch.Load() != nil || len(p.observers) == 0 && p.cfg.StallTimeout <= 0 {
		return
	}
	w := &watch{p: p, obs: p.observers, stages: p.stages}
	w.start.Store(nanotime())
	for si, st := range p.stages {
		for i := range st.meters {
			o := &observed{w: w, stage: si, worker: i}
			o.item.Store(-1)
			st.meters[i].obs = o
		}
	}
	p.watch.Store(w)
}

// set records a change of state at time now and tells the observers.
func (o *observed) set(s State, now int64) {
	o.state.Store(uint32(s))
	o.changed.Store(now)
	o.moves.Add(1)
	o.tell(s, now)
}

// next records that a busy goroutine moved on to item i.
func (o *observed) next(i int64) {
	o.item.Store(i)
	if len(o.w.obs) > 0 {
		now := nanotime()
		o.changed.Store(now)
		o.tell(StateBusy, now)
	}
}

func (o *observed) tell(s State, now int64) {
	if len(o.w.obs) == 0 {
		return
	}
	e := Event{Pipeline: o.w.p, Stage: o.stage, Worker: o.worker, State: s,
		Item: o.item.Load(), Time: time.Duration(now - o.w.start.Load())}
	for _, ob := range o.w.obs {
		ob.Change(e)
	}
}

// waitFor ends the busy stretch of the goroutine m times, as pause does,
// and records that it now waits for reason s.
func (m *meter) waitFor(s State) int64 {
	now := m.pause()
	if m != nil && m.obs != nil {
		m.obs.set(s, now)
	}
	return now
}

// item records that the goroutine m times handles item i now.
func (m *meter) item(i int64) {
	if m.obs != nil {
		m.obs.next(i)
	}
}

// stop ends the goroutine's last busy stretch: it returns.
func (m *meter) stop() {
	now := m.pause()
	if m.obs != nil {
		m.obs.set(StateDone, now)
	}
}

// Heartbeat tells the stall watchdog that the run is making progress:
// user code that waits a long time for something outside the pipeline
// (remote workers, a pool or budget shared with other pipelines) calls it
// now and then so that the wait does not count as a stall. It costs one
// atomic add, and nothing when the run has no watchdog.
func (p *Pipeline) Heartbeat() {
	if w := p.watch.Load(); w != nil {
		w.beats.Add(1)
	}
}

type pipelineKey struct{}

// Heartbeat calls Pipeline.Heartbeat on the pipeline whose Run gave ctx to
// a user function (or a context derived from it); it does nothing for any
// other context. It costs a context lookup.
func Heartbeat(ctx context.Context) {
	if p, ok := ctx.Value(pipelineKey{}).(*Pipeline); ok {
		p.Heartbeat()
	}
}

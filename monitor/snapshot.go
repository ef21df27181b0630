package monitor

import (
	"sync"

	"github.com/sluice-go/sluice"
)

// Snapshot is what the live page shows at one moment, as sent on its
// event stream (/events) and served whole at /state.json.
type Snapshot struct {
	Pipelines []PipelineSnapshot `json:"pipelines"`
}

// PipelineSnapshot is one pipeline's state.
type PipelineSnapshot struct {
	Name       string          `json:"name"`
	State      string          `json:"state"` // "waiting" (not started), "running", "finished", "failed"
	Error      string          `json:"error,omitempty"`
	Elapsed    float64         `json:"elapsed"` // seconds
	Budget     int64           `json:"budget"`
	InFlight   int64           `json:"inFlight"`
	Peak       int64           `json:"peak"`
	Bottleneck string          `json:"bottleneck"`
	Done       int64           `json:"done"`  // progress, in Unit; Total 0 when unknown
	Total      int64           `json:"total"` // in Unit
	Unit       string          `json:"unit"`
	Stages     []StageSnapshot `json:"stages"`
}

// StageSnapshot is one stage's figures and the states of its goroutines.
type StageSnapshot struct {
	Name       string   `json:"name"`
	Workers    int      `json:"workers"`
	Inputs     []string `json:"inputs"`
	Outputs    []string `json:"outputs"`
	In         int64    `json:"in"`
	Out        int64    `json:"out"`
	Busy       float64  `json:"busy"` // seconds, summed over workers
	WaitIn     float64  `json:"waitIn"`
	WaitOut    float64  `json:"waitOut"`
	WaitBudget float64  `json:"waitBudget"`
	QueueLen   int      `json:"queueLen"`
	QueueCap   int      `json:"queueCap"`
	QueueItems int64    `json:"queueItems"`
	States     []string `json:"states"` // per worker, as metrics' state label
}

// watched is a pipeline a Server shows, with what it learnt as an observer.
type watched struct {
	p        *sluice.Pipeline
	progress func() (done, total int64)
	unit     string

	mu      sync.Mutex
	started bool
	ended   bool
	err     error
}

func (w *watched) Start(*sluice.Pipeline) {
	w.mu.Lock()
	w.started = true
	w.mu.Unlock()
}

func (w *watched) Change(sluice.Event) {}

func (w *watched) End(_ *sluice.Pipeline, err error) {
	w.mu.Lock()
	w.ended, w.err = true, err
	w.mu.Unlock()
}

func (w *watched) snapshot() PipelineSnapshot {
	w.mu.Lock()
	started, ended, err := w.started, w.ended, w.err
	w.mu.Unlock()
	p := w.p
	s := p.Stats()
	g := p.Graph()
	ps := PipelineSnapshot{Name: p.Name(), State: "waiting", Elapsed: s.Elapsed.Seconds(),
		Budget: s.Budget, InFlight: s.InFlight, Peak: s.PeakBytes, Bottleneck: s.Bottleneck(), Unit: w.unit}
	switch {
	case ended && err != nil:
		ps.State, ps.Error = "failed", err.Error()
	case ended:
		ps.State = "finished"
	case started:
		ps.State = "running"
	}
	if w.progress != nil {
		ps.Done, ps.Total = w.progress()
	}
	states := map[string][]string{}
	for _, ws := range p.WorkerStates() {
		states[ws.Stage] = append(states[ws.Stage], stateLabel(ws.State))
	}
	for i, st := range s.Stages {
		ss := StageSnapshot{Name: st.Name, Workers: st.Workers, Inputs: st.Inputs,
			In: st.In, Out: st.Out, Busy: st.Busy.Seconds(), WaitIn: st.WaitIn.Seconds(),
			WaitOut: st.WaitOut.Seconds(), WaitBudget: st.WaitBudget.Seconds(),
			QueueLen: st.QueueLen, QueueCap: st.QueueCap, QueueItems: st.QueueItems, States: states[st.Name]}
		if i < len(g.Stages) {
			ss.Outputs = g.Stages[i].Outputs
		}
		ps.Stages = append(ps.Stages, ss)
	}
	return ps
}

package sluice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is an Observer that keeps everything it sees.
type recorder struct {
	mu     sync.Mutex
	starts int
	ends   []error
	events []Event
	graph  Graph
}

func (r *recorder) Start(p *Pipeline) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts++
	r.graph = p.Graph()
}

func (r *recorder) Change(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) End(p *Pipeline, err error) {
	r.mu.Lock()
	r.ends = append(r.ends, err)
	r.mu.Unlock()
}

// TestObserverSeesEveryItem runs source → map → sink under every ordering
// and worker count and checks what an observer saw: the graph, each item
// once as a busy event of each stage, states that start busy and end done,
// and times that never go back on one goroutine.
func TestObserverSeesEveryItem(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		const n = 500
		p := New(Config{Name: "squares", QueueLen: 2})
		r := &recorder{}
		p.Observe(r)
		src := FromSlice(p, "numbers", ints(n))
		m := Map(src, "square", o, func(_ context.Context, v int) (int, error) { return v * v, nil })
		Sink(m, "sum", Opts{}, func(context.Context, int) error { return nil })
		if err := p.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r.starts != 1 || len(r.ends) != 1 || r.ends[0] != nil {
			t.Fatalf("got %d starts and ends %v, want 1 start and one nil end", r.starts, r.ends)
		}
		g := r.graph
		if g.Name != "squares" || len(g.Stages) != 3 {
			t.Fatalf("got graph %+v, want squares with 3 stages", g)
		}
		wantEdges := [][2][]string{{nil, {"square"}}, {{"numbers"}, {"sum"}}, {{"square"}, nil}}
		for i, st := range g.Stages {
			if !slices.Equal(st.Inputs, wantEdges[i][0]) || !slices.Equal(st.Outputs, wantEdges[i][1]) {
				t.Errorf("stage %q: got inputs %q outputs %q, want %q and %q", st.Name, st.Inputs, st.Outputs, wantEdges[i][0], wantEdges[i][1])
			}
		}
		if g.Stages[1].Workers != o.Workers {
			t.Errorf("got %d workers for square, want %d", g.Stages[1].Workers, o.Workers)
		}

		type gor struct{ stage, worker int }
		seen := make(map[int]map[int64]int) // stage → item → busy events
		last := make(map[gor]Event)
		for _, e := range r.events {
			if e.Pipeline != p {
				t.Fatalf("got event of pipeline %p, want %p", e.Pipeline, p)
			}
			k := gor{e.Stage, e.Worker}
			prev, ok := last[k]
			if !ok && e.State != StateBusy {
				t.Errorf("stage %d worker %d: first state %v, want busy", e.Stage, e.Worker, e.State)
			}
			if ok && e.Time < prev.Time {
				t.Errorf("stage %d worker %d: time went back from %v to %v", e.Stage, e.Worker, prev.Time, e.Time)
			}
			if ok && prev.State == StateDone {
				t.Errorf("stage %d worker %d: %v after done", e.Stage, e.Worker, e.State)
			}
			last[k] = e
			if e.State == StateBusy && e.Item >= 0 && (!ok || prev.Item != e.Item || prev.State != StateBusy) {
				if seen[e.Stage] == nil {
					seen[e.Stage] = map[int64]int{}
				}
				seen[e.Stage][e.Item]++
			}
		}
		for k, e := range last {
			if e.State != StateDone {
				t.Errorf("stage %d worker %d: last state %v, want done", k.stage, k.worker, e.State)
			}
		}
		// The map and the sink see items 0 … n-1; the source counts the
		// items it has emitted, 1 … n.
		for stage, first := range map[int]int64{0: 1, 1: 0, 2: 0} {
			for i := first; i < first+n; i++ {
				if seen[stage][i] < 1 {
					t.Fatalf("stage %d: item %d has no busy event", stage, i)
				}
			}
		}
		ws := p.WorkerStates()
		if len(ws) != 1+o.Workers+1 {
			t.Fatalf("got %d worker states, want %d", len(ws), o.Workers+2)
		}
		for _, w := range ws {
			if w.State != StateDone {
				t.Errorf("after Run: %s worker %d is %v, want done", w.Stage, w.Worker, w.State)
			}
		}
	})
}

// TestWorkerStatesWhileRunning looks at the goroutines while a sink is
// blocked in its function: the sink must be busy on the item it holds, the
// source blocked on output.
func TestWorkerStatesWhileRunning(t *testing.T) {
	hold := make(chan struct{})
	inSink := make(chan struct{})
	p := New(Config{QueueLen: 1})
	p.Observe(&recorder{})
	src := FromSlice(p, "numbers", ints(10000))
	Sink(src, "slow", Opts{}, func(_ context.Context, v int) error {
		if v == 7 {
			close(inSink)
			<-hold
		}
		return nil
	})
	errc := make(chan error, 1)
	go func() { errc <- p.Run(context.Background()) }()
	<-inSink
	var ws []WorkerState
	for range 1000 { // until the source has filled the queue and blocks
		ws = p.WorkerStates()
		if ws[0].State == StateWaitOut {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := []WorkerState{
		{Stage: "numbers", Worker: 0, State: StateWaitOut},
		{Stage: "slow", Worker: 0, State: StateBusy, Item: 7},
	}
	for i := range want {
		got := ws[i]
		got.Since = 0
		if got.Stage == "numbers" {
			got.Item = 0
		}
		if got != want[i] {
			t.Errorf("got %+v, want %+v", got, want[i])
		}
	}
}

// TestUnwatchedKeepsNoState checks that a pipeline without observers or
// watchdog keeps no per-goroutine state.
func TestUnwatchedKeepsNoState(t *testing.T) {
	p := New(Config{})
	Collect(FromSlice(p, "numbers", ints(10)), "out")
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ws := p.WorkerStates(); ws != nil {
		t.Errorf("got %v, want nil", ws)
	}
	if p.Name() != "pipeline" {
		t.Errorf("got name %q, want %q", p.Name(), "pipeline")
	}
}

// TestObserverSeesFailure checks that End gets Run's error, and that All
// runs observed pipelines too.
func TestObserverSeesFailure(t *testing.T) {
	boom := errors.New("boom")
	p := New(Config{})
	r := &recorder{}
	p.Observe(r)
	src := FromSlice(p, "numbers", ints(100))
	m := Map(src, "fail", Opts{Workers: 2}, func(_ context.Context, v int) (int, error) {
		if v == 50 {
			return 0, boom
		}
		return v, nil
	})
	var got error
	for _, err := range All(context.Background(), m) {
		got = err
	}
	if !errors.Is(got, boom) {
		t.Fatalf("got %v, want boom", got)
	}
	if len(r.ends) != 1 || !errors.Is(r.ends[0], boom) {
		t.Errorf("got ends %v, want one wrapping boom", r.ends)
	}
}

func TestObserveMisuse(t *testing.T) {
	p := New(Config{})
	Collect(FromSlice(p, "numbers", ints(1)), "out")
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"nil":   func() { New(Config{}).Observe(nil) },
		"after": func() { p.Observe(&recorder{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: got no panic, want one", name)
				}
			}()
			f()
		}()
	}
}

// countObserver is the cheapest useful observer: it counts events.
type countObserver struct{ n atomic.Int64 }

func (c *countObserver) Start(*Pipeline)      {}
func (c *countObserver) Change(Event)         { c.n.Add(1) }
func (c *countObserver) End(*Pipeline, error) {}

// BenchmarkObserver is BenchmarkOverhead's sluice pipeline with nothing
// watching, with the stall watchdog on, and with an observer that counts
// events: the difference is what watching costs per item.
func BenchmarkObserver(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		for _, mode := range []string{"none", "watchdog", "observer"} {
			b.Run(fmt.Sprintf("watch=%s/workers=%d", mode, workers), func(b *testing.B) {
				var events int64
				measure(b, func(n int) {
					p := New(Config{})
					var c *countObserver
					switch mode {
					case "watchdog":
						p = New(Config{StallTimeout: time.Minute})
					case "observer":
						c = &countObserver{}
						p.Observe(c)
					}
					src := Source(p, "source", func(_ context.Context, emit func(int) error) error {
						for i := range n {
							if err := emit(i); err != nil {
								return err
							}
						}
						return nil
					})
					m := Map(src, "map", Opts{Workers: workers, Ordered: true}, func(_ context.Context, v int) (int, error) {
						return v, nil
					})
					Sink(m, "sink", Opts{}, func(context.Context, int) error { return nil })
					if err := p.Run(context.Background()); err != nil {
						b.Fatal(err)
					}
					if c != nil {
						events = c.n.Load()
					}
				})
				if mode == "observer" {
					b.ReportMetric(float64(events)/float64(b.N), "events/item")
				}
			})
		}
	}
}

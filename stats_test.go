package sluice

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestStatsCounts(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		f := FlatMap(FromSlice(p, "src", ints(500)), "twice", o, func(_ context.Context, v int, emit func(int) error) error {
			if err := emit(v); err != nil {
				return err
			}
			return emit(v)
		})
		Sink(f, "sink", Opts{Workers: 2}, func(context.Context, int) error { return nil })
		run(t, p)
		s := p.Stats()
		want := []StageStats{
			{Name: "src", Workers: 1, In: 0, Out: 500},
			{Name: "twice", Workers: o.Workers, In: 500, Out: 1000},
			{Name: "sink", Workers: 2, In: 1000, Out: 0},
		}
		if len(s.Stages) != len(want) {
			t.Fatalf("got %d stages, want %d", len(s.Stages), len(want))
		}
		for i, w := range want {
			g := s.Stages[i]
			if g.Name != w.Name || g.Workers != w.Workers || g.In != w.In || g.Out != w.Out {
				t.Errorf("stage %d: got %s workers=%d in=%d out=%d, want %s workers=%d in=%d out=%d",
					i, g.Name, g.Workers, g.In, g.Out, w.Name, w.Workers, w.In, w.Out)
			}
		}
		if s.Elapsed <= 0 {
			t.Errorf("Elapsed: got %v, want > 0", s.Elapsed)
		}
		if s.Stages[1].QueueCap != DefaultQueueLen {
			t.Errorf("QueueCap: got %d, want %d", s.Stages[1].QueueCap, DefaultQueueLen)
		}
	})
}

// sleeper returns a Map function that sleeps d per item.
func sleeper(d time.Duration) func(context.Context, int) (int, error) {
	return func(_ context.Context, v int) (int, error) {
		time.Sleep(d)
		return v, nil
	}
}

// TestBottleneck runs chains whose stages sleep for set times and checks
// which stage the sentence names as the limit and which neighbour it names
// in its second clause.
func TestBottleneck(t *testing.T) {
	// Sleeps are whole milliseconds: on a loaded machine a shorter sleep
	// may last a millisecond anyway.
	tests := []struct {
		name   string
		build  func(p *Pipeline)
		prefix string // the limiting stage
		clause string // the neighbour named after it
	}{
		{
			name: "middle",
			build: func(p *Pipeline) {
				s := Map(FromSlice(p, "read", ints(200)), "filter", Opts{Workers: 2}, sleeper(time.Millisecond))
				Sink(s, "write", Opts{}, func(context.Context, int) error { return nil })
			},
			prefix: "filter limits throughput: its 2 workers were busy ",
			clause: "; write waited for input ",
		},
		{
			// The sink waits for input longer than light, but light is
			// the stage right after the limit.
			name: "next is not last",
			build: func(p *Pipeline) {
				s := Map(FromSlice(p, "read", ints(50)), "slow", Opts{Workers: 1}, sleeper(4*time.Millisecond))
				s = Map(s, "light", Opts{Workers: 1}, sleeper(time.Millisecond))
				Sink(s, "write", Opts{}, func(context.Context, int) error { return nil })
			},
			prefix: "slow limits throughput: its 1 worker was busy ",
			clause: "; light waited for input ",
		},
		{
			// Nothing follows the sink: the stage before it is named,
			// blocked on its output; the source further up is not.
			name: "last",
			build: func(p *Pipeline) {
				s := Map(FromSlice(p, "read", ints(100)), "map", Opts{Workers: 1}, sleeper(0))
				Sink(s, "write", Opts{}, func(context.Context, int) error {
					time.Sleep(time.Millisecond)
					return nil
				})
			},
			prefix: "write limits throughput: its 1 worker was busy ",
			clause: "; map was blocked on output ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Config{QueueLen: 1})
			tt.build(p)
			if got := p.Stats().Bottleneck(); got != "" {
				t.Errorf("before Run: got %q, want \"\"", got)
			}
			run(t, p)
			got := p.Stats().Bottleneck()
			if !strings.HasPrefix(got, tt.prefix) || !strings.Contains(got, tt.clause) {
				t.Errorf("got %q, want %q…%q…", got, tt.prefix, tt.clause)
			}
		})
	}
}

func TestBottleneckBudget(t *testing.T) {
	p := New(Config{Budget: 100})
	src := SizedBy(FromSlice(p, "read", ints(100)), func(int) int64 { return 60 })
	// Four workers could hold four items, but the budget admits one.
	Sink(src, "hold", Opts{Workers: 4}, func(context.Context, int) error {
		time.Sleep(200 * time.Microsecond)
		return nil
	})
	run(t, p)
	got := p.Stats().Bottleneck()
	if !strings.HasPrefix(got, "the memory budget of 100 B limits throughput: read waited for room") {
		t.Errorf("got %q, want the budget named as the limit", got)
	}
}

// TestStatsWhileRunning reads Stats from another goroutine during a run;
// with -race this checks that it is safe.
func TestStatsWhileRunning(t *testing.T) {
	p := New(Config{Budget: 1 << 20})
	src := SizedBy(FromSlice(p, "src", ints(20000)), func(int) int64 { return 8 })
	m := Map(src, "id", Opts{Workers: 4, Ordered: true}, func(_ context.Context, v int) (int, error) { return v, nil })
	Sink(m, "sink", Opts{}, func(context.Context, int) error { return nil })
	stop := make(chan struct{})
	var reads atomic.Int64
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				s := p.Stats()
				_ = s.Bottleneck()
				reads.Add(1)
			}
		}
	}()
	run(t, p)
	close(stop)
	if s := p.Stats(); s.Stages[2].In != 20000 || s.InFlight != 0 || s.PeakBytes == 0 {
		t.Errorf("sink In, InFlight, PeakBytes: got %d, %d, %d, want 20000, 0, > 0", s.Stages[2].In, s.InFlight, s.PeakBytes)
	}
}

// TestBusyIsLive reads Stats while a stage is in the middle of a long call
// to user code: its Busy must already count that call, and a stage
// waiting for input meanwhile must not count as busy.
func TestBusyIsLive(t *testing.T) {
	tests := []struct {
		name  string
		build func(p *Pipeline, started chan<- struct{}, release <-chan struct{})
		busy  int // the stage in user code
		idle  int // a stage waiting for it
	}{
		{"source", func(p *Pipeline, started chan<- struct{}, release <-chan struct{}) {
			src := Source(p, "read", func(ctx context.Context, emit func(int) error) error {
				close(started)
				<-release
				return nil
			})
			Sink(src, "write", Opts{}, func(context.Context, int) error { return nil })
		}, 0, 1},
		{"map", func(p *Pipeline, started chan<- struct{}, release <-chan struct{}) {
			s := Map(FromSlice(p, "read", ints(1)), "filter", Opts{Workers: 2}, func(_ context.Context, v int) (int, error) {
				close(started)
				<-release
				return v, nil
			})
			Sink(s, "write", Opts{}, func(context.Context, int) error { return nil })
		}, 1, 2},
	}
	const hold = 60 * time.Millisecond
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Config{})
			started, release := make(chan struct{}), make(chan struct{})
			tt.build(p, started, release)
			done := make(chan error, 1)
			go func() { done <- p.Run(context.Background()) }()
			<-started
			time.Sleep(hold)
			s := p.Stats()
			close(release)
			if err := <-done; err != nil {
				t.Fatalf("Run: got %v, want nil", err)
			}
			if got := s.Stages[tt.busy].Busy; got < hold {
				t.Errorf("%s Busy during the call: got %v, want at least %v", s.Stages[tt.busy].Name, got, hold)
			}
			if got, busy := s.Stages[tt.idle].Busy, s.Stages[tt.busy].Busy; got > busy/2 {
				t.Errorf("%s Busy while waiting for input: got %v, want under half of %s's %v", s.Stages[tt.idle].Name, got, s.Stages[tt.busy].Name, busy)
			}
			if got := p.Stats().Stages[tt.busy].Busy; got < hold {
				t.Errorf("%s Busy after the run: got %v, want at least %v", s.Stages[tt.busy].Name, got, hold)
			}
		})
	}
}

// TestQueueItems stops a sink on an item and checks the queue that feeds
// it: the items not yet taken are counted one by one, while QueueLen counts
// the batches that carry them.
func TestQueueItems(t *testing.T) {
	const n = 60 // fits the queue even in batches of one
	p := New(Config{})
	reached, release := make(chan struct{}), make(chan struct{})
	tuned := make(chan struct{})
	src := Source(p, "read", func(ctx context.Context, emit func(int) error) error {
		if err := emit(0); err != nil {
			return err
		}
		<-tuned
		// Let the sink finish its first batch and ask for larger ones.
		time.Sleep(20 * time.Millisecond)
		for i := 1; i < n; i++ {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	Sink(src, "write", Opts{}, func(_ context.Context, v int) error {
		switch v {
		case 0:
			close(tuned)
		case 1:
			close(reached)
			<-release
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	<-reached
	var s Stats
	for range 1000 {
		if s = p.Stats(); s.Stages[0].Out == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	src0, sink := s.Stages[0], s.Stages[1]
	if src0.Out != n {
		t.Fatalf("source Out: got %d, want %d", src0.Out, n)
	}
	if want := n - sink.In; sink.QueueItems != want {
		t.Errorf("QueueItems: got %d, want %d (sent %d, received %d)", sink.QueueItems, want, n, sink.In)
	}
	if sink.QueueLen < 1 || int64(sink.QueueLen) > sink.QueueItems {
		t.Errorf("QueueLen: got %d batches for %d items, want 1 to %d", sink.QueueLen, sink.QueueItems, sink.QueueItems)
	}
	if after := p.Stats().Stages[1]; after.QueueItems != 0 || after.QueueLen != 0 {
		t.Errorf("QueueItems, QueueLen after the run: got %d, %d, want 0, 0", after.QueueItems, after.QueueLen)
	}
}

// TestBottleneckBudgetOnlyWhenDrained checks, on figures made by hand,
// that the budget is named only when the stages after the source drain
// what it admits; a source waiting for room behind a busy stage means that
// stage is the limit.
func TestBottleneckBudgetOnlyWhenDrained(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name  string
		stage StageStats // the stage after the source
		want  string
	}{
		{
			name:  "downstream idle",
			stage: StageStats{Name: "work", Workers: 2, Inputs: []string{"read"}, Busy: 4 * sec, WaitIn: 16 * sec},
			want:  "the memory budget of 1.0 MiB limits throughput",
		},
		{
			name:  "downstream busy",
			stage: StageStats{Name: "work", Workers: 2, Inputs: []string{"read"}, Busy: 12 * sec, WaitOut: 7 * sec},
			want:  "work limits throughput: its 2 workers were busy 60% of the time",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Stats{
				Elapsed: 10 * sec,
				Budget:  1 << 20,
				Stages: []StageStats{
					{Name: "read", Workers: 1, Busy: sec, WaitBudget: 9 * sec},
					tt.stage,
				},
			}
			if got := s.Bottleneck(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

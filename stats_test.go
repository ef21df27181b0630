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

func TestBottleneck(t *testing.T) {
	p := New(Config{})
	s := Map(FromSlice(p, "read", ints(200)), "blur", Opts{Workers: 2}, func(_ context.Context, v int) (int, error) {
		time.Sleep(500 * time.Microsecond)
		return v, nil
	})
	Sink(s, "write", Opts{}, func(context.Context, int) error { return nil })
	if got := p.Stats().Bottleneck(); got != "" {
		t.Errorf("before Run: got %q, want \"\"", got)
	}
	run(t, p)
	got := p.Stats().Bottleneck()
	if !strings.HasPrefix(got, "blur limits throughput: its 2 workers were busy ") ||
		!strings.Contains(got, "; write waited for input ") {
		t.Errorf("got %q, want blur named as the limit and write as waiting", got)
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

package sluice

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

// TestGoexitFailsRun has user code call runtime.Goexit, as t.FailNow
// does, on one item: the run must fail naming the stage and that item,
// not end well with the item missing.
func TestGoexitFailsRun(t *testing.T) {
	const n, bad = 200, 37
	exit := func(v int) {
		if v == bad {
			runtime.Goexit()
		}
	}
	tests := []struct {
		name  string
		stage string
		build func(p *Pipeline, o Opts)
	}{
		{"map", "work", func(p *Pipeline, o Opts) {
			Collect(Map(FromSlice(p, "src", ints(n)), "work", o, func(_ context.Context, v int) (int, error) {
				exit(v)
				return v, nil
			}), "c")
		}},
		{"flatmap", "work", func(p *Pipeline, o Opts) {
			Collect(FlatMap(FromSlice(p, "src", ints(n)), "work", o, func(_ context.Context, v int, emit func(int) error) error {
				if err := emit(v); err != nil {
					return err
				}
				exit(v)
				return emit(v)
			}), "c")
		}},
		{"filter", "work", func(p *Pipeline, o Opts) {
			Collect(Filter(FromSlice(p, "src", ints(n)), "work", o, func(_ context.Context, v int) (bool, error) {
				exit(v)
				return true, nil
			}), "c")
		}},
		{"sink", "work", func(p *Pipeline, o Opts) {
			Sink(FromSlice(p, "src", ints(n)), "work", o, func(_ context.Context, v int) error {
				exit(v)
				return nil
			})
		}},
		{"source", "src", func(p *Pipeline, o Opts) {
			src := Source(p, "src", func(_ context.Context, emit func(int) error) error {
				for i := range n {
					exit(i)
					if err := emit(i); err != nil {
						return err
					}
				}
				return nil
			})
			Collect(Map(src, "work", o, func(_ context.Context, v int) (int, error) { return v, nil }), "c")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			matrix(t, func(t *testing.T, o Opts) {
				p := New(Config{QueueLen: 2})
				tt.build(p, o)
				err := p.Run(context.Background())
				var se *StageError
				if !errors.As(err, &se) || !errors.Is(err, ErrGoexit) {
					t.Fatalf("Run: got %v, want a *StageError wrapping ErrGoexit", err)
				}
				if se.Stage != tt.stage || se.Item != bad {
					t.Errorf("got stage %q item %d, want stage %q item %d", se.Stage, se.Item, tt.stage, bad)
				}
			})
		})
	}
}

// TestGoexitInAllLoop leaves the loop over All by runtime.Goexit: the
// iterator must still end the run and wait for its goroutines (goleak in
// TestMain fails the package if any is left).
func TestGoexitInAllLoop(t *testing.T) {
	p := New(Config{})
	m := Map(endless(p), "id", Opts{Workers: 2}, func(_ context.Context, v int) (int, error) { return v, nil })
	seq := All(context.Background(), m)
	done := make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for range seq {
			if n++; n == 100 {
				runtime.Goexit()
			}
		}
	}()
	if n := <-done; n != 100 {
		t.Fatalf("loop ran %d times, want 100", n)
	}
	if p.end.Load() == 0 {
		t.Error("after the loop: got the run still going, want it ended")
	}
}

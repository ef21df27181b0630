package sluice

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

const stallTimeout = 200 * time.Millisecond

// runStalled runs p, which must stall, then releases the user code stuck in
// it and checks that no goroutine is left behind. It returns Run's error as
// a *StallError.
func runStalled(t *testing.T, p *Pipeline, release func()) *StallError {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- p.Run(context.Background()) }()
	var err error
	select {
	case err = <-errc:
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		release()
		t.Fatal("Run did not return after the pipeline stalled")
	}
	release()
	goleak.VerifyNone(t)
	var se *StallError
	if !errors.As(err, &se) {
		t.Fatalf("Run returned %v, want a *StallError", err)
	}
	if se.Idle < stallTimeout {
		t.Errorf("got Idle %v, want at least the timeout %v", se.Idle, stallTimeout)
	}
	t.Logf("%v\n%s", err, se.Report)
	return se
}

func wantStuck(t *testing.T, se *StallError, stage string) {
	t.Helper()
	if len(se.Stuck) != 1 || se.Stuck[0] != stage {
		t.Errorf("got Stuck %q, want [%q]", se.Stuck, stage)
	}
	if !strings.Contains(se.Error(), `stage "`+stage+`" is stuck`) {
		t.Errorf("got error %q, want it to name stage %q", se.Error(), stage)
	}
	if !strings.Contains(se.Report, `stage "`+stage+`": `) || !strings.Contains(se.Report, "<- stuck") {
		t.Errorf("report does not mark stage %q as stuck:\n%s", stage, se.Report)
	}
}

// lineOf returns the report's line for one worker of a stage.
func lineOf(t *testing.T, report, stage string, worker string) string {
	t.Helper()
	in := false
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "stage ") {
			in = strings.HasPrefix(l, `stage "`+stage+`":`)
			continue
		}
		if in && strings.HasPrefix(strings.TrimSpace(l), "worker "+worker+":") {
			return l
		}
	}
	t.Fatalf("no line for worker %s of stage %q in:\n%s", worker, stage, report)
	return ""
}

// TestStallUserFunctionBlocks has one Map worker block for ever on its
// fourth item.
func TestStallUserFunctionBlocks(t *testing.T) {
	release := make(chan struct{})
	p := New(Config{StallTimeout: stallTimeout, QueueLen: 1})
	src := FromSlice(p, "numbers", ints(1000))
	m := Map(src, "square", Opts{Workers: 1}, func(_ context.Context, v int) (int, error) {
		if v == 3 {
			<-release // ignores ctx, as stuck code does
		}
		return v * v, nil
	})
	Sink(m, "print", Opts{}, func(context.Context, int) error { return nil })
	se := runStalled(t, p, func() { close(release) })
	wantStuck(t, se, "square")
	if l := lineOf(t, se.Report, "square", "0"); !strings.Contains(l, "in its function for") || !strings.Contains(l, "on item 3") {
		t.Errorf("got %q, want the function named with item 3", l)
	}
	if l := lineOf(t, se.Report, "numbers", "0"); !strings.Contains(l, `waiting for room in the queue to "square"`) {
		t.Errorf("got %q, want the source waiting for room in square's queue", l)
	}
	if l := lineOf(t, se.Report, "print", "0"); !strings.Contains(l, `waiting for input from "square"`) {
		t.Errorf("got %q, want the sink waiting for input from square", l)
	}
}

// TestStallSinkNeverReturns has the consumer block for ever: the stages
// before it fill their queues and block.
func TestStallSinkNeverReturns(t *testing.T) {
	release := make(chan struct{})
	p := New(Config{StallTimeout: stallTimeout, QueueLen: 1})
	src := FromSlice(p, "numbers", ints(100000))
	m := Map(src, "double", Opts{Workers: 2, Ordered: true}, func(_ context.Context, v int) (int, error) {
		return 2 * v, nil
	})
	Sink(m, "store", Opts{}, func(_ context.Context, v int) error {
		if v == 100 {
			<-release
		}
		return nil
	})
	se := runStalled(t, p, func() { close(release) })
	wantStuck(t, se, "store")
	if l := lineOf(t, se.Report, "store", "0"); !strings.Contains(l, "on item 50") {
		t.Errorf("got %q, want the sink stuck on item 50", l)
	}
	if l := lineOf(t, se.Report, "numbers", "0"); !strings.Contains(l, "waiting for room") {
		t.Errorf("got %q, want the source blocked on output", l)
	}
}

// TestStallBudgetHeld has a FlatMap that holds its items until it has
// gathered four, while the budget admits only two: the source waits for
// room that never comes.
func TestStallBudgetHeld(t *testing.T) {
	release := make(chan struct{})
	gathered := make(chan *band, 4)
	p := New(Config{StallTimeout: stallTimeout, Budget: 200})
	bands := make([]*band, 8)
	for i := range bands {
		bands[i] = &band{id: i, bytes: 100}
	}
	src := FromSlice(p, "read", bands)
	groups := FlatMap(src, "group", Opts{Workers: 4}, func(_ context.Context, b *band, emit func(int) error) error {
		gathered <- b
		for len(gathered) < cap(gathered) {
			select {
			case <-release:
				return nil
			case <-time.After(time.Millisecond):
			}
		}
		return emit(b.id)
	})
	Sink(groups, "write", Opts{}, func(context.Context, int) error { return nil })
	se := runStalled(t, p, func() { close(release) })
	wantStuck(t, se, "group")
	if l := lineOf(t, se.Report, "read", "0"); !strings.Contains(l, "waiting for room in the memory budget (200 B of 200 B in flight)") {
		t.Errorf("got %q, want the source waiting for the budget", l)
	}
	if !strings.Contains(se.Report, "budget: 200 B of 200 B in flight") {
		t.Errorf("report does not show the full budget:\n%s", se.Report)
	}
}

// TestStallCycle feeds a stage's output back to the source through the
// user's own channel: the source blocks on its full output queue while the
// stage blocks on the channel the source no longer reads.
func TestStallCycle(t *testing.T) {
	release := make(chan struct{})
	back := make(chan int)
	p := New(Config{StallTimeout: stallTimeout, QueueLen: 1})
	src := Source(p, "loop", func(ctx context.Context, emit func(int) error) error {
		for i := range 200 {
			if err := emit(i); err != nil {
				return err
			}
		}
		for {
			select {
			case v := <-back:
				if err := emit(v); err != nil {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	step := Map(src, "step", Opts{Workers: 1}, func(ctx context.Context, v int) (int, error) {
		select {
		case back <- v + 1:
		case <-release:
		}
		return v, nil
	})
	Sink(step, "drop", Opts{}, func(context.Context, int) error { return nil })
	se := runStalled(t, p, func() { close(release) })
	wantStuck(t, se, "step")
	if l := lineOf(t, se.Report, "loop", "0"); !strings.Contains(l, `waiting for room in the queue to "step"`) {
		t.Errorf("got %q, want the source waiting for room in step's queue", l)
	}
}

// TestHeartbeatIsMovement has a source wait three timeouts for something
// outside the pipeline while it calls Heartbeat: the run must not stall.
func TestHeartbeatIsMovement(t *testing.T) {
	for _, viaCtx := range []bool{false, true} {
		p := New(Config{StallTimeout: stallTimeout})
		src := Source(p, "remote", func(ctx context.Context, emit func(int) error) error {
			deadline := time.Now().Add(3 * stallTimeout)
			for time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
				if viaCtx {
					Heartbeat(ctx)
				} else {
					p.Heartbeat()
				}
			}
			return emit(1)
		})
		got := Collect(src, "out")
		if err := p.Run(context.Background()); err != nil {
			t.Fatalf("viaCtx=%v: got %v, want no error", viaCtx, err)
		}
		if len(got.Items()) != 1 {
			t.Errorf("viaCtx=%v: got %d items, want 1", viaCtx, len(got.Items()))
		}
	}
}

// TestNoHeartbeatStalls is the same wait without heartbeats: it is a stall
// in the source.
func TestNoHeartbeatStalls(t *testing.T) {
	release := make(chan struct{})
	p := New(Config{StallTimeout: stallTimeout})
	src := Source(p, "remote", func(ctx context.Context, emit func(int) error) error {
		<-release
		return nil
	})
	Collect(src, "out")
	se := runStalled(t, p, func() { close(release) })
	wantStuck(t, se, "remote")
}

// TestNoStallWhenMoving runs a slow but steady pipeline, each item taking
// an eighth of the timeout, longer than the timeout in all.
func TestNoStallWhenMoving(t *testing.T) {
	p := New(Config{StallTimeout: stallTimeout})
	src := FromSlice(p, "numbers", ints(20))
	m := Map(src, "slow", Opts{Workers: 1, Ordered: true}, func(_ context.Context, v int) (int, error) {
		time.Sleep(stallTimeout / 8)
		return v, nil
	})
	got := Collect(m, "out")
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if len(got.Items()) != 20 {
		t.Errorf("got %d items, want 20", len(got.Items()))
	}
}

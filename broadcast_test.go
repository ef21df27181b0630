package sluice

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestBroadcast(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{QueueLen: 2})
		bs := Broadcast(FromSlice(p, "src", ints(3000)), "fan", 3)
		var cs []*Collected[int]
		for i, b := range bs {
			m := Map(b, fmt.Sprintf("branch%d", i), o, func(_ context.Context, v int) (int, error) {
				if i == 1 && v%100 == 0 {
					time.Sleep(50 * time.Microsecond) // a slow branch
				}
				return v, nil
			})
			cs = append(cs, Collect(m, fmt.Sprintf("collect%d", i)))
		}
		run(t, p)
		for i, c := range cs {
			t.Run(fmt.Sprint("branch", i), func(t *testing.T) { checkItems(t, c.Items(), ints(3000), o.Ordered) })
		}
	})
}

// TestBroadcastBranchStopsEarly has one branch take a few items and stop
// while the other reads everything: the run must end, without error.
func TestBroadcastBranchStopsEarly(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		// A budget of 200 items: charges leaked by the stopped branch
		// would soon block the source for good.
		p := New(Config{QueueLen: 1, Budget: 200 * 100})
		src := SizedBy(FromSlice(p, "src", ints(5000)), func(int) int64 { return 100 })
		bs := Broadcast(src, "fan", 2)
		id0 := Map(bs[0], "id0", o, func(_ context.Context, v int) (int, error) { return v, nil })
		few := Collect(Take(id0, "take", 10), "few")
		all := Collect(Map(bs[1], "id", o, func(_ context.Context, v int) (int, error) { return v, nil }), "all")
		done := make(chan error, 1)
		go func() { done <- p.Run(context.Background()) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: got %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a branch that stopped early deadlocked the run")
		}
		if o.Ordered || o.Workers == 1 {
			checkItems(t, few.Items(), ints(10), true)
		} else if n := len(few.Items()); n != 10 {
			t.Errorf("taken: got %d items, want 10", n)
		}
		checkItems(t, all.Items(), ints(5000), o.Ordered)
		if n := p.Stats().InFlight; n != 0 {
			t.Errorf("InFlight after the run: got %d, want 0", n)
		}
	})
}

// TestTakeStopsSource checks that an endless source ends once Take has
// enough, and the run returns nil.
func TestTakeStopsSource(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		m := Map(endless(p), "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		c := Collect(Take(m, "first", 100), "c")
		run(t, p)
		if n := len(c.Items()); n != 100 {
			t.Fatalf("got %d items, want 100", n)
		}
		if o.Ordered {
			checkItems(t, c.Items(), ints(100), true)
		}
	})
}

// TestBroadcastBackpressure checks that a branch that does not read holds
// the source back: the source cannot run far ahead of the slowest branch.
func TestBroadcastBackpressure(t *testing.T) {
	p := New(Config{QueueLen: 1})
	var emitted atomic.Int64
	src := Source(p, "src", func(_ context.Context, emit func(int) error) error {
		for i := range 100000 {
			if err := emit(i); err != nil {
				return err
			}
			emitted.Add(1)
		}
		return nil
	})
	bs := Broadcast(src, "fan", 2)
	Sink(bs[0], "fast", Opts{}, func(context.Context, int) error { return nil })
	release := make(chan struct{})
	Sink(bs[1], "slow", Opts{}, func(ctx context.Context, v int) error {
		if v == 0 {
			<-release
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	// Wait until the stalled branch's queue is full: the source ran and
	// the broadcaster is held back. Then give the source time to run on
	// if it could.
	deadline := time.Now().Add(10 * time.Second)
	for s := p.Stats().Stages[3]; s.QueueLen < s.QueueCap; s = p.Stats().Stages[3] {
		if time.Now().After(deadline) {
			t.Fatalf("the slow branch's queue never filled: got %d of %d batches, %d items emitted", s.QueueLen, s.QueueCap, emitted.Load())
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	// Queues of one batch of up to 32 items each, a batch in the
	// broadcaster and one in each sink: a few hundred items at most.
	if n := emitted.Load(); n < 2 || n > 1000 {
		t.Errorf("source ran ahead of a stalled branch: got %d items emitted, want 2 to 1000", n)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMerge(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		a := FromSlice(p, "a", ints(1000))
		b := Map(FromSlice(p, "b", ints(1000)), "shift", o, func(_ context.Context, v int) (int, error) { return v + 1000, nil })
		c := Collect(Merge("merge", a, b), "collect")
		run(t, p)
		got := c.Items()
		checkItems(t, got, ints(2000), false)
		if o.Ordered { // each input keeps its own order
			var fromB []int
			for _, v := range got {
				if v >= 1000 {
					fromB = append(fromB, v-1000)
				}
			}
			checkItems(t, fromB, ints(1000), true)
		}
		if s := p.Stats().Stages; s[len(s)-2].Out != 2000 {
			t.Errorf("merge Out: got %d, want 2000", s[len(s)-2].Out)
		}
	})
}

func TestAll(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		m := Map(FromSlice(p, "src", ints(1000)), "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		var got []int
		for v, err := range All(context.Background(), m) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		checkItems(t, got, ints(1000), o.Ordered)
	})
}

func TestAllBreakEarly(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		m := Map(endless(p), "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		n := 0
		for _, err := range All(context.Background(), m) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 50 {
				break
			}
		}
		if n != 50 {
			t.Errorf("got %d items, want 50", n)
		}
		// The goroutines must all be gone now: goleak in TestMain checks.
	})
}

func TestAllError(t *testing.T) {
	p := New(Config{})
	m := Map(FromSlice(p, "src", ints(100)), "fail", Opts{Ordered: true}, func(_ context.Context, v int) (int, error) {
		if v == 60 {
			return 0, errBoom
		}
		return v, nil
	})
	var last error
	n := 0
	for _, err := range All(context.Background(), m) {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	if !errors.Is(last, errBoom) {
		t.Fatalf("last pair: got error %v, want boom", last)
	}
	if n > 60 {
		t.Errorf("got %d items before the error, want at most 60", n)
	}
}

package sluice

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// band is a sized item, like the image engine's bands of rows.
type band struct {
	id    int
	bytes int64
}

func (b *band) Size() int64 { return b.bytes }

// tile is derived from a band and holds no size of its own.
type tile struct {
	b *band
	k int
}

// TestBudgetFollowsDerivation cuts sized bands into tiles, filters them
// and writes them in order, as the image engine does. A band's bytes must
// stay charged until its last tile is written, and the bytes in flight,
// counted by the test itself, must never pass the budget.
func TestBudgetFollowsDerivation(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		const (
			bandBytes = 100
			budget    = 250
			nBands    = 60
			perBand   = 7
		)
		p := New(Config{Budget: budget, QueueLen: 2})
		var live atomic.Int64 // bytes of bands emitted and not fully written
		var mu sync.Mutex
		left := map[int]int{}
		src := Source(p, "read", func(_ context.Context, emit func(*band) error) error {
			for i := range nBands {
				b := &band{id: i, bytes: bandBytes}
				mu.Lock()
				left[i] = perBand
				mu.Unlock()
				// Emit charges the band before it returns, so count it
				// first; the budget must already have made room.
				if err := emit(b); err != nil {
					return err
				}
				if n := live.Add(bandBytes); n > budget+bandBytes {
					t.Errorf("bands alive: got %d bytes, budget %d", n, budget)
				}
			}
			return nil
		})
		tiles := FlatMap(src, "cut", o, func(_ context.Context, b *band, emit func(tile) error) error {
			for k := range perBand {
				if err := emit(tile{b, k}); err != nil {
					return err
				}
			}
			return nil
		})
		kept := Filter(tiles, "drop", o, func(_ context.Context, tl tile) (bool, error) { return tl.k != 3, nil })
		filtered := Map(kept, "filter", o, func(_ context.Context, tl tile) (tile, error) {
			time.Sleep(time.Duration(tl.k) * 10 * time.Microsecond)
			return tl, nil
		})
		Sink(filtered, "write", Opts{Workers: 1, Ordered: true}, func(_ context.Context, tl tile) error {
			if s := p.Stats(); s.InFlight > budget {
				t.Errorf("InFlight: got %d, want at most %d", s.InFlight, budget)
			}
			mu.Lock()
			left[tl.b.id]--
			if tl.k == perBand-1 {
				left[tl.b.id]-- // the dropped tile
			}
			done := left[tl.b.id] == 0
			mu.Unlock()
			if done {
				live.Add(-bandBytes)
			}
			return nil
		})
		run(t, p)
		s := p.Stats()
		if s.PeakBytes > budget || s.PeakBytes < bandBytes {
			t.Errorf("PeakBytes: got %d, want between %d and %d", s.PeakBytes, bandBytes, budget)
		}
		if s.InFlight != 0 {
			t.Errorf("InFlight after the run: got %d, want 0", s.InFlight)
		}
	})
}

func TestItemLargerThanBudget(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{Budget: 1000})
		items := []*band{{0, 10}, {1, 10}, {2, 5000}, {3, 10}}
		m := Map(FromSlice(p, "read", items), "id", o, func(_ context.Context, b *band) (*band, error) { return b, nil })
		Sink(m, "write", Opts{}, func(context.Context, *band) error { return nil })
		done := make(chan error, 1)
		go func() { done <- p.Run(context.Background()) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run hung on an item larger than the budget")
		}
		se := stageErr(t, err, "read", 2)
		var be *BudgetError
		if !errors.As(se, &be) || be.Size != 5000 || be.Budget != 1000 {
			t.Fatalf("got cause %v, want a *BudgetError of 5000 over 1000", se.Err)
		}
		if want := `sluice: stage "read", item 2: item of 5000 bytes exceeds the budget of 1000 bytes`; err.Error() != want {
			t.Errorf("got message %q, want %q", err.Error(), want)
		}
	})
}

func TestSizedBy(t *testing.T) {
	p := New(Config{Budget: 64})
	src := SizedBy(FromSlice(p, "read", ints(200)), func(v int) int64 { return int64(v%8 + 1) })
	var maxSeen atomic.Int64
	Sink(src, "write", Opts{Workers: 4}, func(context.Context, int) error {
		n := p.Stats().InFlight
		for old := maxSeen.Load(); n > old && !maxSeen.CompareAndSwap(old, n); old = maxSeen.Load() {
		}
		return nil
	})
	run(t, p)
	s := p.Stats()
	if s.PeakBytes > 64 || s.PeakBytes == 0 || maxSeen.Load() > 64 {
		t.Errorf("PeakBytes %d, highest seen by the sink %d: want between 1 and 64", s.PeakBytes, maxSeen.Load())
	}
	if s.InFlight != 0 {
		t.Errorf("InFlight after the run: got %d, want 0", s.InFlight)
	}
}

// TestBudgetFIFO checks that a large request waiting for room is served
// before smaller ones that came after it, even though they would fit.
func TestBudgetFIFO(t *testing.T) {
	b := &budget{limit: 100}
	ctx := context.Background()
	if err := b.acquire(ctx, 60); err != nil {
		t.Fatal(err)
	}
	order := make(chan int64, 2)
	go func() {
		_ = b.acquire(ctx, 95)
		order <- 95
	}()
	waitFor(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.waiters) == 1
	})
	if b.tryAcquire(10) {
		t.Fatal("a small request overtook a waiting large one: got admitted, want refused")
	}
	go func() {
		_ = b.acquire(ctx, 10)
		order <- 10
	}()
	// Both wait now, the small one behind the large one.
	waitFor(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.waiters) == 2
	})
	b.release(60)
	if first := <-order; first != 95 {
		t.Fatalf("first admitted: got %d bytes, want 95", first)
	}
	b.release(95)
	if second := <-order; second != 10 {
		t.Fatalf("second admitted: got %d bytes, want 10", second)
	}
	b.release(10)
	if cur, peak := b.snapshot(); cur != 0 || peak != 95 {
		t.Errorf("cur, peak: got %d, %d, want 0, 95", cur, peak)
	}
}

func TestBudgetCancelWhileWaiting(t *testing.T) {
	b := &budget{limit: 10}
	if err := b.acquire(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.acquire(ctx, 5); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	b.release(10)
	if !b.tryAcquire(10) {
		t.Error("a cancelled waiter still blocks the budget: got refused, want admitted")
	}
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
	}
}

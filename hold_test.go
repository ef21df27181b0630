package sluice

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// blockForever stands for slow work that never ends: reading the next band
// of an image from a disk that hangs.
func blockForever(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestEmittedItemsAreNotHeld has a producer emit items and then block until
// the run is cancelled: every item emitted must reach the consumer
// meanwhile, however the batches stood when the producer went away. The
// consumer sleeps on its first item so that the queues behind the producer
// are full when it emits its last items.
func TestEmittedItemsAreNotHeld(t *testing.T) {
	shapes := []struct {
		name  string
		build func(p *Pipeline, n int, o Opts) *Stream[int]
	}{
		{"source", func(p *Pipeline, n int, o Opts) *Stream[int] {
			src := Source(p, "src", func(ctx context.Context, emit func(int) error) error {
				for i := range n {
					if err := emit(i); err != nil {
						return err
					}
				}
				return blockForever(ctx)
			})
			return Map(src, "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		}},
		{"flatmap", func(p *Pipeline, n int, o Opts) *Stream[int] {
			return FlatMap(FromSlice(p, "src", ints(n)), "tiles", o, func(ctx context.Context, v int, emit func(int) error) error {
				if err := emit(v); err != nil {
					return err
				}
				if v == n-1 {
					return blockForever(ctx)
				}
				return nil
			})
		}},
		{"merge", func(p *Pipeline, n int, o Opts) *Stream[int] {
			half := func(name string, from, to int) *Stream[int] {
				return Source(p, name, func(ctx context.Context, emit func(int) error) error {
					for i := from; i < to; i++ {
						if err := emit(i); err != nil {
							return err
						}
					}
					return blockForever(ctx)
				})
			}
			m := Merge("merge", half("a", 0, n/2), half("b", n/2, n))
			return Map(m, "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		}},
	}
	for _, shape := range shapes {
		for _, n := range []int{1, 5, 1001} {
			t.Run(fmt.Sprintf("%s/items=%d", shape.name, n), func(t *testing.T) {
				matrix(t, func(t *testing.T, o Opts) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					p := New(Config{QueueLen: 1})
					got := make(chan int, n)
					first := true
					Sink(shape.build(p, n, o), "sink", Opts{}, func(_ context.Context, v int) error {
						if first {
							first = false
							time.Sleep(20 * time.Millisecond)
						}
						got <- v
						return nil
					})
					done := make(chan error, 1)
					go func() { done <- p.Run(ctx) }()
					deadline := time.After(10 * time.Second)
					for i := range n {
						select {
						case <-got:
						case <-deadline:
							cancel()
							<-done
							t.Fatalf("got %d items, want %d: the rest are held while the producer blocks", i, n)
						}
					}
					cancel()
					if err := <-done; !errors.Is(err, context.Canceled) {
						t.Errorf("Run: got %v, want context.Canceled", err)
					}
				})
			})
		}
	}
}

// TestAllGetsItemsOfBlockedSource checks the same through All, whose loop
// body is the consumer.
func TestAllGetsItemsOfBlockedSource(t *testing.T) {
	for _, n := range []int{1, 40, 1001} {
		t.Run(fmt.Sprint("items=", n), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p := New(Config{QueueLen: 1})
			src := Source(p, "src", func(ctx context.Context, emit func(int) error) error {
				for i := range n {
					if err := emit(i); err != nil {
						return err
					}
				}
				return blockForever(ctx)
			})
			count := 0
			for v, err := range All(ctx, src) {
				if err != nil {
					t.Fatalf("got error %v after %d items, want %d items", err, count, n)
				}
				if v != count {
					t.Fatalf("item %d: got %d, want %d", count, v, count)
				}
				count++
				if count == n {
					break
				}
			}
			if count != n {
				t.Errorf("got %d items, want %d", count, n)
			}
		})
	}
}

// TestHoldKeepsOrder drives one queue directly: a writer that gathers,
// sends and pauses at random, a reader that takes from the channel and
// from the hold. The reader must see every item once, in order. Now and
// then the writer waits, without sending, until the reader has taken what
// it published, so that the stealing path always runs.
func TestHoldKeepsOrder(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			const n = 20000
			q := newQueue[int]()
			q.ch = make(chan *batch[int], 2)
			q.writers.Store(1)
			st := &stageStats{name: "w", meters: make([]meter, 1)}
			h := q.newHold(&st.out)
			q.limit.Store(maxBatch)
			ctx := context.Background()
			var wg sync.WaitGroup
			wg.Go(func() {
				defer q.writerDone()
				rng := rand.New(rand.NewPCG(seed, 1))
				pend := q.get()
				h.reset(pend)
				flush := func() {
					sealBatch(h, pend, true)
					if len(pend.items) == 0 {
						return
					}
					b := pend
					pend = q.get()
					h.reset(pend)
					if _, err := q.send(ctx, b, nil); err != nil {
						t.Errorf("send: got %v, want nil", err)
					}
				}
				for i := range n {
					pend.items = append(pend.items, env[int]{v: i})
					s := h.publish()
					if len(pend.items) == maxBatch || s&holdWaiting != 0 || rng.IntN(50) == 0 {
						flush()
					} else if rng.IntN(100) == 0 {
						// The reader, not asleep when the item was
						// published, will find the channel empty
						// and steal it.
						deadline := time.Now().Add(10 * time.Second)
						for holdTaken(h.word.Load()) < len(pend.items) {
							if time.Now().After(deadline) {
								t.Errorf("item %d: published, never taken by the reader", i)
								break
							}
							runtime.Gosched()
						}
					}
					if rng.IntN(200) == 0 {
						time.Sleep(time.Duration(rng.IntN(20)) * time.Microsecond)
					}
				}
				flush()
			})
			want := 0
			for {
				b, ok, _ := q.next(ctx, nil)
				if !ok {
					break
				}
				for _, e := range b.items {
					if e.v != want {
						t.Fatalf("got item %d, want %d", e.v, want)
					}
					want++
				}
				q.put(b)
			}
			wg.Wait()
			if want != n {
				t.Errorf("got %d items, want %d", want, n)
			}
			if taken := st.out.Load(); taken == 0 {
				t.Errorf("items the reader took from the hold: got 0, want some")
			}
		})
	}
}

// TestPausingWritersKeepOrder has workers pause between the outputs of an
// item, so that the next stage often finds its queue empty and takes
// outputs from the workers' holds: the order must survive that.
func TestPausingWritersKeepOrder(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		const n = 400
		p := New(Config{QueueLen: 2})
		fm := FlatMap(FromSlice(p, "src", ints(n)), "pausing", o, func(_ context.Context, v int, emit func(int) error) error {
			for k := range 3 {
				if err := emit(v*3 + k); err != nil {
					return err
				}
				if (v+k)%7 == 0 {
					time.Sleep(50 * time.Microsecond)
				}
			}
			return nil
		})
		m := Map(fm, "id", Opts{Workers: 1}, func(_ context.Context, v int) (int, error) { return v, nil })
		c := Collect(m, "collect")
		run(t, p)
		checkItems(t, c.Items(), ints(3*n), o.Ordered)
	})
}

package sluice

import (
	"context"
	"fmt"
	"iter"
)

// Sink adds a consumer stage that calls fn on every item of in. Workers
// defaults to 1 here; with more, fn must be safe for concurrent use. With
// o.Ordered, fn is called one item at a time in input order, whatever
// Workers says. An item's budget charge is released when fn returns.
func Sink[T any](in *Stream[T], name string, o Opts, fn func(ctx context.Context, v T) error) {
	if fn == nil {
		panic(fmt.Sprintf("sluice: nil function for sink %q", name))
	}
	if o.Ordered {
		o.Workers = 1
	}
	newStage(in, name, o, 1, false, func(_ *worker[T, struct{}], ctx context.Context, v T) error {
		return fn(ctx, v)
	})
}

// Collected holds the items a Collect stage gathered. Items may be read
// once Run has returned; Collected is not safe for use while Run runs.
type Collected[T any] struct {
	items []T
}

// Items returns the items gathered, in the order they arrived: input order
// if every stage before is ordered. After a failed run it holds what
// arrived before the failure.
func (c *Collected[T]) Items() []T { return c.items }

// Collect adds a consumer stage that appends every item of in to a slice,
// read with Items after Run returns. It holds every item in memory; prefer
// Sink or All for long streams.
func Collect[T any](in *Stream[T], name string) *Collected[T] {
	c := &Collected[T]{}
	Sink(in, name, Opts{Workers: 1}, func(_ context.Context, v T) error {
		c.items = append(c.items, v)
		return nil
	})
	return c
}

// All returns an iterator over the items of in that runs in's pipeline
// while the caller iterates: the loop body is the pipeline's consumer.
// Breaking out of the loop cancels the run and waits for its goroutines to
// exit. If the run fails, the last pair yields the error. The iterator may
// be used once: ranging over it again panics, and so does calling Run on
// the pipeline. Its stage is named "all" in Stats.
func All[T any](ctx context.Context, in *Stream[T]) iter.Seq2[T, error] {
	const name = "all"
	if in == nil {
		panic("sluice: nil Stream given to All")
	}
	p := in.p
	st := p.addStage(name, 1)
	q := consume(in, name, st, 0)
	st.gauge = q.gauge
	q.limit.Store(maxBatch)
	p.mu.Lock()
	p.all = true
	p.mu.Unlock()
	return func(yield func(T, error) bool) {
		p.begin(true)
		ctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { errc <- p.run(ctx) }()
		waited := false
		wait := func() error {
			err := <-errc
			waited = true
			if err != nil {
				// Only now has the loop body let go of its items.
				p.dropInFlight()
			}
			return err
		}
		defer func() {
			// The loop body may leave by runtime.Goexit or a panic:
			// the run still ends before the iterator does.
			cancel()
			if !waited {
				_ = wait()
			}
		}()
		m := &st.meters[0]
		m.start()
		var idx int64
		for {
			b, ok, slept := q.next(ctx, m)
			st.waitIn.Add(int64(slept))
			if !ok {
				break
			}
			st.in.Add(int64(len(b.items)))
			for i := range b.items {
				e := &b.items[i]
				m.item(idx)
				idx++
				more := yield(e.v, nil)
				if e.c != nil {
					e.c.release()
				}
				if !more {
					m.stop()
					releaseAll(b.items[i+1:])
					cancel()
					_ = wait()
					return
				}
			}
			q.put(b)
		}
		m.stop()
		err := wait()
		if err == nil && ctx.Err() != nil {
			// The run ended before ctx did, but ctx ended the loop with
			// items of the finished run still in the queue: they were
			// never yielded, so the run did not end well.
			if b, _ := q.grab(); b != nil {
				p.dropInFlight()
				err = context.Cause(ctx)
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

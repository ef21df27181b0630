package sluice

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// maxBatch is the most items handed between two stages at once.
const maxBatch = 32

// batchTarget is how long a receiving stage should spend on one batch. A
// stage whose items are slow to process asks for smaller batches, down to
// one item, so that slow items spread over all its workers.
const batchTarget = 20 * time.Microsecond

// env is an item in flight with the budget charge it holds, if any.
type env[T any] struct {
	v T
	c *charge
}

// batch is the unit that moves through a queue: up to maxBatch items.
type batch[T any] struct {
	items []env[T]
}

// queue is the bounded channel between a producing stage and the stage
// reading it. It carries batches; its capacity is counted in batches.
type queue[T any] struct {
	ch        chan *batch[T]
	stopped   chan struct{} // closed when the reader stops reading early
	isStopped atomic.Bool
	stopOnce  sync.Once
	writers   atomic.Int32 // producers still writing; the last closes ch
	limit     atomic.Int32 // batch size the reader asks for
	pool      sync.Pool
}

// newQueue returns a queue whose channel the reader makes, sized to its
// liking, when it consumes the stream.
func newQueue[T any]() *queue[T] {
	q := &queue[T]{stopped: make(chan struct{})}
	q.limit.Store(1)
	q.pool.New = func() any { return &batch[T]{items: make([]env[T], 0, maxBatch)} }
	return q
}

// get returns an empty batch.
func (q *queue[T]) get() *batch[T] { return q.pool.Get().(*batch[T]) }

// put recycles b, dropping references to its items.
func (q *queue[T]) put(b *batch[T]) {
	clear(b.items)
	b.items = b.items[:0]
	q.pool.Put(b)
}

// batchLimit is how many items a writer should gather before sending.
func (q *queue[T]) batchLimit() int { return int(q.limit.Load()) }

// idle reports whether the reader has nothing queued, so that a writer
// should hand over what it has instead of gathering more.
func (q *queue[T]) idle() bool { return len(q.ch) == 0 }

// tune sets the batch size from the time the reader spent on n items.
func (q *queue[T]) tune(d time.Duration, n int) {
	if n <= 0 {
		return
	}
	want := maxBatch
	if per := d / time.Duration(n); per > 0 {
		want = int(batchTarget / per)
	}
	want = max(1, min(want, maxBatch))
	if int(q.limit.Load()) != want {
		q.limit.Store(int32(want))
	}
}

// send hands b to the reader, waiting while the queue is full. It returns
// the time spent blocked, errStopped once the reader has stopped, or the
// context's error. b belongs to the queue afterwards, even on error.
func (q *queue[T]) send(ctx context.Context, b *batch[T]) (time.Duration, error) {
	if q.isStopped.Load() {
		q.discard(b)
		return 0, errStopped
	}
	select {
	case q.ch <- b:
		return 0, nil
	default:
	}
	t0 := time.Now()
	select {
	case q.ch <- b:
		return time.Since(t0), nil
	case <-ctx.Done():
		q.put(b)
		return time.Since(t0), ctx.Err()
	case <-q.stopped:
		q.discard(b)
		return time.Since(t0), errStopped
	}
}

// discard releases the charges of a batch nobody will read, and recycles it.
func (q *queue[T]) discard(b *batch[T]) {
	releaseAll(b.items)
	q.put(b)
}

func releaseAll[T any](items []env[T]) {
	for _, e := range items {
		if e.c != nil {
			e.c.release()
		}
	}
}

// stopReading tells the writers that the reader has stopped, then drops
// what they still send until they have all gone, releasing its charges.
func (q *queue[T]) stopReading(ctx context.Context) {
	q.stop()
	for {
		b, ok := q.recv(ctx)
		if !ok {
			return
		}
		q.discard(b)
	}
}

// tryRecv returns a batch if one is ready.
func (q *queue[T]) tryRecv() (b *batch[T], ok, closed bool) {
	select {
	case b, ok := <-q.ch:
		return b, ok, !ok
	default:
		return nil, false, false
	}
}

// recv waits for a batch. ok is false once the queue is closed and drained
// or ctx is done.
func (q *queue[T]) recv(ctx context.Context) (b *batch[T], ok bool) {
	select {
	case b, ok = <-q.ch:
		return b, ok
	case <-ctx.Done():
		return nil, false
	}
}

// stop tells the writers that the reader will read no more.
func (q *queue[T]) stop() {
	q.stopOnce.Do(func() {
		q.isStopped.Store(true)
		close(q.stopped)
	})
}

// writerDone is called once by each writer as it exits; the last closes
// the channel.
func (q *queue[T]) writerDone() {
	if q.writers.Add(-1) == 0 {
		close(q.ch)
	}
}

// drain drops what is left in a queue after the run ended.
func (q *queue[T]) drain() {
	for {
		select {
		case _, ok := <-q.ch:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// gauge reports the queue's length and capacity in batches.
func (q *queue[T]) gauge() (n, capacity int) { return len(q.ch), cap(q.ch) }

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
// Besides the channel, the reader may take items straight from the
// batches its writers are filling (see hold).
type queue[T any] struct {
	ch        chan *batch[T]
	stopped   chan struct{} // closed when the reader stops reading early
	isStopped atomic.Bool
	stopOnce  sync.Once
	writers   atomic.Int32 // producers still writing; the last closes ch
	limit     atomic.Int32 // batch size the reader asks for
	pool      sync.Pool

	// holds are the writers' batches in the making, fixed before Run.
	holds []*hold[T]
	// ord, for the output of an ordered stage, says which hold may be
	// taken from without breaking the order.
	ord interface {
		grab(q *queue[T]) (b *batch[T], closed bool)
	}

	sent  atomic.Int64 // items sent through ch
	_     [56]byte
	recvd atomic.Int64 // items received from ch
}

// newQueue returns a queue whose channel the reader makes, sized to its
// liking, when it consumes the stream.
func newQueue[T any]() *queue[T] {
	q := &queue[T]{stopped: make(chan struct{})}
	q.limit.Store(1)
	q.pool.New = func() any { return &batch[T]{items: make([]env[T], 0, maxBatch)} }
	return q
}

// newHold registers a writer's hold; out is the writer stage's count of
// items sent on, which items taken from the hold add to.
func (q *queue[T]) newHold(out *atomic.Int64) *hold[T] {
	h := &hold[T]{out: out}
	q.holds = append(q.holds, h)
	return h
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

// send hands b to the reader, waiting while the queue is full; m, if not
// nil, stops timing the writer as busy while it waits. It returns the time
// spent blocked, errStopped once the reader has stopped, or the context's
// error. b belongs to the queue afterwards, even on error.
func (q *queue[T]) send(ctx context.Context, b *batch[T], m *meter) (time.Duration, error) {
	if q.isStopped.Load() {
		q.discard(b)
		return 0, errStopped
	}
	n := int64(len(b.items))
	select {
	case q.ch <- b:
		q.sent.Add(n)
		return 0, nil
	default:
	}
	t0 := m.waitFor(StateWaitOut)
	select {
	case q.ch <- b:
		q.sent.Add(n)
		return m.resume(t0), nil
	case <-ctx.Done():
		q.put(b)
		return m.resume(t0), ctx.Err()
	case <-q.stopped:
		q.discard(b)
		return m.resume(t0), errStopped
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

// tryRecv returns a batch from the channel if one is ready.
func (q *queue[T]) tryRecv() (b *batch[T], ok, closed bool) {
	select {
	case b, ok := <-q.ch:
		if ok {
			q.recvd.Add(int64(len(b.items)))
		}
		return b, ok, !ok
	default:
		return nil, false, false
	}
}

// recv waits for a batch from the channel. ok is false once the queue is
// closed and drained or ctx is done.
func (q *queue[T]) recv(ctx context.Context) (b *batch[T], ok bool) {
	select {
	case b, ok = <-q.ch:
		if ok {
			q.recvd.Add(int64(len(b.items)))
		}
		return b, ok
	case <-ctx.Done():
		return nil, false
	}
}

// grab returns a batch without waiting: one from the channel, or else the
// items the writers have gathered but not sent. closed reports that every
// writer has gone and the channel is drained. Only one goroutine at a
// time may read a queue through grab and next.
func (q *queue[T]) grab() (b *batch[T], closed bool) {
	if b, ok, closed := q.tryRecv(); ok || closed {
		return b, closed
	}
	switch {
	case q.ord != nil:
		return q.ord.grab(q)
	case len(q.holds) == 1:
		return q.grabOne(q.holds[0])
	case len(q.holds) > 1:
		return q.grabAny(), false
	}
	return nil, false
}

// grabOne takes the items of the only writer's hold, keeping their order
// behind any batch that writer sent before: the state is read before the
// channel is checked again, and the items are taken only if the state has
// not changed since, so every batch sent before them is seen first.
func (q *queue[T]) grabOne(h *hold[T]) (*batch[T], bool) {
	s := h.word.Load()
	if !holdReady(s) {
		return nil, false
	}
	if b, ok, closed := q.tryRecv(); ok || closed {
		return b, closed
	}
	b := q.get()
	if n := h.steal(b, s); n > 0 {
		h.out.Add(int64(n))
		return b, false
	}
	q.put(b)
	return nil, false
}

// grabAny takes what several unordered writers have gathered, in no order.
func (q *queue[T]) grabAny() *batch[T] {
	var b *batch[T]
	for _, h := range q.holds {
		s := h.word.Load()
		if !holdReady(s) {
			continue
		}
		if b == nil {
			b = q.get()
		}
		if n := h.steal(b, s); n > 0 {
			h.out.Add(int64(n))
		}
		if len(b.items) == maxBatch {
			break
		}
	}
	if b != nil && len(b.items) == 0 {
		q.put(b)
		b = nil
	}
	return b
}

// next returns the next batch, waiting for one if need be; ok is false at
// the end of the input or once ctx is done. Before it sleeps it marks the
// writers' holds so that their next item comes at once. m stops timing
// the reader as busy while it sleeps; the time slept is returned.
func (q *queue[T]) next(ctx context.Context, m *meter) (b *batch[T], ok bool, slept time.Duration) {
	if b, closed := q.grab(); b != nil || closed {
		return b, b != nil, 0
	}
	t0 := m.waitFor(StateWaitIn)
	for _, h := range q.holds {
		h.setWaiting()
	}
	b, closed := q.grab()
	if b == nil && !closed {
		b, ok = q.recv(ctx)
	}
	for _, h := range q.holds {
		h.clearWaiting()
	}
	return b, b != nil, m.resume(t0)
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

// gauge reports the queue's length and capacity in batches, and the items
// in it.
func (q *queue[T]) gauge() (n, capacity int, items int64) {
	return len(q.ch), cap(q.ch), max(0, q.sent.Load()-q.recvd.Load())
}

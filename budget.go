package sluice

import (
	"context"
	"sync"
	"sync/atomic"
)

// budget counts the bytes held by items in flight and, when it has a limit,
// makes producers wait for room. Admission is first come, first served: a
// waiter is admitted only after every waiter before it, so a large item is
// never starved by a stream of small ones. It is safe for concurrent use.
type budget struct {
	mu      sync.Mutex
	limit   int64 // 0: count bytes but never wait
	cur     int64
	peak    int64
	waiters []*budgetWaiter // FIFO
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed once the bytes are granted
}

// tryAcquire takes n bytes if they fit now and nobody waits before us.
func (b *budget) tryAcquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 && (len(b.waiters) > 0 || b.cur+n > b.limit) {
		return false
	}
	b.take(n)
	return true
}

// acquire waits until n bytes are granted or ctx is done. The caller has
// checked that n does not exceed the limit.
func (b *budget) acquire(ctx context.Context, n int64) error {
	if b.tryAcquire(n) {
		return nil
	}
	b.mu.Lock()
	if len(b.waiters) == 0 && b.cur+n <= b.limit {
		b.take(n)
		b.mu.Unlock()
		return nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		defer b.mu.Unlock()
		select {
		case <-w.ready: // granted meanwhile: give it back
			b.cur -= n
			b.grant()
		default:
			for i, x := range b.waiters {
				if x == w {
					b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
					break
				}
			}
			b.grant() // we may have blocked the queue head
		}
		return context.Cause(ctx)
	}
}

// release returns n bytes and admits waiters in order while they fit.
func (b *budget) release(n int64) {
	b.mu.Lock()
	b.cur -= n
	b.grant()
	b.mu.Unlock()
}

func (b *budget) take(n int64) {
	b.cur += n
	if b.cur > b.peak {
		b.peak = b.cur
	}
}

// grant admits waiters from the head of the queue while they fit; b.mu is held.
func (b *budget) grant() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.cur+w.n > b.limit {
			return
		}
		b.take(w.n)
		b.waiters[0] = nil
		b.waiters = b.waiters[1:]
		close(w.ready)
	}
}

// snapshot returns bytes in flight now and the highest seen.
func (b *budget) snapshot() (cur, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur, b.peak
}

// reset forgets items dropped by a failed or cancelled run.
func (b *budget) reset() {
	b.mu.Lock()
	b.cur = 0
	b.mu.Unlock()
}

// charge is the budget held by one sized item and everything derived from
// it. Each item carrying the charge holds one reference; the bytes return to
// the budget when the last reference is released.
type charge struct {
	n    int64
	refs atomic.Int64
	b    *budget
}

func (c *charge) ref() { c.refs.Add(1) }

func (c *charge) release() {
	if c.refs.Add(-1) == 0 {
		c.b.release(c.n)
	}
}

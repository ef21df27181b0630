package sluice

import (
	"runtime"
	"sync/atomic"
)

// A hold is the batch a writer is filling, shared with the reader of its
// queue so that no item waits in a writer while the reader has nothing to
// do. The writer appends without locking and publishes each item with one
// atomic add; a reader that finds its queue empty takes the published items
// itself ("steals" them), and a reader about to sleep sets a bit that makes
// the writer's next publish hand its batch over at once. So an emitted item
// reaches the next stage even if the writer then blocks in user code for
// ever, and items still move in full batches while both sides are busy.
//
// The state word packs, from the low bits up: the items published in the
// current batch, the items taken from it by readers, the waiting and
// stealing flags, and a generation that changes each time the writer seals
// the batch to send it. Until it seals the batch, the writer only appends
// past pub; a reader copies items[taken:pub] while it holds the stealing
// flag, and the writer's seal waits for that flag to clear.
type hold[T any] struct {
	word   atomic.Uint64
	ticket atomic.Uint64 // ordered stages: 1 + the ticket whose outputs are gathered
	items  []env[T]      // backing array of the batch being filled, full length
	out    *atomic.Int64 // the writing stage's count of items sent on
	_      [64]byte      // keep neighbouring holds off this cache line
}

const (
	holdPub      = 0xff
	holdTakenSh  = 8
	holdWaiting  = 1 << 16
	holdStealing = 1 << 17
	holdGenSh    = 32
)

func holdPubs(s uint64) int  { return int(s & holdPub) }
func holdTaken(s uint64) int { return int(s >> holdTakenSh & holdPub) }

// holdReady reports whether s shows published items nobody has taken and
// no reader copying.
func holdReady(s uint64) bool {
	return s&holdStealing == 0 && holdPubs(s) > holdTaken(s)
}

// reset makes b the batch being filled; b is empty and the hold sealed.
func (h *hold[T]) reset(b *batch[T]) { h.items = b.items[:cap(b.items)] }

// publish makes the item just appended visible to readers and returns the
// state word, in which the writer looks for holdWaiting.
func (h *hold[T]) publish() uint64 { return h.word.Add(1) }

// waiting reports whether the reader sleeps for want of items.
func (h *hold[T]) waiting() bool { return h.word.Load()&holdWaiting != 0 }

// seal ends the current batch for readers and returns how many of its items
// they took; the writer sends the others. It waits while a reader copies.
// If the writer sends the batch straight to the reader (toReader) and it
// is not empty, the waiting flag is cleared: the batch wakes the reader,
// and the items after it need not follow one by one.
func (h *hold[T]) seal(toReader bool) int {
	for {
		s := h.word.Load()
		if s&holdStealing != 0 {
			runtime.Gosched()
			continue
		}
		next := (s>>holdGenSh + 1) << holdGenSh
		if !toReader || holdPubs(s) == holdTaken(s) {
			next |= s & holdWaiting // nothing goes to wake the reader
		}
		if h.word.CompareAndSwap(s, next) {
			return holdTaken(s)
		}
	}
}

// sealBatch seals the hold and drops the items readers took from the front
// of b, the writer's view of the same batch.
func sealBatch[T any](h *hold[T], b *batch[T], toReader bool) {
	t := h.seal(toReader)
	if t == 0 {
		return
	}
	n := copy(b.items, b.items[t:])
	clear(b.items[n:])
	b.items = b.items[:n]
}

// steal moves the published items of h into b if the state is still s (as
// loaded by the caller, holdReady), up to b's free room. It returns the
// number of items moved; 0 if the writer moved on meanwhile.
func (h *hold[T]) steal(b *batch[T], s uint64) int {
	t, p := holdTaken(s), holdPubs(s)
	p = min(p, t+maxBatch-len(b.items))
	if p <= t {
		return 0
	}
	next := s&^(holdPub<<holdTakenSh) | uint64(p)<<holdTakenSh | holdStealing
	if !h.word.CompareAndSwap(s, next) {
		return 0
	}
	b.items = append(b.items, h.items[t:p]...)
	h.word.And(^uint64(holdStealing))
	return p - t
}

// setWaiting and clearWaiting mark the reader asleep or awake.
func (h *hold[T]) setWaiting()   { h.word.Or(holdWaiting) }
func (h *hold[T]) clearWaiting() { h.word.And(^uint64(holdWaiting)) }

package sluice

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// slotMax is how many output batches a worker may hold for an input batch
// that is not yet at the head of the reorder window; past it, the worker
// waits for its turn.
const slotMax = 4

// orderer restores input order at the output of a stage. Each input batch
// gets a ticket at intake; outputs leave ticket by ticket. The worker whose
// ticket is at the head sends its outputs straight on; the others keep
// theirs in the ticket's slot until the head reaches them. At most window
// tickets are out at once, so the reorder buffer is bounded by
// window × slotMax batches.
type orderer[U any] struct {
	mu       sync.Mutex
	cond     sync.Cond
	head     uint64        // lowest ticket whose outputs are not all sent
	headA    atomic.Uint64 // head, readable without mu
	flushing bool          // a worker is sending finished slots after the head
	window   uint64
	slots    []oslot[U]
	err      error // set once a worker quits: the others quit too
}

type oslot[U any] struct {
	batches []*batch[U]
	done    bool
}

func newOrderer[U any](workers int) *orderer[U] {
	w := uint64(max(4*workers, 2))
	o := &orderer[U]{window: w, slots: make([]oslot[U], w)}
	o.cond.L = &o.mu
	return o
}

// quit records that a worker left with err, so that nobody waits for a
// head that will not move.
// It releases the outputs kept in the slots, as nobody will send them.
func (o *orderer[U]) quit(err error, out *queue[U]) {
	o.mu.Lock()
	if o.err == nil {
		o.err = err
	}
	for i := range o.slots {
		for _, b := range o.slots[i].batches {
			out.discard(b)
		}
		clear(o.slots[i].batches)
		o.slots[i].batches = o.slots[i].batches[:0]
	}
	o.cond.Broadcast()
	o.mu.Unlock()
}

// wake rouses every waiter so that it can see its context is done.
func (o *orderer[U]) wake() {
	o.mu.Lock()
	o.cond.Broadcast()
	o.mu.Unlock()
}

// isHead reports whether ticket t is at the head of the window: its
// outputs may go straight on.
func (o *orderer[U]) isHead(t uint64) bool { return o.headA.Load() == t }

// headHold returns the hold of the worker gathering the head ticket's
// outputs, or nil; o.mu is held.
func (o *orderer[U]) headHold(q *queue[U]) *hold[U] {
	for _, h := range q.holds {
		if h.ticket.Load() == o.head+1 {
			return h
		}
	}
	return nil
}

// grab takes for the reader of q the outputs the head ticket's worker has
// gathered, unless someone is sending the head's outputs: those come
// first. A batch that arrived in the channel meanwhile is returned instead.
func (o *orderer[U]) grab(q *queue[U]) (*batch[U], bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.flushing || o.err != nil {
		return nil, false
	}
	h := o.headHold(q)
	if h == nil {
		return nil, false
	}
	return q.grabOne(h)
}

// stealHead takes the outputs gathered by the head ticket's worker if the
// reader sleeps for want of them; o.mu is held by the worker flushing.
func stealHead[T, U any](o *orderer[U], w *worker[T, U]) *batch[U] {
	h := o.headHold(w.s.out)
	if h == nil {
		return nil
	}
	s := h.word.Load()
	if s&holdWaiting == 0 || !holdReady(s) {
		return nil
	}
	b := w.s.out.get()
	if h.steal(b, s) == 0 {
		w.s.out.put(b)
		return nil
	}
	return b
}

// hasRoom reports whether ticket t fits in the window.
func (o *orderer[U]) hasRoom(t uint64) bool { return t < o.headA.Load()+o.window }

// roomSpins is how many times waitRoom yields its thread, for the worker at
// the head to run, before it sleeps: the head is usually a batch away from
// done, and sleeping and waking cost more.
const roomSpins = 8

// waitRoom blocks until ticket t fits in the window.
func (o *orderer[U]) waitRoom(ctx context.Context, t uint64) error {
	for range roomSpins {
		runtime.Gosched()
		if o.hasRoom(t) {
			return nil
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for t >= o.head+o.window {
		if o.err != nil {
			return o.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		o.cond.Wait()
	}
	return nil
}

func (o *orderer[U]) slot(t uint64) *oslot[U] { return &o.slots[t%o.window] }

// takeSlot moves the batches of slot t into w.tmp; o.mu is held.
func takeSlot[T, U any](o *orderer[U], w *worker[T, U], t uint64) {
	sl := o.slot(t)
	w.tmp = append(w.tmp[:0], sl.batches...)
	clear(sl.batches)
	sl.batches = sl.batches[:0]
	sl.done = false
}

// sendTmp sends w.tmp in order and empties it.
func sendTmp[T, U any](w *worker[T, U]) error {
	defer func() {
		clear(w.tmp)
		w.tmp = w.tmp[:0]
	}()
	for i, b := range w.tmp {
		if err := w.send(b); err != nil {
			for _, rest := range w.tmp[i+1:] {
				w.s.out.discard(rest)
			}
			return err
		}
	}
	return nil
}

// orderPut passes on a full batch b of ticket t's outputs while t is still
// being processed: sent at once if t is at the head, kept in t's slot
// otherwise, or, once the slot is full, sent when t reaches the head.
func orderPut[T, U any](w *worker[T, U], t uint64, b *batch[U]) error {
	o := w.s.ord
	o.mu.Lock()
	var t0 int64
	for {
		if o.err != nil {
			o.mu.Unlock()
			if t0 != 0 {
				w.m.resume(t0)
			}
			w.s.out.discard(b)
			return o.err
		}
		if o.head == t && !o.flushing {
			takeSlot(o, w, t)
			w.tmp = append(w.tmp, b)
			o.mu.Unlock()
			if t0 != 0 {
				d := w.m.resume(t0)
				w.wait += d
				w.s.st.waitOut.Add(int64(d))
			}
			return sendTmp(w)
		}
		if sl := o.slot(t); len(sl.batches) < slotMax {
			sl.batches = append(sl.batches, b)
			o.mu.Unlock()
			if t0 != 0 {
				d := w.m.resume(t0)
				w.wait += d
				w.s.st.waitOut.Add(int64(d))
			}
			return nil
		}
		if err := w.ctx.Err(); err != nil {
			o.mu.Unlock()
			if t0 != 0 {
				w.m.resume(t0)
			}
			w.s.out.put(b)
			return err
		}
		if t0 == 0 {
			t0 = w.m.waitFor(StateWaitOrder)
		}
		o.cond.Wait()
	}
}

// orderFinish hands over the last outputs b of ticket t (b is nil or not
// empty).
// At the head, the worker sends them, then the outputs of every finished
// ticket after it, then what the next unfinished ticket has put in its
// slot, so that nothing ready waits while that ticket's worker is busy,
// and, if the reader sleeps, what that worker has gathered. Elsewhere it
// leaves them in the slot for whoever is at the head when t comes up.
func orderFinish[T, U any](w *worker[T, U], t uint64, b *batch[U]) error {
	o := w.s.ord
	o.mu.Lock()
	if o.err != nil {
		o.mu.Unlock()
		if b != nil {
			w.s.out.discard(b)
		}
		return o.err
	}
	if o.head != t || o.flushing {
		sl := o.slot(t)
		if b != nil {
			sl.batches = append(sl.batches, b)
		}
		sl.done = true
		o.mu.Unlock()
		return nil
	}
	o.flushing = true
	takeSlot(o, w, t)
	if b != nil {
		w.tmp = append(w.tmp, b)
	}
	complete := true // w.tmp ends ticket o.head
	for {
		o.mu.Unlock()
		err := sendTmp(w)
		o.mu.Lock()
		if err != nil {
			o.flushing = false
			o.cond.Broadcast()
			o.mu.Unlock()
			return err
		}
		if complete {
			o.head++
			o.headA.Store(o.head)
			o.cond.Broadcast()
		}
		sl := o.slot(o.head)
		complete = sl.done
		if complete || len(sl.batches) > 0 {
			takeSlot(o, w, o.head)
			continue
		}
		if b := stealHead(o, w); b != nil {
			w.tmp = append(w.tmp, b)
			continue
		}
		break
	}
	o.flushing = false
	o.cond.Broadcast()
	o.mu.Unlock()
	return nil
}

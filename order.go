package sluice

import (
	"context"
	"sync"
	"time"
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
	head     uint64 // lowest ticket whose outputs are not all sent
	flushing bool   // a worker is sending finished slots after the head
	window   uint64
	slots    []oslot[U]
	err      error // set once a worker quits: the others quit too
}

type oslot[U any] struct {
	batches []*batch[U]
	done    bool
}

func newOrderer[U any](workers int) *orderer[U] {
	w := uint64(max(2*workers, 2))
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

func (o *orderer[U]) hasRoom(t uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return t < o.head+o.window
}

// waitRoom blocks until ticket t fits in the window.
func (o *orderer[U]) waitRoom(ctx context.Context, t uint64) error {
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
	var t0 time.Time
	for {
		if o.err != nil {
			o.mu.Unlock()
			w.s.out.discard(b)
			return o.err
		}
		if o.head == t && !o.flushing {
			takeSlot(o, w, t)
			w.tmp = append(w.tmp, b)
			o.mu.Unlock()
			if !t0.IsZero() {
				d := time.Since(t0)
				w.wait += d
				w.s.st.waitOut.Add(int64(d))
			}
			return sendTmp(w)
		}
		if sl := o.slot(t); len(sl.batches) < slotMax {
			sl.batches = append(sl.batches, b)
			o.mu.Unlock()
			return nil
		}
		if err := w.ctx.Err(); err != nil {
			o.mu.Unlock()
			w.s.out.put(b)
			return err
		}
		if t0.IsZero() {
			t0 = time.Now()
		}
		o.cond.Wait()
	}
}

// orderFinish hands over the last outputs b of ticket t (b may be empty).
// At the head, the worker sends them, then the outputs of every finished
// ticket after it; elsewhere it leaves them in the slot for whoever is at
// the head when t comes up.
func orderFinish[T, U any](w *worker[T, U], t uint64, b *batch[U]) error {
	o := w.s.ord
	o.mu.Lock()
	if o.err != nil {
		o.mu.Unlock()
		w.s.out.discard(b)
		return o.err
	}
	if o.head != t || o.flushing {
		sl := o.slot(t)
		if len(b.items) > 0 {
			sl.batches = append(sl.batches, b)
		} else {
			w.s.out.put(b)
		}
		sl.done = true
		o.mu.Unlock()
		return nil
	}
	o.flushing = true
	takeSlot(o, w, t)
	if len(b.items) > 0 {
		w.tmp = append(w.tmp, b)
	} else {
		w.s.out.put(b)
	}
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
		o.head++
		o.cond.Broadcast()
		if !o.slot(o.head).done {
			break
		}
		takeSlot(o, w, o.head)
	}
	o.flushing = false
	o.cond.Broadcast()
	o.mu.Unlock()
	return nil
}

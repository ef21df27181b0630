package sluice

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// stage is the engine behind Map, FlatMap, Filter and Sink: workers take
// batches from the input queue, call apply on each item and gather what
// it emits into output batches (out is nil for a sink).
type stage[T, U any] struct {
	p       *Pipeline
	st      *stageStats
	in      *queue[T]
	out     *queue[U]
	workers int
	apply   func(w *worker[T, U], ctx context.Context, v T) error
	ord     *orderer[U] // nil when unordered
	holds   []*hold[U]  // one per worker when there is an output

	mu     sync.Mutex // intake: receiving, numbering items, taking tickets
	inDone bool
	next   int64  // index of the next item to arrive
	ticket uint64 // next ticket, one per input batch, for ordering
}

// worker is one goroutine of a stage.
type worker[T, U any] struct {
	s      *stage[T, U]
	ctx    context.Context
	m      *meter
	hold   *hold[U]
	pend   *batch[U] // outputs gathered, not yet sent, shared through hold
	cur    *charge   // charge of the item being processed
	idx    int64     // index of the item being processed
	ticket uint64
	emitFn func(U) error
	wait   time.Duration // blocked during the current batch
	err    error         // sticky emit failure
	tmp    []*batch[U]

	// The batch size the input queue asks for is tuned from the time
	// items take. Timing costs two clock reads, so only one batch in
	// sampleEvery is timed while items are quick.
	sample int
	slow   bool // the last timed batch took at least slowItem per item
}

const (
	sampleEvery = 16
	slowItem    = time.Microsecond
)

func newStage[T, U any](in *Stream[T], name string, o Opts, defWorkers int, hasOut bool,
	apply func(w *worker[T, U], ctx context.Context, v T) error) (*stage[T, U], *Stream[U]) {
	if in == nil {
		panic(fmt.Sprintf("sluice: nil Stream given to stage %q", name))
	}
	p := in.p
	n := o.workers(defWorkers)
	st := p.addStage(name, n)
	s := &stage[T, U]{p: p, st: st, in: consume(in, name, st, o.QueueLen), workers: n, apply: apply}
	st.gauge = s.in.gauge
	var out *Stream[U]
	if hasOut {
		out = newStream[U](p, name, st, n)
		s.out = out.q
		for range n {
			s.holds = append(s.holds, s.out.newHold(&st.out))
		}
		if o.Ordered {
			s.ord = newOrderer[U](n)
			s.out.ord = s.ord
		}
	}
	p.addRun(s.run)
	return s, out
}

func (s *stage[T, U]) run(ctx context.Context) {
	if s.ord != nil {
		stop := context.AfterFunc(ctx, s.ord.wake)
		defer stop()
	}
	var wg sync.WaitGroup
	for i := range s.workers {
		wg.Go(func() { s.work(ctx, i) })
	}
	wg.Wait()
}

func (s *stage[T, U]) work(ctx context.Context, i int) {
	w := &worker[T, U]{s: s, ctx: withMeter(ctx, &s.st.meters[i]), m: &s.st.meters[i]}
	w.emitFn = w.emit
	if s.out != nil {
		w.hold = s.holds[i]
		w.pend = s.out.get()
		w.hold.reset(w.pend)
		defer s.out.writerDone()
	}
	w.m.start()
	defer w.m.stop()
	returned := false
	defer func() {
		if r := recover(); r != nil {
			s.p.recovered(ctx, s.st, w.idx, r)
		} else if !returned {
			s.p.fail(ctx, s.st, w.idx, ErrGoexit)
		}
	}()
	err := w.loop()
	returned = true
	if err != nil && s.ord != nil {
		// After fail has cancelled the run, so that the workers this
		// wakes do not count the failure again.
		defer s.ord.quit(err, s.out)
	}
	switch {
	case err == nil:
	case errors.Is(err, errStopped):
		// This stage has enough (Take) or nobody reads its output: hand
		// over what is gathered, if anyone still reads, then let the
		// writers before it go.
		_ = w.flush()
		w.m.pause() // what is left is not work
		s.in.stopReading(ctx)
	case ctx.Err() != nil:
		s.p.abort()
	default:
		s.p.fail(ctx, s.st, w.idx, err)
	}
}

func (w *worker[T, U]) loop() error {
	s := w.s
	done := w.ctx.Done()
	for {
		b, base, ok, err := w.intake()
		if err != nil || !ok {
			if err == nil && s.ord == nil {
				err = w.flush()
			}
			return err
		}
		select {
		case <-done:
			s.in.put(b)
			return w.ctx.Err()
		default:
		}
		var t0 int64
		timed := w.slow || w.sample == 0
		if timed {
			w.wait = 0
			t0 = nanotime()
		}
		w.sample = (w.sample + 1) % sampleEvery
		for i := range b.items {
			e := &b.items[i]
			w.idx, w.cur = base+int64(i), e.c
			w.m.item(w.idx)
			err := s.apply(w, w.ctx, e.v)
			if w.m.inIO {
				w.m.stopIO() // an I/O stretch ends with the call
			}
			if err != nil {
				if errors.Is(err, errStopped) {
					releaseAll(b.items[i:])
				}
				return err
			}
			if e.c != nil {
				e.c.release()
			}
		}
		n := len(b.items)
		if timed {
			d := time.Duration(nanotime()-t0) - w.wait
			w.slow = d >= slowItem*time.Duration(n)
			s.in.tune(d, n)
		}
		s.in.put(b)
		if s.ord != nil {
			if err := w.finish(); err != nil {
				return err
			}
		} else if s.out != nil && w.hold.waiting() {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
}

// intake takes the next input batch, numbering its items. ok is false at
// the end of the input.
func (w *worker[T, U]) intake() (b *batch[T], base int64, ok bool, err error) {
	s := w.s
	if !s.mu.TryLock() {
		// Another worker is taking a batch, or waiting for one.
		t0 := w.m.waitFor(StateWaitIn)
		s.mu.Lock()
		s.st.waitIn.Add(int64(w.m.resume(t0)))
	}
	for {
		if s.inDone {
			s.mu.Unlock()
			return nil, 0, false, nil
		}
		if s.ord != nil && !s.ord.hasRoom(s.ticket) {
			t := s.ticket
			s.mu.Unlock()
			t0 := w.m.waitFor(StateWaitOrder)
			err := s.ord.waitRoom(w.ctx, t)
			d := w.m.resume(t0)
			s.st.waitOut.Add(int64(d))
			if err != nil {
				return nil, 0, false, err
			}
			s.mu.Lock()
			continue
		}
		b, got, slept := s.in.next(w.ctx, w.m)
		s.st.waitIn.Add(int64(slept))
		if !got {
			s.inDone = true
			s.mu.Unlock()
			return nil, 0, false, w.ctx.Err()
		}
		base = s.next
		s.next += int64(len(b.items))
		w.ticket = s.ticket
		s.ticket++
		s.mu.Unlock()
		if w.hold != nil {
			w.hold.ticket.Store(w.ticket + 1)
		}
		s.st.in.Add(int64(len(b.items)))
		return b, base, true, nil
	}
}

// emit adds one output of the current item. The output inherits the
// item's budget charge. It goes on with the batch being gathered, when
// that is full or the reader has nothing to do; until then the reader may
// take it from the worker's hold.
func (w *worker[T, U]) emit(u U) error {
	if w.err != nil {
		return w.err
	}
	if w.cur != nil {
		w.cur.ref()
	}
	w.pend.items = append(w.pend.items, env[U]{u, w.cur})
	st := w.hold.publish()
	if len(w.pend.items) < w.s.out.batchLimit() &&
		(st&holdWaiting == 0 || w.s.ord != nil && !w.s.ord.isHead(w.ticket)) {
		return nil
	}
	var err error
	if w.s.ord != nil {
		err = w.put()
	} else {
		err = w.flush()
	}
	if err != nil {
		w.err = err
	}
	return err
}

// take seals the hold and returns the gathered outputs the reader left,
// replacing them with an empty batch; nil if there are none.
func (w *worker[T, U]) take() *batch[U] {
	sealBatch(w.hold, w.pend, w.s.ord == nil || w.s.ord.isHead(w.ticket))
	if len(w.pend.items) == 0 {
		return nil
	}
	b := w.pend
	w.pend = w.s.out.get()
	w.hold.reset(w.pend)
	return b
}

// put passes on the outputs gathered so far of an ordered stage's ticket.
func (w *worker[T, U]) put() error {
	if b := w.take(); b != nil {
		return orderPut(w, w.ticket, b)
	}
	return nil
}

// finish passes on the last outputs of an ordered stage's ticket.
func (w *worker[T, U]) finish() error {
	return orderFinish(w, w.ticket, w.take())
}

// flush sends the gathered outputs of an unordered stage.
func (w *worker[T, U]) flush() error {
	if w.s.ord != nil || w.pend == nil {
		return nil
	}
	if b := w.take(); b != nil {
		return w.send(b)
	}
	return nil
}

// send hands one output batch to the next stage, counting it.
func (w *worker[T, U]) send(b *batch[U]) error {
	n := len(b.items)
	d, err := w.s.out.send(w.ctx, b, w.m)
	w.wait += d
	w.s.st.waitOut.Add(int64(d))
	if err != nil {
		return err
	}
	w.s.st.out.Add(int64(n))
	return nil
}

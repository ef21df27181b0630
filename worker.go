package sluice

import (
	"context"
	"errors"
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

	mu     sync.Mutex // intake: receiving, numbering items, taking tickets
	inDone bool
	next   int64  // index of the next item to arrive
	ticket uint64 // next ticket, one per input batch, for ordering
}

// worker is one goroutine of a stage.
type worker[T, U any] struct {
	s      *stage[T, U]
	ctx    context.Context
	pend   *batch[U] // outputs gathered, not yet sent
	cur    *charge   // charge of the item being processed
	idx    int64     // index of the item being processed
	ticket uint64
	emitFn func(U) error
	wait   time.Duration // blocked on output during the current batch
	err    error         // sticky emit failure
	tmp    []*batch[U]
}

func newStage[T, U any](in *Stream[T], name string, o Opts, defWorkers int, hasOut bool,
	apply func(w *worker[T, U], ctx context.Context, v T) error) (*stage[T, U], *Stream[U]) {
	p := in.p
	n := o.workers(defWorkers)
	st := p.addStage(name, n)
	s := &stage[T, U]{p: p, st: st, in: consume(in, name, o.QueueLen), workers: n, apply: apply}
	st.gauge = s.in.gauge
	var out *Stream[U]
	if hasOut {
		out = newStream[U](p, name, n)
		s.out = out.q
		if o.Ordered {
			s.ord = newOrderer[U](n)
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
	for range s.workers {
		wg.Go(func() { s.work(ctx) })
	}
	wg.Wait()
}

func (s *stage[T, U]) work(ctx context.Context) {
	w := &worker[T, U]{s: s, ctx: ctx}
	w.emitFn = w.emit
	if s.out != nil {
		w.pend = s.out.get()
		defer s.out.writerDone()
	}
	defer func() {
		if r := recover(); r != nil {
			s.p.recovered(ctx, s.st, w.idx, r)
		}
	}()
	err := w.loop()
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
			return w.ctx.Err()
		default:
		}
		w.wait = 0
		t0 := time.Now()
		for i := range b.items {
			e := &b.items[i]
			w.idx, w.cur = base+int64(i), e.c
			if err := s.apply(w, w.ctx, e.v); err != nil {
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
		d := time.Since(t0) - w.wait
		s.st.busy.Add(int64(d))
		s.in.tune(d, n)
		s.in.put(b)
		if s.ord != nil {
			b := w.pend
			w.pend = s.out.get()
			if err := orderFinish(w, w.ticket, b); err != nil {
				return err
			}
		} else if s.out != nil && s.out.idle() {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
}

// intake takes the next input batch, numbering its items. Before it would
// block it hands over gathered outputs, so that nothing waits in a worker
// while the next stage is idle. ok is false at the end of the input.
func (w *worker[T, U]) intake() (b *batch[T], base int64, ok bool, err error) {
	s := w.s
	flushed := false
	if !s.mu.TryLock() {
		if err := w.flush(); err != nil {
			return nil, 0, false, err
		}
		flushed = true
		s.mu.Lock()
	}
	for {
		if s.inDone {
			s.mu.Unlock()
			return nil, 0, false, nil
		}
		if s.ord != nil && !s.ord.hasRoom(s.ticket) {
			t := s.ticket
			s.mu.Unlock()
			t0 := time.Now()
			err := s.ord.waitRoom(w.ctx, t)
			s.st.waitOut.Add(int64(time.Since(t0)))
			if err != nil {
				return nil, 0, false, err
			}
			s.mu.Lock()
			continue
		}
		b, got, closed := s.in.tryRecv()
		if !got && !closed && !flushed && w.pend != nil && len(w.pend.items) > 0 {
			s.mu.Unlock()
			if err := w.flush(); err != nil {
				return nil, 0, false, err
			}
			flushed = true
			s.mu.Lock()
			continue
		}
		if !got && !closed {
			t0 := time.Now()
			b, got = s.in.recv(w.ctx)
			s.st.waitIn.Add(int64(time.Since(t0)))
			if !got {
				if err := w.ctx.Err(); err != nil {
					s.mu.Unlock()
					return nil, 0, false, err
				}
				closed = true
			}
		}
		if closed {
			s.inDone = true
			s.mu.Unlock()
			return nil, 0, false, nil
		}
		base = s.next
		s.next += int64(len(b.items))
		w.ticket = s.ticket
		s.ticket++
		s.mu.Unlock()
		s.st.in.Add(int64(len(b.items)))
		return b, base, true, nil
	}
}

// emit adds one output of the current item. The output inherits the
// item's budget charge.
func (w *worker[T, U]) emit(u U) error {
	if w.err != nil {
		return w.err
	}
	if w.cur != nil {
		w.cur.ref()
	}
	w.pend.items = append(w.pend.items, env[U]{u, w.cur})
	if len(w.pend.items) < w.s.out.batchLimit() {
		return nil
	}
	var err error
	if w.s.ord != nil {
		b := w.pend
		w.pend = w.s.out.get()
		err = orderPut(w, w.ticket, b)
	} else {
		err = w.flush()
	}
	if err != nil {
		w.err = err
	}
	return err
}

// flush sends the gathered outputs of an unordered stage.
func (w *worker[T, U]) flush() error {
	if w.s.ord != nil || w.pend == nil || len(w.pend.items) == 0 {
		return nil
	}
	err := w.send(w.pend)
	w.pend = w.s.out.get()
	return err
}

// send hands one output batch to the next stage, counting it.
func (w *worker[T, U]) send(b *batch[U]) error {
	n := len(b.items)
	d, err := w.s.out.send(w.ctx, b)
	w.wait += d
	w.s.st.waitOut.Add(int64(d))
	if err != nil {
		return err
	}
	w.s.st.out.Add(int64(n))
	return nil
}

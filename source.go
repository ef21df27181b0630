package sluice

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
)

// Sizer is implemented by items that hold memory worth counting against
// Config.Budget. Size reports the bytes the item holds; it is called once,
// when a source emits the item.
type Sizer interface {
	Size() int64
}

var sizerType = reflect.TypeFor[Sizer]()

// source is the state of one producer stage.
type source[T any] struct {
	p    *Pipeline
	st   *stageStats
	out  *queue[T]
	fn   func(ctx context.Context, emit func(T) error) error
	size func(T) int64
	hold *hold[T]
}

// Source adds a producer stage that calls fn once, in its own goroutine.
// fn passes items downstream by calling emit, which blocks while the next
// stage's queue is full or the memory budget has no room, and returns an
// error once the run is cancelled or nobody reads any more; fn should then
// return that error. An error fn returns fails the run.
//
// Items that implement Sizer, or that have a size function given with
// SizedBy, are charged to the pipeline's budget from emit on. Handing an
// item over costs a few nanoseconds: items move in batches when several
// are ready.
func Source[T any](p *Pipeline, name string, fn func(ctx context.Context, emit func(T) error) error) *Stream[T] {
	if fn == nil {
		panic(fmt.Sprintf("sluice: nil function for source %q", name))
	}
	if p == nil {
		panic(fmt.Sprintf("sluice: nil Pipeline given to source %q", name))
	}
	st := p.addStage(name, 1)
	s := newStream[T](p, name, st, 1)
	src := &source[T]{p: p, st: st, out: s.q, fn: fn, size: sizerOf[T]()}
	src.hold = s.q.newHold(&st.out)
	s.src = src
	p.addRun(src.run)
	return s
}

// FromSlice adds a source that emits the items of a slice in order. The
// slice must not change until Run returns.
func FromSlice[T any](p *Pipeline, name string, items []T) *Stream[T] {
	return Source(p, name, func(ctx context.Context, emit func(T) error) error {
		for _, v := range items {
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// FromSeq adds a source that emits the values of seq in order. The
// iteration stops early if the run is cancelled.
func FromSeq[T any](p *Pipeline, name string, seq iter.Seq[T]) *Stream[T] {
	if seq == nil {
		panic(fmt.Sprintf("sluice: nil sequence for source %q", name))
	}
	return Source(p, name, func(ctx context.Context, emit func(T) error) error {
		for v := range seq {
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// SizedBy gives the source that produces s a function reporting the bytes
// each item holds, replacing Sizer for that source, and returns s. It
// panics unless s comes straight from Source, FromSlice or FromSeq, and
// once s is read by another stage.
func SizedBy[T any](s *Stream[T], size func(T) int64) *Stream[T] {
	if s == nil || s.src == nil {
		panic("sluice: SizedBy needs the stream of a source")
	}
	if size == nil {
		panic(fmt.Sprintf("sluice: nil size function for source %q", s.from))
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.p.started || s.to != "" {
		panic(fmt.Sprintf("sluice: SizedBy on source %q after its output is read", s.from))
	}
	s.src.size = size
	return s
}

// sizerOf returns the size function for items of type T, or nil when T
// cannot report a size.
func sizerOf[T any]() func(T) int64 {
	t := reflect.TypeFor[T]()
	switch {
	case t.Kind() == reflect.Interface:
		return func(v T) int64 {
			if s, ok := any(v).(Sizer); ok {
				return s.Size()
			}
			return 0
		}
	case t.Implements(sizerType):
		return func(v T) int64 { return any(v).(Sizer).Size() }
	}
	return nil
}

// emitter is the state behind a source's emit function.
type emitter[T any] struct {
	src   *source[T]
	ctx   context.Context
	m     *meter
	pend  *batch[T] // items gathered, shared with the reader through src.hold
	count int64     // items emitted
	err   error     // sticky: once emit fails it keeps failing
}

func (s *source[T]) run(ctx context.Context) {
	defer s.out.writerDone()
	e := &emitter[T]{src: s, ctx: ctx, m: &s.st.meters[0], pend: s.out.get()}
	s.hold.reset(e.pend)
	e.m.start()
	returned := false
	defer func() {
		e.m.stop()
		if r := recover(); r != nil {
			s.p.recovered(ctx, s.st, e.count, r)
		} else if !returned {
			s.p.fail(ctx, s.st, e.count, ErrGoexit)
		}
	}()
	err := s.fn(withMeter(ctx, e.m), e.emit)
	returned = true
	if err == nil {
		err = e.flush()
	}
	switch {
	case err == nil || errors.Is(err, errStopped):
	case ctx.Err() != nil:
		s.p.abort()
	default:
		s.p.fail(ctx, s.st, e.count, err)
	}
}

// emit is the function a source's fn calls for each item. The item joins
// the batch being gathered, which goes on when it is full or when the
// reader has nothing else to do; until then the reader can take the items
// gathered at any moment, so none is held back while fn goes on to slow
// work. An item costs one atomic add here.
func (e *emitter[T]) emit(v T) error {
	if e.err != nil {
		return e.err
	}
	var c *charge
	if e.src.size != nil {
		if n := e.src.size(v); n > 0 {
			var err error
			if c, err = e.charge(n); err != nil {
				e.err = err
				return err
			}
		}
	}
	e.pend.items = append(e.pend.items, env[T]{v, c})
	e.count++
	e.m.item(e.count)
	st := e.src.hold.publish()
	if len(e.pend.items) >= e.src.out.batchLimit() || st&holdWaiting != 0 {
		if err := e.flush(); err != nil {
			e.err = err
			return err
		}
	}
	return nil
}

// charge takes n bytes from the budget, handing over what is gathered
// before it waits, so that the items it holds can be consumed.
func (e *emitter[T]) charge(n int64) (*charge, error) {
	b := &e.src.p.budget
	if b.limit > 0 && n > b.limit {
		return nil, &BudgetError{Size: n, Budget: b.limit}
	}
	if !b.tryAcquire(n) {
		if err := e.flush(); err != nil {
			return nil, err
		}
		t0 := e.m.waitFor(StateWaitBudget)
		err := b.acquire(e.ctx, n)
		e.src.st.waitBudget.Add(int64(e.m.resume(t0)))
		if err != nil {
			return nil, err
		}
	}
	c := &charge{n: n, b: b}
	c.refs.Store(1)
	return c, nil
}

// flush sends the gathered items that the reader has not taken, if any.
func (e *emitter[T]) flush() error {
	sealBatch(e.src.hold, e.pend, true)
	n := len(e.pend.items)
	if n == 0 {
		return nil
	}
	if err := e.ctx.Err(); err != nil {
		return err
	}
	b := e.pend
	e.pend = e.src.out.get()
	e.src.hold.reset(e.pend)
	d, err := e.src.out.send(e.ctx, b, e.m)
	e.src.st.waitOut.Add(int64(d))
	if err != nil {
		return err
	}
	e.src.st.out.Add(int64(n))
	return nil
}

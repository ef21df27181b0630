package sluice

import (
	"context"
	"fmt"
)

// Map adds a stage that calls fn on every item of in and passes on what it
// returns. With o.Ordered the outputs keep the input order; otherwise they
// leave as they are done. An error from fn fails the run. The output
// inherits the input's budget charge. Map costs a few tens of nanoseconds
// per item on top of fn.
func Map[T, U any](in *Stream[T], name string, o Opts, fn func(ctx context.Context, v T) (U, error)) *Stream[U] {
	if fn == nil {
		panic(fmt.Sprintf("sluice: nil function for stage %q", name))
	}
	_, out := newStage(in, name, o, defaultWorkers(), true, func(w *worker[T, U], ctx context.Context, v T) error {
		u, err := fn(ctx, v)
		if err != nil {
			return err
		}
		return w.emit(u)
	})
	return out
}

// FlatMap adds a stage that calls fn on every item of in; fn passes on any
// number of outputs by calling emit, which blocks while the next stage is
// full and returns an error once the run is cancelled (fn should then
// return it). With o.Ordered all outputs of an item leave after those of
// the items before it. Every output shares the budget charge of its input,
// which is released when the last of them is consumed.
func FlatMap[T, U any](in *Stream[T], name string, o Opts, fn func(ctx context.Context, v T, emit func(U) error) error) *Stream[U] {
	if fn == nil {
		panic(fmt.Sprintf("sluice: nil function for stage %q", name))
	}
	_, out := newStage(in, name, o, defaultWorkers(), true, func(w *worker[T, U], ctx context.Context, v T) error {
		return fn(ctx, v, w.emitFn)
	})
	return out
}

// Filter adds a stage that passes on the items of in for which fn returns
// true and drops the others, releasing their budget charge. With o.Ordered
// the kept items keep their order.
func Filter[T any](in *Stream[T], name string, o Opts, fn func(ctx context.Context, v T) (bool, error)) *Stream[T] {
	if fn == nil {
		panic(fmt.Sprintf("sluice: nil function for stage %q", name))
	}
	_, out := newStage(in, name, o, defaultWorkers(), true, func(w *worker[T, T], ctx context.Context, v T) error {
		keep, err := fn(ctx, v)
		if err != nil || !keep {
			return err
		}
		return w.emit(v)
	})
	return out
}

package sluice

import (
	"context"
	"fmt"
)

// Broadcast adds a stage that passes every item of in to each of n new
// streams, in the same order. The branches move together: a slow branch
// holds the others back once its queue is full, so nothing buffers without
// bound. A branch whose reader stops early (a Take that has enough) is
// dropped and the others go on; an error in any branch fails the run.
// Items are copied into each branch, so pointer items are shared: treat
// them as read-only. A sized item's charge is released once every branch
// has consumed it.
func Broadcast[T any](in *Stream[T], name string, n int) []*Stream[T] {
	if n < 1 {
		panic(fmt.Sprintf("sluice: Broadcast %q needs at least one branch, got %d", name, n))
	}
	if in == nil {
		panic(fmt.Sprintf("sluice: nil Stream given to stage %q", name))
	}
	p := in.p
	st := p.addStage(name, 1)
	b := &broadcaster[T]{p: p, st: st, in: consume(in, name, st, 0)}
	st.gauge = b.in.gauge
	outs := make([]*Stream[T], n)
	for i := range outs {
		outs[i] = newStream[T](p, fmt.Sprintf("%s[%d]", name, i), st, 1)
		b.outs = append(b.outs, outs[i].q)
	}
	p.addRun(b.run)
	return outs
}

type broadcaster[T any] struct {
	p    *Pipeline
	st   *stageStats
	in   *queue[T]
	outs []*queue[T]
}

func (b *broadcaster[T]) run(ctx context.Context) {
	for _, q := range b.outs {
		defer q.writerDone()
	}
	live := make([]bool, len(b.outs))
	nlive := len(b.outs)
	for i := range live {
		live[i] = true
	}
	mt := &b.st.meters[0]
	mt.start()
	defer mt.stop()
	for {
		in, ok, slept := b.in.next(ctx, mt)
		b.st.waitIn.Add(int64(slept))
		if !ok {
			if ctx.Err() != nil {
				b.p.abort()
			}
			return
		}
		n := len(in.items)
		b.st.in.Add(int64(n))
		limit := int32(maxBatch)
		for i, q := range b.outs {
			if !live[i] {
				continue
			}
			limit = min(limit, q.limit.Load())
			// Every live branch takes a reference to each sized item.
			out := q.get()
			out.items = append(out.items, in.items...)
			for _, e := range out.items {
				if e.c != nil {
					e.c.ref()
				}
			}
			d, err := q.send(ctx, out, mt)
			b.st.waitOut.Add(int64(d))
			switch {
			case err == errStopped: // send released out's charges
				live[i] = false
				nlive--
			case err != nil:
				b.p.abort()
				return
			default:
				b.st.out.Add(int64(n))
			}
		}
		b.in.limit.Store(limit)
		for _, e := range in.items {
			if e.c != nil {
				e.c.release()
			}
		}
		b.in.put(in)
		if nlive == 0 {
			mt.pause() // what is left is not work
			b.in.stopReading(ctx)
			return
		}
	}
}

// Take adds a stage that passes on the first n items of in and then stops
// reading: the stages before it stop too (a source's emit returns an
// error its fn should return), unless another Broadcast branch still
// reads. The run then ends without error.
func Take[T any](in *Stream[T], name string, n int64) *Stream[T] {
	if n < 0 {
		panic(fmt.Sprintf("sluice: Take %q of a negative count %d", name, n))
	}
	var seen int64
	return FlatMap(in, name, Opts{Workers: 1}, func(_ context.Context, v T, emit func(T) error) error {
		if seen >= n {
			return errStopped
		}
		seen++
		if err := emit(v); err != nil {
			return err
		}
		if seen == n {
			return errStopped
		}
		return nil
	})
}

package sluice

import (
	"context"
	"fmt"
	"sync"
)

// Merge adds a stage that passes on the items of every stream in ins as
// they arrive, interleaved in no set order; each input keeps its own
// order. The output ends when every input has ended. Batches move through
// as they are, so merging costs about one queue hop per batch. All inputs
// must belong to the same Pipeline.
func Merge[T any](name string, ins ...*Stream[T]) *Stream[T] {
	if len(ins) == 0 {
		panic(fmt.Sprintf("sluice: Merge %q of no streams", name))
	}
	for i, in := range ins {
		if in == nil {
			panic(fmt.Sprintf("sluice: Merge %q of a nil Stream (input %d)", name, i))
		}
	}
	p := ins[0].p
	for _, in := range ins {
		if in.p != p {
			panic(fmt.Sprintf("sluice: Merge %q of streams from different pipelines", name))
		}
	}
	st := p.addStage(name, len(ins))
	m := &merger[T]{p: p, st: st}
	for _, in := range ins {
		m.ins = append(m.ins, consume(in, name, st, 0))
	}
	st.gauge = func() (n, c int, items int64) {
		for _, q := range m.ins {
			qn, qc, qi := q.gauge()
			n, c, items = n+qn, c+qc, items+qi
		}
		return n, c, items
	}
	out := newStream[T](p, name, st, len(ins))
	m.out = out.q
	p.addRun(m.run)
	return out
}

type merger[T any] struct {
	p   *Pipeline
	st  *stageStats
	ins []*queue[T]
	out *queue[T]
}

func (m *merger[T]) run(ctx context.Context) {
	var wg sync.WaitGroup
	for i, in := range m.ins {
		wg.Go(func() { m.forward(ctx, in, &m.st.meters[i]) })
	}
	wg.Wait()
}

// forward moves the batches of one input to the output.
func (m *merger[T]) forward(ctx context.Context, in *queue[T], mt *meter) {
	defer m.out.writerDone()
	mt.start()
	defer mt.stop()
	for {
		b, ok, slept := in.next(ctx, mt)
		m.st.waitIn.Add(int64(slept))
		if !ok {
			if ctx.Err() != nil {
				m.p.abort()
			}
			return
		}
		n := int64(len(b.items))
		m.st.in.Add(n)
		in.limit.Store(m.out.limit.Load())
		d, err := m.out.send(ctx, b, mt)
		m.st.waitOut.Add(int64(d))
		switch {
		case err == errStopped:
			mt.pause() // what is left is not work
			in.stopReading(ctx)
			return
		case err != nil:
			m.p.abort()
			return
		}
		m.st.out.Add(n)
	}
}

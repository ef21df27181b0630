package sluice

import (
	"context"
	"fmt"
	"sync"
	"time"
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
	p := ins[0].p
	for _, in := range ins {
		if in == nil || in.p != p {
			panic(fmt.Sprintf("sluice: Merge %q of streams from different pipelines", name))
		}
	}
	st := p.addStage(name, len(ins))
	m := &merger[T]{p: p, st: st}
	for _, in := range ins {
		m.ins = append(m.ins, consume(in, name, 0))
	}
	st.gauge = func() (n, c int) {
		for _, q := range m.ins {
			qn, qc := q.gauge()
			n, c = n+qn, c+qc
		}
		return n, c
	}
	out := newStream[T](p, name, len(ins))
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
	for _, in := range m.ins {
		wg.Go(func() { m.forward(ctx, in) })
	}
	wg.Wait()
}

// forward moves the batches of one input to the output.
func (m *merger[T]) forward(ctx context.Context, in *queue[T]) {
	defer m.out.writerDone()
	for {
		t0 := time.Now()
		b, ok := in.recv(ctx)
		m.st.waitIn.Add(int64(time.Since(t0)))
		if !ok {
			if ctx.Err() != nil {
				m.p.abort()
			}
			return
		}
		n := int64(len(b.items))
		m.st.in.Add(n)
		in.limit.Store(m.out.limit.Load())
		d, err := m.out.send(ctx, b)
		m.st.waitOut.Add(int64(d))
		switch {
		case err == errStopped:
			in.stopReading(ctx)
			return
		case err != nil:
			m.p.abort()
			return
		}
		m.st.out.Add(n)
	}
}

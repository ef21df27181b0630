package sluice

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultQueueLen is the capacity, in batches, of a queue when neither
// Opts.QueueLen nor Config.QueueLen sets one.
const DefaultQueueLen = 64

// Config sets what a whole pipeline shares. The zero value means no memory
// budget and queues of DefaultQueueLen batches.
type Config struct {
	// Budget is the most bytes that items reporting a size may hold at
	// once, counted from the moment a source emits an item until the last
	// item derived from it is consumed. 0 means no budget: sizes are still
	// counted for Stats, but nothing waits.
	Budget int64
	// QueueLen is the default capacity of the queues between stages, in
	// batches of up to 32 items; 0 means DefaultQueueLen.
	QueueLen int
	// Name tells this pipeline apart from others in the same process, in
	// what observers report (the "pipeline" label of package monitor's
	// metrics); "" means "pipeline".
	Name string
	// StallTimeout turns on the stall watchdog (stall.go): when nothing
	// moves anywhere for this long while the run is not finished, Run ends
	// with a *StallError saying what each goroutine waits on. 0 means off.
	StallTimeout time.Duration
}

// Pipeline is a graph of stages connected by bounded queues, run once by
// Run. Build it with New (the zero value also works and means Config{}),
// add stages with Source, Map, Sink and friends, then call Run.
//
// Building a pipeline is not safe for concurrent use; Run and Stats are,
// and Stats may be called while Run is running.
type Pipeline struct {
	cfg Config

	mu      sync.Mutex
	started bool
	all     bool // All reads the output and runs the pipeline
	stages  []*stageStats
	runs    []func(ctx context.Context)
	edges   []edge

	exchanges []*exchangeStats // the Exchange stages, for Stats

	budget  budget
	start   atomic.Int64 // unix nanoseconds; 0 before Run
	end     atomic.Int64
	cancel  context.CancelCauseFunc
	errOnce sync.Once
	err     error
	aborted atomic.Bool

	observers []Observer            // observe.go
	watch     atomic.Pointer[watch] // set by Run when watched
}

// edge is what Run needs to know of a stream whatever its item type.
type edge interface {
	producer() string
	consumed() bool
	drain()
}

// New returns an empty pipeline with the given configuration.
func New(cfg Config) *Pipeline {
	if cfg.Budget < 0 || cfg.QueueLen < 0 || cfg.StallTimeout < 0 {
		panic(fmt.Sprintf("sluice: negative Config value %+v", cfg))
	}
	p := &Pipeline{cfg: cfg}
	p.budget.limit = cfg.Budget
	return p
}

// Run starts every stage and blocks until all the goroutines it started
// have exited. It returns nil when every source finished and every item
// was consumed.
//
// The first failure cancels the run and is returned as a *StageError
// naming the stage and item; a panic in user code is returned the same
// way, wrapping a *PanicError. If ctx is cancelled first, Run stops
// promptly and returns context.Cause(ctx). Calling Run twice panics.
//
// A pipeline whose output is read by All runs as its iterator is ranged
// over: calling Run on it panics.
func (p *Pipeline) Run(ctx context.Context) error {
	p.begin(false)
	return p.run(ctx)
}

// begin checks the graph and marks the pipeline started, panicking on
// misuse in the caller's goroutine; byAll says the iterator of All calls.
func (p *Pipeline) begin(byAll bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.all && !byAll:
		panic("sluice: Run called on a pipeline whose output All reads; range over the iterator instead")
	case p.started && byAll:
		panic("sluice: the iterator of All used twice; it runs the pipeline once")
	case p.started:
		panic("sluice: Run called twice on the same Pipeline")
	}
	p.started = true
	for _, e := range p.edges {
		if !e.consumed() {
			panic(fmt.Sprintf("sluice: the output of stage %q is never read; end it with Sink, Collect or All", e.producer()))
		}
	}
	p.attach()
}

// run runs the stages of a pipeline that begin has checked.
func (p *Pipeline) run(ctx context.Context) (err error) {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p.cancel = cancel
	p.start.Store(time.Now().UnixNano())
	w := p.watch.Load()
	if w != nil {
		w.start.Store(nanotime())
		rctx = context.WithValue(rctx, pipelineKey{}, p)
		for _, o := range w.obs {
			o.Start(p)
		}
	}
	var wg sync.WaitGroup
	for _, r := range p.runs {
		wg.Go(func() { r(rctx) })
	}
	if p.cfg.StallTimeout > 0 {
		p.watchdog(rctx, &wg)
	} else {
		wg.Wait()
	}
	p.end.Store(time.Now().UnixNano())
	if w != nil {
		defer func() {
			for _, o := range w.obs {
				o.End(p, err)
			}
		}()
	}
	if p.err != nil || p.aborted.Load() {
		// Items left in queues were dropped; they hold no memory now.
		for _, e := range p.edges {
			e.drain()
		}
		p.budget.reset()
	}
	if p.err != nil {
		return p.err
	}
	if p.aborted.Load() {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		return context.Canceled
	}
	return nil
}

// fail records a stage's failure. An error that follows cancellation is a
// consequence, not a cause, and is dropped.
func (p *Pipeline) fail(ctx context.Context, st *stageStats, item int64, err error) {
	if errors.Is(err, errStopped) {
		return
	}
	var pe *PanicError
	if ctx.Err() != nil && !errors.As(err, &pe) && !errors.Is(err, ErrGoexit) {
		p.aborted.Store(true)
		return
	}
	st.errors.Add(1)
	p.errOnce.Do(func() {
		p.err = &StageError{Stage: st.name, Item: item, Err: err}
		p.cancel(p.err)
	})
}

// abort notes that a stage stopped because the run was cancelled.
func (p *Pipeline) abort() { p.aborted.Store(true) }

// recovered turns a recovered panic value into a failure.
func (p *Pipeline) recovered(ctx context.Context, st *stageStats, item int64, r any) {
	p.fail(ctx, st, item, &PanicError{Value: r, Stack: debug.Stack()})
}

// addStage registers a stage for Stats; it panics once Run has started.
func (p *Pipeline) addStage(name string, workers int) *stageStats {
	if name == "" {
		panic("sluice: empty stage name")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		panic(fmt.Sprintf("sluice: cannot add stage %q after Run started", name))
	}
	for _, st := range p.stages {
		if st.name == name {
			panic(fmt.Sprintf("sluice: two stages named %q; Stats links stages by name", name))
		}
	}
	st := &stageStats{name: name, workers: workers, meters: make([]meter, workers)}
	for i := range st.meters {
		st.meters[i].st = st
		st.meters[i].endIO = st.meters[i].stopIO
	}
	p.stages = append(p.stages, st)
	return st
}

// addRun registers a function that Run calls in its own goroutine.
func (p *Pipeline) addRun(fn func(ctx context.Context)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runs = append(p.runs, fn)
}

func (p *Pipeline) queueLen(o int) int {
	switch {
	case o > 0:
		return o
	case p.cfg.QueueLen > 0:
		return p.cfg.QueueLen
	}
	return DefaultQueueLen
}

// Opts sets how a stage runs. The zero value means GOMAXPROCS workers
// (one for Sink), unordered output and the pipeline's queue length.
type Opts struct {
	// Workers is the number of goroutines calling the stage's function;
	// 0 means runtime.GOMAXPROCS(0) for Map, FlatMap and Filter and 1
	// for Sink.
	Workers int
	// Ordered keeps input order: outputs leave in the order their inputs
	// arrived, through a reorder window of four batches per worker. For
	// Sink it means one call at a time, in input order, whatever Workers.
	Ordered bool
	// QueueLen is the capacity, in batches, of the queue feeding this
	// stage; 0 means Config.QueueLen.
	QueueLen int
}

func (o Opts) workers(def int) int {
	if o.Workers < 0 {
		panic(fmt.Sprintf("sluice: negative Workers %d", o.Workers))
	}
	if o.Workers == 0 {
		return def
	}
	return o.Workers
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// Stream is the output of a stage: a typed sequence of items that exactly
// one other stage reads. Use Broadcast to read it more than once. A Stream
// belongs to one Pipeline and is not safe for concurrent use while the
// pipeline is being built.
type Stream[T any] struct {
	p    *Pipeline
	q    *queue[T]
	from string
	st   *stageStats // the producing stage
	to   string
	src  *source[T] // set when a source produces the stream
}

func (s *Stream[T]) producer() string { return s.from }
func (s *Stream[T]) consumed() bool   { return s.to != "" }
func (s *Stream[T]) drain() {
	if s.q.ch != nil {
		s.q.drain()
	}
}

// newStream makes the output stream of stage st, named from, written by
// writers goroutines.
func newStream[T any](p *Pipeline, from string, st *stageStats, writers int) *Stream[T] {
	s := &Stream[T]{p: p, q: newQueue[T](), from: from, st: st}
	s.q.writers.Store(int32(writers))
	p.mu.Lock()
	p.edges = append(p.edges, s)
	p.mu.Unlock()
	return s
}

// consume marks s as read by stage to, whose figures are st, and sizes
// its queue.
func consume[T any](s *Stream[T], to string, st *stageStats, queueLen int) *queue[T] {
	if s == nil {
		panic(fmt.Sprintf("sluice: nil Stream given to stage %q", to))
	}
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		panic(fmt.Sprintf("sluice: cannot add stage %q after Run started", to))
	}
	if s.to != "" {
		panic(fmt.Sprintf("sluice: the output of stage %q is already read by %q; use Broadcast to read it twice", s.from, s.to))
	}
	s.to = to
	st.inputs = append(st.inputs, s.st)
	s.q.ch = make(chan *batch[T], p.queueLen(queueLen))
	return s.q
}

package sluice

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ExchangeOpts sets how an Exchange stage runs. The zero value means
// GOMAXPROCS parts and no reduction; Steps or Every must be set.
type ExchangeOpts struct {
	// Parts is the number of parts the input stream delivers, one
	// goroutine each; 0 means runtime.GOMAXPROCS(0). A different count
	// fails the run.
	Parts int
	// Steps is the number of steps every part takes, unless a reduction
	// stops the run earlier; 0 means no limit (Every must then be set).
	Steps int
	// Every is how many steps pass between two reductions; 0 means never.
	Every int
	// Name is what a part is called in Stats sentences, "part" if empty
	// ("strip 3 waits on strip 4").
	Name string
}

// Domain says how the parts of an Exchange stage compute and talk. P is a
// part of the data (a strip of rows, a range of cells), E what a part
// sends a neighbour before each step (its first or last row).
type Domain[P, E any] struct {
	// Edges returns what p sends before a step: first to the part before
	// it, last to the part after it. They must not share memory that Step
	// changes, since the neighbours read them while p takes its step.
	Edges func(p P) (first, last E)
	// Step advances p by one step, the step'th from 0. prev is the last
	// edge of the part before p and next the first edge of the part after
	// it, both as they were before this step; prev is nil for the first
	// part and next for the last. It returns the figure Reduce sees, such
	// as the largest change it made. An error fails the run.
	Step func(ctx context.Context, p P, step int, prev, next *E) (float64, error)
	// Reduce, called every Every steps, gets every part's figure of the
	// step just taken, in part order, and the number of steps taken;
	// true stops every part there. It is the only point where a part
	// waits for parts other than its neighbours.
	Reduce func(steps int, figures []float64) (stop bool)
}

// Exchange adds a stage for domain decomposition: it reads o.Parts parts
// from in, in order, gives each a goroutine that takes o.Steps steps of
// d.Step, and then passes the parts on in input order, each with the
// budget charge it came with. Before every step each part sends its edges
// to its two neighbours and receives theirs; there is no barrier per step,
// so a part waits only for its neighbours and a slow part delays only its
// neighbourhood. Every o.Every steps a reduction over all the parts is the
// one global wait, and may end the run early.
//
// Neighbours stay at most one step apart: a part needs its neighbour's
// edges of the step it takes. A part that needs deeper slack can hold k
// rows of halo and exchange them every k steps, making one Step of k.
//
// It cannot deadlock. Each link between two neighbours is a channel with
// room for one edge in each direction. Before a step, a part offers both
// its edges and asks for both of its neighbours' at once, and takes the
// four transfers in whatever order they come. A send waits only for a
// neighbour that has not yet received the previous step's edge, which is
// a step behind; a receive waits only for a neighbour that has not yet
// offered this step's edges, which is behind too. So whoever is furthest
// behind never waits, and someone always moves. A reduction waits for every part to reach it, and
// every part does, since none waits for a part beyond it. Cancellation, an
// error or a panic in one part cancels the run and wakes every wait.
//
// All the parts are held at once: their charges must fit the budget
// together. If the budget fills before the last part arrives, so that the
// source can never emit it, the run fails with an error saying so instead
// of waiting for ever.
//
// Costs: one goroutine per part, and per step and part two channel sends
// and two receives, well under a microsecond, beside Edges and Step. Stats
// reports, per part, the time spent computing and waiting for each
// neighbour (Stats.Exchanges), and Stats.Bottleneck names the part that
// holds its neighbours back.
func Exchange[P, E any](in *Stream[P], name string, o ExchangeOpts, d Domain[P, E]) *Stream[P] {
	if d.Edges == nil || d.Step == nil {
		panic(fmt.Sprintf("sluice: Exchange %q needs Edges and Step", name))
	}
	if o.Parts < 0 || o.Steps < 0 || o.Every < 0 {
		panic(fmt.Sprintf("sluice: negative ExchangeOpts value %+v for stage %q", o, name))
	}
	if o.Steps == 0 && o.Every == 0 {
		panic(fmt.Sprintf("sluice: Exchange %q has no end: set Steps, or Every and Reduce", name))
	}
	if o.Every > 0 && d.Reduce == nil {
		panic(fmt.Sprintf("sluice: Exchange %q reduces every %d steps but Reduce is nil", name, o.Every))
	}
	if o.Parts == 0 {
		o.Parts = defaultWorkers()
	}
	if o.Name == "" {
		o.Name = "part"
	}
	p := in.p
	st := p.addStage(name, o.Parts)
	x := &exchange[P, E]{p: p, st: st, o: o, d: d, in: consume(in, name, st, 0)}
	st.gauge = x.in.gauge
	x.stats = &exchangeStats{name: name, part: o.Name, parts: make([]partStats, o.Parts)}
	for i := range x.stats.parts {
		x.stats.parts[i].index = i
		x.stats.parts[i].waitingOn.Store(-1)
	}
	out := newStream[P](p, name, st, 1)
	x.out = out.q
	p.mu.Lock()
	p.exchanges = append(p.exchanges, x.stats)
	p.mu.Unlock()
	p.addRun(x.run)
	return out
}

type exchange[P, E any] struct {
	p     *Pipeline
	st    *stageStats
	o     ExchangeOpts
	d     Domain[P, E]
	in    *queue[P]
	out   *queue[P]
	stats *exchangeStats

	items []env[P]
	// down[k] carries edges from part k to part k+1, up[k] from k+1 to k.
	down, up []chan E
	red      reducer
}

func (x *exchange[P, E]) run(ctx context.Context) {
	defer x.out.writerDone()
	mt := &x.st.meters[0]
	mt.start()
	if !x.collect(ctx, mt) {
		mt.pause()
		x.releaseAll()
		return
	}
	mt.pause()
	n := len(x.items)
	x.down = make([]chan E, n-1)
	x.up = make([]chan E, n-1)
	for k := range x.down {
		x.down[k] = make(chan E, 1)
		x.up[k] = make(chan E, 1)
	}
	x.red = reducer{n: n, fn: x.d.Reduce, round: &round{done: make(chan struct{})}}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { x.work(ctx, i) })
	}
	wg.Wait()
	mt.start()
	defer mt.stop()
	if ctx.Err() != nil {
		x.p.abort()
		x.releaseAll()
		return
	}
	x.emit(ctx, mt)
}

// collect reads every part from the input. It returns false if the run
// ended first.
func (x *exchange[P, E]) collect(ctx context.Context, mt *meter) bool {
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var held, got atomic.Int64 // bytes the parts received so far are charged, and their count
	var wg sync.WaitGroup
	defer wg.Wait()
	watch := make(chan struct{})
	defer close(watch)
	if x.p.budget.limit > 0 {
		wg.Go(func() { x.watchBudget(watch, &held, &got, cancel) })
	}
	seen := map[*charge]bool{}
	for {
		b, ok, slept := x.in.next(cctx, mt)
		x.st.waitIn.Add(int64(slept))
		if !ok {
			break
		}
		x.st.in.Add(int64(len(b.items)))
		for _, e := range b.items {
			if e.c != nil && !seen[e.c] {
				seen[e.c] = true
				held.Add(e.c.n)
			}
		}
		x.items = append(x.items, b.items...)
		got.Store(int64(len(x.items)))
		x.in.put(b)
		if len(x.items) > x.o.Parts {
			x.p.fail(ctx, x.st, int64(x.o.Parts), fmt.Errorf("exchange expects %d parts, got more", x.o.Parts))
			x.in.stopReading(ctx)
			return false
		}
	}
	if err := context.Cause(cctx); err != nil && ctx.Err() == nil {
		x.p.fail(ctx, x.st, int64(len(x.items)), err)
		x.in.stopReading(ctx)
		return false
	}
	if ctx.Err() != nil {
		x.p.abort()
		return false
	}
	if len(x.items) != x.o.Parts {
		x.p.fail(ctx, x.st, int64(len(x.items)), fmt.Errorf("exchange expects %d parts, got %d", x.o.Parts, len(x.items)))
		return false
	}
	return true
}

// watchBudget cancels the collection when the budget is full of parts
// already received while a source waits for room: nothing else could
// free it, so the run would wait for ever.
func (x *exchange[P, E]) watchBudget(stop chan struct{}, held, got *atomic.Int64, cancel context.CancelCauseFunc) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		b := &x.p.budget
		b.mu.Lock()
		waiting := len(b.waiters) > 0
		cur, limit := b.cur, b.limit
		b.mu.Unlock()
		if h := held.Load(); waiting && cur <= h {
			cancel(fmt.Errorf("the budget of %s is full with %d of the %d parts (%s) that an exchange holds at once",
				bytesText(limit), got.Load(), x.o.Parts, bytesText(h)))
			return
		}
	}
}

// releaseAll returns the charges of the parts held.
func (x *exchange[P, E]) releaseAll() {
	releaseAll(x.items)
	x.items = nil
}

// emit passes the parts on in order.
func (x *exchange[P, E]) emit(ctx context.Context, mt *meter) {
	items := x.items
	x.items = nil
	for len(items) > 0 {
		b := x.out.get()
		k := min(len(items), max(1, x.out.batchLimit()))
		b.items = append(b.items, items[:k]...)
		items = items[k:]
		d, err := x.out.send(ctx, b, mt)
		x.st.waitOut.Add(int64(d))
		switch {
		case err == errStopped:
			releaseAll(items)
			return
		case err != nil:
			x.p.abort()
			releaseAll(items)
			return
		}
		x.st.out.Add(int64(k))
	}
}

// work runs part i to the end.
func (x *exchange[P, E]) work(ctx context.Context, i int) {
	ps := &x.stats.parts[i]
	m := &x.st.meters[i]
	m.start()
	defer m.stop()
	defer func() {
		if r := recover(); r != nil {
			x.p.recovered(ctx, x.st, int64(i), r)
		}
	}()
	n := len(x.items)
	part := x.items[i].v
	for t := 0; x.o.Steps == 0 || t < x.o.Steps; t++ {
		t0 := nanotime()
		first, last := x.d.Edges(part)
		ps.busy.Add(nanotime() - t0)
		var prev, next *E
		var l links[E]
		if i > 0 {
			l.sendPrev, l.recvPrev, l.first, prev = x.up[i-1], x.down[i-1], first, new(E)
		}
		if i < n-1 {
			l.sendNext, l.recvNext, l.last, next = x.down[i], x.up[i], last, new(E)
		}
		if !x.swap(ctx, m, ps, i, &l, prev, next) {
			return
		}
		t0 = nanotime()
		fig, err := x.d.Step(ctx, part, t, prev, next)
		ps.busy.Add(nanotime() - t0)
		if err != nil {
			x.p.fail(ctx, x.st, int64(i), err)
			return
		}
		ps.steps.Add(1)
		x.p.Heartbeat() // a step is progress, though no item moves
		if x.o.Every > 0 && (t+1)%x.o.Every == 0 {
			t0 := m.waitFor(StateWaitNeighbour)
			ps.reducing.Store(true)
			stop, ok := x.red.wait(ctx, i, fig, t+1)
			ps.reducing.Store(false)
			ps.waitReduce.Add(int64(m.resume(t0)))
			if !ok {
				x.p.abort()
				return
			}
			if stop {
				return
			}
		}
	}
}

// links are a part's four transfers of one step; a nil channel is one
// done or not needed.
type links[E any] struct {
	sendPrev, sendNext chan<- E
	recvPrev, recvNext <-chan E
	first, last        E
}

// swap sends part i's edges to its neighbours and receives theirs into
// prev and next, in whatever order the neighbours allow, so that a part
// held up by one neighbour still serves the other. It returns false if
// the run ended first.
func (x *exchange[P, E]) swap(ctx context.Context, m *meter, ps *partStats, i int, l *links[E], prev, next *E) bool {
	for l.sendPrev != nil || l.sendNext != nil || l.recvPrev != nil || l.recvNext != nil {
		select {
		case l.sendPrev <- l.first:
			l.sendPrev = nil
			continue
		case l.sendNext <- l.last:
			l.sendNext = nil
			continue
		case *prev = <-l.recvPrev:
			l.recvPrev = nil
			continue
		case *next = <-l.recvNext:
			l.recvNext = nil
			continue
		default:
		}
		// Blocked: on the neighbour whose edge is missing, or else on the
		// one whose link is full.
		on := i + 1
		if l.recvPrev != nil || (l.recvNext == nil && l.sendPrev != nil) {
			on = i - 1
		}
		t0 := m.waitFor(StateWaitNeighbour)
		ps.waitingOn.Store(int32(on))
		var done int
		select {
		case l.sendPrev <- l.first:
			l.sendPrev, done = nil, i-1
		case l.sendNext <- l.last:
			l.sendNext, done = nil, i+1
		case *prev = <-l.recvPrev:
			l.recvPrev, done = nil, i-1
		case *next = <-l.recvNext:
			l.recvNext, done = nil, i+1
		case <-ctx.Done():
			done = on
		}
		ps.waitingOn.Store(-1)
		ps.addWait(done, m.resume(t0))
		if ctx.Err() != nil {
			x.p.abort()
			return false
		}
	}
	return true
}

// reducer gathers one figure per part every Every steps and decides, once
// all have come, whether to stop. It is safe for concurrent use.
type reducer struct {
	n  int
	fn func(int, []float64) bool

	mu      sync.Mutex
	figs    []float64
	arrived int
	round   *round
}

// round is one reduction: done is closed once stop is decided.
type round struct {
	done chan struct{}
	stop bool
}

// wait adds part i's figure after steps steps and waits for the others.
// ok is false if the run ended first.
func (r *reducer) wait(ctx context.Context, i int, fig float64, steps int) (stop, ok bool) {
	r.mu.Lock()
	if r.figs == nil {
		r.figs = make([]float64, r.n)
	}
	r.figs[i] = fig
	r.arrived++
	rd := r.round
	if r.arrived < r.n {
		r.mu.Unlock()
		select {
		case <-rd.done:
			return rd.stop, true
		case <-ctx.Done():
			return false, false
		}
	}
	figs := slices.Clone(r.figs)
	r.arrived = 0
	r.round = &round{done: make(chan struct{})}
	r.mu.Unlock()
	// The others wait on rd until it is closed: a panic in fn cancels the
	// run, which wakes them.
	rd.stop = r.fn(steps, figs)
	close(rd.done)
	return rd.stop, true
}

package sluice

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Pool is a fixed number of slots that the workers of stages draw from, so
// that at most that many goroutines run user code at once across every
// stage, and every pipeline, that shares it. A pipeline uses a Pool through
// Config.Pool; its Map, FlatMap, Filter and Sink workers then hold a slot
// only while they run: a worker gives its slot back whenever it waits (for
// input, for room downstream, in the reorder window) and between batches
// when another worker is waiting for one, so a worker never keeps a slot
// another could use. Sources, Broadcast, Merge and All take no slot: they
// mostly wait on input and output; a stage that does the same, such as one
// that writes to disk, can stay out with Opts.NoPool.
//
// Slots go to pipelines in fair shares: the next free slot goes to the
// waiting pipeline that has held slots for the least time so far, counted
// from when it last had work, so a pipeline's share does not depend on its
// size or on how long its items take, and a pipeline alone gets every slot.
// Within a pipeline, waiting workers are served first come, first served.
// The time a stage's workers wait for a slot is StageStats.WaitPool.
//
// The zero value is a Pool of runtime.GOMAXPROCS(0) slots, fixed on first
// use. A Pool is safe for concurrent use and may be shared by any number
// of pipelines, run one after another or at once. Taking a free slot costs
// a mutex and about 50 ns; a worker that has to wait for one costs a
// channel send and a goroutine switch more.
type Pool struct {
	mu      sync.Mutex
	size    int
	free    int
	tenants []*tenant    // pipelines running on the pool
	active  []*tenant    // tenants with waiters
	waiters atomic.Int32 // workers waiting for a slot, read without the lock
	grants  atomic.Int64
}

// NewPool returns a Pool of n slots. It panics if n < 1.
func NewPool(n int) *Pool {
	if n < 1 {
		panic(fmt.Sprintf("sluice: NewPool(%d): a pool needs at least one slot", n))
	}
	return &Pool{size: n, free: n}
}

// init fixes the size of a zero Pool; p.mu is held.
func (p *Pool) init() {
	if p.size == 0 {
		p.size = runtime.GOMAXPROCS(0)
		p.free = p.size
	}
}

// Size returns the number of slots.
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	return p.size
}

// InUse returns the number of slots held now.
func (p *Pool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	return p.size - p.free
}

// Grants returns how many times a slot has been handed to a worker since
// the Pool was made. It only grows. While workers of a pipeline wait for a
// slot that other pipelines hold, each slot handed out is movement for
// the waiting pipeline's stall watchdog (Config.StallTimeout): a wait on a
// busy shared pool is not a stall.
func (p *Pool) Grants() int64 { return p.grants.Load() }

// tenant is one pipeline's share of a pool, for as long as it runs.
type tenant struct {
	pool  *Pool
	vtime int64 // nanoseconds of slot time held, shifted forward when idle
	held  int
	queue []*seat // waiting workers, first come first served
	beat  func()  // the pipeline's Heartbeat
}

// join registers a pipeline with the pool for one run; beat tells its
// stall watchdog that something moved.
func (p *Pool) join(beat func()) *tenant {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	t := &tenant{pool: p, beat: beat}
	t.vtime = p.floor(t)
	p.tenants = append(p.tenants, t)
	return t
}

// leave unregisters a tenant once its run is over.
func (t *tenant) leave() {
	p := t.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.tenants {
		if x == t {
			p.tenants = append(p.tenants[:i], p.tenants[i+1:]...)
			break
		}
	}
}

// floor is the least virtual time among the tenants other than t that
// hold or wait for slots, or t's own when none does: a tenant coming back
// from idle starts there, so the time it had no work earns it no credit
// over the tenants that kept busy. p.mu is held.
func (p *Pool) floor(t *tenant) int64 {
	v, found := t.vtime, false
	for _, x := range p.tenants {
		if x != t && (x.held > 0 || len(x.queue) > 0) && (!found || x.vtime < v) {
			v, found = x.vtime, true
		}
	}
	return max(v, t.vtime)
}

// seat is one worker goroutine's claim on its pipeline's pool: whether it
// holds a slot now, and since when.
type seat struct {
	t     *tenant
	ctx   context.Context
	wait  *atomic.Int64 // the stage's time waiting for a slot
	held  bool
	want  bool          // the worker is in user code: resume takes a slot
	since int64         // nanotime the slot was granted
	ready chan struct{} // signalled when a waiting seat is granted a slot
}

func newSeat(t *tenant, ctx context.Context, wait *atomic.Int64) *seat {
	return &seat{t: t, ctx: ctx, wait: wait, ready: make(chan struct{}, 1)}
}

// acquire takes a slot, waiting for one if need be, and returns the time
// it got it (now when one was free). If ctx is done first it returns
// without a slot: the worker is about to stop.
func (s *seat) acquire(now int64) int64 {
	if s.held {
		return now
	}
	p := s.t.pool
	p.mu.Lock()
	if p.free > 0 && p.waiters.Load() == 0 {
		if s.t.held == 0 {
			s.t.vtime = p.floor(s.t)
		}
		p.free--
		s.grant(now)
		p.mu.Unlock()
		return now
	}
	t := s.t
	if len(t.queue) == 0 {
		if t.held == 0 {
			t.vtime = p.floor(t)
		}
		p.active = append(p.active, t)
	}
	t.queue = append(t.queue, s)
	p.waiters.Add(1)
	p.dispatch(now)
	p.mu.Unlock()
	select {
	case <-s.ready:
	case <-s.ctx.Done():
		p.mu.Lock()
		if !s.held {
			t.remove(s)
			p.waiters.Add(-1)
		}
		p.mu.Unlock()
		select {
		case <-s.ready: // granted meanwhile: drain the signal
		default:
		}
	}
	got := nanotime()
	if s.held {
		// Charge the tenant from now: the time it took this goroutine to
		// wake is nobody's work.
		s.since = got
	}
	s.wait.Add(got - now)
	return got
}

// grant gives s a slot taken from the free count; p.mu is held.
func (s *seat) grant(now int64) {
	s.held = true
	s.since = now
	s.t.held++
	s.t.pool.grants.Add(1)
}

// release gives the slot back, if s holds one, and hands it on.
func (s *seat) release(now int64) {
	if !s.held {
		return
	}
	p := s.t.pool
	p.mu.Lock()
	s.held = false
	s.t.held--
	s.t.vtime += now - s.since
	p.free++
	p.dispatch(now)
	p.mu.Unlock()
}

// claim takes a slot of the pool for the user code the worker is about to
// run, waiting for one if need be; a worker that has held one for a
// quantum gives it up and queues again if another worker waits, so that
// slots pass round between batches. The time waiting for a slot is not busy time. Without
// contention it costs two atomic loads.
func (m *meter) claim() {
	s := m.seat
	s.want = true
	if s.held && (!s.contended() || time.Duration(nanotime()-s.since) < quantum) {
		return
	}
	m.resume(m.pause())
}

// quantum is how long a worker keeps a slot that another worker waits for
// before it gives it up at the end of a batch: long enough that handing a
// slot over, which costs a goroutine switch, is rare beside the work done
// with it; short enough that a pipeline of quick items waits little.
const quantum = 500 * time.Microsecond

// contended reports whether s holds a slot while another worker of the
// pool waits for one: the worker should then give its slot up and queue
// again, so that slots pass round between batches.
func (s *seat) contended() bool { return s.held && s.t.pool.waiters.Load() > 0 }

// dispatch hands free slots to waiting workers: each to the head of the
// queue of the waiting tenant that has used the least slot time; p.mu is
// held.
func (p *Pool) dispatch(now int64) {
	for p.free > 0 && len(p.active) > 0 {
		best := 0
		for i, t := range p.active {
			if t.vtime < p.active[best].vtime {
				best = i
			}
		}
		t := p.active[best]
		s := t.queue[0]
		t.queue[0] = nil
		t.queue = t.queue[1:]
		if len(t.queue) == 0 {
			t.queue = nil
			p.active = append(p.active[:best], p.active[best+1:]...)
		}
		p.free--
		p.waiters.Add(-1)
		s.grant(now)
		s.ready <- struct{}{} // never blocks: one signal per wait
		// The pool moves: pipelines still waiting for a slot are not
		// stalled, whoever got this one.
		for _, x := range p.active {
			if x != t && x.beat != nil {
				x.beat()
			}
		}
	}
}

// remove takes s out of t's queue, and t out of the active list if that
// leaves it empty; the pool's mu is held.
func (t *tenant) remove(s *seat) {
	for i, x := range t.queue {
		if x == s {
			t.queue = append(t.queue[:i], t.queue[i+1:]...)
			break
		}
	}
	if len(t.queue) == 0 {
		p := t.pool
		for i, x := range p.active {
			if x == t {
				p.active = append(p.active[:i], p.active[i+1:]...)
				break
			}
		}
	}
}

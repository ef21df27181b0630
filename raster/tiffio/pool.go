package tiffio

import (
	"sync"
	"sync/atomic"
)

// pool runs jobs on a fixed set of worker goroutines and hands their results
// back in submission order. One goroutine (the owner) submits and collects;
// at most depth jobs are outstanding, so the jobs channel never fills and no
// buffer grows without bound. Each worker owns a state S (a decoder or an
// encoder with its buffers).
type pool[S any] struct {
	jobs    chan *job[S]
	wg      sync.WaitGroup
	queue   []*job[S] // outstanding jobs in submission order; owner only
	spare   []*job[S] // finished jobs for reuse; owner only
	depth   int
	stopped atomic.Bool
}

// job is one unit of work and its outcome. Jobs are reused, so done is
// signalled by a send, not closed.
type job[S any] struct {
	run  func(S) error
	err  error
	done chan struct{} // capacity 1
}

// newPool starts workers goroutines, each with a state from newState.
func newPool[S any](workers, depth int, newState func() S) *pool[S] {
	p := &pool[S]{jobs: make(chan *job[S], depth), depth: depth}
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			s := newState()
			for j := range p.jobs {
				if !p.stopped.Load() {
					j.err = j.run(s)
				}
				j.done <- struct{}{}
			}
		}()
	}
	return p
}

// full reports whether depth jobs are outstanding.
func (p *pool[S]) full() bool { return len(p.queue) >= p.depth }

// pending is the number of outstanding jobs.
func (p *pool[S]) pending() int { return len(p.queue) }

// submit queues run; the caller must first make sure the pool is not full.
func (p *pool[S]) submit(run func(S) error) {
	var j *job[S]
	if n := len(p.spare); n > 0 {
		j, p.spare = p.spare[n-1], p.spare[:n-1]
		j.run, j.err = run, nil
	} else {
		j = &job[S]{run: run, done: make(chan struct{}, 1)}
	}
	p.queue = append(p.queue, j)
	p.jobs <- j
}

// next waits for the oldest outstanding job and returns its error.
func (p *pool[S]) next() error {
	j := p.queue[0]
	n := copy(p.queue, p.queue[1:])
	p.queue[n] = nil
	p.queue = p.queue[:n]
	<-j.done
	err := j.err
	j.run = nil
	p.spare = append(p.spare, j)
	return err
}

// close skips jobs not yet started, waits for the workers to finish and
// stops them. It is safe to call more than once.
func (p *pool[S]) close() {
	if p.stopped.Swap(true) {
		return
	}
	close(p.jobs)
	p.wg.Wait()
	p.queue = nil
}

package serve

import (
	"context"
	"sync"
)

// admission lets a bounded number of jobs run at once and a bounded number
// wait for their turn, in arrival order; past that it turns requests away
// at once with errBusy, so a burst cannot pile up goroutines and memory.
type admission struct {
	mu      sync.Mutex
	running int
	maxRun  int
	queue   []chan struct{} // waiting jobs, oldest first
	maxWait int
}

func newAdmission(maxRun, maxWait int) *admission {
	return &admission{maxRun: maxRun, maxWait: maxWait}
}

// acquire waits for a place to run and returns the function that gives it
// back. It fails at once with errBusy when the queue is full, and with
// ctx's error if ctx ends while waiting.
func (a *admission) acquire(ctx context.Context) (release func(), err error) {
	a.mu.Lock()
	if a.running < a.maxRun && len(a.queue) == 0 {
		a.running++
		a.mu.Unlock()
		return a.release, nil
	}
	if len(a.queue) >= a.maxWait {
		a.mu.Unlock()
		return nil, errBusy
	}
	ch := make(chan struct{})
	a.queue = append(a.queue, ch)
	a.mu.Unlock()
	select {
	case <-ch:
		return a.release, nil
	case <-ctx.Done():
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, c := range a.queue {
			if c == ch {
				a.queue = append(a.queue[:i], a.queue[i+1:]...)
				return nil, ctx.Err()
			}
		}
		// Granted while ctx ended: hand the place on.
		a.running--
		a.grant()
		return nil, ctx.Err()
	}
}

// release gives a place back to the oldest waiting job.
func (a *admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running--
	a.grant()
}

// grant starts waiting jobs while there is room; a.mu is held.
func (a *admission) grant() {
	for a.running < a.maxRun && len(a.queue) > 0 {
		close(a.queue[0])
		a.queue = a.queue[1:]
		a.running++
	}
}

func (a *admission) waiting() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
}

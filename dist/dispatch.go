package dist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what happened to the tasks of a job. Every field only grows.
type Stats struct {
	Published   int64 // tasks sent
	Accepted    int64 // results accepted, one per task done
	Redelivered int64 // accepted results that came from a second or later delivery
	Duplicates  int64 // results for tasks already done, dropped
	Rejected    int64 // results that failed the check (wrong size, tile or job; undecodable), redone
	Failed      int64 // handler errors reported by workers, redone
	BytesOut    int64 // task payload bytes sent
	BytesIn     int64 // result payload bytes accepted
}

// Dispatcher is the coordinator of one job: Do sends a task and waits for
// its accepted result. It is safe for concurrent use; each Do costs one
// task on the transport and a goroutine switch or two.
type Dispatcher struct {
	q   Queue
	job Job
	// onServerHost: the coordinator runs on the server's machine (see
	// Tiles for what it changes).
	onServerHost bool

	mu      sync.Mutex
	waiting map[uint64]*waiter
	lostErr map[uint64]bool

	published, accepted, redelivered, duplicates, rejected, failed atomic.Int64
	bytesOut, bytesIn                                              atomic.Int64

	done chan struct{}
	once sync.Once
	err  error
}

// Dispatch opens job on t and returns its dispatcher. Close it when done,
// whatever happened: that removes the job from the transport.
func Dispatch(ctx context.Context, t Transport, job Job) (*Dispatcher, error) {
	job = job.withDefaults()
	if job.Handler == "" {
		return nil, errors.New("dist: job has no handler name")
	}
	if job.ID == "" {
		var b [8]byte
		rand.Read(b[:])
		job.ID = hex.EncodeToString(b[:])
	}
	q, err := t.Open(ctx, job)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{q: q, job: job, onServerHost: onServerHost(t), waiting: map[uint64]*waiter{}, lostErr: map[uint64]bool{}, done: make(chan struct{})}
	go d.route()
	return d, nil
}

// Job returns the job with its defaults and ID filled in.
func (d *Dispatcher) Job() Job { return d.job }

// route hands results and lost items to the Do calls waiting for them, and
// drops duplicates.
func (d *Dispatcher) route() {
	defer close(d.done)
	results, lost := d.q.Results(), d.q.Lost()
	for {
		select {
		case r, ok := <-results:
			if !ok {
				return
			}
			if r.Job != d.job.ID {
				d.rejected.Add(1)
				r.Nak()
				continue
			}
			d.mu.Lock()
			w := d.waiting[r.Item]
			d.mu.Unlock()
			if w == nil {
				d.duplicates.Add(1)
				r.Ack() // done already: settle the extra delivery
				continue
			}
			if r.again {
				// Only the waiter can publish the task again: wait for it.
				select {
				case w.ch <- r:
				case <-w.done:
				}
				continue
			}
			select {
			case w.ch <- r:
			default: // the waiter has several to look at already
				r.Nak()
			}
		case item := <-lost:
			d.mu.Lock()
			w := d.waiting[item]
			if w != nil {
				d.lostErr[item] = true
			}
			d.mu.Unlock()
			if w != nil {
				select {
				case w.ch <- nil:
				default:
				}
			}
		}
	}
}

// waiter is a Do call waiting for the result of its item.
type waiter struct {
	ch   chan *Result
	done chan struct{} // closed when the call returns
}

// Do publishes a task and waits for a result that check accepts (check may
// be nil), then returns the result's payload. A result that check rejects,
// or a handler error, sends the task to a worker again; after the job's
// delivery limit Do fails with an error naming the item. Items must be
// unique among the Do calls in flight.
func (d *Dispatcher) Do(ctx context.Context, item uint64, payload []byte, check func([]byte) error) ([]byte, error) {
	return d.do(ctx, item, func(context.Context) ([]byte, func(), error) { return payload, nil, nil }, check)
}

// encoder returns the payload of a task, and what to call once the
// transport holds it (nil for nothing), so that the payload's buffer can
// serve another task. It is called again when the task must be published
// again.
type encoder func(ctx context.Context) (payload []byte, release func(), err error)

// publish sends the payload that enc makes.
func (d *Dispatcher) publish(ctx context.Context, item uint64, enc encoder, first bool) error {
	payload, release, err := enc(ctx)
	if err != nil {
		return fmt.Errorf("dist: publishing item %d: %w", item, err)
	}
	err = d.q.Publish(ctx, item, payload)
	n := len(payload)
	if release != nil {
		release()
	}
	if err != nil {
		return fmt.Errorf("dist: publishing item %d: %w", item, err)
	}
	if first {
		d.published.Add(1)
		d.bytesOut.Add(int64(n))
	}
	return nil
}

// do is Do with a payload made by enc, which a transport does not keep.
func (d *Dispatcher) do(ctx context.Context, item uint64, enc encoder, check func([]byte) error) ([]byte, error) {
	w := &waiter{ch: make(chan *Result, 4), done: make(chan struct{})}
	d.mu.Lock()
	if d.waiting[item] != nil {
		d.mu.Unlock()
		panic(fmt.Sprintf("dist: item %d is in flight already", item))
	}
	d.waiting[item] = w
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.waiting, item)
		delete(d.lostErr, item)
		d.mu.Unlock()
		close(w.done)
	}()
	if err := d.publish(ctx, item, enc, true); err != nil {
		return nil, err
	}
	var last string
	for {
		select {
		case r := <-w.ch:
			if r == nil {
				if last == "" {
					last = "its workers were lost or too slow"
				}
				return nil, fmt.Errorf("dist: item %d: no result after %d deliveries (%s)", item, d.job.MaxDeliver, last)
			}
			var bad error
			if r.Err != "" {
				d.failed.Add(1)
				bad = fmt.Errorf("worker failed: %s", r.Err)
			} else if check != nil {
				if err := check(r.Payload); err != nil {
					d.rejected.Add(1)
					bad = fmt.Errorf("result rejected: %w", err)
				}
			}
			if bad != nil {
				last = bad.Error()
				if r.Attempt >= d.job.MaxDeliver {
					r.Ack() // settle it: the job fails
					return nil, fmt.Errorf("dist: item %d: %d deliveries, the last %s", item, r.Attempt, bad)
				}
				if r.again {
					if err := d.publish(ctx, item, enc, false); err != nil {
						return nil, err
					}
					continue
				}
				r.Nak()
				continue
			}
			if err := r.Ack(); err != nil {
				return nil, fmt.Errorf("dist: acknowledging item %d: %w", item, err)
			}
			d.accepted.Add(1)
			d.bytesIn.Add(int64(len(r.Payload)))
			if r.Attempt > 1 {
				d.redelivered.Add(1)
			}
			return r.Payload, nil
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// Stats returns the job's counts so far.
func (d *Dispatcher) Stats() Stats {
	return Stats{
		Published: d.published.Load(), Accepted: d.accepted.Load(), Redelivered: d.redelivered.Load(),
		Duplicates: d.duplicates.Load(), Rejected: d.rejected.Load(), Failed: d.failed.Load(),
		BytesOut: d.bytesOut.Load(), BytesIn: d.bytesIn.Load(),
	}
}

// Close ends the job and removes it from the transport, waiting at most a
// few seconds; later calls return the first call's result.
func (d *Dispatcher) Close() error {
	d.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.err = d.q.Close(ctx)
		<-d.done
	})
	return d.err
}

package dist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Local is a Transport inside one process: the coordinator and the workers
// share it. It keeps the contract of the JetStream transport (ack wait,
// heartbeats, hand-back, a delivery limit, results that may come twice), so
// that the conformance suite and the examples show the seam without a
// server. The zero value is ready to use; a Local is safe for concurrent
// use. A task costs a few microseconds and one timer.
type Local struct {
	mu      sync.Mutex
	jobs    []*localJob // open jobs, in the order they opened
	next    int         // round-robin position in jobs for Next
	changed chan struct{}
	ids     int
}

// localJob is one open job of a Local.
type localJob struct {
	t       *Local
	job     Job
	ready   []*localTask // tasks waiting for a worker, oldest first
	tasks   map[uint64]*localTask
	seq     uint64
	results chan *Result
	lost    chan uint64
	closed  bool
}

// localTask is one task of a local job.
type localTask struct {
	seq      uint64
	item     uint64
	payload  []byte
	attempts int
	timer    *time.Timer
}

// onServerHost is true: coordinator and workers share the process.
func (t *Local) onServerHost() bool { return true }

// wake tells waiting workers that something changed. Call with t.mu held.
func (t *Local) wake() {
	if t.changed != nil {
		close(t.changed)
		t.changed = nil
	}
}

// Open starts a job.
func (t *Local) Open(ctx context.Context, job Job) (Queue, error) {
	job = job.withDefaults()
	t.mu.Lock()
	defer t.mu.Unlock()
	if job.ID == "" {
		t.ids++
		job.ID = fmt.Sprintf("local%d", t.ids)
	}
	for _, j := range t.jobs {
		if j.job.ID == job.ID {
			return nil, fmt.Errorf("dist: job %s is open already", job.ID)
		}
	}
	j := &localJob{t: t, job: job, tasks: map[uint64]*localTask{},
		results: make(chan *Result, 256), lost: make(chan uint64, 16)}
	t.jobs = append(t.jobs, j)
	return j, nil
}

// Next waits for a task of any open job.
func (t *Local) Next(ctx context.Context) (*Delivery, error) {
	for {
		t.mu.Lock()
		for range t.jobs {
			t.next = (t.next + 1) % len(t.jobs)
			j := t.jobs[t.next]
			if len(j.ready) == 0 {
				continue
			}
			k := j.ready[0]
			j.ready = j.ready[1:]
			k.attempts++
			attempt := k.attempts
			k.timer = time.AfterFunc(j.job.AckWait, func() { j.expire(k, attempt) })
			t.mu.Unlock()
			s := &localDelivery{j: j, k: k, attempt: attempt}
			return &Delivery{Job: j.job, Item: k.item, Attempt: attempt, Payload: k.payload, settle: s, received: time.Now()}, nil
		}
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

func (j *localJob) Publish(ctx context.Context, item uint64, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	j.t.mu.Lock()
	defer j.t.mu.Unlock()
	if j.closed {
		return errors.New("dist: publish on a closed job")
	}
	j.seq++
	k := &localTask{seq: j.seq, item: item, payload: bytes.Clone(payload)}
	j.tasks[k.seq] = k
	j.ready = append(j.ready, k)
	j.t.wake()
	return nil
}

func (j *localJob) Results() <-chan *Result { return j.results }
func (j *localJob) Lost() <-chan uint64     { return j.lost }

// Close removes the job and its tasks; results still on their way are
// dropped.
func (j *localJob) Close(ctx context.Context) error {
	t := j.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	for _, k := range j.tasks {
		if k.timer != nil {
			k.timer.Stop()
		}
	}
	j.tasks, j.ready = nil, nil
	for i, o := range t.jobs {
		if o == j {
			t.jobs = append(t.jobs[:i], t.jobs[i+1:]...)
			break
		}
	}
	close(j.results)
	return nil
}

// requeue puts task k back in line, or reports it lost past the delivery
// limit. Call with t.mu held.
func (j *localJob) requeue(k *localTask) {
	if k.timer != nil {
		k.timer.Stop()
		k.timer = nil
	}
	if k.attempts >= j.job.MaxDeliver {
		select {
		case j.lost <- k.item:
		default: // the coordinator fails on the first; more add nothing
		}
		return
	}
	j.ready = append(j.ready, k)
	j.t.wake()
}

// expire hands task k back when delivery attempt has gone silent.
func (j *localJob) expire(k *localTask, attempt int) {
	j.t.mu.Lock()
	defer j.t.mu.Unlock()
	if j.closed || j.tasks[k.seq] != k || k.attempts != attempt || k.timer == nil {
		return
	}
	j.requeue(k)
}

// localDelivery settles one delivery of a local task.
type localDelivery struct {
	j       *localJob
	k       *localTask
	attempt int
}

// current reports whether the delivery is still the task's latest and
// unsettled. Call with t.mu held.
func (d *localDelivery) current() bool {
	return !d.j.closed && d.j.tasks[d.k.seq] == d.k && d.k.attempts == d.attempt && d.k.timer != nil
}

func (d *localDelivery) inProgress() error {
	d.j.t.mu.Lock()
	defer d.j.t.mu.Unlock()
	if d.current() {
		d.k.timer.Reset(d.j.job.AckWait)
	}
	return nil
}

func (d *localDelivery) nak() error {
	d.j.t.mu.Lock()
	defer d.j.t.mu.Unlock()
	if d.current() {
		d.j.requeue(d.k)
	}
	return nil
}

func (d *localDelivery) reply(ctx context.Context, r *Result) error {
	r.Payload = bytes.Clone(r.Payload) // as the wire would: the worker may reuse its buffer
	d.j.t.mu.Lock()
	defer d.j.t.mu.Unlock()
	if d.j.closed {
		return nil // like a publish nobody listens to
	}
	r.settle = &localSettle{d: d}
	select {
	case d.j.results <- r:
	default: // the coordinator is behind: dropped, redelivered later
	}
	return nil
}

// localSettle is the coordinator's verdict on a local result.
type localSettle struct{ d *localDelivery }

func (s *localSettle) ack() error {
	j := s.d.j
	j.t.mu.Lock()
	defer j.t.mu.Unlock()
	k := s.d.k
	if j.closed || j.tasks[k.seq] != k {
		return nil
	}
	if k.timer != nil {
		k.timer.Stop()
	}
	delete(j.tasks, k.seq)
	for i, r := range j.ready {
		if r == k {
			j.ready = append(j.ready[:i], j.ready[i+1:]...)
			break
		}
	}
	return nil
}

func (s *localSettle) nak() error {
	j := s.d.j
	j.t.mu.Lock()
	defer j.t.mu.Unlock()
	if s.d.current() {
		j.requeue(s.d.k)
	}
	return nil
}

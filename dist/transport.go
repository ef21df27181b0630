package dist

import (
	"context"
	"errors"
	"time"
)

// Defaults of a Job's delivery settings.
const (
	// DefaultAckWait is how long a task may go without a heartbeat from
	// its worker before it is handed to another.
	DefaultAckWait = 3 * time.Second
	// DefaultMaxDeliver is how many times a task is handed out before the
	// job fails.
	DefaultMaxDeliver = 5
)

// Job describes the work of one coordinator: which handler the workers run
// and the parameters every task of the job shares (for the image command,
// the image header and the filter chain). The zero values of AckWait and
// MaxDeliver mean DefaultAckWait and DefaultMaxDeliver.
type Job struct {
	ID         string        // unique among the jobs of a transport; Dispatch sets it when empty
	Handler    string        // the name a worker registered the handler under
	Params     []byte        // passed to the handler with every task
	AckWait    time.Duration // redeliver a task when its worker is silent this long
	MaxDeliver int           // deliveries of one task before the job fails
}

func (j Job) withDefaults() Job {
	if j.AckWait <= 0 {
		j.AckWait = DefaultAckWait
	}
	if j.MaxDeliver <= 0 {
		j.MaxDeliver = DefaultMaxDeliver
	}
	return j
}

// Transport carries the tasks of jobs from coordinators to workers and their
// results back, at least once: a task stays with the transport until the
// coordinator accepts its result, and goes to another worker when its
// worker falls silent or hands it back. Local and JetStream implement it;
// one conformance suite checks both. Implementations are safe for
// concurrent use.
type Transport interface {
	// Open starts job on the coordinator's side. The queue it returns
	// takes the job's tasks and gives back their results; closing it
	// removes every trace of the job from the transport.
	Open(ctx context.Context, job Job) (Queue, error)
	// Next waits for a task of any open job, on the worker's side.
	Next(ctx context.Context) (*Delivery, error)
}

// serverHost is implemented by a transport that knows whether this
// process runs on the server's machine: its connection is a loopback or an
// in-process one, so that what it sends and receives crosses no network.
type serverHost interface{ onServerHost() bool }

func onServerHost(t Transport) bool {
	h, ok := t.(serverHost)
	return ok && h.onServerHost()
}

// serverHostKey keys, in the context a Worker gives its handlers, whether
// the worker runs on the server's machine.
type serverHostKey struct{}

// workerOnServerHost reports whether the worker whose handler got ctx runs
// on the server's machine.
func workerOnServerHost(ctx context.Context) bool {
	v, _ := ctx.Value(serverHostKey{}).(bool)
	return v
}

// Queue is one job's side of a transport at the coordinator.
type Queue interface {
	// Publish sends the payload of task item. It blocks until the
	// transport holds the task, and keeps nothing of payload: its caller
	// may use the buffer again once Publish returns.
	Publish(ctx context.Context, item uint64, payload []byte) error
	// Results delivers what workers send back, possibly more than once
	// per task and possibly for other tasks than asked (a bad worker); the
	// receiver must Ack or Nak each. It is closed by Close.
	Results() <-chan *Result
	// Lost delivers the items whose tasks reached the delivery limit
	// without an accepted result.
	Lost() <-chan uint64
	// Close ends the job and removes its tasks from the transport.
	Close(ctx context.Context) error
}

// Delivery is a task handed to a worker.
type Delivery struct {
	Job      Job
	Item     uint64
	Attempt  int // 1 for the first delivery of the task
	Payload  []byte
	settle   workerSettler
	received time.Time
}

// workerSettler is what a transport does with a worker's answer.
type workerSettler interface {
	inProgress() error
	nak() error
	reply(ctx context.Context, r *Result) error
}

// InProgress tells the transport the task is still being worked on, so
// that it is not handed to another worker yet.
func (d *Delivery) InProgress() error { return d.settle.inProgress() }

// Nak hands the task back at once, for another worker to take.
func (d *Delivery) Nak() error { return d.settle.nak() }

// Reply sends the result of the task to the coordinator, or the error
// that the handler returned (err non-nil, payload ignored). It keeps
// nothing of payload: its caller may use the buffer again once Reply
// returns.
func (d *Delivery) Reply(ctx context.Context, payload []byte, err error) error {
	r := &Result{Job: d.Job.ID, Item: d.Item, Attempt: d.Attempt, Payload: payload}
	if err != nil {
		r.Err = err.Error()
		if r.Err == "" {
			r.Err = "unnamed error"
		}
		r.Payload = nil
	}
	return d.settle.reply(ctx, r)
}

// Result is what a worker sent back for a task: a payload, or the message
// of the error its handler returned.
type Result struct {
	Job     string
	Item    uint64
	Attempt int
	Payload []byte
	Err     string // the handler's error; empty when it succeeded
	settle  coordSettler
	// again marks a failed result for a task the transport no longer
	// holds (a worker settled it without a result): the coordinator
	// publishes the task again instead of a Nak.
	again bool
}

// coordSettler is what a transport does with the coordinator's verdict on
// a result.
type coordSettler interface {
	ack() error
	nak() error
}

// Ack accepts the result: the transport forgets the task.
func (r *Result) Ack() error {
	if r.settle == nil {
		return errNoTask
	}
	return r.settle.ack()
}

// Nak rejects the result: the task goes to a worker again, unless it has
// reached the delivery limit.
func (r *Result) Nak() error {
	if r.settle == nil {
		return errNoTask
	}
	return r.settle.nak()
}

var errNoTask = errors.New("dist: result names no task of this job")

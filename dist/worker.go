package dist

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Handler does one task of a job on a worker: it turns the task's payload
// into the result's. It may be called from many goroutines at once.
type Handler interface {
	Handle(ctx context.Context, job Job, payload []byte) ([]byte, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, job Job, payload []byte) ([]byte, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, job Job, payload []byte) ([]byte, error) {
	return f(ctx, job, payload)
}

// Event is what a worker did with a task, reported to Worker.Log.
type Event struct {
	Kind    string // "take", "send" (about to send the result), "fail" (handler error), "nak" (handed back)
	Job     string
	Item    uint64
	Attempt int
}

// Worker serves the handlers registered with Handle: it takes tasks from
// its transport, runs their job's handler and sends the results back. The
// zero value with a Transport set is ready; register handlers before Serve.
type Worker struct {
	Transport Transport
	Workers   int         // tasks run at once; 0 = GOMAXPROCS
	Log       func(Event) // if set, called for every task taken and settled, from the worker goroutines

	mu       sync.Mutex
	handlers map[string]Handler
}

// Handle registers h under name: jobs whose Handler is name run it.
func (w *Worker) Handle(name string, h Handler) {
	if h == nil || name == "" {
		panic("dist: Worker.Handle needs a name and a handler")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.handlers == nil {
		w.handlers = map[string]Handler{}
	}
	w.handlers[name] = h
}

func (w *Worker) handler(name string) Handler {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.handlers[name]
}

func (w *Worker) log(kind string, d *Delivery) {
	if w.Log != nil {
		w.Log(Event{Kind: kind, Job: d.Job.ID, Item: d.Item, Attempt: d.Attempt})
	}
}

// Serve runs tasks until ctx is cancelled, then drains: a task in flight
// finishes and sends its result, or, if its handler gives up because ctx
// is done, is handed back at once for another worker. It returns nil after
// a drain, or the transport's error.
func (w *Worker) Serve(ctx context.Context) error {
	if w.Transport == nil {
		panic("dist: Worker has no Transport")
	}
	n := w.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	ctx = context.WithValue(ctx, serverHostKey{}, onServerHost(w.Transport))
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- w.loop(ctx)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return nil
}

// loop runs tasks one at a time, taking the next one from the transport
// while it runs the current, so that a worker does not idle for a round
// trip between tasks. The task taken ahead is kept alive with heartbeats
// until its turn, and handed back at once when the worker stops.
func (w *Worker) loop(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for next := w.prefetch(ctx, &wg); ; {
		f := <-next
		if ctx.Err() != nil {
			if f.d != nil {
				f.d.Nak()
			}
			return nil
		}
		if f.err != nil {
			return f.err
		}
		next = w.prefetch(ctx, &wg)
		if !w.run(ctx, f.d) {
			// Stopping: the task goes back only once the pull taken
			// ahead has ended, so that the server cannot hand it to
			// that pull's request, which nobody would read any more.
			if g := <-next; g.d != nil {
				g.d.Nak()
			}
			w.log("nak", f.d)
			f.d.Nak()
			return nil
		}
	}
}

// fetched is the outcome of a Transport.Next.
type fetched struct {
	d   *Delivery
	err error
}

// prefetch takes the next task in the background. The channel gives it
// when the caller is ready for it; until then it gets heartbeats. If ctx
// ends first, the task is handed back.
func (w *Worker) prefetch(ctx context.Context, wg *sync.WaitGroup) <-chan fetched {
	ch := make(chan fetched)
	wg.Add(1)
	go func() {
		defer wg.Done()
		d, err := w.Transport.Next(ctx)
		if err != nil || d == nil {
			ch <- fetched{d, err}
			return
		}
		tick := time.NewTicker(max(d.Job.AckWait/3, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case ch <- fetched{d: d}:
				return
			case <-tick.C:
				d.InProgress()
			case <-ctx.Done():
				d.Nak()
				ch <- fetched{err: context.Cause(ctx)}
				return
			}
		}
	}()
	return ch
}

// run does one task, sending heartbeats while the handler works. It
// reports false when the worker stopped before the task was done: the
// caller hands it back.
func (w *Worker) run(ctx context.Context, d *Delivery) bool {
	w.log("take", d)
	h := w.handler(d.Job.Handler)
	if h == nil {
		w.log("fail", d)
		d.Reply(context.WithoutCancel(ctx), nil, fmt.Errorf("no handler %q on this worker", d.Job.Handler))
		return true
	}
	stop := make(chan struct{})
	var beats sync.WaitGroup
	beats.Add(1)
	go func() {
		defer beats.Done()
		tick := time.NewTicker(max(d.Job.AckWait/3, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				d.InProgress()
			case <-stop:
				return
			}
		}
	}()
	out, err := call(ctx, h, d)
	close(stop)
	beats.Wait()
	if err != nil && ctx.Err() != nil {
		return false
	}
	if err != nil {
		w.log("fail", d)
	} else {
		w.log("send", d)
	}
	d.Reply(context.WithoutCancel(ctx), out, err)
	if r, ok := h.(recycler); ok && err == nil {
		r.recycle(out)
	}
	return true
}

// recycler is a Handler that takes back a result it returned once the
// result is sent, to use its buffer again.
type recycler interface{ recycle([]byte) }

// call runs the handler, turning a panic into an error.
func call(ctx context.Context, h Handler, d *Delivery) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	out, err = h.Handle(ctx, d.Job, d.Payload)
	if err == nil && out == nil {
		out = []byte{}
	}
	if errors.Is(err, context.Canceled) && ctx.Err() == nil {
		err = fmt.Errorf("handler: %w", err)
	}
	return out, err
}

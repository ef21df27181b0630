package dist

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/sluice-go/sluice"
)

// transport is one implementation under the conformance suite: coord gives
// the coordinator's side, worker a worker's (a separate connection each
// call, where that means something), and jobs counts the jobs the
// transport still holds.
type transport struct {
	name   string
	coord  func(t *testing.T) Transport
	worker func(t *testing.T) Transport
	jobs   func(t *testing.T) int
}

// transports returns every Transport implementation, each fresh for t.
func transports(t *testing.T) []transport {
	local := func(t *testing.T) transport {
		l := &Local{}
		return transport{
			coord:  func(*testing.T) Transport { return l },
			worker: func(*testing.T) Transport { return l },
			jobs: func(*testing.T) int {
				l.mu.Lock()
				defer l.mu.Unlock()
				return len(l.jobs)
			},
		}
	}
	js := func(t *testing.T) transport {
		s := testServer(t, ServerConfig{})
		return transport{
			coord: func(t *testing.T) Transport {
				return jsTransport(t, s.URL, ConnectOptions{Creds: s.RunCreds})
			},
			worker: func(t *testing.T) Transport {
				return jsTransport(t, s.URL, ConnectOptions{Creds: s.WorkerCreds, Worker: true})
			},
			jobs: func(t *testing.T) int { return countStreams(t, s) },
		}
	}
	external := func(t *testing.T) transport {
		url := externalServer(t)
		o := ConnectOptions{Token: "conformance"}
		return transport{
			coord:  func(t *testing.T) Transport { return jsTransport(t, url, o) },
			worker: func(t *testing.T) Transport { return jsTransport(t, url, o) },
			jobs: func(t *testing.T) int {
				tr := jsTransport(t, url, o)
				n := 0
				for range tr.js.StreamNames(testCtx(t)).Name() {
					n++
				}
				return n
			},
		}
	}
	kinds := []struct {
		name string
		fn   func(*testing.T) transport
	}{{"local", local}, {"jetstream", js}}
	if haveNatsServer(t) {
		kinds = append(kinds, struct {
			name string
			fn   func(*testing.T) transport
		}{"nats-server", external})
	}
	var out []transport
	for _, mk := range kinds {
		tp := mk.fn(t)
		tp.name = mk.name
		out = append(out, tp)
	}
	return out
}

// countStreams counts the streams on s, with the run credential.
func countStreams(t *testing.T, s *Server) int {
	t.Helper()
	tr := jsTransport(t, s.URL, ConnectOptions{Creds: s.RunCreds})
	n := 0
	names := tr.js.StreamNames(testCtx(t))
	for range names.Name() {
		n++
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// intCodec encodes ints as decimal text and refuses anything else.
type intCodec struct{}

func (intCodec) Encode(v int) ([]byte, error) { return []byte(strconv.Itoa(v)), nil }
func (intCodec) Decode(b []byte) (int, error) { return strconv.Atoi(string(b)) }

// square is the handler of the suite: it squares an int, and fails on
// negative ones (the poison).
func square(ctx context.Context, v int) (int, error) {
	if v < 0 {
		return 0, fmt.Errorf("poison %d", v)
	}
	return v * v, nil
}

// serve runs n workers serving "square" on tr until the returned function
// is called, which waits for them.
func serve(t *testing.T, tr Transport, n int) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{Transport: tr, Workers: n}
	w.Handle("square", Handle[int, int](intCodec{}, intCodec{}, square))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Serve(ctx); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// dispatch opens a "square" job on tr, closed at the end of the test.
func dispatch(t *testing.T, tr Transport, job Job) *Dispatcher {
	t.Helper()
	job.Handler = "square"
	d, err := Dispatch(testCtx(t), tr, job)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// do runs item v through d and decodes the result.
func do(ctx context.Context, d *Dispatcher, item uint64, v int) (int, error) {
	b, err := d.Do(ctx, item, []byte(strconv.Itoa(v)), func(p []byte) error {
		_, err := strconv.Atoi(string(p))
		return err
	})
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// eventually waits up to ten seconds for cond, failing the test with what
// otherwise.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConformance runs every case on every transport.
func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		fn   func(t *testing.T, tp transport)
	}{
		{"Order", testOrder},
		{"DuplicateAfterRedelivery", testDuplicate},
		{"LostWorker", testLostWorker},
		{"DeliveryLimit", testDeliveryLimit},
		{"PoisonItem", testPoison},
		{"BadResult", testBadResult},
		{"DrainHandsBack", testDrain},
		{"Cancel", testCancel},
		{"Budget", testBudget},
	}
	for _, tp := range transports(t) {
		t.Run(tp.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					c.fn(t, tp)
					eventually(t, "the job to be removed from the transport", func() bool {
						return tp.jobs(t) == 0
					})
				})
			}
		})
	}
}

// testOrder: a remote Map stage keeps input order with several workers.
func testOrder(t *testing.T, tp transport) {
	d := dispatch(t, tp.coord(t), Job{})
	serve(t, tp.worker(t), 3)
	serve(t, tp.worker(t), 2)
	p := sluice.New(sluice.Config{})
	in := make([]int, 100)
	for i := range in {
		in[i] = i
	}
	out := sluice.Collect(Map(sluice.FromSlice(p, "ints", in), "square", sluice.Opts{Workers: 16, Ordered: true}, d, intCodec{}, intCodec{}), "collect")
	if err := p.Run(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	got := out.Items()
	if len(got) != len(in) {
		t.Fatalf("got %d results, want %d", len(got), len(in))
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("result %d: got %d, want %d", i, v, i*i)
		}
	}
	if st := d.Stats(); st.Accepted != int64(len(in)) {
		t.Fatalf("got %d accepted, want %d", st.Accepted, len(in))
	}
	d.Close()
}

// testDuplicate: a worker that answers after its task went to another
// worker produces a duplicate, which is dropped.
func testDuplicate(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{AckWait: 300 * time.Millisecond})
	slow := tp.worker(t)
	res := make(chan int, 1)
	go func() {
		v, err := do(ctx, d, 1, 7)
		if err != nil {
			t.Error(err)
		}
		res <- v
	}()
	first, err := slow.Next(ctx) // taken, then silent past the ack wait
	if err != nil {
		t.Fatal(err)
	}
	serve(t, tp.worker(t), 1)
	if v := <-res; v != 49 {
		t.Fatalf("got %d, want 49", v)
	}
	if err := first.Reply(ctx, []byte("49"), nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the late result to be counted as a duplicate", func() bool { return d.Stats().Duplicates == 1 })
	if st := d.Stats(); st.Accepted != 1 || st.Redelivered != 1 {
		t.Fatalf("got accepted %d, redelivered %d; want 1, 1", st.Accepted, st.Redelivered)
	}
	d.Close()
}

// testLostWorker: a task whose worker vanished goes to another.
func testLostWorker(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{AckWait: 300 * time.Millisecond})
	lost := tp.worker(t)
	res := make(chan error, 1)
	go func() {
		v, err := do(ctx, d, 1, 9)
		if err == nil && v != 81 {
			err = fmt.Errorf("got %d, want 81", v)
		}
		res <- err
	}()
	taken, err := lost.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if taken.Attempt != 1 {
		t.Fatalf("got attempt %d, want 1", taken.Attempt)
	}
	serve(t, tp.worker(t), 1)
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Redelivered != 1 {
		t.Fatalf("got %d redelivered, want 1", st.Redelivered)
	}
	d.Close()
}

// testDeliveryLimit: a task abandoned by every worker fails after the
// delivery limit with an error naming the item.
func testDeliveryLimit(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{AckWait: 200 * time.Millisecond, MaxDeliver: 2})
	w := tp.worker(t)
	res := make(chan error, 1)
	go func() { _, err := do(ctx, d, 42, 3); res <- err }()
	for i := 1; i <= 2; i++ {
		dl, err := w.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if dl.Attempt != i {
			t.Fatalf("got attempt %d, want %d", dl.Attempt, i)
		}
	}
	// Workers go on asking for tasks: the third delivery must not come.
	pctx, stopPull := context.WithCancel(ctx)
	pulled := make(chan *Delivery, 1)
	go func() { dl, _ := w.Next(pctx); pulled <- dl }()
	err := <-res
	stopPull()
	if dl := <-pulled; dl != nil {
		t.Fatalf("got delivery %d of item %d, want none past the limit of 2", dl.Attempt, dl.Item)
	}
	if err == nil || !strings.Contains(err.Error(), "item 42") || !strings.Contains(err.Error(), "2 deliveries") {
		t.Fatalf("got %v, want an error naming item 42 and 2 deliveries", err)
	}
	d.Close()
}

// testPoison: an item its handler always fails on fails the job after the
// delivery limit, naming the item and the handler's error; other items go
// through.
func testPoison(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{MaxDeliver: 3})
	serve(t, tp.worker(t), 2)
	if v, err := do(ctx, d, 1, 5); err != nil || v != 25 {
		t.Fatalf("got %d, %v; want 25", v, err)
	}
	_, err := do(ctx, d, 2, -1)
	if err == nil || !strings.Contains(err.Error(), "item 2") || !strings.Contains(err.Error(), "poison -1") {
		t.Fatalf("got %v, want an error naming item 2 and the poison", err)
	}
	if st := d.Stats(); st.Failed != 3 {
		t.Fatalf("got %d failures, want 3 (one per delivery)", st.Failed)
	}
	d.Close()
}

// testBadResult: a result that does not decode is rejected, counted and
// done again by another worker.
func testBadResult(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{})
	bad := tp.worker(t)
	res := make(chan error, 1)
	go func() {
		v, err := do(ctx, d, 1, 6)
		if err == nil && v != 36 {
			err = fmt.Errorf("got %d, want 36", v)
		}
		res <- err
	}()
	dl, err := bad.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := dl.Reply(ctx, []byte("not a number"), nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the bad result to be rejected", func() bool { return d.Stats().Rejected == 1 })
	serve(t, tp.worker(t), 1)
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	d.Close()
}

// testDrain: a worker stopped while its handler runs hands the task back
// at once (well before the ack wait), and another worker does it.
func testDrain(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{AckWait: time.Minute})
	started := make(chan struct{}, 1)
	wctx, cancel := context.WithCancel(context.Background())
	w := &Worker{Transport: tp.worker(t), Workers: 1}
	w.Handle("square", HandlerFunc(func(ctx context.Context, job Job, p []byte) ([]byte, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}))
	served := make(chan error, 1)
	go func() { served <- w.Serve(wctx) }()
	res := make(chan error, 1)
	go func() {
		v, err := do(ctx, d, 1, 4)
		if err == nil && v != 16 {
			err = fmt.Errorf("got %d, want 16", v)
		}
		res <- err
	}()
	<-started
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve after a drain: got %v, want nil", err)
	}
	serve(t, tp.worker(t), 1)
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	d.Close()
}

// testCancel: cancelling the context stops Do at once, and Close removes
// the job with the tasks nobody took.
func testCancel(t *testing.T, tp transport) {
	d := dispatch(t, tp.coord(t), Job{})
	ctx, cancel := context.WithCancelCause(testCtx(t))
	stop := errors.New("stop")
	res := make(chan error, 3)
	for i := range 3 {
		go func() { _, err := do(ctx, d, uint64(i), i); res <- err }()
	}
	eventually(t, "three tasks published", func() bool { return d.Stats().Published == 3 })
	cancel(stop)
	for range 3 {
		if err := <-res; !errors.Is(err, stop) {
			t.Fatalf("got %v, want the context's cause", err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// sized is an item that reports its size to the budget.
type sized int

func (s sized) Size() int64 { return 1 << 10 }

type sizedCodec struct{}

func (sizedCodec) Encode(v sized) ([]byte, error) { return []byte(strconv.Itoa(int(v))), nil }
func (sizedCodec) Decode(b []byte) (sized, error) {
	v, err := strconv.Atoi(string(b))
	return sized(v), err
}

// testBudget: items out with workers stay charged to the budget, so with
// no worker the source stops once the budget is full, and goes on when
// workers come.
func testBudget(t *testing.T, tp transport) {
	ctx := testCtx(t)
	d := dispatch(t, tp.coord(t), Job{})
	const budget, n = 8 << 10, 100 // eight items fit
	var emitted, sunk, worst atomic.Int64
	p := sluice.New(sluice.Config{Budget: budget})
	src := sluice.Source(p, "ints", func(ctx context.Context, emit func(sized) error) error {
		for i := range n {
			if err := emit(sized(i)); err != nil {
				return err
			}
			if out := emitted.Add(1) - sunk.Load(); out > worst.Load() {
				worst.Store(out)
			}
		}
		return nil
	})
	sq := Map(src, "square", sluice.Opts{Workers: 32}, d, sizedCodec{}, sizedCodec{})
	sluice.Sink(sq, "sink", sluice.Opts{}, func(ctx context.Context, v sized) error {
		sunk.Add(1)
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	eventually(t, "the source to fill the budget", func() bool { return d.Stats().Published == budget>>10 })
	time.Sleep(100 * time.Millisecond) // room for a source that ignores the budget to show it
	if got := emitted.Load(); got > budget>>10 {
		t.Fatalf("with no worker: got %d items emitted, want at most %d", got, budget>>10)
	}
	serve(t, tp.worker(t), 2)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sunk.Load() != n {
		t.Fatalf("got %d items, want %d", sunk.Load(), n)
	}
	if w := worst.Load(); w > budget>>10+1 {
		t.Fatalf("got up to %d items out at once, want at most %d", w, budget>>10+1)
	}
	d.Close()
}

// TestPullerRouting checks how a worker's pulls share their messages: a
// task goes to the pull waiting longest, a status to its own pull or, when
// that pull has had a task, to the one waiting longest (whose request the
// task used up), and a task that comes when no pull waits is handed back.
func TestPullerRouting(t *testing.T) {
	s := testServer(t, ServerConfig{Token: "secret"})
	nc, err := Connect(s.URL, ConnectOptions{Token: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	p := &puller{nc: nc, prefix: "_INBOX.test.", wait: map[string]chan *nats.Msg{}}
	waitFor := func(tok string) chan *nats.Msg {
		ch := make(chan *nats.Msg, 1)
		p.wait[tok] = ch
		p.order = append(p.order, tok)
		return ch
	}
	got := func(ch chan *nats.Msg) *nats.Msg {
		select {
		case m := <-ch:
			return m
		default:
			return nil
		}
	}
	task := func(n string) *nats.Msg {
		return &nats.Msg{Subject: "sluice.job.tasks", Reply: "$JS.ACK.SLUICE_job.workers.1." + n + ".1.0.0", Header: nats.Header{}}
	}
	status := func(tok, code string) *nats.Msg {
		return &nats.Msg{Subject: p.prefix + tok, Header: nats.Header{"Status": {code}}}
	}
	a, b, c := waitFor("a"), waitFor("b"), waitFor("c")
	p.deliver(task("1")) // answers a request, whichever: a waited longest
	if m := got(a); m == nil || m.Reply == "" {
		t.Fatal("the task did not go to the pull waiting longest")
	}
	p.deliver(status("c", "408")) // c's own request expired
	if m := got(c); m == nil || m.Header.Get("Status") != "408" {
		t.Fatal("a status did not go to its own pull")
	}
	p.deliver(status("a", "408")) // a has its task: b's request was the one used
	if m := got(b); m == nil || m.Header.Get("Status") != "408" {
		t.Fatal("a status for a pull that had its task did not wake the pull waiting longest")
	}
	if len(p.wait) != 0 || len(p.order) != 0 {
		t.Fatalf("pulls left waiting: %v", p.order)
	}
	acks, err := nc.SubscribeSync("$JS.ACK.SLUICE_job.>")
	if err != nil {
		t.Fatal(err)
	}
	p.deliver(task("2")) // nobody waits
	m, err := acks.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal("a task that came when no pull waited was not handed back:", err)
	}
	if !strings.HasPrefix(string(m.Data), "-NAK") {
		t.Fatalf("hand-back %q, want a -NAK", m.Data)
	}
}

package dist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The names a JetStream transport uses on the server. A job with ID id has
// the stream "SLUICE_id" holding its tasks on "sluice.id.tasks", one pull
// consumer "workers" shared by every worker, and results on
// "sluice.id.results"; the coordinator announces the job on "sluice.jobs"
// and answers "sluice.id.alive" while it runs.
const (
	streamPrefix  = "SLUICE_"
	consumerName  = "workers"
	announceSubj  = "sluice.jobs"
	announceEvery = 500 * time.Millisecond
	jobForgotten  = 3 * time.Second  // a worker drops a job not announced this long
	apiTimeout    = 10 * time.Second // for a call to the JetStream API
)

func tasksSubject(id string) string   { return "sluice." + id + ".tasks" }
func resultsSubject(id string) string { return "sluice." + id + ".results" }
func aliveSubject(id string) string   { return "sluice." + id + ".alive" }

// Headers of task and result messages.
const (
	hdrJob   = "Sluice-Job"
	hdrItem  = "Sluice-Item"
	hdrAck   = "Sluice-Ack"
	hdrError = "Sluice-Error"
)

// JetStream is a Transport over a NATS server with JetStream: the tasks of
// a job wait in a work-queue stream held in the server's memory, workers
// pull them from one shared consumer, and results come back on a plain
// subject. The coordinator acknowledges a task only when it accepts its
// result, so a lost result, a lost worker or a rejected result all end in a
// redelivery. It works with nats-server 2.9 and later. A JetStream is safe
// for concurrent use; Close it when done.
type JetStream struct {
	nc    *nats.Conn
	js    jetstream.JetStream
	owned bool // Dial made nc: Close closes it

	mu      sync.Mutex
	sub     *nats.Subscription // announcements, on the worker's side
	pulls   *puller            // tasks, on the worker's side
	jobs    map[string]*seenJob
	rr      int
	changed chan struct{}
}

// seenJob is a job a worker has heard announced.
type seenJob struct {
	job  Job
	seen time.Time
	// found: the job's consumer was looked up and exists; pulls go to it
	// until one fails.
	found bool
}

// announcement is what a coordinator publishes on announceSubj.
type announcement struct {
	ID         string        `json:"id"`
	Handler    string        `json:"handler"`
	Params     []byte        `json:"params"`
	AckWait    time.Duration `json:"ack_wait"`
	MaxDeliver int           `json:"max_deliver"`
}

// NewJetStream returns a transport over nc. It does not own nc: close nc
// after the transport.
func NewJetStream(nc *nats.Conn) (*JetStream, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	return &JetStream{nc: nc, js: js, jobs: map[string]*seenJob{}}, nil
}

// Dial connects to the server at url, as Connect does, and returns the
// JetStream transport over that connection, which its Close closes.
func Dial(url string, o ConnectOptions) (*JetStream, error) {
	nc, err := Connect(url, o)
	if err != nil {
		return nil, err
	}
	t, err := NewJetStream(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	t.owned = true
	return t, nil
}

// onServerHost reports whether the connection is a loopback or an
// in-process one.
func (t *JetStream) onServerHost() bool { return serverHostAddr(t.nc.ConnectedAddr()) }

// serverHostAddr reports whether a connection whose server has the
// address addr runs on this machine: a loopback address, or net.Pipe's
// "pipe" for an in-process connection. A name is not resolved.
func serverHostAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr == "pipe"
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// MaxPayload is the largest message the server takes, in bytes: the
// largest task or result a job can send.
func (t *JetStream) MaxPayload() int64 { return t.nc.MaxPayload() }

// Close stops listening for jobs on the worker's side and, for a
// transport made by Dial, closes its connection.
func (t *JetStream) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var err error
	if t.sub != nil {
		err = t.sub.Unsubscribe()
		t.sub = nil
	}
	if t.pulls != nil {
		t.pulls.sub.Unsubscribe()
		t.pulls = nil
	}
	if t.owned {
		t.nc.Close()
	}
	return err
}

// Open creates the job's stream and consumer, after removing those of jobs
// whose coordinator is gone, and starts announcing the job.
func (t *JetStream) Open(ctx context.Context, job Job) (Queue, error) {
	job = job.withDefaults()
	if job.ID == "" || strings.ContainsAny(job.ID, ".*> \t") {
		return nil, fmt.Errorf("dist: job ID %q must be one NATS subject token", job.ID)
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	cctx, cancelClean := context.WithTimeout(ctx, 2*time.Second)
	t.CleanStale(cctx)
	cancelClean()
	// A refused request gets no answer; the refusal comes back as the
	// connection's last error, in order.
	if err := t.nc.FlushWithContext(ctx); err == nil {
		if le := t.nc.LastError(); isPermission(le) {
			return nil, fmt.Errorf("dist: %w%s", le, permissionHint(le))
		}
	}
	name := streamPrefix + job.ID
	maxMsg := int32(t.nc.MaxPayload())
	st, err := t.js.CreateStream(ctx, jetstream.StreamConfig{
		Name:       name,
		Subjects:   []string{tasksSubject(job.ID)},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.MemoryStorage,
		MaxMsgSize: maxMsg,
	})
	if err != nil {
		if ctx.Err() != nil {
			// The server may have made the stream before the answer was
			// given up on: remove it, so that no stream outlives the run.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			t.js.DeleteStream(dctx, name)
			cancel()
		}
		if le := t.nc.LastError(); isPermission(le) {
			err = le
		}
		return nil, fmt.Errorf("dist: creating the job's stream %s: %w%s", name, err, permissionHint(err))
	}
	q := &jsQueue{t: t, job: job, stream: name, items: map[uint64]uint64{},
		open: map[uint64]bool{}, earlier: map[uint64]int{}, ours: map[uint64]bool{},
		results: make(chan *Result, 256), lost: make(chan uint64, 16), stop: make(chan struct{})}
	q.published = sync.NewCond(&q.mu)
	fail := func(err error) (Queue, error) {
		q.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	_, err = st.CreateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       consumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       job.AckWait,
		MaxDeliver:    job.MaxDeliver,
		MaxAckPending: -1,
		// Every acknowledgement is reported, so that one the coordinator
		// did not send (a worker may settle a task: its heartbeats and
		// hand-backs go to the same subject) is noticed.
		SampleFrequency: "100",
	})
	if err != nil {
		return fail(fmt.Errorf("dist: creating the job's consumer: %w%s", err, permissionHint(err)))
	}
	subs := []struct {
		subj string
		cb   nats.MsgHandler
	}{
		{resultsSubject(job.ID), q.onResult},
		{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + name + "." + consumerName, q.onMaxDeliveries},
		{"$JS.EVENT.METRIC.CONSUMER.ACK." + name + "." + consumerName, q.onSettled},
		{"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED." + name + "." + consumerName, q.onSettled},
		{aliveSubject(job.ID), func(m *nats.Msg) { m.Respond([]byte("ok")) }},
	}
	for _, s := range subs {
		sub, err := t.nc.Subscribe(s.subj, s.cb)
		if err != nil {
			return fail(fmt.Errorf("dist: subscribing to %s: %w%s", s.subj, err, permissionHint(err)))
		}
		sub.SetPendingLimits(-1, 256<<20)
		q.subs = append(q.subs, sub)
	}
	if err := t.nc.FlushWithContext(ctx); err != nil {
		return fail(fmt.Errorf("dist: %w", err))
	}
	if err := t.nc.LastError(); err != nil && isPermission(err) {
		return fail(fmt.Errorf("dist: %w%s", err, permissionHint(err)))
	}
	a, _ := json.Marshal(announcement{ID: job.ID, Handler: job.Handler, Params: job.Params, AckWait: job.AckWait, MaxDeliver: job.MaxDeliver})
	q.wg.Add(1)
	go q.announce(a)
	return q, nil
}

// CleanStale removes the streams of jobs whose coordinator no longer
// answers: what a coordinator killed without a chance to clean up left
// behind. Open calls it; errors are ignored, since another coordinator may
// be cleaning at the same time.
func (t *JetStream) CleanStale(ctx context.Context) {
	names := t.js.StreamNames(ctx)
	var stale []string
	for n := range names.Name() {
		if !strings.HasPrefix(n, streamPrefix) {
			continue
		}
		id := strings.TrimPrefix(n, streamPrefix)
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := t.nc.RequestWithContext(rctx, aliveSubject(id), nil)
		cancel()
		if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, context.DeadlineExceeded) {
			stale = append(stale, n)
		}
	}
	for _, n := range stale {
		t.js.DeleteStream(ctx, n)
	}
}

func isPermission(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "permission")
}

// permissionHint explains a refusal by the server's permissions.
func permissionHint(err error) string {
	if isPermission(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
		return " (this credential may not run jobs: a run needs the run credential, not a worker's)"
	}
	return ""
}

// jsQueue is one job's queue on a JetStream transport.
type jsQueue struct {
	t      *JetStream
	job    Job
	stream string
	subs   []*nats.Subscription

	mu    sync.Mutex
	items map[uint64]uint64 // stream sequence → item, kept to the end to know late duplicates
	// open holds the items published and not yet settled by the
	// coordinator, whose task a worker may settle without a result (then
	// the coordinator publishes it again); earlier counts the deliveries
	// of an item's earlier messages; ours holds the stream sequences the
	// coordinator acknowledged, until the server reports them.
	open    map[uint64]bool
	earlier map[uint64]int
	ours    map[uint64]bool
	closed  bool
	// publishing counts Publish calls waiting for the server's
	// acknowledgement; published is signalled when one ends.
	publishing int
	published  *sync.Cond
	results    chan *Result
	lost       chan uint64
	stop       chan struct{}
	wg         sync.WaitGroup
}

func (q *jsQueue) announce(a []byte) {
	defer q.wg.Done()
	tick := time.NewTicker(announceEvery)
	defer tick.Stop()
	for {
		q.t.nc.Publish(announceSubj, a)
		select {
		case <-tick.C:
		case <-q.stop:
			return
		}
	}
}

func (q *jsQueue) Publish(ctx context.Context, item uint64, payload []byte) error {
	q.mu.Lock()
	q.publishing++
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.publishing--
		q.mu.Unlock()
		q.published.Broadcast()
	}()
	m := nats.NewMsg(tasksSubject(q.job.ID))
	m.Header.Set(hdrItem, strconv.FormatUint(item, 10))
	m.Data = payload
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	ack, err := q.t.js.PublishMsg(ctx, m)
	if err != nil {
		if errors.Is(err, nats.ErrMaxPayload) {
			return fmt.Errorf("a task of %d bytes is larger than the server's limit of %d (use smaller tiles)", len(payload), q.t.nc.MaxPayload())
		}
		return err
	}
	q.mu.Lock()
	q.items[ack.Sequence] = item
	q.open[item] = true
	q.mu.Unlock()
	q.published.Broadcast()
	return nil
}

func (q *jsQueue) Results() <-chan *Result { return q.results }
func (q *jsQueue) Lost() <-chan uint64     { return q.lost }

// parseAck reads the stream sequence and the delivery count from the
// acknowledgement subject of one of the job's deliveries.
func (q *jsQueue) parseAck(subj string) (seq uint64, attempt int, ok bool) {
	s, c, d, seq, ok := ackTokens(subj)
	if !ok || s != q.stream || c != consumerName {
		return 0, 0, false
	}
	return seq, d, true
}

// ackTokens reads a delivery's acknowledgement subject:
// $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>, or
// with <domain>.<account hash> after ACK and a random token at the end.
func ackTokens(subj string) (stream, consumer string, delivered int, seq uint64, ok bool) {
	tok := strings.Split(subj, ".")
	var n, sq string
	switch {
	case len(tok) == 9:
		stream, consumer, n, sq = tok[2], tok[3], tok[4], tok[5]
	case len(tok) >= 12:
		stream, consumer, n, sq = tok[4], tok[5], tok[6], tok[7]
	default:
		return "", "", 0, 0, false
	}
	if tok[0] != "$JS" || tok[1] != "ACK" {
		return "", "", 0, 0, false
	}
	d, err1 := strconv.Atoi(n)
	seq, err2 := strconv.ParseUint(sq, 10, 64)
	return stream, consumer, d, seq, err1 == nil && err2 == nil && d > 0
}

// onResult turns a result message into a Result. The task it answers is
// taken from the acknowledgement subject, which the server made, not from
// what the worker claims.
func (q *jsQueue) onResult(m *nats.Msg) {
	ackSubj := m.Header.Get(hdrAck)
	r := &Result{Job: m.Header.Get(hdrJob), Payload: m.Data, Err: m.Header.Get(hdrError)}
	seq, attempt, ok := q.parseAck(ackSubj)
	q.mu.Lock()
	var item uint64
	var known bool
	if ok {
		item, known = q.itemOf(seq)
	}
	attempt += q.earlier[item]
	q.mu.Unlock()
	if !ok || !known {
		r.Job = "" // answers no task of this job: rejected, nothing to settle
	} else {
		r.Attempt = attempt
		r.settle = &jsSettle{nc: q.t.nc, subj: ackSubj, q: q, seq: seq}
		claimed, err := strconv.ParseUint(m.Header.Get(hdrItem), 10, 64)
		r.Item = item
		if err != nil || claimed != item {
			r.Err = fmt.Sprintf("result names item %q but answers the delivery of item %d", m.Header.Get(hdrItem), item)
			r.Payload = nil
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	select {
	case q.results <- r:
	default: // the coordinator is behind: dropped, redelivered later
	}
}

// itemOf returns the item of the task at stream sequence seq. A worker may
// answer or settle a task, and the server report it, before its publisher
// has the server's acknowledgement that names the task's sequence: it
// waits for the Publish calls under way. q.mu is held.
func (q *jsQueue) itemOf(seq uint64) (uint64, bool) {
	item, known := q.items[seq]
	for !known && q.publishing > 0 && !q.closed {
		q.published.Wait()
		item, known = q.items[seq]
	}
	return item, known
}

// onMaxDeliveries reports a task that reached the delivery limit.
func (q *jsQueue) onMaxDeliveries(m *nats.Msg) {
	var adv struct {
		StreamSeq uint64 `json:"stream_seq"`
	}
	if json.Unmarshal(m.Data, &adv) != nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	item, ok := q.itemOf(adv.StreamSeq)
	if !ok || q.closed {
		return
	}
	select {
	case q.lost <- item:
	default:
	}
}

// onSettled hears of a task the server no longer holds, acknowledged or
// terminated. When the coordinator did not settle it, a worker did,
// without a result the coordinator accepted: the task is published again,
// through a failed Result that Do sees and counts against the delivery
// limit like any other failure.
func (q *jsQueue) onSettled(m *nats.Msg) {
	var ev struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries int    `json:"deliveries"`
	}
	if json.Unmarshal(m.Data, &ev) != nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ours[ev.StreamSeq] {
		delete(q.ours, ev.StreamSeq)
		return
	}
	item, known := q.itemOf(ev.StreamSeq)
	if !known || !q.open[item] || q.closed {
		return
	}
	q.earlier[item] += max(1, ev.Deliveries)
	r := &Result{Job: q.job.ID, Item: item, Attempt: q.earlier[item],
		Err: "a worker settled the task without sending a result", settle: nothingToSettle{}, again: true}
	select {
	case q.results <- r:
	default: // the coordinator is behind: dropped, and the task with it
	}
}

// nothingToSettle is the settler of a result for a task the server no
// longer holds: the coordinator publishes the task again (Result.again).
type nothingToSettle struct{}

func (nothingToSettle) ack() error { return nil }
func (nothingToSettle) nak() error { return nil }

// Close stops announcing the job and deletes its stream, which takes its
// consumer and any task left with it.
func (q *jsQueue) Close(ctx context.Context) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.stop)
	q.mu.Unlock()
	q.published.Broadcast()
	q.wg.Wait()
	for _, s := range q.subs {
		s.Unsubscribe()
	}
	q.mu.Lock()
	close(q.results)
	q.mu.Unlock()
	err := q.t.js.DeleteStream(ctx, q.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("dist: deleting the job's stream %s: %w", q.stream, err)
	}
	return nil
}

// jsSettle is the coordinator's verdict on one delivery, sent to the
// server on the delivery's acknowledgement subject.
type jsSettle struct {
	nc   *nats.Conn
	subj string
	q    *jsQueue
	seq  uint64
}

func (s *jsSettle) ack() error {
	s.q.mu.Lock()
	s.q.ours[s.seq] = true
	delete(s.q.open, s.q.items[s.seq])
	s.q.mu.Unlock()
	return s.nc.Publish(s.subj, []byte("+ACK"))
}

func (s *jsSettle) nak() error { return s.nc.Publish(s.subj, []byte("-NAK")) }

// listen starts following job announcements on the worker's side.
func (t *JetStream) listen() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sub != nil {
		return nil
	}
	sub, err := t.nc.Subscribe(announceSubj, func(m *nats.Msg) {
		var a announcement
		if json.Unmarshal(m.Data, &a) != nil || a.ID == "" {
			return
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if s := t.jobs[a.ID]; s != nil {
			s.seen = time.Now()
			return
		}
		t.jobs[a.ID] = &seenJob{seen: time.Now(), job: Job{ID: a.ID, Handler: a.Handler, Params: a.Params, AckWait: a.AckWait, MaxDeliver: a.MaxDeliver}}
		if t.changed != nil {
			close(t.changed)
			t.changed = nil
		}
	})
	if err != nil {
		return fmt.Errorf("dist: listening for jobs: %w", err)
	}
	// Pulls get their tasks on the connection's inboxes: make sure this
	// credential may read them, rather than wait for tasks that never come.
	pl := &puller{nc: t.nc, prefix: t.nc.NewInbox() + ".", wait: map[string]chan *nats.Msg{}}
	pl.sub, err = t.nc.Subscribe(pl.prefix+"*", pl.deliver)
	if err == nil {
		pl.sub.SetPendingLimits(-1, 256<<20)
		err = t.nc.Flush()
	}
	if err == nil {
		if le := t.nc.LastError(); isPermission(le) {
			err = le
		}
	}
	if err != nil {
		sub.Unsubscribe()
		if pl.sub != nil {
			pl.sub.Unsubscribe()
		}
		return fmt.Errorf("dist: this connection may not read its replies (a worker connects with ConnectOptions.Worker): %w", err)
	}
	t.sub, t.pulls = sub, pl
	return nil
}

// puller makes a worker's pull requests. They share one subscription:
// each names a reply subject of its own under the subscription's inbox, so
// that a pull costs a request and a message, where the client library's
// Fetch subscribes and unsubscribes around each one.
//
// Each request ends in one message: a task, or a status (no task came
// before it expired). A status comes on the request's own subject, a task
// on the subject it was published on, so a task goes to the pull waiting
// longest, whichever request it answers; tasks are alike. A status for a
// pull that has had its task then means that another pull's request was
// used up: the pull waiting longest asks again.
type puller struct {
	nc     *nats.Conn
	prefix string // the inbox, and a dot
	sub    *nats.Subscription

	mu    sync.Mutex
	n     uint64
	wait  map[string]chan *nats.Msg // by reply token: the pulls waiting
	order []string                  // their tokens, oldest first
}

// take removes the pull of token tok (or the oldest, if tok is "" or not
// waiting) from the waiting ones and returns its channel, or nil when none
// waits. p.mu is held.
func (p *puller) take(tok string) chan *nats.Msg {
	ch := p.wait[tok]
	if ch == nil {
		if len(p.order) == 0 {
			return nil
		}
		tok = p.order[0]
		ch = p.wait[tok]
	}
	delete(p.wait, tok)
	for i, t := range p.order {
		if t == tok {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
	return ch
}

// deliver hands a message to a waiting pull (see puller). A task that
// comes when none waits goes back at once.
func (p *puller) deliver(m *nats.Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tok := ""
	if m.Header.Get("Status") != "" {
		tok = strings.TrimPrefix(m.Subject, p.prefix)
	}
	if ch := p.take(tok); ch != nil {
		ch <- m // buffered, and each pull is taken once
		return
	}
	handBackLate(p.nc, m)
}

// handBackLate hands back a task that came for no pull.
func handBackLate(nc *nats.Conn, m *nats.Msg) {
	if strings.HasPrefix(m.Reply, "$JS.ACK.") {
		nc.Publish(m.Reply, nakBody(handBack))
	}
}

// nakBody is a negative acknowledgement asking for redelivery after delay.
func nakBody(delay time.Duration) []byte {
	return fmt.Appendf(nil, "-NAK {\"delay\": %d}", delay.Nanoseconds())
}

// pullRequest asks for one task, waiting up to pullExpires for it.
const pullExpires = time.Second

var pullRequest = fmt.Appendf(nil, `{"batch":1,"expires":%d}`, pullExpires.Nanoseconds())

// next asks the consumer of stream for one task, waiting up to a second
// for one to come, and returns it, or nil when none came or ctx ended; a
// status the server sent instead (the consumer is gone, say) is an error.
func (p *puller) next(ctx context.Context, stream string) (*nats.Msg, error) {
	p.mu.Lock()
	p.n++
	tok := strconv.FormatUint(p.n, 36)
	ch := make(chan *nats.Msg, 1)
	p.wait[tok] = ch
	p.order = append(p.order, tok)
	p.mu.Unlock()
	giveUp := func() *nats.Msg {
		p.mu.Lock()
		if p.wait[tok] != nil {
			p.take(tok)
		}
		p.mu.Unlock()
		select {
		case m := <-ch:
			return m
		default:
			return nil
		}
	}
	if err := p.nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT."+stream+"."+consumerName, p.prefix+tok, pullRequest); err != nil {
		giveUp()
		return nil, err
	}
	timer := time.NewTimer(pullExpires + time.Second)
	defer timer.Stop()
	var m *nats.Msg
	select {
	case m = <-ch: // deliver took the pull off the waiting ones
	case <-ctx.Done():
		if m := giveUp(); m != nil {
			handBackLate(p.nc, m)
		}
		return nil, nil
	case <-timer.C:
		if m := giveUp(); m != nil {
			handBackLate(p.nc, m)
		}
		return nil, nil
	}
	switch status := m.Header.Get("Status"); status {
	case "":
		return m, nil
	case "404", "408": // no task now; the request expired
		return nil, nil
	default:
		return nil, fmt.Errorf("pull from %s: status %s %s", stream, status, m.Header.Get("Description"))
	}
}

// pick returns the next job to pull from, round robin, forgetting jobs not
// announced lately; or a channel that is closed when a job appears.
func (t *JetStream) pick() (*seenJob, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var live []*seenJob
	for id, s := range t.jobs {
		if time.Since(s.seen) > jobForgotten {
			delete(t.jobs, id)
			continue
		}
		live = append(live, s)
	}
	if len(live) == 0 {
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		return nil, t.changed
	}
	// Map order is random; sort for a fair round robin.
	for i := 1; i < len(live); i++ {
		for k := i; k > 0 && live[k].job.ID < live[k-1].job.ID; k-- {
			live[k], live[k-1] = live[k-1], live[k]
		}
	}
	t.rr++
	return live[t.rr%len(live)], nil
}

// Next waits for a task of any job announced on the server.
func (t *JetStream) Next(ctx context.Context) (*Delivery, error) {
	if err := t.listen(); err != nil {
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		s, wait := t.pick()
		if s == nil {
			select {
			case <-wait:
			case <-time.After(time.Second):
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
			continue
		}
		d, err := t.pull(ctx, s)
		if err != nil {
			if !t.nc.IsConnected() && t.nc.IsClosed() {
				return nil, fmt.Errorf("dist: connection closed: %w", err)
			}
			if isPermission(err) {
				return nil, fmt.Errorf("dist: pulling tasks of job %s: %w", s.job.ID, err)
			}
			continue
		}
		if d != nil {
			return d, nil
		}
	}
}

// pull waits up to a second for one task of job s.
func (t *JetStream) pull(ctx context.Context, s *seenJob) (*Delivery, error) {
	t.mu.Lock()
	found := s.found
	t.mu.Unlock()
	if !found {
		cctx, cancel := context.WithTimeout(ctx, apiTimeout)
		_, err := t.js.Consumer(cctx, streamPrefix+s.job.ID, consumerName)
		cancel()
		if err != nil {
			// The job ended; forget it until it is announced again.
			t.mu.Lock()
			if t.jobs[s.job.ID] == s {
				delete(t.jobs, s.job.ID)
			}
			t.mu.Unlock()
			if ctx.Err() == nil && !isPermission(err) {
				time.Sleep(50 * time.Millisecond)
			}
			return nil, err
		}
		t.mu.Lock()
		s.found = true
		t.mu.Unlock()
	}
	t.mu.Lock()
	pl := t.pulls
	t.mu.Unlock()
	if pl == nil {
		return nil, errors.New("dist: transport closed")
	}
	m, err := pl.next(ctx, streamPrefix+s.job.ID)
	if err != nil {
		t.mu.Lock()
		s.found = false
		t.mu.Unlock()
		return nil, err
	}
	if m == nil {
		return nil, nil
	}
	_, _, delivered, _, ok := ackTokens(m.Reply)
	item, err := strconv.ParseUint(m.Header.Get(hdrItem), 10, 64)
	if !ok || err != nil {
		t.nc.Publish(m.Reply, []byte("+TERM"))
		return nil, nil
	}
	return &Delivery{Job: s.job, Item: item, Attempt: delivered, Payload: m.Data,
		settle: &jsDelivery{nc: t.nc, ackSubj: m.Reply, job: s.job.ID}, received: time.Now()}, nil
}

// jsDelivery settles a task on the worker's side, on the delivery's
// acknowledgement subject.
type jsDelivery struct {
	nc      *nats.Conn
	ackSubj string
	job     string
}

func (d *jsDelivery) inProgress() error { return d.nc.Publish(d.ackSubj, []byte("+WPI")) }

// nak hands the task back, for redelivery after handBack: a worker that
// stops may still have a pull request open on the server for a moment
// (it expires a second after it was made), and a task delivered into it
// would wait out the ack wait.
func (d *jsDelivery) nak() error { return d.nc.Publish(d.ackSubj, nakBody(handBack)) }

// handBack is how long a task handed back by a stopping worker waits
// before the server delivers it again.
const handBack = 50 * time.Millisecond

func (d *jsDelivery) reply(ctx context.Context, r *Result) error {
	m := nats.NewMsg(resultsSubject(d.job))
	m.Header.Set(hdrJob, r.Job)
	m.Header.Set(hdrItem, strconv.FormatUint(r.Item, 10))
	m.Header.Set(hdrAck, d.ackSubj)
	if r.Err != "" {
		m.Header.Set(hdrError, strings.ReplaceAll(r.Err, "\n", " "))
	}
	m.Data = r.Payload
	return d.nc.PublishMsg(m)
}

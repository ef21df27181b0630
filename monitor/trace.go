package monitor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-go/sluice"
)

// CounterEvery is how often a Trace samples the queue and budget counters
// while a run goes on.
const CounterEvery = 10 * time.Millisecond

// Trace writes what it sees of one or more runs as a timeline in the Chrome
// trace event format (a JSON array of events), which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. Each pipeline is a process;
// each goroutine of each stage is a thread (track) of it, the source's
// reading and the sink's writing on their own; spans are written as
// goroutines change state: busy spans carry the item index, one per item,
// and are named by the stage. Counters show each queue's fill and the
// budget in flight, sampled every CounterEvery.
//
// A Trace is safe for concurrent use. Each span costs about 120 bytes of
// output, gathered per goroutine and written in blocks; see BenchmarkTrace.
type Trace struct {
	mu      sync.Mutex
	w       *bufio.Writer
	err     error
	n       int       // events written
	epoch   time.Time // time 0 of the trace: the first run's start
	runs    sync.Map  // *sluice.Pipeline → *traceRun, read without mu by Change
	nextID  int
	closed  bool
	scratch []byte
}

// traceRun is one watched pipeline.
type traceRun struct {
	pid    int
	offset float64 // µs from the trace's epoch to this run's start
	stages []traceStage
	tracks [][]track // by stage, by worker
	stop   chan struct{}
	done   chan struct{}
	ended  atomic.Bool
}

type traceStage struct {
	name  []byte // JSON string
	input bool   // has inputs: not a source
}

// track is the open span of one goroutine.
//
// Change is called for one goroutine at a time, in order (sluice.Observer),
// so a track needs no lock: its spans gather in buf, which goes to the
// file under Trace.mu once full.
type track struct {
	state sluice.State
	item  int64
	since float64 // µs since the run's start
	open  bool
	tid   int
	buf   []byte // encoded spans, each led by ",\n"
}

// trackFlush is how many bytes of spans a track gathers before writing.
const trackFlush = 32 << 10

// NewTrace returns a Trace writing to w. Call Close once the runs it
// watches have ended to end the JSON array and flush.
func NewTrace(w io.Writer) *Trace {
	t := &Trace{w: bufio.NewWriterSize(w, 64<<10)}
	t.w.WriteString("[\n")
	return t
}

// TraceTo attaches a new Trace writing to w to p, and returns it: the one
// call that records a pipeline's timeline. Close it after p.Run returns.
func TraceTo(p *sluice.Pipeline, w io.Writer) *Trace {
	t := NewTrace(w)
	t.Watch(p)
	return t
}

// Watch adds p to the runs the trace records. Call it before p.Run.
func (t *Trace) Watch(p *sluice.Pipeline) { p.Observe(t) }

// Start implements sluice.Observer.
func (t *Trace) Start(p *sluice.Pipeline) {
	g := p.Graph()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.epoch.IsZero() {
		t.epoch = g.Start
	}
	t.nextID++
	r := &traceRun{pid: t.nextID, offset: float64(g.Start.Sub(t.epoch).Nanoseconds()) / 1e3,
		stop: make(chan struct{}), done: make(chan struct{})}
	t.runs.Store(p, r)
	t.meta("process_name", r.pid, 0, g.Name)
	tid := 0
	for _, st := range g.Stages {
		name, _ := json.Marshal(st.Name)
		r.stages = append(r.stages, traceStage{name: name, input: len(st.Inputs) > 0})
		tr := make([]track, st.Workers)
		for i := range tr {
			// Idle until the goroutine starts.
			tr[i] = track{state: sluice.StateIdle, item: -1, open: true, tid: tid + 1 + i}
		}
		r.tracks = append(r.tracks, tr)
		for i := range tr {
			tid++
			label := st.Name
			if st.Workers > 1 {
				label = fmt.Sprintf("%s %d", st.Name, i)
			}
			t.meta("thread_name", r.pid, tid, label)
			t.event(`{"ph":"M","name":"thread_sort_index","pid":%d,"tid":%d,"args":{"sort_index":%d}}`, r.pid, tid, tid)
		}
	}
	go t.sample(p, r)
}

// Change implements sluice.Observer: it ends the goroutine's open span and
// opens the next.
func (t *Trace) Change(e sluice.Event) {
	now := float64(e.Time.Nanoseconds()) / 1e3
	v, ok := t.runs.Load(e.Pipeline)
	if !ok {
		return
	}
	r := v.(*traceRun)
	if r.ended.Load() || e.Stage >= len(r.tracks) || e.Worker >= len(r.tracks[e.Stage]) {
		return
	}
	tr := &r.tracks[e.Stage][e.Worker]
	if tr.open {
		t.span(r, e.Stage, tr, now)
		if len(tr.buf) >= trackFlush {
			t.flushTrack(tr)
		}
	}
	tr.state, tr.item, tr.since, tr.open = e.State, e.Item, now, true
}

// span writes the open span of tr, ending at end.
func (t *Trace) span(r *traceRun, stage int, tr *track, end float64) {
	dur := end - tr.since
	if dur <= 0 {
		return
	}
	st := r.stages[stage]
	b := append(tr.buf, ",\n"...)
	b = append(b, `{"ph":"X","pid":`...)
	b = strconv.AppendInt(b, int64(r.pid), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendInt(b, int64(tr.tid), 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendFloat(b, r.offset+tr.since, 'f', 3, 64)
	b = append(b, `,"dur":`...)
	b = strconv.AppendFloat(b, dur, 'f', 3, 64)
	b = append(b, `,"name":`...)
	if tr.state == sluice.StateBusy {
		b = append(b, st.name...)
	} else {
		b = strconv.AppendQuote(b, tr.state.String())
	}
	b = append(b, `,"cat":`...)
	b = strconv.AppendQuote(b, tr.state.String())
	b = append(b, `,"args":{"stage":`...)
	b = append(b, st.name...)
	if tr.state == sluice.StateBusy && tr.item >= 0 {
		if st.input {
			b = append(b, `,"item":`...)
		} else {
			b = append(b, `,"emitted":`...)
		}
		b = strconv.AppendInt(b, tr.item, 10)
	}
	b = append(b, "}}"...)
	tr.buf = b
}

// flushTrack writes the spans gathered in tr.
func (t *Trace) flushTrack(tr *track) {
	t.mu.Lock()
	if t.err == nil && !t.closed && len(tr.buf) > 0 {
		if _, err := t.w.Write(tr.buf); err != nil {
			t.err = err
		}
	}
	t.mu.Unlock()
	tr.buf = tr.buf[:0]
}

// buf returns the scratch buffer, holding the separator the next event
// needs; t.mu is held.
func (t *Trace) buf() []byte {
	if t.n > 0 {
		return append(t.scratch[:0], ",\n"...)
	}
	return t.scratch[:0]
}

func (t *Trace) write(b []byte) {
	t.scratch = b
	if t.err != nil || t.closed {
		return
	}
	if _, err := t.w.Write(b); err != nil {
		t.err = err
	}
	t.n++
}

// event writes one event from a format; t.mu is held.
func (t *Trace) event(format string, args ...any) {
	b := t.buf()
	b = fmt.Appendf(b, format, args...)
	t.write(b)
}

func (t *Trace) meta(kind string, pid, tid int, name string) {
	q, _ := json.Marshal(name)
	t.event(`{"ph":"M","name":%q,"pid":%d,"tid":%d,"args":{"name":%s}}`, kind, pid, tid, q)
}

// sample writes the counters every CounterEvery until the run ends.
func (t *Trace) sample(p *sluice.Pipeline, r *traceRun) {
	defer close(r.done)
	tick := time.NewTicker(CounterEvery)
	defer tick.Stop()
	for {
		t.counters(p, r)
		select {
		case <-r.stop:
			return
		case <-tick.C:
		}
	}
}

func (t *Trace) counters(p *sluice.Pipeline, r *traceRun) {
	s := p.Stats()
	ts := r.offset + float64(s.Elapsed.Nanoseconds())/1e3
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, st := range s.Stages {
		if st.QueueCap == 0 || i >= len(r.stages) {
			continue
		}
		t.event(`{"ph":"C","pid":%d,"ts":%.3f,"name":"queue to %s","args":{"batches":%d,"items":%d}}`,
			r.pid, ts, r.stages[i].name[1:len(r.stages[i].name)-1], st.QueueLen, st.QueueItems)
	}
	t.event(`{"ph":"C","pid":%d,"ts":%.3f,"name":"budget","args":{"bytes":%d}}`, r.pid, ts, s.InFlight)
}

// End implements sluice.Observer: it ends the run's open spans at the
// run's end and writes the last counters.
func (t *Trace) End(p *sluice.Pipeline, err error) {
	v, ok := t.runs.Load(p)
	if !ok {
		return
	}
	r := v.(*traceRun)
	r.ended.Store(true) // a goroutine released after a stall writes no more
	close(r.stop)
	<-r.done
	t.counters(p, r)
	end := float64(p.Stats().Elapsed.Nanoseconds()) / 1e3
	for s := range r.tracks {
		for w := range r.tracks[s] {
			tr := &r.tracks[s][w]
			if tr.open {
				t.span(r, s, tr, end)
				tr.open = false
			}
			t.flushTrack(tr)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.event(`{"ph":"i","s":"p","pid":%d,"tid":0,"ts":%.3f,"name":"run failed","args":{"error":%s}}`, r.pid, r.offset+end, jsonString(err.Error()))
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Close ends the JSON array and flushes it. It returns the first error met
// writing the trace. Events after Close are dropped.
func (t *Trace) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.err
	}
	t.closed = true
	if t.err == nil {
		if _, err := t.w.WriteString("\n]\n"); err != nil {
			t.err = err
		}
	}
	if err := t.w.Flush(); err != nil && t.err == nil {
		t.err = err
	}
	return t.err
}

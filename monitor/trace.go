package monitor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
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
// A Trace is safe for concurrent use. Each event costs a lock and about a
// hundred bytes of output; see BenchmarkTrace.
type Trace struct {
	mu      sync.Mutex
	w       *bufio.Writer
	err     error
	n       int       // events written
	epoch   time.Time // time 0 of the trace: the first run's start
	runs    map[*sluice.Pipeline]*traceRun
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
}

type traceStage struct {
	name  []byte // JSON string
	input bool   // has inputs: not a source
}

// track is the open span of one goroutine.
type track struct {
	state sluice.State
	item  int64
	since float64 // µs since the run's start
	open  bool
}

// NewTrace returns a Trace writing to w. Call Close once the runs it
// watches have ended to end the JSON array and flush.
func NewTrace(w io.Writer) *Trace {
	t := &Trace{w: bufio.NewWriterSize(w, 64<<10), runs: map[*sluice.Pipeline]*traceRun{}}
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
	t.runs[p] = r
	t.meta("process_name", r.pid, 0, g.Name)
	tid := 0
	for _, st := range g.Stages {
		name, _ := json.Marshal(st.Name)
		r.stages = append(r.stages, traceStage{name: name, input: len(st.Inputs) > 0})
		tr := make([]track, st.Workers)
		for i := range tr {
			tr[i] = track{state: sluice.StateIdle, item: -1, open: true} // until it starts
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

// tid is the thread id of a stage's goroutine: stages in order, from 1.
func (r *traceRun) tid(stage, worker int) int {
	n := 1
	for i := 0; i < stage; i++ {
		n += len(r.tracks[i])
	}
	return n + worker
}

// Change implements sluice.Observer: it ends the goroutine's open span and
// opens the next.
func (t *Trace) Change(e sluice.Event) {
	now := float64(e.Time.Nanoseconds()) / 1e3
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.runs[e.Pipeline]
	if r == nil || e.Stage >= len(r.tracks) || e.Worker >= len(r.tracks[e.Stage]) {
		return
	}
	tr := &r.tracks[e.Stage][e.Worker]
	if tr.open {
		t.span(r, e.Stage, e.Worker, tr, now)
	}
	*tr = track{state: e.State, item: e.Item, since: now, open: true}
}

// span writes the open span of tr, ending at end.
func (t *Trace) span(r *traceRun, stage, worker int, tr *track, end float64) {
	dur := end - tr.since
	if dur <= 0 {
		return
	}
	st := r.stages[stage]
	b := t.buf()
	b = append(b, `{"ph":"X","pid":`...)
	b = strconv.AppendInt(b, int64(r.pid), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendInt(b, int64(r.tid(stage, worker)), 10)
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
	t.write(b)
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
	t.mu.Lock()
	r := t.runs[p]
	t.mu.Unlock()
	if r == nil {
		return
	}
	close(r.stop)
	<-r.done
	t.counters(p, r)
	end := float64(p.Stats().Elapsed.Nanoseconds()) / 1e3
	t.mu.Lock()
	defer t.mu.Unlock()
	for s := range r.tracks {
		for w := range r.tracks[s] {
			if tr := &r.tracks[s][w]; tr.open {
				t.span(r, s, w, tr, end)
				tr.open = false
			}
		}
	}
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

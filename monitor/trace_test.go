package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/sluice-go/sluice"
)

// traceEvent is the part of a Chrome trace event the tests read.
type traceEvent struct {
	Ph   string         `json:"ph"`
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	Args map[string]any `json:"args"`
}

// samplePipeline is read → square (2 workers, 1 ms an item) → write over n
// sized items, under a budget.
func samplePipeline(name string, n int, work time.Duration) *sluice.Pipeline {
	p := sluice.New(sluice.Config{Name: name, Budget: 64 << 10})
	src := sluice.SizedBy(sluice.FromSlice(p, "read", ints(n)), func(int) int64 { return 4 << 10 })
	sq := sluice.Map(src, "square", sluice.Opts{Workers: 2, Ordered: true}, func(_ context.Context, v int) (int, error) {
		time.Sleep(work)
		return v * v, nil
	})
	sluice.Sink(sq, "write", sluice.Opts{}, func(context.Context, int) error { return nil })
	return p
}

func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestTrace records a run and reads the file back as Perfetto would: spans
// on one track must not overlap and must add up to the run's length; the
// square stage has a busy span per item carrying its index; the queues and
// the budget have counters.
func TestTrace(t *testing.T) {
	const n = 150
	p := samplePipeline("squares", n, time.Millisecond)
	var buf bytes.Buffer
	tr := TraceTo(p, &buf)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	var events []traceEvent
	if err := json.Unmarshal(buf.Bytes(), &events); err != nil {
		t.Fatalf("the trace is not a JSON array of events: %v", err)
	}
	wall := float64(p.Stats().Elapsed.Microseconds())
	names := map[int]string{}
	spans := map[int][]traceEvent{}
	counters := map[string]int{}
	for _, e := range events {
		switch e.Ph {
		case "M":
			if e.Name == "thread_name" {
				names[e.Tid] = e.Args["name"].(string)
			}
		case "X":
			spans[e.Tid] = append(spans[e.Tid], e)
		case "C":
			counters[e.Name]++
		}
	}
	wantTracks := []string{"read", "square 0", "square 1", "write"}
	var got []string
	for _, n := range names {
		got = append(got, n)
	}
	slices.Sort(got)
	if !slices.Equal(got, wantTracks) {
		t.Fatalf("got tracks %q, want %q", got, wantTracks)
	}
	items := map[int]bool{}
	for tid, ss := range spans {
		slices.SortFunc(ss, func(a, b traceEvent) int { return int(math.Copysign(1, a.Ts-b.Ts)) })
		sum := 0.0
		for i, s := range ss {
			sum += s.Dur
			if i > 0 && s.Ts < ss[i-1].Ts+ss[i-1].Dur-0.002 {
				t.Fatalf("track %s: span %q at %.3f µs starts before the one before it ends (%.3f)", names[tid], s.Name, s.Ts, ss[i-1].Ts+ss[i-1].Dur)
			}
			if names[tid] != "read" && names[tid] != "write" && s.Cat == "busy" {
				if s.Name != "square" {
					t.Errorf("track %s: got busy span %q, want it named square", names[tid], s.Name)
				}
				if v, ok := s.Args["item"].(float64); ok {
					items[int(v)] = true
				}
			}
		}
		if math.Abs(sum-wall) > 0.03*wall {
			t.Errorf("track %s: spans add up to %.0f µs, want the run's %.0f µs within 3%%", names[tid], sum, wall)
		}
	}
	for i := range n {
		if !items[i] {
			t.Fatalf("no busy span of square carries item %d", i)
		}
	}
	for _, c := range []string{"queue to square", "queue to write", "budget"} {
		if counters[c] < 2 {
			t.Errorf("got %d samples of counter %q, want at least 2", counters[c], c)
		}
	}
}

// TestTraceTwoPipelines watches two pipelines with one trace: each is a
// process of its own, named by Config.Name.
func TestTraceTwoPipelines(t *testing.T) {
	var buf bytes.Buffer
	tr := NewTrace(&buf)
	for i := range 2 {
		p := samplePipeline(fmt.Sprintf("job%d", i), 10, 0)
		tr.Watch(p)
		if err := p.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	var events []traceEvent
	if err := json.Unmarshal(buf.Bytes(), &events); err != nil {
		t.Fatal(err)
	}
	procs := map[int]string{}
	for _, e := range events {
		if e.Ph == "M" && e.Name == "process_name" {
			procs[e.Pid] = e.Args["name"].(string)
		}
	}
	if len(procs) != 2 || procs[1] != "job0" || procs[2] != "job1" {
		t.Errorf("got processes %v, want job0 and job1", procs)
	}
}

// BenchmarkTrace states what recording a trace costs per item, beside the
// same pipeline unwatched (BenchmarkOverhead's shape: no work per item).
func BenchmarkTrace(b *testing.B) {
	for _, traced := range []bool{false, true} {
		b.Run(fmt.Sprintf("traced=%v", traced), func(b *testing.B) {
			p := sluice.New(sluice.Config{})
			src := sluice.FromSlice(p, "source", ints(b.N))
			m := sluice.Map(src, "map", sluice.Opts{Workers: 2, Ordered: true}, func(_ context.Context, v int) (int, error) { return v, nil })
			sluice.Sink(m, "sink", sluice.Opts{}, func(context.Context, int) error { return nil })
			var buf bytes.Buffer
			var tr *Trace
			if traced {
				tr = TraceTo(p, &buf)
			}
			b.ResetTimer()
			if err := p.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			if tr != nil {
				tr.Close()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/item")
			b.ReportMetric(float64(buf.Len())/float64(b.N), "trace-B/item")
		})
	}
}

package sluice

import (
	"context"
	"strings"
	"testing"
	"time"
)

// slowly sleeps d: the stand-in for work that takes time.
func slowly(d time.Duration) { time.Sleep(d) }

// TestVerdict runs pipelines whose limiting stage is known by
// construction: it sleeps 2 ms per item while the others do nothing. The
// verdict must name it, say that it spent its time computing, and give it
// the largest share.
func TestVerdict(t *testing.T) {
	const n, d = 60, 2 * time.Millisecond
	id := func(_ context.Context, v int) (int, error) { return v, nil }
	none := func(context.Context, int) error { return nil }
	tests := []struct {
		name  string
		want  string
		build func(p *Pipeline)
	}{
		{"slow source", "read", func(p *Pipeline) {
			src := Source(p, "read", func(_ context.Context, emit func(int) error) error {
				for i := range n {
					slowly(d)
					if err := emit(i); err != nil {
						return err
					}
				}
				return nil
			})
			Sink(Map(src, "work", Opts{Workers: 2}, id), "write", Opts{}, none)
		}},
		{"slow sink", "write", func(p *Pipeline) {
			m := Map(FromSlice(p, "read", ints(n)), "work", Opts{Workers: 2}, id)
			Sink(m, "write", Opts{}, func(context.Context, int) error {
				slowly(d)
				return nil
			})
		}},
		{"slow middle", "work", func(p *Pipeline) {
			m := Map(FromSlice(p, "read", ints(n)), "work", Opts{Workers: 2, Ordered: true}, sleeper(d))
			Sink(Map(m, "light", Opts{Workers: 1}, id), "write", Opts{}, none)
		}},
		{"slow branch", "slow", func(p *Pipeline) {
			bs := Broadcast(FromSlice(p, "read", ints(n)), "fan", 3)
			Sink(bs[0], "fast", Opts{}, none)
			Sink(Map(bs[1], "slow", Opts{Workers: 1}, sleeper(d)), "slow-out", Opts{}, none)
			Sink(bs[2], "fast2", Opts{}, none)
		}},
		{"stopped early", "slow", func(p *Pipeline) {
			// The Take branch stops after three items and must not be
			// named for the time the other branch goes on.
			bs := Broadcast(FromSlice(p, "read", ints(n)), "fan", 2)
			Collect(Take(bs[0], "first", 3), "sample")
			Sink(bs[1], "slow", Opts{}, func(context.Context, int) error {
				slowly(d)
				return nil
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Config{QueueLen: 1})
			tt.build(p)
			if v := p.Stats().Verdict(); v != (Verdict{}) {
				t.Errorf("before Run: got %+v, want the zero Verdict", v)
			}
			run(t, p)
			s := p.Stats()
			v := s.Verdict()
			if v.Stage != tt.want || v.Kind != Computing {
				t.Fatalf("got stage %q %v, want %q computing (%s)\n%s", v.Stage, v.Kind, tt.want, s.Bottleneck(), table(s))
			}
			for _, st := range s.Stages {
				if f := share(st.Busy+st.IO, st.Workers, s.Elapsed); st.Name != v.Stage && f > v.Share {
					t.Errorf("%s worked %.2f of the time, more than the limiting %s's %.2f", st.Name, f, v.Stage, v.Share)
				}
			}
			if !strings.HasPrefix(s.Bottleneck(), tt.want+" limits throughput: ") {
				t.Errorf("Bottleneck: got %q, want it to name %s", s.Bottleneck(), tt.want)
			}
		})
	}
}

// table prints the figures of s for a failure message.
func table(s Stats) string {
	var sb strings.Builder
	for _, st := range s.Stages {
		sb.WriteString(st.Name + ": ")
		for k := Computing; k <= WaitingBudget; k++ {
			sb.WriteString(k.String() + " " + percent(share(st.Time(k), st.Workers, s.Elapsed)) + ", ")
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestBeginIO has a sink that marks its slow stretch as I/O: Stats must
// count that time as IO, not Busy, and the verdict must say so.
func TestBeginIO(t *testing.T) {
	const n, d = 40, 2 * time.Millisecond
	p := New(Config{})
	m := Map(FromSlice(p, "read", ints(n)), "work", Opts{Workers: 2}, func(_ context.Context, v int) (int, error) { return v, nil })
	Sink(m, "write", Opts{}, func(ctx context.Context, v int) error {
		end := BeginIO(ctx)
		slowly(d)
		if v%2 == 0 {
			end()
		} // else the stretch ends when the function returns
		return nil
	})
	run(t, p)
	s := p.Stats()
	w := s.Stages[2]
	if w.IO < n*d || w.IO < 4*w.Busy {
		t.Errorf("write: got IO %v, Busy %v, want IO at least %v and 4 × Busy", w.IO, w.Busy, n*d)
	}
	v := s.Verdict()
	if v.Stage != "write" || v.Kind != DoingIO || v.IOShare < v.Share/2 {
		t.Errorf("got %+v, want write doing I/O for most of its share", v)
	}
	if got, want := s.Bottleneck(), "doing I/O"; !strings.Contains(got, want) {
		t.Errorf("Bottleneck: got %q, want it to contain %q", got, want)
	}
}

// TestBeginIOElsewhere checks that BeginIO does nothing with a context
// that is not a stage's, and allocates nothing with one that is.
func TestBeginIOElsewhere(t *testing.T) {
	BeginIO(context.Background())() // must not panic
	st := &stageStats{name: "s", meters: make([]meter, 1)}
	m := &st.meters[0]
	m.st, m.endIO = st, m.stopIO
	ctx := withMeter(context.Background(), m)
	m.start()
	if n := testing.AllocsPerRun(100, func() { BeginIO(ctx)() }); n != 0 {
		t.Errorf("BeginIO: got %v allocations, want 0", n)
	}
	end := BeginIO(ctx)
	if again := BeginIO(ctx); m.ioSince.Load() == 0 {
		t.Fatal("BeginIO: got no I/O stretch open, want one")
	} else {
		again() // the nested call does nothing; the stretch stays open
	}
	if m.ioSince.Load() == 0 {
		t.Error("ending a nested BeginIO closed the outer stretch")
	}
	end()
	if m.ioSince.Load() != 0 || m.since.Load() == 0 {
		t.Error("after end: got an I/O stretch open, want a busy one")
	}
}

// TestVerdictHandOff checks on figures made by hand that a stage blocked
// on output is not named when the stage it feeds keeps it waiting: as in
// an image run whose workers are blocked behind a slow writer.
func TestVerdictHandOff(t *testing.T) {
	sec := time.Second
	read := StageStats{Name: "read", Workers: 1, Busy: sec, WaitOut: 9 * sec}
	filter := StageStats{Name: "filter", Workers: 4, Inputs: []string{"read"}, Busy: 21 * sec, WaitOut: 18 * sec, WaitIn: sec}
	tests := []struct {
		name  string
		write StageStats
		want  Verdict
	}{
		{
			// filter worked longer (52%), but write kept it waiting.
			name:  "writer never waits",
			write: StageStats{Name: "write", Workers: 1, Inputs: []string{"filter"}, Busy: sec, IO: 3 * sec, WaitIn: sec / 2},
			want: Verdict{Stage: "write", Workers: 1, Kind: DoingIO, Share: 0.4, IOShare: 0.3,
				Waiter: "filter", WaiterKind: BlockedOutput, WaiterShare: 0.45},
		},
		{
			name:  "writer waits too",
			write: StageStats{Name: "write", Workers: 1, Inputs: []string{"filter"}, Busy: 5 * sec, WaitIn: 5 * sec},
			want: Verdict{Stage: "filter", Workers: 4, Kind: Computing, Share: 0.525,
				Waiter: "write", WaiterKind: WaitingInput, WaiterShare: 0.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Stats{Elapsed: 10 * sec, Stages: []StageStats{read, filter, tt.write}}
			got := s.Verdict()
			const eps = 1e-9
			near := func(a, b float64) bool { return a-b < eps && b-a < eps }
			if got.Stage != tt.want.Stage || got.Workers != tt.want.Workers || got.Kind != tt.want.Kind ||
				!near(got.Share, tt.want.Share) || !near(got.IOShare, tt.want.IOShare) ||
				got.Waiter != tt.want.Waiter || got.WaiterKind != tt.want.WaiterKind || !near(got.WaiterShare, tt.want.WaiterShare) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	s := Stats{Elapsed: 10 * sec, Stages: []StageStats{read, filter, tests[0].write}}
	if got, want := s.Bottleneck(), "write limits throughput: its 1 worker was busy 40% of the time, 30% doing I/O; filter was blocked on output 45%"; got != want {
		t.Errorf("Bottleneck: got %q, want %q", got, want)
	}
}

func TestTimeKindString(t *testing.T) {
	for k, want := range map[TimeKind]string{Computing: "computing", DoingIO: "doing I/O", BlockedOutput: "blocked on output", TimeKind(9): "TimeKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("TimeKind(%d): got %q, want %q", int(k), got, want)
		}
	}
}

package sluice

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// rod is one part of a rod whose heat diffuses: cells first..first+len(v).
type rod struct {
	first int
	v     []float64
	next  []float64
}

func (r *rod) Size() int64 { return int64(16 * len(r.v)) }

// heat is the explicit step of the heat equation on one cell, from its
// left and right neighbours.
func heat(l, c, r float64) float64 { return c + 0.25*(l-2*c+r) }

// heatStep advances whole by one step, the ends insulated, and returns
// the largest change.
func heatStep(whole []float64) float64 {
	next := make([]float64, len(whole))
	most := 0.0
	for i, c := range whole {
		l, r := c, c
		if i > 0 {
			l = whole[i-1]
		}
		if i < len(whole)-1 {
			r = whole[i+1]
		}
		next[i] = heat(l, c, r)
		most = max(most, math.Abs(next[i]-c))
	}
	copy(whole, next)
	return most
}

// rodDomain is the heat equation as a Domain; delay, if set, runs first in
// every step.
func rodDomain(delay func(part, step int) error) Domain[*rod, float64] {
	return Domain[*rod, float64]{
		Edges: func(r *rod) (float64, float64) { return r.v[0], r.v[len(r.v)-1] },
		Step: func(ctx context.Context, r *rod, step int, prev, next *float64) (float64, error) {
			if delay != nil {
				if err := delay(r.first, step); err != nil {
					return 0, err
				}
			}
			most := 0.0
			for i, c := range r.v {
				l, rt := c, c
				switch {
				case i > 0:
					l = r.v[i-1]
				case prev != nil:
					l = *prev
				}
				switch {
				case i < len(r.v)-1:
					rt = r.v[i+1]
				case next != nil:
					rt = *next
				}
				r.next[i] = heat(l, c, rt)
				most = max(most, math.Abs(r.next[i]-c))
			}
			r.v, r.next = r.next, r.v
			return most, nil
		},
	}
}

// rodStart is the rod's temperature at the start: hot in a few places.
func rodStart(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		if i%17 < 3 {
			v[i] = float64(i%5) + 1
		}
	}
	return v
}

// cutRod cuts whole into k parts of near-equal length, in order.
func cutRod(whole []float64, k int) []*rod {
	var out []*rod
	for i := range k {
		a, b := i*len(whole)/k, (i+1)*len(whole)/k
		out = append(out, &rod{first: i, v: append([]float64(nil), whole[a:b]...), next: make([]float64, b-a)})
	}
	return out
}

func joinRod(parts []*rod) []float64 {
	var out []float64
	for _, r := range parts {
		out = append(out, r.v...)
	}
	return out
}

// runRod runs the heat equation over k parts and returns the rod, the
// pipeline and Run's error.
func runRod(ctx context.Context, cells, k int, o ExchangeOpts, d Domain[*rod, float64]) ([]float64, *Pipeline, error) {
	p := New(Config{})
	o.Parts = k
	parts := Exchange(FromSlice(p, "cut", cutRod(rodStart(cells), k)), "heat", o, d)
	c := Collect(parts, "join")
	err := p.Run(ctx)
	return joinRod(c.Items()), p, err
}

// TestExchangeMatchesSequential runs every part count from 1 to 9 with
// random delays in every part and checks the rod against a sequential run,
// exactly: each cell's arithmetic is the same wherever it runs.
func TestExchangeMatchesSequential(t *testing.T) {
	const cells, steps = 60, 40
	want := rodStart(cells)
	for range steps {
		heatStep(want)
	}
	for k := 1; k <= 9; k++ {
		t.Run(fmt.Sprintf("parts=%d", k), func(t *testing.T) {
			var mu sync.Mutex
			rng := rand.New(rand.NewPCG(uint64(k), 7))
			d := rodDomain(func(part, step int) error {
				mu.Lock()
				n := rng.IntN(4)
				mu.Unlock()
				if n > 0 {
					time.Sleep(time.Duration(n) * 50 * time.Microsecond)
				}
				return nil
			})
			got, p, err := runRod(context.Background(), cells, k, ExchangeOpts{Steps: steps}, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != cells {
				t.Fatalf("got %d cells, want %d", len(got), cells)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("cell %d: got %v, want %v", i, got[i], want[i])
				}
			}
			x := p.Stats().Exchanges
			if len(x) != 1 || len(x[0].Parts) != k {
				t.Fatalf("got %d exchange stats, want 1 with %d parts", len(x), k)
			}
			for i, ps := range x[0].Parts {
				if ps.Steps != steps || ps.WaitingOn != -1 {
					t.Errorf("part %d: got %d steps, waiting on %d; want %d, -1", i, ps.Steps, ps.WaitingOn, steps)
				}
			}
		})
	}
}

// TestExchangeReduceStops checks that a reduction every M steps ends the
// run at the first multiple of M where the largest change is below ε, the
// same step as a sequential run finds.
func TestExchangeReduceStops(t *testing.T) {
	const cells, eps, every = 40, 1e-3, 5
	seq := rodStart(cells)
	wantSteps := 0
	for {
		most := heatStep(seq)
		wantSteps++
		if wantSteps%every == 0 && most < eps {
			break
		}
	}
	for _, k := range []int{1, 3, 8} {
		t.Run(fmt.Sprintf("parts=%d", k), func(t *testing.T) {
			d := rodDomain(nil)
			var calls []int
			d.Reduce = func(steps int, figs []float64) bool {
				if len(figs) != k {
					t.Errorf("Reduce got %d figures, want %d", len(figs), k)
				}
				calls = append(calls, steps)
				most := 0.0
				for _, f := range figs {
					most = max(most, f)
				}
				return most < eps
			}
			got, p, err := runRod(context.Background(), cells, k, ExchangeOpts{Every: every}, d)
			if err != nil {
				t.Fatal(err)
			}
			if n := calls[len(calls)-1]; n != wantSteps || len(calls) != wantSteps/every {
				t.Errorf("stopped after %d steps with %d reductions, want %d and %d", n, len(calls), wantSteps, wantSteps/every)
			}
			for i := range seq {
				if got[i] != seq[i] {
					t.Fatalf("cell %d: got %v, want %v", i, got[i], seq[i])
				}
			}
			for i, ps := range p.Stats().Exchanges[0].Parts {
				if ps.Steps != int64(wantSteps) {
					t.Errorf("part %d took %d steps, want %d", i, ps.Steps, wantSteps)
				}
			}
		})
	}
}

// TestExchangeFailures cancels the run in the middle of a step, makes one
// part fail and one panic, for every part count and every part, and checks
// what Run returns; goleak (TestMain) checks that nothing is left running.
func TestExchangeFailures(t *testing.T) {
	boom := errors.New("boom")
	for k := 1; k <= 6; k++ {
		for bad := range k {
			t.Run(fmt.Sprintf("parts=%d/bad=%d", k, bad), func(t *testing.T) {
				t.Run("cancel", func(t *testing.T) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					d := rodDomain(func(part, step int) error {
						if part == bad && step == 3 {
							cancel()
							<-ctx.Done() // the step goes on while the run stops
						}
						return nil
					})
					_, _, err := runRod(ctx, 30, k, ExchangeOpts{Steps: 1000}, d)
					if !errors.Is(err, context.Canceled) {
						t.Errorf("got %v, want context.Canceled", err)
					}
				})
				t.Run("error", func(t *testing.T) {
					d := rodDomain(func(part, step int) error {
						if part == bad && step == 2 {
							return boom
						}
						return nil
					})
					_, _, err := runRod(context.Background(), 30, k, ExchangeOpts{Steps: 1000}, d)
					var se *StageError
					if !errors.As(err, &se) || !errors.Is(err, boom) || se.Stage != "heat" || se.Item != int64(bad) {
						t.Errorf("got %v, want boom from stage heat, item %d", err, bad)
					}
				})
				t.Run("panic", func(t *testing.T) {
					d := rodDomain(func(part, step int) error {
						if part == bad && step == 4 {
							panic("part gave up")
						}
						return nil
					})
					d.Reduce = func(int, []float64) bool { return false }
					_, _, err := runRod(context.Background(), 30, k, ExchangeOpts{Steps: 1000, Every: 3}, d)
					var pe *PanicError
					var se *StageError
					if !errors.As(err, &pe) || !errors.As(err, &se) || se.Item != int64(bad) || pe.Value != "part gave up" {
						t.Errorf("got %v, want the panic of item %d", err, bad)
					}
				})
			})
		}
	}
}

// TestExchangeWaitsOnlyOnNeighbours holds part 0 inside its first step and
// checks that, without a reduction, part d goes on to take exactly d steps
// (the edges part 0 sent before it stopped reach that far) and then waits
// on its neighbour d-1, never on a part further away. With a reduction
// every 2 steps, every part stops at the reduction instead.
func TestExchangeWaitsOnlyOnNeighbours(t *testing.T) {
	const k, steps = 7, 20
	for _, every := range []int{0, 2} {
		t.Run(fmt.Sprintf("every=%d", every), func(t *testing.T) {
			release := make(chan struct{})
			d := rodDomain(func(part, step int) error {
				if part == 0 && step == 0 {
					<-release
				}
				return nil
			})
			if every > 0 {
				d.Reduce = func(int, []float64) bool { return false }
			}
			p := New(Config{})
			out := Exchange(FromSlice(p, "cut", cutRod(rodStart(70), k)), "heat", ExchangeOpts{Parts: k, Steps: steps, Every: every}, d)
			Sink(out, "drop", Opts{}, func(context.Context, *rod) error { return nil })
			done := make(chan error, 1)
			go func() { done <- p.Run(context.Background()) }()
			// Every part settles: it waits on a neighbour or at the
			// reduction, having taken as many steps as it can.
			want := func(d int) (steps int64, on int, reducing bool) {
				if every > 0 && d >= every {
					return int64(every), -1, true
				}
				if d == 0 {
					return 0, -1, false
				}
				return int64(d), d - 1, false
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				x := p.Stats().Exchanges
				settled := len(x) == 1
				var bad string
				for i := 0; settled && i < k; i++ {
					ps := x[0].Parts[i]
					ws, won, wr := want(i)
					if ps.Steps > ws {
						t.Fatalf("part %d took %d steps while part 0 is held, want at most %d", i, ps.Steps, ws)
					}
					if ps.WaitingOn >= 0 && ps.WaitingOn != i-1 && ps.WaitingOn != i+1 {
						t.Fatalf("part %d waits on part %d, not a neighbour", i, ps.WaitingOn)
					}
					if ps.Steps != ws || ps.WaitingOn != won || ps.Reducing != wr {
						settled = false
						bad = fmt.Sprintf("part %d: %d steps, waiting on %d, reducing %v; want %d, %d, %v", i, ps.Steps, ps.WaitingOn, ps.Reducing, ws, won, wr)
					}
				}
				if settled {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("parts did not settle: %s", bad)
				}
				time.Sleep(time.Millisecond)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			for i, ps := range p.Stats().Exchanges[0].Parts {
				if ps.Steps != steps {
					t.Errorf("part %d took %d steps, want %d", i, ps.Steps, steps)
				}
			}
		})
	}
}

// TestExchangeWaits makes part 2 of 4 slow and checks that the bottleneck
// sentence names a neighbour waiting on it.
func TestExchangeWaits(t *testing.T) {
	d := rodDomain(func(part, step int) error {
		if part == 2 {
			time.Sleep(2 * time.Millisecond)
		}
		return nil
	})
	_, p, err := runRod(context.Background(), 40, 4, ExchangeOpts{Steps: 30, Name: "strip"}, d)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Stats()
	got := s.Bottleneck()
	if !strings.Contains(got, "heat limits throughput") || !strings.Contains(got, "waits on strip 2 ") {
		t.Errorf("got %q, want heat named, and a strip waiting on strip 2", got)
	}
	slow := s.Exchanges[0].Parts[2]
	if slow.Busy < 30*2*time.Millisecond {
		t.Errorf("strip 2 busy %v, want at least 60ms", slow.Busy)
	}
}

func TestExchangePartCount(t *testing.T) {
	for _, n := range []int{2, 5} {
		p := New(Config{})
		out := Exchange(FromSlice(p, "cut", cutRod(rodStart(20), n)), "heat", ExchangeOpts{Parts: 3, Steps: 2}, rodDomain(nil))
		Sink(out, "drop", Opts{}, func(context.Context, *rod) error { return nil })
		err := p.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "exchange expects 3 parts") {
			t.Errorf("%d parts: got %v, want an error about the count", n, err)
		}
	}
}

// TestExchangeBudget gives the parts a budget that holds only some of
// them: the run fails with an error instead of waiting for ever. With room
// for all, it runs and the charges come back.
func TestExchangeBudget(t *testing.T) {
	parts := cutRod(rodStart(400), 4) // 1600 bytes a part
	for _, c := range []struct {
		budget int64
		ok     bool
	}{{4000, false}, {6400, true}} {
		p := New(Config{Budget: c.budget})
		src := SizedBy(FromSlice(p, "cut", parts), func(r *rod) int64 { return r.Size() })
		out := Exchange(src, "heat", ExchangeOpts{Parts: 4, Steps: 3}, rodDomain(nil))
		Sink(out, "drop", Opts{}, func(context.Context, *rod) error { return nil })
		err := p.Run(context.Background())
		if c.ok != (err == nil) {
			t.Errorf("budget %d: got %v, want ok=%v", c.budget, err, c.ok)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "exchange holds at once")) {
			t.Errorf("budget %d: got %v, want the budget named", c.budget, err)
		}
		s := p.Stats()
		if c.ok && (s.InFlight != 0 || s.PeakBytes != 6400) {
			t.Errorf("budget %d: in flight %d, peak %d; want 0 and 6400", c.budget, s.InFlight, s.PeakBytes)
		}
	}
}

func TestExchangeMisuse(t *testing.T) {
	for name, f := range map[string]func(p *Pipeline){
		"no end":    func(p *Pipeline) { Exchange(FromSlice(p, "s", []*rod{}), "x", ExchangeOpts{}, rodDomain(nil)) },
		"no reduce": func(p *Pipeline) { Exchange(FromSlice(p, "s", []*rod{}), "x", ExchangeOpts{Every: 2}, rodDomain(nil)) },
		"no step": func(p *Pipeline) {
			Exchange(FromSlice(p, "s", []*rod{}), "x", ExchangeOpts{Steps: 1}, Domain[*rod, float64]{})
		},
		"negative": func(p *Pipeline) { Exchange(FromSlice(p, "s", []*rod{}), "x", ExchangeOpts{Steps: -1}, rodDomain(nil)) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "sluice: ") {
					t.Errorf("got panic %v, want a sluice: message", r)
				}
			}()
			f(New(Config{}))
		})
	}
}

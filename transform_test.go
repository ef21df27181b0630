package sluice

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// matrix runs f for ordered × unordered and 1, 2 and 8 workers.
func matrix(t *testing.T, f func(t *testing.T, o Opts)) {
	t.Helper()
	for _, ordered := range []bool{false, true} {
		for _, workers := range []int{1, 2, 8} {
			o := Opts{Workers: workers, Ordered: ordered}
			t.Run(fmt.Sprintf("ordered=%v/workers=%d", ordered, workers), func(t *testing.T) { f(t, o) })
		}
	}
}

func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// checkItems compares got with want: exactly when ordered, as multisets
// otherwise.
func checkItems[T interface{ ~int }](t *testing.T, got, want []T, ordered bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	if !ordered {
		got = slices.Clone(got)
		want = slices.Clone(want)
		slices.Sort(got)
		slices.Sort(want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("item %d: got %d, want %d (ordered=%v)", i, got[i], want[i], ordered)
		}
	}
}

func run(t *testing.T, p *Pipeline) {
	t.Helper()
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: got error %v, want nil", err)
	}
}

func TestMap(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{QueueLen: 4})
		m := Map(FromSlice(p, "src", ints(5000)), "square", o, func(_ context.Context, v int) (int, error) {
			return v * v, nil
		})
		c := Collect(m, "collect")
		run(t, p)
		want := make([]int, 5000)
		for i := range want {
			want[i] = i * i
		}
		checkItems(t, c.Items(), want, o.Ordered)
	})
}

func TestFlatMap(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		// Item i becomes i%5 copies of itself: none, one and up to four,
		// and every hundredth item 100 copies, more than a batch.
		fm := FlatMap(FromSlice(p, "src", ints(2000)), "repeat", o, func(_ context.Context, v int, emit func(int) error) error {
			n := v % 5
			if v%100 == 0 {
				n = 100
			}
			for range n {
				if err := emit(v); err != nil {
					return err
				}
			}
			return nil
		})
		c := Collect(fm, "collect")
		run(t, p)
		var want []int
		for v := range 2000 {
			n := v % 5
			if v%100 == 0 {
				n = 100
			}
			for range n {
				want = append(want, v)
			}
		}
		checkItems(t, c.Items(), want, o.Ordered)
	})
}

func TestFilter(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		f := Filter(FromSlice(p, "src", ints(3000)), "odd", o, func(_ context.Context, v int) (bool, error) {
			return v%2 == 1, nil
		})
		c := Collect(f, "collect")
		run(t, p)
		var want []int
		for v := 1; v < 3000; v += 2 {
			want = append(want, v)
		}
		checkItems(t, c.Items(), want, o.Ordered)
		st := p.Stats().Stages[1]
		if st.In != 3000 || st.Out != 1500 {
			t.Errorf("filter In, Out: got %d, %d, want 3000, 1500", st.In, st.Out)
		}
	})
}

func TestChainKeepsOrder(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{QueueLen: 2})
		s := FromSeq(p, "src", slices.Values(ints(4000)))
		s = Map(s, "inc", o, func(_ context.Context, v int) (int, error) { return v + 1, nil })
		s = Filter(s, "keep", o, func(_ context.Context, v int) (bool, error) { return v%3 != 0, nil })
		s = Map(s, "dec", o, func(_ context.Context, v int) (int, error) { return v - 1, nil })
		c := Collect(s, "collect")
		run(t, p)
		var want []int
		for v := range 4000 {
			if (v+1)%3 != 0 {
				want = append(want, v)
			}
		}
		checkItems(t, c.Items(), want, o.Ordered)
	})
}

// TestOrderedUnderRandomDelays is a property test: whatever each item's
// processing time, an ordered stage's output equals its input order.
func TestOrderedUnderRandomDelays(t *testing.T) {
	for seed := range uint64(6) {
		for _, workers := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("seed=%d/workers=%d", seed, workers), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 7))
				n := 200 + rng.IntN(300)
				delays := make([]time.Duration, n)
				for i := range delays {
					if rng.IntN(4) == 0 {
						delays[i] = time.Duration(rng.IntN(200)) * time.Microsecond
					}
				}
				p := New(Config{QueueLen: 1 + rng.IntN(4)})
				fm := FlatMap(FromSlice(p, "src", ints(n)), "work", Opts{Workers: workers, Ordered: true},
					func(_ context.Context, v int, emit func(int) error) error {
						time.Sleep(delays[v])
						for k := range v % 3 {
							if err := emit(v*3 + k); err != nil {
								return err
							}
						}
						return nil
					})
				m := Map(fm, "work2", Opts{Workers: workers, Ordered: true}, func(_ context.Context, v int) (int, error) {
					time.Sleep(delays[v/3] / 2)
					return v, nil
				})
				c := Collect(m, "collect")
				run(t, p)
				var want []int
				for v := range n {
					for k := range v % 3 {
						want = append(want, v*3+k)
					}
				}
				checkItems(t, c.Items(), want, true)
			})
		}
	}
}

func TestSink(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		var got []int
		calls := make(chan int, 10000)
		Sink(FromSlice(p, "src", ints(10000)), "sink", o, func(_ context.Context, v int) error {
			calls <- v
			return nil
		})
		run(t, p)
		close(calls)
		for v := range calls {
			got = append(got, v)
		}
		checkItems(t, got, ints(10000), o.Ordered)
		st := p.Stats().Stages[1]
		wantWorkers := o.Workers
		if o.Ordered {
			wantWorkers = 1
		}
		if st.Workers != wantWorkers || st.In != 10000 {
			t.Errorf("sink Workers, In: got %d, %d, want %d, 10000", st.Workers, st.In, wantWorkers)
		}
	})
}

func TestSource(t *testing.T) {
	p := New(Config{})
	s := Source(p, "count", func(ctx context.Context, emit func(int) error) error {
		for i := range 100 {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	c := Collect(s, "collect")
	run(t, p)
	checkItems(t, c.Items(), ints(100), true)
}

func TestZeroPipeline(t *testing.T) {
	var p Pipeline
	c := Collect(FromSlice(&p, "src", ints(10)), "collect")
	run(t, &p)
	checkItems(t, c.Items(), ints(10), true)
}

func TestEmptySource(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		c := Collect(Map(FromSlice[int](p, "src", nil), "id", o, func(_ context.Context, v int) (int, error) { return v, nil }), "c")
		run(t, p)
		if n := len(c.Items()); n != 0 {
			t.Errorf("got %d items, want 0", n)
		}
	})
}

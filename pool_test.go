package sluice

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gauge counts the goroutines inside user code and the most seen at once.
type gauge struct{ now, peak atomic.Int64 }

func (g *gauge) enter() {
	n := g.now.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) leave() { g.now.Add(-1) }

// spin burns CPU for n units of work and returns something the compiler
// cannot drop.
func spin(n int) int {
	x := 1
	for i := range n * 2000 {
		x = x*31 + i
	}
	return x
}

// pooledPipeline builds source → map → sink with every worker of map and
// sink inside g, on pool pl; it returns the collected outputs.
func pooledPipeline(pl *Pool, g *gauge, n, workers int, ordered bool) (*Pipeline, *[]int) {
	p := New(Config{Pool: pl, QueueLen: 2})
	src := FromSeq(p, "source", func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	})
	m := Map(src, "map", Opts{Workers: workers, Ordered: ordered}, func(_ context.Context, v int) (int, error) {
		g.enter()
		defer g.leave()
		spin(1)
		return v, nil
	})
	var mu sync.Mutex
	out := new([]int)
	Sink(m, "sink", Opts{Workers: 2, Ordered: ordered}, func(_ context.Context, v int) error {
		g.enter()
		defer g.leave()
		mu.Lock()
		*out = append(*out, v)
		mu.Unlock()
		return nil
	})
	return p, out
}

func TestPoolBoundsWorkers(t *testing.T) {
	for _, slots := range []int{1, 2, 3} {
		for _, ordered := range []bool{false, true} {
			t.Run(fmt.Sprintf("slots=%d/ordered=%v", slots, ordered), func(t *testing.T) {
				pl := NewPool(slots)
				var g gauge
				const n = 2000
				p, out := pooledPipeline(pl, &g, n, 6, ordered)
				if err := p.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				if got := g.peak.Load(); got > int64(slots) {
					t.Errorf("got %d goroutines in user code at once, want at most %d", got, slots)
				}
				if got := len(*out); got != n {
					t.Fatalf("got %d items, want %d", got, n)
				}
				for i, v := range *out {
					if ordered && v != i {
						t.Fatalf("item %d is %d, want %d", i, v, i)
					}
				}
				if got := pl.InUse(); got != 0 {
					t.Errorf("got %d slots in use after Run, want 0", got)
				}
				if pl.Grants() == 0 {
					t.Error("got 0 grants, want some")
				}
			})
		}
	}
}

func TestPoolSharedByPipelines(t *testing.T) {
	pl := NewPool(2)
	var g gauge
	var wg sync.WaitGroup
	errs := make([]error, 3)
	outs := make([]*[]int, 3)
	for i := range 3 {
		p, out := pooledPipeline(pl, &g, 1000, 4, i%2 == 0)
		outs[i] = out
		wg.Go(func() { errs[i] = p.Run(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("pipeline %d: %v", i, err)
		}
		if got := len(*outs[i]); got != 1000 {
			t.Errorf("pipeline %d: got %d items, want 1000", i, got)
		}
	}
	if got := g.peak.Load(); got > 2 {
		t.Errorf("got %d goroutines in user code at once over three pipelines, want at most 2", got)
	}
}

// TestPoolUsesEverySlot checks that a pipeline alone gets every slot: the
// first items wait inside user code until as many workers as slots are
// there together, which never happens if the pool hands out fewer.
func TestPoolUsesEverySlot(t *testing.T) {
	const slots = 3
	pl := NewPool(slots)
	var inside sync.WaitGroup
	inside.Add(slots)
	all := make(chan struct{})
	go func() { inside.Wait(); close(all) }()
	var first atomic.Int64
	p := New(Config{Pool: pl})
	src := FromSlice(p, "source", make([]int, 50))
	Sink(Map(src, "map", Opts{Workers: 8}, func(ctx context.Context, v int) (int, error) {
		if first.Add(1) <= slots {
			inside.Done()
			select {
			case <-all:
			case <-time.After(20 * time.Second):
				return 0, errors.New("the pool never let every slot run at once")
			}
		}
		return v, nil
	}), "sink", Opts{NoPool: true}, func(context.Context, int) error { return nil })
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPoolWaitInStats(t *testing.T) {
	pl := NewPool(1)
	p := New(Config{Pool: pl})
	src := FromSlice(p, "source", make([]int, 40))
	m := Map(src, "map", Opts{Workers: 4}, func(_ context.Context, v int) (int, error) {
		time.Sleep(100 * time.Microsecond)
		return v, nil
	})
	Sink(m, "sink", Opts{NoPool: true}, func(context.Context, int) error { return nil })
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	if st.Stages[1].WaitPool <= 0 {
		t.Errorf("map: got WaitPool %v with 4 workers on 1 slot, want > 0", st.Stages[1].WaitPool)
	}
	if st.Stages[2].WaitPool != 0 || st.Stages[0].WaitPool != 0 {
		t.Errorf("source, sink: got WaitPool %v, %v outside the pool, want 0", st.Stages[0].WaitPool, st.Stages[2].WaitPool)
	}
}

// TestPoolCancelWhileWaiting cancels a pipeline whose workers wait for the
// only slot, which another pipeline holds: Run must return, not wait for
// the slot.
func TestPoolCancelWhileWaiting(t *testing.T) {
	pl := NewPool(1)
	holding, unblock := make(chan struct{}), make(chan struct{})
	a := New(Config{Pool: pl})
	Sink(FromSlice(a, "source", []int{1}), "hold", Opts{}, func(context.Context, int) error {
		close(holding)
		<-unblock
		return nil
	})
	aerr := make(chan error, 1)
	go func() { aerr <- a.Run(context.Background()) }()
	<-holding

	b := New(Config{Pool: pl})
	var calls atomic.Int64
	Sink(FromSlice(b, "source", []int{1, 2, 3}), "wait", Opts{Workers: 2}, func(context.Context, int) error {
		calls.Add(1)
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	berr := make(chan error, 1)
	go func() { berr <- b.Run(ctx) }()
	for pl.waiters.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-berr; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if got := calls.Load(); got != 0 {
		t.Errorf("got %d calls without a slot, want 0", got)
	}
	close(unblock)
	if err := <-aerr; err != nil {
		t.Fatal(err)
	}
	if got := pl.InUse(); got != 0 {
		t.Errorf("got %d slots in use, want 0", got)
	}
}

func TestPoolZeroValue(t *testing.T) {
	var pl Pool
	if got, want := pl.Size(), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("got %d slots, want GOMAXPROCS = %d", got, want)
	}
	var g gauge
	p, out := pooledPipeline(&pl, &g, 100, 3, true)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(*out) != 100 {
		t.Errorf("got %d items, want 100", len(*out))
	}
}

func TestNewPoolMisuse(t *testing.T) {
	for _, n := range []int{0, -1} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("NewPool(%d): got no panic, want one", n)
				}
			}()
			NewPool(n)
		}()
	}
}

// TestPoolFairShare runs a light pipeline (2 workers, items of one unit of
// work) while a heavy one (4 workers, items of eight units) keeps a pool of
// two slots busy. Shared fairly, each gets half the slot time, so the
// light one does about as many units as the heavy one meanwhile; first
// come first served would give it about one unit in sixteen. The test
// asks for at least half its fair share, counted in units of work done,
// not in time.
func TestPoolFairShare(t *testing.T) {
	const unit, heavyItem, lightItems = 50, 8, 400
	pl := NewPool(2)
	var heavyUnits, lightUnits atomic.Int64

	ctx, cancel := context.WithCancel(context.Background())
	heavy := New(Config{Pool: pl})
	hsrc := Source(heavy, "source", func(ctx context.Context, emit func(int) error) error {
		for i := 0; ; i++ {
			if err := emit(i); err != nil {
				return err
			}
		}
	})
	Sink(Map(hsrc, "work", Opts{Workers: 4}, func(_ context.Context, v int) (int, error) {
		v += spin(heavyItem * unit)
		heavyUnits.Add(heavyItem)
		return v, nil
	}), "sink", Opts{NoPool: true}, func(context.Context, int) error { return nil })
	herr := make(chan error, 1)
	go func() { herr <- heavy.Run(ctx) }()
	for heavyUnits.Load() < 10*heavyItem {
		runtime.Gosched()
	}

	light := New(Config{Pool: pl})
	lsrc := FromSlice(light, "source", make([]int, lightItems))
	Sink(Map(lsrc, "work", Opts{Workers: 2}, func(_ context.Context, v int) (int, error) {
		v += spin(unit)
		lightUnits.Add(1)
		return v, nil
	}), "sink", Opts{NoPool: true}, func(context.Context, int) error { return nil })
	h0 := heavyUnits.Load()
	lerr := light.Run(context.Background())
	h1 := heavyUnits.Load()
	cancel()
	if err := <-herr; !errors.Is(err, context.Canceled) {
		t.Errorf("heavy: got %v, want context.Canceled", err)
	}
	if lerr != nil {
		t.Fatal(lerr)
	}
	l, h := lightUnits.Load(), h1-h0
	share := float64(l) / float64(l+h)
	t.Logf("light did %d units, heavy %d meanwhile: light's share %.2f, fair 0.50", l, h, share)
	if share < 0.25 || share > 0.75 {
		t.Errorf("light pipeline's share of the work: got %.2f (%d units against %d), want 0.25…0.75 around its fair share of 0.50", share, l, h)
	}
}

// BenchmarkPoolOverhead is BenchmarkOverhead's pipeline (source → map →
// sink, no work) with its map and sink in a Pool of as many slots as the
// map has workers, beside the same pipeline without one, measured in the
// same run. One b.N iteration is one item.
func BenchmarkPoolOverhead(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		for _, pooled := range []bool{false, true} {
			b.Run(fmt.Sprintf("workers=%d/pool=%v", workers, pooled), func(b *testing.B) {
				measure(b, func(n int) {
					cfg := Config{}
					if pooled {
						cfg.Pool = NewPool(workers)
					}
					p := New(cfg)
					src := Source(p, "source", func(_ context.Context, emit func(int) error) error {
						for i := range n {
							if err := emit(i); err != nil {
								return err
							}
						}
						return nil
					})
					m := Map(src, "map", Opts{Workers: workers, Ordered: true}, func(_ context.Context, v int) (int, error) {
						return v, nil
					})
					Sink(m, "sink", Opts{}, func(context.Context, int) error { return nil })
					if err := p.Run(context.Background()); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}

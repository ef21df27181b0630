// Command sharedpool runs two pipelines at once on one pool of workers: a
// heavy one, whose items take eight times as long, and a light one. The
// pool hands its slots out in fair shares, so the light pipeline does
// about as much work as the heavy one while both run, and at most as many
// goroutines compute as the pool has slots.
package main

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sluice-go/sluice"
)

// work burns CPU for n units and returns a value the compiler keeps.
func work(n int) int {
	x := 1
	for i := range n * 100_000 {
		x = x*31 + i
	}
	return x
}

// run builds a pipeline of items that cost units each on pool and runs it
// until ctx is done or items run out, counting the units done.
func run(ctx context.Context, pool *sluice.Pool, name string, items, units int, done *atomic.Int64) error {
	p := sluice.New(sluice.Config{Pool: pool})
	src := sluice.FromSeq(p, "items", func(yield func(int) bool) {
		for i := range items {
			if !yield(i) {
				return
			}
		}
	})
	out := sluice.Map(src, name, sluice.Opts{Workers: 4}, func(_ context.Context, v int) (int, error) {
		v += work(units)
		done.Add(int64(units))
		return v, nil
	})
	sluice.Sink(out, "drop", sluice.Opts{NoPool: true}, func(context.Context, int) error { return nil })
	return p.Run(ctx)
}

func main() {
	pool := sluice.NewPool(2)
	var heavy, light atomic.Int64
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = run(ctx, pool, "heavy", 1<<30, 8, &heavy) }) // runs until stopped
	for heavy.Load() == 0 {
		runtime.Gosched() // until the heavy pipeline is under way
	}
	h0 := heavy.Load()
	if err := run(context.Background(), pool, "light", 400, 1, &light); err != nil {
		log.Fatal(err)
	}
	h1 := heavy.Load()
	stop()
	wg.Wait()
	l, h := light.Load(), h1-h0
	fmt.Printf("while both ran, the light pipeline did %d units of work and the heavy one %d: a share of %.0f%% for the light one (fair: 50%%)\n",
		l, h, 100*float64(l)/float64(l+h))
	fmt.Printf("pool: %d slots, %d handed out, %d in use now\n", pool.Size(), pool.Grants(), pool.InUse())
}

package sluice_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/sluice-go/sluice"
)

// Two pipelines share a pool of two slots: at most two goroutines run
// their stages' code at once, and each pipeline gets about half the slot
// time while both have work.
func ExampleNewPool() {
	pool := sluice.NewPool(2)
	sums := make([]int, 2)
	var wg sync.WaitGroup
	for i := range sums {
		p := sluice.New(sluice.Config{Pool: pool})
		nums := sluice.FromSlice(p, "read", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
		squares := sluice.Map(nums, "square", sluice.Opts{Workers: 4}, func(_ context.Context, v int) (int, error) {
			return v * v * (i + 1), nil
		})
		sluice.Sink(squares, "sum", sluice.Opts{NoPool: true}, func(_ context.Context, v int) error {
			sums[i] += v
			return nil
		})
		wg.Go(func() {
			if err := p.Run(context.Background()); err != nil {
				fmt.Println(err)
			}
		})
	}
	wg.Wait()
	fmt.Println(sums, "slots:", pool.Size(), "in use:", pool.InUse())
	// Output: [385 770] slots: 2 in use: 0
}

// The zero Pool has one slot per processor.
func ExamplePool() {
	var pool sluice.Pool
	p := sluice.New(sluice.Config{Pool: &pool})
	words := sluice.FromSlice(p, "read", []string{"one", "pool", "for", "all", "the", "work"})
	lengths := sluice.Map(words, "len", sluice.Opts{Ordered: true}, func(_ context.Context, s string) (int, error) {
		return len(s), nil
	})
	c := sluice.Collect(lengths, "collect")
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(c.Items(), "slots granted:", pool.Grants() > 0)
	// Output: [3 4 3 3 3 4] slots granted: true
}

package sluice

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkOverhead moves ints through source → map → sink with no work,
// beside the same pipeline written with plain channels. One b.N iteration
// is one item.
func BenchmarkOverhead(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		for _, ordered := range []bool{false, true} {
			b.Run(fmt.Sprintf("impl=sluice/workers=%d/ordered=%v", workers, ordered), func(b *testing.B) {
				measure(b, func(n int) {
					p := New(Config{})
					src := Source(p, "source", func(_ context.Context, emit func(int) error) error {
						for i := range n {
							if err := emit(i); err != nil {
								return err
							}
						}
						return nil
					})
					m := Map(src, "map", Opts{Workers: workers, Ordered: ordered}, func(_ context.Context, v int) (int, error) {
						return v, nil
					})
					Sink(m, "sink", Opts{}, func(context.Context, int) error { return nil })
					if err := p.Run(context.Background()); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
		b.Run(fmt.Sprintf("impl=channels/workers=%d", workers), func(b *testing.B) {
			measure(b, func(n int) { channelPipeline(n, workers) })
		})
	}
}

// channelPipeline is the hand-written reference: one channel send per item
// between each pair of stages.
func channelPipeline(n, workers int) {
	src := make(chan int, DefaultQueueLen)
	out := make(chan int, DefaultQueueLen)
	go func() {
		defer close(src)
		for i := range n {
			src <- i
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for v := range src {
				out <- v
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	for range out {
	}
}

// measure runs one pass of b.N items and reports ns/item and allocs/item.
func measure(b *testing.B, run func(n int)) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/item")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/item")
}

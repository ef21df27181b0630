package pipeline

import (
	"context"
	"crypto/sha256"
	"sync"

	"github.com/sluice-go/sluice"
	"github.com/sourcegraph/conc/pool"
	"github.com/sourcegraph/conc/stream"
)

// impl is one way to run n items 0 … n-1 through source → map(work) →
// sink with the given number of map workers. It returns the sum of what
// the sink received, so a test can check that every item arrived once.
type impl struct {
	name string
	run  func(n, workers int, work func(int) int) int
}

// impls lists the implementations, unordered ones first. rill is missing:
// see the README.
var impls = []impl{
	{"sluice", func(n, w int, work func(int) int) int { return sluiceRun(n, w, false, work) }},
	{"channels", channelRun},
	{"channels-batched", channelBatchedRun},
	{"conc-pool", concPoolRun},
	{"sluice-ordered", func(n, w int, work func(int) int) int { return sluiceRun(n, w, true, work) }},
	{"conc-stream", concStreamRun},
}

// queueLen is the capacity of the hand-written pipeline's channels, the
// same as the core's own channel reference in the root package's
// BenchmarkOverhead.
const queueLen = sluice.DefaultQueueLen

func noop(v int) int { return v }

// block is the 4 KiB that each item of the SHA256 workload hashes.
var block = func() []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// hash is the real work per item: SHA-256 of 4 KiB.
func hash(v int) int {
	sum := sha256.Sum256(block)
	return int(sum[0]) ^ v
}

func sluiceRun(n, workers int, ordered bool, work func(int) int) int {
	p := sluice.New(sluice.Config{})
	src := sluice.Source(p, "source", func(_ context.Context, emit func(int) error) error {
		for i := range n {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	m := sluice.Map(src, "map", sluice.Opts{Workers: workers, Ordered: ordered}, func(_ context.Context, v int) (int, error) {
		return work(v), nil
	})
	sum := 0
	sluice.Sink(m, "sink", sluice.Opts{}, func(_ context.Context, v int) error {
		sum += v
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		panic(err) // nothing in these stages can fail
	}
	return sum
}

// channelRun is the plain hand-written reference: one channel send per
// item between each pair of stages.
func channelRun(n, workers int, work func(int) int) int {
	src := make(chan int, queueLen)
	out := make(chan int, queueLen)
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
				out <- work(v)
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	sum := 0
	for v := range out {
		sum += v
	}
	return sum
}

// batchLen is how many items channelBatchedRun sends at once: sluice's
// largest batch.
const batchLen = 32

// channelBatchedRun is the hand-written pipeline that batches as sluice
// does: up to batchLen items per channel operation, batches recycled
// through a sync.Pool so that steady state allocates nothing, and the
// same channel capacity (counted in batches, as sluice's queues are).
// Unlike sluice, it sends only full batches until the end, so an item can
// wait in the producer for the rest of its batch.
func channelBatchedRun(n, workers int, work func(int) int) int {
	pool := sync.Pool{New: func() any {
		b := make([]int, 0, batchLen)
		return &b
	}}
	src := make(chan *[]int, queueLen)
	out := make(chan *[]int, queueLen)
	go func() {
		defer close(src)
		b := pool.Get().(*[]int)
		for i := range n {
			*b = append(*b, i)
			if len(*b) == batchLen {
				src <- b
				b = pool.Get().(*[]int)
			}
		}
		if len(*b) > 0 {
			src <- b
		} else {
			pool.Put(b)
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range src {
				for i, v := range *b {
					(*b)[i] = work(v)
				}
				out <- b
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	sum := 0
	for b := range out {
		for _, v := range *b {
			sum += v
		}
		*b = (*b)[:0]
		pool.Put(b)
	}
	return sum
}

// concPoolRun submits one task per item to a conc pool of workers
// goroutines; each task sends its result to the sink's channel.
func concPoolRun(n, workers int, work func(int) int) int {
	out := make(chan int, queueLen)
	sum := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range out {
			sum += v
		}
	}()
	p := pool.New().WithMaxGoroutines(workers)
	for i := range n {
		p.Go(func() { out <- work(i) })
	}
	p.Wait()
	close(out)
	<-done
	return sum
}

// concStreamRun uses conc's stream, which runs tasks on workers goroutines
// and their callbacks one at a time in submission order: the ordered
// counterpart of sluice-ordered.
func concStreamRun(n, workers int, work func(int) int) int {
	s := stream.New().WithMaxGoroutines(workers)
	sum := 0
	for i := range n {
		s.Go(func() stream.Callback {
			v := work(i)
			return func() { sum += v }
		})
	}
	s.Wait()
	return sum
}

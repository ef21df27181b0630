// Command workerpool runs the worker-pool pattern: one producer feeds a
// pool of workers on every core, and one consumer gathers their results in
// input order. Items report their size, so a memory budget bounds what is
// in flight.
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log"

	"github.com/sluice-go/sluice"
)

// block is a chunk of data that reports its size to the budget.
type block struct {
	n    int
	data []byte
}

func (b *block) Size() int64 { return int64(len(b.data)) }

func main() {
	p := sluice.New(sluice.Config{Budget: 8 << 20}) // at most 8 MiB of blocks in flight
	blocks := sluice.Source(p, "read", func(ctx context.Context, emit func(*block) error) error {
		for i := range 512 {
			b := &block{n: i, data: make([]byte, 1<<20)}
			b.data[0] = byte(i)
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	})
	sums := sluice.Map(blocks, "hash", sluice.Opts{Ordered: true}, func(_ context.Context, b *block) ([32]byte, error) {
		return sha256.Sum256(b.data), nil
	})
	var last [32]byte
	n := 0
	sluice.Sink(sums, "write", sluice.Opts{Ordered: true}, func(_ context.Context, s [32]byte) error {
		last, n = s, n+1
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hashed %d blocks, last %x\n", n, last[:4])
	s := p.Stats()
	fmt.Printf("elapsed %v, peak %d MiB in flight of a %d MiB budget\n", s.Elapsed.Round(1000), s.PeakBytes>>20, s.Budget>>20)
	for _, st := range s.Stages {
		fmt.Printf("  %-6s workers=%d in=%d out=%d busy=%v wait-in=%v wait-out=%v wait-budget=%v\n",
			st.Name, st.Workers, st.In, st.Out, st.Busy.Round(1000), st.WaitIn.Round(1000), st.WaitOut.Round(1000), st.WaitBudget.Round(1000))
	}
	fmt.Println(s.Bottleneck())
}

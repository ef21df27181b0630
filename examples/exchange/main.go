// Command exchange runs the mixed pattern: heat spreading along a rod,
// cut into parts that each run on their own goroutine and trade their end
// cells with their neighbours at every step (sluice.Exchange). No part
// waits for any but its two neighbours, except at a reduction every 100
// steps, which stops the run once no cell changes by more than 0.01 in a
// step. It prints the rod's total heat (the insulated ends keep it),
// where each part spent its time, and the bottleneck sentence.
//
//	go run ./examples/exchange [-cells 1000000] [-parts 8] [-steps 10000] [-slow 3]
//
// With -slow K, part K does its work twice over each step: the figures
// then show its neighbours waiting on it, and the parts further away
// less, since a part waits only on its neighbours.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"time"

	"github.com/sluice-go/sluice"
)

// part is a stretch of the rod: cells, and room for the next step.
type part struct {
	index      int
	cells, new []float64
}

func main() {
	cells := flag.Int("cells", 1_000_000, "cells in the rod")
	parts := flag.Int("parts", 8, "parts, one goroutine each")
	slow := flag.Int("slow", -1, "a part that works twice as hard (-1: none)")
	maxSteps := flag.Int("steps", 10_000, "the most steps")
	flag.Parse()
	if *parts < 1 || *cells < *parts {
		log.Fatalf("exchange: need at least one part and a cell per part, got %d parts of %d cells", *parts, *cells)
	}

	// The rod starts cold, with 5 hot cells in every 50.
	var ps []*part
	total := 0.0
	for i := range *parts {
		a, b := i**cells / *parts, (i+1)**cells / *parts
		p := &part{index: i, cells: make([]float64, b-a), new: make([]float64, b-a)}
		for k := range p.cells {
			if (a+k)%50 < 5 {
				p.cells[k] = 100
				total += 100
			}
		}
		ps = append(ps, p)
	}

	pipe := sluice.New(sluice.Config{Budget: 256 << 20})
	src := sluice.SizedBy(sluice.FromSlice(pipe, "cut", ps), func(p *part) int64 { return int64(16 * len(p.cells)) })
	done := sluice.Exchange(src, "heat", sluice.ExchangeOpts{Parts: *parts, Steps: *maxSteps, Every: 100},
		sluice.Domain[*part, float64]{
			Edges: func(p *part) (first, last float64) { return p.cells[0], p.cells[len(p.cells)-1] },
			Step: func(_ context.Context, p *part, _ int, prev, next *float64) (float64, error) {
				most := 0.0
				for range 1 + boolInt(p.index == *slow) {
					most = step(p, prev, next)
				}
				p.cells, p.new = p.new, p.cells
				return most, nil
			},
			Reduce: func(_ int, changes []float64) bool {
				most := 0.0
				for _, c := range changes {
					most = max(most, c)
				}
				return most < 0.01
			},
		})
	after := 0.0
	sluice.Sink(done, "sum", sluice.Opts{Ordered: true}, func(_ context.Context, p *part) error {
		for _, c := range p.cells {
			after += c
		}
		return nil
	})
	if err := pipe.Run(context.Background()); err != nil {
		log.Fatal(err)
	}

	st := pipe.Stats()
	x := st.Exchanges[0]
	fmt.Printf("%d cells in %d parts: %d steps in %v; heat before %.6g, after %.6g\n",
		*cells, *parts, x.Parts[0].Steps, st.Elapsed.Round(1e6), total, after)
	for i, p := range x.Parts {
		fmt.Printf("part %d: computing %3.0f%%, waiting for the part before %3.0f%%, after %3.0f%%, at reductions %3.0f%%\n",
			i, pct(p.Busy, st), pct(p.WaitPrev, st), pct(p.WaitNext, st), pct(p.WaitReduce, st))
	}
	fmt.Println(st.Bottleneck())
}

// step writes the next temperature of every cell of p into p.new, from
// its neighbours, and returns the largest change. The rod's ends are
// insulated: beyond them a cell sees itself.
func step(p *part, prev, next *float64) float64 {
	c := p.cells
	most := 0.0
	for i, v := range c {
		l, r := v, v
		if i > 0 {
			l = c[i-1]
		} else if prev != nil {
			l = *prev
		}
		if i < len(c)-1 {
			r = c[i+1]
		} else if next != nil {
			r = *next
		}
		p.new[i] = v + 0.25*(l-2*v+r)
		most = max(most, math.Abs(p.new[i]-v))
	}
	return most
}

func pct(d time.Duration, st sluice.Stats) float64 { return 100 * d.Seconds() / st.Elapsed.Seconds() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

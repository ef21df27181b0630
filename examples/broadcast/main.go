// Command broadcast runs the broadcast pattern: every branch sees every
// reading. One branch keeps a running mean, another the maximum, and a
// third looks at the first readings only and stops early without holding
// the others up.
package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/sluice-go/sluice"
)

func main() {
	p := sluice.New(sluice.Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	readings := sluice.Source(p, "sensor", func(ctx context.Context, emit func(float64) error) error {
		for range 200000 {
			if err := emit(rng.NormFloat64()); err != nil {
				return err
			}
		}
		return nil
	})
	b := sluice.Broadcast(readings, "fan", 3)
	var sum float64
	var n int
	sluice.Sink(b[0], "mean", sluice.Opts{}, func(_ context.Context, v float64) error {
		sum, n = sum+v, n+1
		return nil
	})
	peak := math.Inf(-1)
	sluice.Sink(b[1], "max", sluice.Opts{}, func(_ context.Context, v float64) error {
		peak = max(peak, v)
		return nil
	})
	first := sluice.Collect(sluice.Take(b[2], "first", 3), "sample")
	if err := p.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean %.4f over %d readings, max %.3f, first %.3f\n", sum/float64(n), n, peak, first.Items())
	s := p.Stats()
	fmt.Printf("elapsed %v\n", s.Elapsed.Round(1000))
	for _, st := range s.Stages {
		fmt.Printf("  %-7s in=%d out=%d busy=%v wait-in=%v wait-out=%v\n",
			st.Name, st.In, st.Out, st.Busy.Round(1000), st.WaitIn.Round(1000), st.WaitOut.Round(1000))
	}
	fmt.Println(s.Bottleneck())
}

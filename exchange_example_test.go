package sluice_test

import (
	"context"
	"fmt"
	"math"

	"github.com/sluice-go/sluice"
)

// A rod of 8 cells, hot in the middle, cut into 4 parts of 2 cells whose
// heat diffuses until no cell changes by more than 0.01 in a step. Each
// part sends its end cells to its neighbours before every step; every 10
// steps a reduction checks the largest change.
func ExampleExchange() {
	type part struct{ cells, next []float64 }
	rod := []float64{0, 0, 0, 8, 8, 0, 0, 0}
	var parts []*part
	for i := 0; i < len(rod); i += 2 {
		parts = append(parts, &part{cells: rod[i : i+2], next: make([]float64, 2)})
	}
	p := sluice.New(sluice.Config{})
	done := sluice.Exchange(sluice.FromSlice(p, "cut", parts), "heat",
		sluice.ExchangeOpts{Parts: 4, Every: 10},
		sluice.Domain[*part, float64]{
			Edges: func(r *part) (first, last float64) { return r.cells[0], r.cells[len(r.cells)-1] },
			Step: func(_ context.Context, r *part, _ int, prev, next *float64) (float64, error) {
				most := 0.0
				for i, c := range r.cells {
					l, rt := c, c // the ends of the rod are insulated
					if i > 0 {
						l = r.cells[i-1]
					} else if prev != nil {
						l = *prev
					}
					if i < len(r.cells)-1 {
						rt = r.cells[i+1]
					} else if next != nil {
						rt = *next
					}
					r.next[i] = c + 0.25*(l-2*c+rt)
					most = max(most, math.Abs(r.next[i]-c))
				}
				copy(r.cells, r.next)
				return most, nil
			},
			Reduce: func(steps int, changes []float64) bool {
				most := 0.0
				for _, c := range changes {
					most = max(most, c)
				}
				return most < 0.01
			},
		})
	sluice.Sink(done, "print", sluice.Opts{Ordered: true}, func(_ context.Context, r *part) error {
		fmt.Printf("%.2f", r.cells)
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("\nsteps: %d\n", p.Stats().Exchanges[0].Parts[0].Steps)
	// Output:
	// [1.97 1.99][2.01 2.03][2.03 2.01][1.99 1.97]
	// steps: 30
}

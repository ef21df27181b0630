package dist_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/dist"
)

// decimal encodes ints as text.
type decimal struct{}

func (decimal) Encode(v int) ([]byte, error) { return []byte(strconv.Itoa(v)), nil }
func (decimal) Decode(b []byte) (int, error) { return strconv.Atoi(string(b)) }

// A stage whose function runs on workers. Here the workers share the
// process through a Local transport; with a JetStream transport the same
// code spreads over machines.
func ExampleMap() {
	ctx := context.Background()
	var tr dist.Local

	// The worker side: a handler registered by name.
	w := &dist.Worker{Transport: &tr, Workers: 2}
	w.Handle("square", dist.Handle[int, int](decimal{}, decimal{}, func(ctx context.Context, v int) (int, error) {
		return v * v, nil
	}))
	wctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- w.Serve(wctx) }()

	// The coordinator: a job for that handler, and a pipeline using it.
	d, err := dist.Dispatch(ctx, &tr, dist.Job{Handler: "square"})
	if err != nil {
		panic(err)
	}
	defer d.Close()
	p := sluice.New(sluice.Config{})
	nums := sluice.FromSlice(p, "nums", []int{1, 2, 3, 4, 5})
	squares := dist.Map(nums, "square", sluice.Opts{Ordered: true}, d, decimal{}, decimal{})
	out := sluice.Collect(squares, "collect")
	if err := p.Run(ctx); err != nil {
		panic(err)
	}
	fmt.Println(out.Items(), d.Stats().Accepted)
	stop()
	<-served
	// Output: [1 4 9 16 25] 5
}

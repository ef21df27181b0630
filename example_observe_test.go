package sluice_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sluice-go/sluice"
)

// itemsSeen is an Observer that notes, per stage, the items its goroutines
// were busy on.
type itemsSeen struct {
	mu    sync.Mutex
	names []string
	items map[int]map[int64]bool
}

func (o *itemsSeen) Start(p *sluice.Pipeline) {
	for _, st := range p.Graph().Stages {
		o.names = append(o.names, st.Name)
	}
	o.items = map[int]map[int64]bool{}
}

func (o *itemsSeen) Change(e sluice.Event) {
	if e.State != sluice.StateBusy || e.Item < 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.items[e.Stage] == nil {
		o.items[e.Stage] = map[int64]bool{}
	}
	o.items[e.Stage][e.Item] = true
}

func (o *itemsSeen) End(p *sluice.Pipeline, err error) {
	for i, name := range o.names {
		fmt.Printf("%s: busy on %d items\n", name, len(o.items[i]))
	}
}

func ExamplePipeline_Observe() {
	p := sluice.New(sluice.Config{Name: "doubles"})
	p.Observe(&itemsSeen{})
	nums := sluice.FromSlice(p, "numbers", []int{1, 2, 3, 4})
	doubled := sluice.Map(nums, "double", sluice.Opts{Workers: 2}, func(_ context.Context, v int) (int, error) {
		return 2 * v, nil
	})
	sluice.Sink(doubled, "print", sluice.Opts{}, func(context.Context, int) error { return nil })
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// numbers: busy on 4 items
	// double: busy on 4 items
	// print: busy on 4 items
}

func ExampleStallError() {
	release := make(chan struct{})
	p := sluice.New(sluice.Config{StallTimeout: 100 * time.Millisecond})
	nums := sluice.FromSlice(p, "numbers", []int{1, 2, 3})
	sluice.Sink(nums, "stuck", sluice.Opts{}, func(ctx context.Context, v int) error {
		<-release // waits for something that never comes, ignoring ctx
		return nil
	})
	err := p.Run(context.Background())
	close(release)
	var se *sluice.StallError
	if errors.As(err, &se) {
		fmt.Println("stuck:", se.Stuck)
		for _, w := range se.Workers {
			fmt.Printf("%s worker %d: %s\n", w.Stage, w.Worker, w.State)
		}
	}
	// Output:
	// stuck: [stuck]
	// numbers worker 0: done
	// stuck worker 0: busy
}

func ExampleHeartbeat() {
	p := sluice.New(sluice.Config{StallTimeout: 300 * time.Millisecond})
	remote := sluice.Source(p, "remote", func(ctx context.Context, emit func(string) error) error {
		// Waiting 600 ms for a remote worker that says it is alive.
		for range 12 {
			time.Sleep(50 * time.Millisecond)
			sluice.Heartbeat(ctx)
		}
		return emit("result")
	})
	got := sluice.Collect(remote, "gather")
	fmt.Println(p.Run(context.Background()), got.Items())
	// Output: <nil> [result]
}

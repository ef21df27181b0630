package monitor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/monitor"
)

func ExampleTraceTo() {
	p := sluice.New(sluice.Config{Name: "squares"})
	nums := sluice.FromSlice(p, "read", []int{1, 2, 3, 4, 5, 6})
	sq := sluice.Map(nums, "square", sluice.Opts{Workers: 2}, func(_ context.Context, v int) (int, error) { return v * v, nil })
	sluice.Sink(sq, "write", sluice.Opts{}, func(context.Context, int) error { return nil })

	var buf bytes.Buffer // a file, to open in ui.perfetto.dev
	tr := monitor.TraceTo(p, &buf)
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	if err := tr.Close(); err != nil {
		fmt.Println(err)
	}

	var events []struct {
		Ph   string         `json:"ph"`
		Name string         `json:"name"`
		Args map[string]any `json:"args"`
	}
	json.Unmarshal(buf.Bytes(), &events)
	var tracks []string
	for _, e := range events {
		if e.Ph == "M" && e.Name == "thread_name" {
			tracks = append(tracks, e.Args["name"].(string))
		}
	}
	slices.Sort(tracks)
	fmt.Println(tracks)
	// Output: [read square 0 square 1 write]
}

func ExampleServe() {
	p := sluice.New(sluice.Config{Name: "squares"})
	nums := sluice.FromSlice(p, "read", []int{1, 2, 3})
	sluice.Sink(nums, "write", sluice.Opts{}, func(context.Context, int) error { return nil })

	srv, err := monitor.Serve(p, "", monitor.Options{}) // 127.0.0.1, a free port
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	// fmt.Println("live page:", srv.URL()) — the page, its events and /metrics
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	st := srv.Snapshot().Pipelines[0]
	fmt.Println(st.Name, st.State, st.Stages[1].In)
	// Output: squares finished 3
}

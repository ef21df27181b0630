// Command merge runs fan-in: two producers of log events, each cleaned by
// its own worker, merged into one stream that a single consumer counts.
package main

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/sluice-go/sluice"
)

func events(p *sluice.Pipeline, name string, n int) *sluice.Stream[string] {
	return sluice.Source(p, name, func(ctx context.Context, emit func(string) error) error {
		for i := range n {
			level := "INFO"
			if i%7 == 0 {
				level = "ERROR"
			}
			if err := emit(fmt.Sprintf("  %s %s event %d  ", level, name, i)); err != nil {
				return err
			}
		}
		return nil
	})
}

func main() {
	p := sluice.New(sluice.Config{})
	trim := func(_ context.Context, s string) (string, error) { return strings.TrimSpace(s), nil }
	web := sluice.Map(events(p, "web", 50000), "trim-web", sluice.Opts{Workers: 2}, trim)
	db := sluice.Map(events(p, "db", 30000), "trim-db", sluice.Opts{Workers: 2}, trim)
	byLevel := map[string]int{}
	sluice.Sink(sluice.Merge("merge", web, db), "count", sluice.Opts{}, func(_ context.Context, s string) error {
		level, _, _ := strings.Cut(s, " ")
		byLevel[level]++
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("INFO %d, ERROR %d\n", byLevel["INFO"], byLevel["ERROR"])
	s := p.Stats()
	fmt.Printf("elapsed %v\n", s.Elapsed.Round(1000))
	for _, st := range s.Stages {
		fmt.Printf("  %-8s workers=%d in=%d out=%d busy=%v wait-in=%v wait-out=%v\n",
			st.Name, st.Workers, st.In, st.Out, st.Busy.Round(1000), st.WaitIn.Round(1000), st.WaitOut.Round(1000))
	}
	fmt.Println(s.Bottleneck())
}

// Command pipeline runs the pipeline pattern: a producer reads lines, a
// worker counts their words, a consumer adds them up. Each stage runs while
// the others wait, joined by bounded queues.
package main

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/sluice-go/sluice"
)

func main() {
	p := sluice.New(sluice.Config{})
	lines := sluice.Source(p, "read", func(ctx context.Context, emit func(string) error) error {
		for i := range 100000 {
			if err := emit(strings.Repeat("word ", i%10+1)); err != nil {
				return err
			}
		}
		return nil
	})
	counts := sluice.Map(lines, "count", sluice.Opts{Workers: 1}, func(_ context.Context, s string) (int, error) {
		return len(strings.Fields(s)), nil
	})
	total := 0
	sluice.Sink(counts, "sum", sluice.Opts{}, func(_ context.Context, n int) error {
		total += n
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("words:", total)
	printStats(p.Stats())
}

func printStats(s sluice.Stats) {
	fmt.Printf("elapsed %v\n", s.Elapsed.Round(1000))
	for _, st := range s.Stages {
		fmt.Printf("  %-8s workers=%d in=%d out=%d busy=%v wait-in=%v wait-out=%v\n",
			st.Name, st.Workers, st.In, st.Out, st.Busy.Round(1000), st.WaitIn.Round(1000), st.WaitOut.Round(1000))
	}
	fmt.Println(s.Bottleneck())
}

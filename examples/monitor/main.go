// Command monitor watches a pipeline from outside while it runs: a live
// page with its metrics, a timeline for Perfetto, and the stall watchdog.
//
//	go run ./examples/monitor                 # prints the page's URL; Ctrl-C to stop
//	go run ./examples/monitor -trace run.json # also writes a timeline: open it in ui.perfetto.dev
//
// The pipeline hashes blocks of data: a source reads them, a pool of
// workers hashes them, a sink writes the sums in order.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/monitor"
)

func main() {
	blocks := flag.Int("blocks", 4000, "blocks of 256 KiB to hash")
	trace := flag.String("trace", "", "write a timeline of the run to this file")
	stay := flag.Bool("stay", true, "keep the page up after the run until Ctrl-C")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// Name tells pipelines apart on the page and in the metrics;
	// StallTimeout turns a deadlock into an error that says who waits on whom.
	p := sluice.New(sluice.Config{Name: "hash", Budget: 16 << 20, StallTimeout: 10 * time.Second})
	src := sluice.Source(p, "read", func(ctx context.Context, emit func([]byte) error) error {
		for i := range *blocks {
			b := make([]byte, 256<<10)
			b[0] = byte(i)
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	})
	src = sluice.SizedBy(src, func(b []byte) int64 { return int64(len(b)) })
	sums := sluice.Map(src, "hash", sluice.Opts{Ordered: true}, func(_ context.Context, b []byte) ([32]byte, error) {
		return sha256.Sum256(b), nil
	})
	n := 0
	sluice.Sink(sums, "write", sluice.Opts{Ordered: true}, func(context.Context, [32]byte) error {
		n++
		time.Sleep(200 * time.Microsecond) // a slow disk
		return nil
	})

	// One call each: the live page with /metrics, and the timeline.
	srv, err := monitor.Serve(p, "", monitor.Options{
		Progress: func() (int64, int64) { return int64(n), int64(*blocks) },
		Unit:     "blocks",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	fmt.Printf("live page: %s (metrics at %smetrics)\n", srv.URL(), srv.URL())
	var tr *monitor.Trace
	if *trace != "" {
		f, err := os.Create(*trace)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		tr = monitor.TraceTo(p, f)
	}

	err = p.Run(ctx)
	if tr != nil {
		if err := tr.Close(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("timeline: %s (open it in ui.perfetto.dev)\n", *trace)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hashed %d blocks; %s\n", n, p.Stats().Bottleneck())
	if *stay {
		fmt.Println("the page stays up with the final figures; press Ctrl-C to exit")
		<-ctx.Done()
	}
}

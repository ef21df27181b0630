// Command distributed spreads a CPU-heavy Go function over worker
// processes: it starts an embedded NATS server, starts two copies of
// itself as workers, and runs a pipeline whose middle stage executes on
// them. Each item is a range of numbers; the workers count the primes in
// it. Results come back in order, checked, and the total is printed.
//
//	go run ./examples/distributed
//
// The same program runs across machines: start 'sluice cluster' (or any
// nats-server with JetStream) and point workers and coordinator at it.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/dist"
)

// span is a half-open range of numbers [Lo, Hi).
type span struct{ Lo, Hi uint64 }

// spanCodec and countCodec put items on the wire; Decode refuses what is
// not a valid encoding, which is how a bad worker's result is rejected.
type spanCodec struct{}

func (spanCodec) Encode(s span) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, s.Lo), s.Hi), nil
}

func (spanCodec) Decode(b []byte) (span, error) {
	if len(b) != 16 {
		return span{}, errors.New("a span is 16 bytes")
	}
	return span{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}, nil
}

type countCodec struct{}

func (countCodec) Encode(n int) ([]byte, error) { return binary.AppendUvarint(nil, uint64(n)), nil }
func (countCodec) Decode(b []byte) (int, error) {
	v, k := binary.Uvarint(b)
	if k != len(b) || k <= 0 {
		return 0, errors.New("not a count")
	}
	return int(v), nil
}

// countPrimes is the CPU-heavy function: trial division, on purpose.
func countPrimes(ctx context.Context, s span) (int, error) {
	n := 0
	for v := s.Lo; v < s.Hi; v++ {
		if v%4096 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if v < 2 {
			continue
		}
		prime := true
		for d := uint64(2); d*d <= v; d++ {
			if v%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			n++
		}
	}
	return n, nil
}

func main() {
	log.SetFlags(0)
	if len(os.Args) == 4 && os.Args[1] == "worker" {
		if err := worker(os.Args[2], os.Args[3]); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := coordinate(); err != nil {
		log.Fatal(err)
	}
}

// worker serves "primes" until SIGTERM, then drains and returns.
func worker(url, creds string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	tr, err := dist.Dial(url, dist.ConnectOptions{Creds: creds, Worker: true})
	if err != nil {
		return err
	}
	defer tr.Close()
	w := &dist.Worker{Transport: tr, Workers: 1}
	w.Handle("primes", dist.Handle[span, int](spanCodec{}, countCodec{}, countPrimes))
	return w.Serve(ctx)
}

func coordinate() error {
	ctx := context.Background()
	store, err := os.MkdirTemp("", "distributed-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(store)
	srv, err := dist.StartServer(dist.ServerConfig{Listen: "127.0.0.1:0", Store: store})
	if err != nil {
		return err
	}
	defer srv.Shutdown()

	// Two worker processes: this program again.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for range 2 {
		cmd := exec.Command(exe, "worker", srv.URL, srv.WorkerCreds)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	}

	tr, err := dist.Dial(srv.URL, dist.ConnectOptions{Creds: srv.RunCreds})
	if err != nil {
		return err
	}
	defer tr.Close()
	d, err := dist.Dispatch(ctx, tr, dist.Job{Handler: "primes"})
	if err != nil {
		return err
	}
	defer d.Close()

	const step = 250_000
	p := sluice.New(sluice.Config{})
	spans := sluice.Source(p, "spans", func(ctx context.Context, emit func(span) error) error {
		for lo := uint64(0); lo < 8*step; lo += step {
			if err := emit(span{lo, lo + step}); err != nil {
				return err
			}
		}
		return nil
	})
	counts := dist.Map(spans, "primes", sluice.Opts{Workers: 4, Ordered: true}, d, spanCodec{}, countCodec{})
	var lo uint64
	total := 0
	sluice.Sink(counts, "print", sluice.Opts{}, func(ctx context.Context, n int) error {
		fmt.Printf("primes in [%d, %d): %d\n", lo, lo+step, n)
		lo += step
		total += n
		return nil
	})
	if err := p.Run(ctx); err != nil {
		return err
	}
	st := d.Stats()
	fmt.Printf("primes below %d: %d (%d spans done by the worker processes)\n", lo, total, st.Accepted)
	return nil
}

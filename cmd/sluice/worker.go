package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"

	"github.com/sluice-go/sluice/dist"
)

const workerUsage = `usage: sluice worker URL [--token T | --creds FILE] [--tls-ca FILE] [--workers N]

Joins the NATS server at URL (started by 'sluice cluster', or any nats-server
2.9 or later with JetStream) and filters the tiles of every job published
there: each job carries its filter chain and image header, which the worker
plans for itself. Results go back to the run that published the job.

SIGTERM or Ctrl-C drains: tiles in flight are finished and sent, then the
worker exits with status 0.`

// clientFlags are how a client of a NATS server proves who it is.
type clientFlags struct {
	token, creds, ca string
}

func (c *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.token, "token", "", "the server's shared secret")
	fs.StringVar(&c.creds, "creds", "", "credential file (run.creds or worker.creds from 'sluice cluster')")
	fs.StringVar(&c.ca, "tls-ca", "", "PEM certificate authority to trust for a TLS server")
}

func (c *clientFlags) options(name string) dist.ConnectOptions {
	return dist.ConnectOptions{Token: c.token, Creds: c.creds, CA: c.ca, Name: name}
}

func runWorker(ctx context.Context, e *env, args []string) error {
	var c clientFlags
	var workers int
	var verbose, quiet bool
	fs := newFlagSet("worker", workerUsage)
	c.register(fs)
	fs.IntVar(&workers, "workers", 0, "tiles filtered at once (0 = all cores)")
	fs.BoolVar(&verbose, "verbose", false, "print a line for every tile taken and sent")
	fs.BoolVar(&quiet, "quiet", false, "print nothing on stderr but errors")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return usageErrorf("worker needs the server's URL (run 'sluice worker --help')")
	case workers < 0:
		return usageErrorf("--workers must be 0 or more, got %d", workers)
	case c.token != "" && c.creds != "":
		return usageErrorf("give --token or --creds, not both")
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o := c.options("sluice worker")
	o.Worker = true
	tr, err := dist.Dial(pos[0], o)
	if err != nil {
		return err
	}
	defer tr.Close()
	w := &dist.Worker{Transport: tr, Workers: workers}
	if verbose {
		w.Log = func(ev dist.Event) {
			fmt.Fprintf(e.stderr, "%s job %s tile %d delivery %d\n", ev.Kind, ev.Job, ev.Item, ev.Attempt)
		}
	}
	w.Handle(dist.FilterHandler, dist.FilterTiles())
	if !quiet {
		fmt.Fprintf(e.stderr, "sluice worker: joined %s with %d workers\n", pos[0], workers)
	}
	if err := w.Serve(ctx); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintln(e.stderr, "sluice worker: drained, stopping")
	}
	return nil
}

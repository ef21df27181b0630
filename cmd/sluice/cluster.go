package main

import (
	"context"
	"fmt"

	"github.com/sluice-go/sluice/dist"
)

const clusterUsage = `usage: sluice cluster [--listen ADDR] [--store DIR] [--token T] [--tls-cert FILE --tls-key FILE]

Starts a NATS server with JetStream inside this process, for distributed
runs: 'sluice run --nats URL' publishes the tiles of a job there and
'sluice worker URL' processes them. It listens on 127.0.0.1:4222 unless
--listen names another address (0.0.0.0:4222 for every interface).

Every client needs a credential. Without --token the server writes two,
readable by their owner only, and keeps them across restarts:
  STORE/run.creds     for runs: create job streams, publish tiles, read results
  STORE/worker.creds  for workers: pull and acknowledge tiles, publish results
--token T instead lets any client holding T do anything (a trusted network).
With --tls-cert and --tls-key clients must use TLS (--tls-ca on their side).

Ctrl-C or SIGTERM stops it, with exit status 0.`

func runCluster(ctx context.Context, e *env, args []string) error {
	var cfg dist.ServerConfig
	fs := newFlagSet("cluster", clusterUsage)
	fs.StringVar(&cfg.Listen, "listen", dist.DefaultListen, "address to listen on")
	fs.StringVar(&cfg.Store, "store", "", "folder for credentials and JetStream (default: sluice/cluster under the user's cache folder)")
	fs.StringVar(&cfg.Token, "token", "", "one shared secret instead of the two credentials")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate: serve TLS only")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM key of --tls-cert")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("cluster takes no arguments, got %q (run 'sluice cluster --help')", pos[0])
	}
	srv, err := dist.StartServer(cfg)
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	fmt.Fprintf(e.stdout, "sluice cluster: listening on %s (JetStream in %s)\n", srv.URL, srv.Store)
	auth := "--token T"
	if srv.RunCreds != "" {
		fmt.Fprintf(e.stdout, "run a job:     sluice run --nats %s --creds %s IN OUT OP...\n", srv.URL, srv.RunCreds)
		fmt.Fprintf(e.stdout, "add a worker:  sluice worker %s --creds %s\n", srv.URL, srv.WorkerCreds)
	} else {
		fmt.Fprintf(e.stdout, "run a job:     sluice run --nats %s %s IN OUT OP...\n", srv.URL, auth)
		fmt.Fprintf(e.stdout, "add a worker:  sluice worker %s %s\n", srv.URL, auth)
	}
	<-ctx.Done()
	return nil
}

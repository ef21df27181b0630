package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/dist"
	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// natsFlags are the flags of a run distributed over NATS.
type natsFlags struct {
	url          string
	client       clientFlags
	localWorkers int
}

func (n *natsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&n.url, "nats", "", "run through the NATS server at this URL, with 'sluice worker' processes")
	n.client.register(fs)
	fs.IntVar(&n.localWorkers, "local-workers", -1, "with --nats: cap on the local filter workers beside the remote ones (0 = only coordinate)")
}

func (n *natsFlags) validate() error {
	switch {
	case n.url == "" && (n.client.token != "" || n.client.creds != "" || n.client.ca != "" || n.localWorkers >= 0):
		return usageErrorf("--token, --creds, --tls-ca and --local-workers go with --nats URL")
	case n.client.token != "" && n.client.creds != "":
		return usageErrorf("give --token or --creds, not both")
	}
	return nil
}

// remoteRun is the remote side of a run, set up once the plan is known.
type remoteRun func(ctx context.Context, h raster.Header, c filter.Chain, plan *filter.Plan, o *engine.Options) (done func(ok bool), err error)

// remote returns how to set up the run's remote side over NATS, or nil
// for a local run. Its summary goes to w.
func (n *natsFlags) remote(w io.Writer, quiet bool) remoteRun {
	if n.url == "" {
		return nil
	}
	return func(ctx context.Context, h raster.Header, c filter.Chain, plan *filter.Plan, o *engine.Options) (func(bool), error) {
		tr, err := dist.Dial(n.url, n.client.options("sluice run"))
		if err != nil {
			return nil, err
		}
		d, err := dist.Dispatch(ctx, tr, dist.TileJob(h, c))
		if err != nil {
			tr.Close()
			return nil, fmt.Errorf("%s: %w", n.url, err)
		}
		o.Remote = dist.NewTiles(d, plan, 0)
		if o.Tile == 0 {
			o.Tile = dist.TileSide(plan, tr.MaxPayload())
		}
		if n.localWorkers == 0 {
			o.RemoteOnly = true
		} else if n.localWorkers > 0 && (o.Workers == 0 || o.Workers > n.localWorkers) {
			o.Workers = n.localWorkers
		}
		return func(ok bool) {
			d.Close()
			tr.Close()
			if st := d.Stats(); ok && !quiet {
				fmt.Fprintf(w, "sluice: %d tiles done by workers (%d redelivered, %d duplicates dropped, %d rejected, %d failed); %s out, %s back\n",
					st.Accepted, st.Redelivered, st.Duplicates, st.Rejected, st.Failed,
					raster.FormatBytes(st.BytesOut), raster.FormatBytes(st.BytesIn))
			}
		}, nil
	}
}

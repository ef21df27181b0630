package serve

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/monitor"
	"github.com/sluice-go/sluice/raster"
)

// scheduler makes the engine jobs of the server, which share one pool of
// workers in fair shares (sluice.Pool) and split the memory budget, and
// reports each job's pipeline to the metrics
// under its own pipeline label while it runs.
type scheduler struct {
	cfg     Config
	pool    *sluice.Pool // every job's workers, in fair shares
	metrics *monitor.Metrics
	seq     atomic.Int64
}

func newScheduler(cfg Config, m *monitor.Metrics) *scheduler {
	return &scheduler{cfg: cfg, pool: sluice.NewPool(cfg.Workers), metrics: m}
}

// job is one engine job of the server.
type job struct {
	s     *scheduler
	j     *engine.Job
	pipes []*sluice.Pipeline // one, or one per phase of a chain with geometry
}

func (s *scheduler) newJob(src raster.RowReader, dst raster.RowWriter, plan *filter.Plan) (*job, error) {
	jb := &job{s: s}
	j, err := engine.New(src, dst, plan, engine.Options{
		Workers: s.cfg.Workers,
		Pool:    s.pool,
		Tile:    s.cfg.Tile,
		// Each running job has its own share of the budget, so a huge
		// job cannot take the memory that small ones wait for; jobs get
		// their share in arrival order (admission).
		Memory: s.cfg.Memory / int64(s.cfg.Running),
		Name:   fmt.Sprintf("job-%d", s.seq.Add(1)),
		// A chain with geometry keeps its scratch image beside the
		// spooled uploads.
		Scratch: raster.SpillOptions{Dir: s.cfg.TmpDir},
		Watch: func(p *sluice.Pipeline) {
			jb.pipes = append(jb.pipes, p)
			s.metrics.Watch(p)
		},
	})
	if err != nil {
		return nil, err
	}
	jb.j = j
	return jb, nil
}

// Run runs the job; its series leave the metrics when it ends.
func (jb *job) Run(ctx context.Context) error {
	defer func() {
		for _, p := range jb.pipes {
			jb.s.metrics.Forget(p)
		}
	}()
	return jb.j.Run(ctx)
}

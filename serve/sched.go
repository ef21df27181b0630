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

// scheduler makes the engine jobs of the server, which share its workers
// and its memory budget, and reports each job's pipeline to the metrics
// under its own pipeline label while it runs.
type scheduler struct {
	cfg     Config
	metrics *monitor.Metrics
	seq     atomic.Int64
}

func newScheduler(cfg Config, m *monitor.Metrics) *scheduler {
	return &scheduler{cfg: cfg, metrics: m}
}

// job is one engine job of the server.
type job struct {
	s    *scheduler
	j    *engine.Job
	pipe *sluice.Pipeline
}

func (s *scheduler) newJob(src raster.RowReader, dst raster.RowWriter, plan *filter.Plan) (*job, error) {
	jb := &job{s: s}
	j, err := engine.New(src, dst, plan, engine.Options{
		Workers: s.cfg.Workers,
		Tile:    s.cfg.Tile,
		Memory:  s.cfg.Memory / int64(s.cfg.Running),
		Name:    fmt.Sprintf("job-%d", s.seq.Add(1)),
		Watch: func(p *sluice.Pipeline) {
			jb.pipe = p
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
		if jb.pipe != nil {
			jb.s.metrics.Forget(jb.pipe)
		}
	}()
	return jb.j.Run(ctx)
}

package serve

import (
	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// scheduler makes the engine jobs of the server, which share its workers
// and its memory budget.
type scheduler struct {
	cfg Config
}

func newScheduler(cfg Config) *scheduler { return &scheduler{cfg: cfg} }

func (s *scheduler) newJob(src raster.RowReader, dst raster.RowWriter, plan *filter.Plan) (*engine.Job, error) {
	return engine.New(src, dst, plan, engine.Options{
		Workers: s.cfg.Workers,
		Tile:    s.cfg.Tile,
		Memory:  s.cfg.Memory / int64(s.cfg.Running),
	})
}

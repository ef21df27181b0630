package engine

import (
	"context"
	"fmt"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// Remote filters tiles outside this process: on other machines (package
// dist implements it over NATS JetStream), so that package engine knows no
// transport. A Remote is made for one job's plan and must be safe for
// concurrent use. The job charges the tiles out to its budget as their
// bands, which hold their source and output pixels: what a Remote keeps
// beside them (messages being sent, results being copied in) must stay
// within a constant, however many tiles are out.
type Remote interface {
	// Filter computes dst.Rect of the output from src, which holds the
	// input pixels SourceRect(dst.Rect), as filter.Plan.Run does, with the
	// same bytes. It blocks until the result is in dst.
	Filter(ctx context.Context, dst, src *raster.Tile) error
	// Slots is how many tiles the remote side may have in flight at once.
	Slots() int
}

// remoteFilter runs the chain on one tile: on a free local worker if there
// is one, else through the remote side.
func (j *Job) remoteFilter(ctx context.Context, dst, src *raster.Tile) error {
	select {
	case j.local <- struct{}{}:
		defer func() { <-j.local }()
		return j.plan.Run(dst, src)
	default:
	}
	return j.remote.Filter(ctx, dst, src.Sub(j.plan.SourceRect(dst.Rect)))
}

// RemotePlan returns the plan a Remote for p must be made for: p itself,
// or, when p has geometry (filter.Plan.Segments), the one segment between
// turns that filters; the turns run here. It returns nil when p only
// turns, so that nothing is left for remote workers, and an error when
// more than one segment filters, which a Remote cannot serve.
func RemotePlan(p *filter.Plan) (*filter.Plan, error) {
	segs := p.Segments()
	if len(segs) == 1 && segs[0].Turn == raster.TopLeft {
		return p, nil
	}
	var rp *filter.Plan
	for _, s := range segs {
		if len(s.Plan.Chain()) == 0 {
			continue
		}
		if rp != nil {
			return nil, fmt.Errorf("engine: the chain %q filters both before and after a turn, and remote workers take one chain: split it into two runs", p.Chain())
		}
		rp = s.Plan
	}
	return rp, nil
}

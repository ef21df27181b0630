package engine

import (
	"context"

	"github.com/sluice-go/sluice/raster"
)

// Remote filters tiles outside this process: on other machines (package
// dist implements it over NATS JetStream), so that package engine knows no
// transport. A Remote is made for one job's plan and must be safe for
// concurrent use.
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

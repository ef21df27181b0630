package main

import (
	"errors"

	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// turnedUpright says whether a run turns its input upright before the
// chain.
type turnedUpright bool

// upright puts first in chain the turn that shows an image with header h
// upright (its EXIF or TIFF orientation, 2 to 8), as viewers do, unless
// keep (--no-autorotate) says to leave the pixels as stored.
func upright(h raster.Header, chain filter.Chain, keep bool) (filter.Chain, turnedUpright) {
	op := filter.Upright(h.Orientation)
	if keep || op == nil {
		return chain, false
	}
	return append(filter.Chain{op}, chain...), true
}

// orientation is the orientation and metadata the output carries: the
// input's as they are, or, once turned upright, TopLeft, with the EXIF
// copy's orientation reset to match.
func (t turnedUpright) orientation(h raster.Header) (raster.Orientation, raster.Metadata) {
	if !t {
		return h.Orientation, h.Meta
	}
	m := h.Meta
	m.EXIF = raster.SetExifOrientation(m.EXIF, raster.TopLeft)
	return raster.TopLeft, m
}

// remotePlan returns the plan remote workers run for a distributed run
// (remote set) of plan: the whole plan, or the one segment between turns
// that filters (the turns run here). It returns nil when the run is local
// or nothing is left to filter, and an error, before anything starts, when
// more than one segment filters.
func remotePlan(plan *filter.Plan, remote []remoteRun) (*filter.Plan, error) {
	for _, r := range remote {
		if r == nil {
			continue
		}
		rp, err := engine.RemotePlan(plan)
		if err != nil {
			return nil, errors.New("distributed runs take one chain between turns, and this one filters both before and after a turn: split it into two runs, or run it without --nats")
		}
		return rp, nil
	}
	return nil, nil
}

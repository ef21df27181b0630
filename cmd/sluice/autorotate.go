package main

import (
	"errors"

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

// remoteTurns refuses a distributed run (remote set) of a plan that turns
// the image, which remote workers cannot do yet, before anything starts.
func remoteTurns(plan *filter.Plan, turn turnedUpright, remote []remoteRun) error {
	segs := plan.Segments()
	if len(segs) == 1 && segs[0].Turn == raster.TopLeft {
		return nil
	}
	for _, r := range remote {
		if r == nil {
			continue
		}
		if turn {
			return errors.New("distributed runs do not turn images yet, and this one has an orientation to show it upright: add --no-autorotate to keep the pixels as stored")
		}
		return errors.New("distributed runs do not turn images yet: run the chain's geometry (rotate, flip, flop, transpose, transverse) without --nats")
	}
	return nil
}

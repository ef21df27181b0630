package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// A plan with geometry (filter.Plan.Segments) runs as phases, one after
// the other, each a job of its own with the whole pool:
//
//	read ─▶ segment 1's chain ─▶ store ┊ store, turned ─▶ segment 2's chain ─▶ … ─▶ write
//
// Every phase but the last writes its image into a turnStore, and the
// next reads it back turned. A chain that starts by turning (rotate:90
// blur:2, or any autorotated image) first copies the input into a store;
// a flop at the start mirrors rows as they are read instead. A quarter of
// the budget goes to the store (its bands, and the image itself when it is
// small), the rest to each phase's job, so that the whole stays within
// Options.Memory. The bytes do not depend on the workers, the tile size or
// the budget: each phase's do not, and the store moves pixels, exactly.

// phase is one job of a plan with geometry. A phase that only copies a
// reader that does not decode by bands into a store has no job: it reads
// the rows straight into the store's band (copy, below).
type phase struct {
	job   *Job
	copy  raster.RowReader // set when job is nil
	read  *turnStore       // the store the phase reads, nil for the input
	write *turnWriter
}

// newSegmented prepares a job for a plan with geometry.
func newSegmented(src raster.RowReader, dst raster.RowWriter, plan *filter.Plan, o Options) (*Job, error) {
	// A Remote serves the one segment that filters (RemotePlan); the
	// other phases run here.
	var remote *filter.Plan
	if o.Remote != nil {
		rp, err := RemotePlan(plan)
		if err != nil {
			return nil, err
		}
		remote = rp
	}
	j := &Job{src: src, dst: dst, plan: plan, in: src.Header(), opts: o, strategy: Fused}
	j.outW, j.outH = plan.OutputSize()
	j.outFmt = plan.Output()
	j.budget = o.Memory
	if j.budget <= 0 {
		j.budget = DefaultMemory
	}
	share := j.budget / 4
	segs := plan.Segments()
	stores := 0
	for i, s := range segs {
		if s.Turn != raster.TopLeft && (i > 0 || s.Turn != raster.TopRight) {
			stores++
		}
	}
	// A phase between two turns reads one store while it writes the next:
	// they share the quarter.
	storeShare := share
	if stores > 1 {
		storeShare = share / 2
	}
	sub := o
	sub.Memory = j.budget - share
	r := src
	var pending *filter.Plan // the plan to run on r, once its writer is known
	var reading *turnStore
	add := func(p *filter.Plan, w raster.RowWriter, tw *turnWriter) error {
		so := sub
		if len(p.Chain()) == 0 {
			so.Strategy = Auto
		}
		if p != remote {
			so.Remote, so.RemoteOnly = nil, false
		}
		job, err := New(r, w, p, so)
		if err != nil {
			return err
		}
		j.phases = append(j.phases, phase{job: job, read: reading, write: tw})
		return nil
	}
	for i, s := range segs {
		t := s.Turn
		if i == 0 && t == raster.TopRight {
			r, t = newFlopReader(r), raster.TopLeft
		}
		if t != raster.TopLeft {
			if pending == nil && !decodesByBands(r) {
				// Nothing to do on the way: read the rows straight into
				// the store.
				h := r.Header()
				st := newTurnStore(raster.Header{Width: h.Width, Height: h.Height, Pixel: h.Pixel}, t, storeShare, o.Scratch)
				j.phases = append(j.phases, phase{copy: r, write: st.writer()})
				r, reading, pending = st.reader(), st, s.Plan
				continue
			}
			if pending == nil {
				h := r.Header()
				copyPlan, err := filter.Chain{}.Plan(h.Width, h.Height, h.Pixel)
				if err != nil {
					return nil, err
				}
				pending = copyPlan
			}
			ow, oh := pending.OutputSize()
			st := newTurnStore(raster.Header{Width: ow, Height: oh, Pixel: pending.Output()}, t, storeShare, o.Scratch)
			w := st.writer()
			if err := add(pending, w, w); err != nil {
				return nil, err
			}
			r, reading = st.reader(), st
		}
		pending = s.Plan
	}
	if err := add(pending, dst, nil); err != nil {
		return nil, err
	}
	for _, p := range j.phases {
		if p.job == nil {
			continue
		}
		j.workers = max(j.workers, p.job.workers)
		j.localWorkers = max(j.localWorkers, p.job.localWorkers)
		if j.asked == 0 {
			j.asked = p.job.asked
		}
		if p.job.iter != nil && j.iter == nil {
			j.iter, j.strategy, j.why = p.job.iter, p.job.strategy, p.job.why
		}
	}
	if j.iter == nil {
		j.why = "fused: in segments, turned between them"
	}
	return j, nil
}

// runPhases runs the phases in order and releases the stores.
func (j *Job) runPhases(ctx context.Context) (err error) {
	defer func() {
		for _, p := range j.phases {
			if p.write != nil {
				err = errors.Join(err, p.write.s.close())
			}
		}
	}()
	for i := range j.phases {
		p := &j.phases[i]
		if p.write != nil {
			// Make the store now, so that a refusal (the spill limit, no
			// scratch folder) comes before any work.
			if err := p.write.s.open(); err != nil {
				return err
			}
		}
		if p.job == nil {
			if err := p.write.copy(ctx, p.copy); err != nil {
				return err
			}
		} else {
			if err := p.job.Run(ctx); err != nil {
				return err
			}
			// The next phase needs none of this one's buffers: give
			// them to the collector, so that phases do not add up.
			p.job.release()
		}
		if p.write != nil {
			if err := p.write.Close(); err != nil {
				return err
			}
			p.write.band, p.write.tile = nil, nil
		}
		if p.read != nil {
			// Its image has been read: give the disk back now.
			if err := p.read.close(); err != nil {
				return err
			}
		}
	}
	return nil
}

// phaseStats merges the figures of the phases: their stages one after the
// other, named "1 read", "2 filter" and so on, over the time of them all.
func (j *Job) phaseStats() sluice.Stats {
	var st sluice.Stats
	for i, p := range j.phases {
		if p.job == nil {
			continue
		}
		ps := p.job.Stats()
		if ps.Stages == nil {
			continue
		}
		prefix := fmt.Sprintf("%d ", i+1)
		for _, s := range ps.Stages {
			s.Name = prefix + s.Name
			in := make([]string, len(s.Inputs))
			for k, n := range s.Inputs {
				in[k] = prefix + n
			}
			s.Inputs = in
			st.Stages = append(st.Stages, s)
		}
		st.Budget = max(st.Budget, ps.Budget)
		st.InFlight += ps.InFlight
		st.PeakBytes = max(st.PeakBytes, ps.PeakBytes)
		st.Elapsed += ps.Elapsed
		st.Exchanges = append(st.Exchanges, ps.Exchanges...)
	}
	return st
}

// release drops the job's recycled buffers once it has run.
func (j *Job) release() {
	j.freeMu.Lock()
	j.free = nil
	j.freeMu.Unlock()
	if j.enc != nil {
		j.enc.free.Drop()
	}
	if j.dec != nil {
		j.dec.carry = nil
	}
	if r, ok := j.src.(*turnReader); ok {
		r.band, r.tile = nil, nil
	}
}

// decodesByBands reports whether r decodes by bands, which a job runs in
// the pool.
func decodesByBands(r raster.RowReader) bool {
	br, ok := r.(raster.BandReader)
	return ok && br.BandRows() > 0
}

// progress is the rows the phase has written, of how many.
func (p *phase) progress() (int, int) {
	if p.job == nil {
		return int(p.write.rows.Load()), p.write.s.in.Height
	}
	return p.job.Progress()
}

package filter

import (
	"fmt"
	"image"

	"github.com/sluice-go/sluice/raster"
)

// Segment is one step of a plan whose chain has geometry operations: the
// whole image is first turned to Turn (raster.TopLeft: not turned), then
// Plan, which has no geometry, runs fused on tiles of the turned image.
type Segment struct {
	Turn raster.Orientation
	Plan *Plan
}

// Segments returns the steps the plan runs, in order. A chain without
// geometry is one segment, {raster.TopLeft, p}. A chain with geometry is
// cut before each run of geometry operations, which make one orientation
// together (a run that makes raster.TopLeft, such as "rotate:90
// rotate:270", cuts nothing): "blur:2 rotate:90 flip sharpen" is
// {TopLeft, blur:2}, {RightTop.Then(BottomLeft), sharpen}; a chain that
// starts with geometry starts with a segment that turns.
func (p *Plan) Segments() []Segment {
	if p.segs == nil {
		return []Segment{{Turn: raster.TopLeft, Plan: p}}
	}
	return append([]Segment(nil), p.segs...)
}

// planSegments plans a chain with geometry operations as segments. The
// plan it returns holds them; it gives the chain's output size and format
// and the kernels of every segment, but its Run refuses to run and its
// SourceRect is the whole input: a caller runs Segments one after the
// other (package engine does).
func (c Chain) planSegments(w, h int, in raster.PixelFormat) (*Plan, error) {
	type part struct {
		turn  raster.Orientation
		chain Chain
	}
	parts := []part{{turn: raster.TopLeft}}
	for i, op := range c {
		if op == nil {
			return nil, fmt.Errorf("filter: operation %d is nil", i+1)
		}
		if err := op.validate(); err != nil {
			return nil, err
		}
		o, ok := turnOf(op)
		if !ok {
			last := &parts[len(parts)-1]
			last.chain = append(last.chain, op)
			continue
		}
		last := &parts[len(parts)-1]
		if len(last.chain) == 0 {
			// Geometry right after geometry (or at the start): one turn.
			last.turn = last.turn.Then(o)
			continue
		}
		parts = append(parts, part{turn: o})
	}
	p := &Plan{chain: append(Chain(nil), c...), in: in, inB: image.Rect(0, 0, w, h)}
	f, cw, ch := in, w, h
	for _, pt := range parts {
		if pt.turn == raster.TopLeft && len(p.segs) > 0 {
			// The geometry in between cancelled out: one fused plan.
			prev := &p.segs[len(p.segs)-1]
			merged := append(prev.Plan.Chain(), pt.chain...)
			pw, ph := prev.Plan.inB.Dx(), prev.Plan.inB.Dy()
			sp, err := merged.planFused(pw, ph, prev.Plan.in)
			if err != nil {
				return nil, err
			}
			prev.Plan = sp
			cw, ch = sp.OutputSize()
			f = sp.Output()
			continue
		}
		tw, th := pt.turn.Size(cw, ch)
		sp, err := pt.chain.planFused(tw, th, f)
		if err != nil {
			return nil, err
		}
		p.segs = append(p.segs, Segment{Turn: pt.turn, Plan: sp})
		cw, ch = sp.OutputSize()
		f = sp.Output()
	}
	if len(p.segs) == 1 && p.segs[0].Turn == raster.TopLeft {
		return p.segs[0].Plan, nil // every turn cancelled out
	}
	p.out, p.outB = f, image.Rect(0, 0, cw, ch)
	for _, s := range p.segs {
		if s.Turn != raster.TopLeft {
			p.kernel = append(p.kernel, "turn("+Upright(s.Turn).String()+")")
		}
		p.kernel = append(p.kernel, s.Plan.kernel...)
		p.halo = max(p.halo, s.Plan.halo)
	}
	return p, nil
}

// errSegmented is Run's error on a plan with geometry.
var errSegmented = fmt.Errorf("filter: the chain has geometry operations: run the plan's Segments one after the other")

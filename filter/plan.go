package filter

import (
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/sluice-go/sluice/internal/freelist"
	"github.com/sluice-go/sluice/raster"
)

// alphaMode is how an operation wants colour held when the image has alpha.
type alphaMode uint8

const (
	anyAlpha      alphaMode = iota // either: geometry, gray
	premulAlpha                    // premultiplied: area operations
	straightAlpha                  // straight: point operations
)

// stage is the logic behind an Op.
type stage interface {
	// validate checks the parameters alone.
	validate() error
	// shape returns the size and format of the output for an input of
	// w×h pixels in format f, or an error when the operation cannot apply.
	shape(w, h int, f raster.PixelFormat) (int, int, raster.PixelFormat, error)
	// need returns the input pixels needed to compute out, clamped to the
	// input image bounds in.
	need(out, in image.Rectangle) image.Rectangle
	// alpha says how colour must be held on input.
	alpha() alphaMode
	// run computes out from b, which covers need(out, in). It may return b
	// itself; otherwise the caller recycles b.
	run(s *scratch, b *planes, out, in image.Rectangle) *planes
}

// Plan is a Chain fitted to one image size and pixel format, ready to run on
// tiles. A Plan is immutable and safe for concurrent use: Run may be called
// from many goroutines at once.
type Plan struct {
	chain  Chain
	stages []planStage
	in     raster.PixelFormat
	inB    image.Rectangle
	out    raster.PixelFormat
	outB   image.Rectangle
	loadPM bool // premultiply when loading the source tile
	halo   int
	fixed  fixedPath // integer fast path, nil when the chain has none
	kernel []string  // what runs, for Kernels
	segs   []Segment // set when the chain has geometry (Segments)

	// scratches are the working buffers of finished Run calls, kept with
	// the plan so that a tile allocates nothing; at most as many exist as
	// calls have run at once, and they go when the plan does.
	scratches freelist.List[scratch]
}

type planStage struct {
	st    stage
	inB   image.Rectangle // bounds of the stage's input image
	mode  alphaMode       // how the stage wants colour held
	alpha bool            // the stage's input has alpha
}

// Plan checks c against an image of w×h pixels in format in (every crop
// inside its input, every shrink no larger than its input, parameters in
// range) and returns the plan that runs it. Consecutive point operations are
// merged into one pass, and so is a blur followed by a reduction (see
// blurResize). A chain with geometry operations is planned in
// segments (see Segments).
func (c Chain) Plan(w, h int, in raster.PixelFormat) (*Plan, error) {
	for _, op := range c {
		if _, ok := turnOf(op); ok {
			return c.planSegments(w, h, in)
		}
	}
	return c.planFused(w, h, in)
}

// planFused plans a chain without geometry, fused on tiles.
func (c Chain) planFused(w, h int, in raster.PixelFormat) (*Plan, error) {
	if !in.Valid() {
		return nil, fmt.Errorf("filter: invalid pixel format %v", in)
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("filter: image size %d×%d must be positive", w, h)
	}
	p := &Plan{chain: append(Chain(nil), c...), in: in, inB: image.Rect(0, 0, w, h)}
	var stages []stage
	for i, op := range c {
		if op == nil {
			return nil, fmt.Errorf("filter: operation %d is nil", i+1)
		}
		if err := op.validate(); err != nil {
			return nil, err
		}
		if pt, ok := op.(pointOp); ok {
			if n := len(stages); n > 0 {
				if ps, ok := stages[n-1].(*pointStage); ok {
					ps.ops = append(ps.ops, pt)
					continue
				}
			}
			stages = append(stages, &pointStage{ops: []pointOp{pt}})
			continue
		}
		if z, ok := op.(Resize); ok {
			if n := len(stages); n > 0 {
				if g, ok := stages[n-1].(Gaussian); ok && mergesBlur(g, z) {
					stages[n-1] = blurResize{g: g, z: z}
					continue
				}
			}
		}
		stages = append(stages, op)
	}
	for _, st := range stages {
		if ps, ok := st.(*pointStage); ok {
			ps.prepare()
		}
	}
	f, b := in, p.inB
	for i, st := range stages {
		if i == 0 {
			p.loadPM = f.HasAlpha() && st.alpha() == premulAlpha
		}
		ps := planStage{st: st, inB: b, alpha: f.HasAlpha(), mode: st.alpha()}
		ow, oh, of, err := st.shape(b.Dx(), b.Dy(), f)
		if err != nil {
			return nil, fmt.Errorf("filter: %v on a %d×%d %v image: %w", st, b.Dx(), b.Dy(), f, err)
		}
		p.stages = append(p.stages, ps)
		f, b = of, image.Rect(0, 0, ow, oh)
	}
	p.out, p.outB = f, b
	p.halo = p.computeHalo()
	p.fixed, p.kernel = newFixedPath(p)
	if p.fixed == nil {
		for i := range p.stages {
			p.kernel = append(p.kernel, "float32("+stagesString(p.stages[i:i+1])+")")
		}
	}
	return p, nil
}

// computeHalo adds up the halos of the chain in input pixels, scaling the
// halos after a shrink or a resize by its factor.
func (p *Plan) computeHalo() int {
	h := 0
	for i := len(p.chain) - 1; i >= 0; i-- {
		switch op := p.chain[i].(type) {
		case Shrink:
			h *= op.N
			continue
		case Resize:
			h = int(math.Ceil(float64(h) / op.S))
		}
		h += p.chain[i].Halo()
	}
	return h
}

// Kernels names the kernels that run the plan, in order, each with the
// operations it runs in parentheses: integer kernels such as
// "blur8+table(blur:2 invert)", "median8(median:1)" or "gray8(gray)", or
// "float32(box:1)" for each stage of a chain that runs in float32. The
// names say the depth (8 or 16); "+table" marks point operations folded
// into a kernel's pass. A plan with no operation has no kernel.
func (p *Plan) Kernels() []string { return append([]string(nil), p.kernel...) }

// Chain returns the operations the plan runs.
func (p *Plan) Chain() Chain { return append(Chain(nil), p.chain...) }

// OutputSize is the size of the output image.
func (p *Plan) OutputSize() (w, h int) { return p.outB.Dx(), p.outB.Dy() }

// Output is the pixel format of the output image: the input's, except that
// gray turns colour into gray. The depth is kept.
func (p *Plan) Output() raster.PixelFormat { return p.out }

// Input is the pixel format of the input image.
func (p *Plan) Input() raster.PixelFormat { return p.in }

// InputSize is the size of the input image the plan was made for.
func (p *Plan) InputSize() (w, h int) { return p.inB.Dx(), p.inB.Dy() }

// Halo is the total border, in input pixels, that the fused chain reads
// around an output pixel. It is informative: SourceRect is exact.
func (p *Plan) Halo() int { return p.halo }

// Identity reports whether the plan leaves the image as it is: no stage,
// the same pixel format and size. Run then copies src to dst.
func (p *Plan) Identity() bool {
	return len(p.stages) == 0 && p.segs == nil && p.in == p.out && p.outB == p.inB
}

// rects returns, for each stage, the rectangle of its input needed for the
// output rectangle out, and out itself last. It reuses rs when it is large
// enough.
func (p *Plan) rects(rs []image.Rectangle, out image.Rectangle) []image.Rectangle {
	if cap(rs) < len(p.stages)+1 {
		rs = make([]image.Rectangle, len(p.stages)+1)
	}
	rs = rs[:len(p.stages)+1]
	rs[len(p.stages)] = out
	for i := len(p.stages) - 1; i >= 0; i-- {
		out = p.stages[i].st.need(out, p.stages[i].inB)
		rs[i] = out
	}
	return rs
}

// SourceRect returns the input pixels needed to compute the output
// rectangle out, clamped to the input image. out is first clamped to the
// output image. The result grows monotonically with out's rows, so an engine
// can stream rows from top to bottom.
// For a plan with geometry (Segments) it is the whole input.
func (p *Plan) SourceRect(out image.Rectangle) image.Rectangle {
	out = out.Intersect(p.outB)
	if out.Empty() {
		return image.Rectangle{}
	}
	if p.segs != nil {
		return p.inB // geometry may need any input pixel
	}
	var buf [8]image.Rectangle
	return p.rects(buf[:0], out)[0]
}

var errEmptyTile = errors.New("filter: tile has no pixels")

// Run computes the pixels dst.Rect of the output image from src, which must
// hold the input pixels SourceRect(dst.Rect) in the plan's input format;
// dst must be in Output format and lie inside the output image. The result
// is the same, byte for byte, for every tiling of the output. Run reuses
// scratch buffers across calls and is safe to call from many goroutines.
// A plan with geometry does not run on tiles: Run returns an error, and
// the caller runs its Segments instead.
func (p *Plan) Run(dst, src *raster.Tile) error {
	if dst == nil || src == nil {
		return errors.New("filter: nil tile")
	}
	if p.segs != nil {
		return errSegmented
	}
	if dst.Format != p.out {
		return fmt.Errorf("filter: destination tile is %v, want %v", dst.Format, p.out)
	}
	if src.Format != p.in {
		return fmt.Errorf("filter: source tile is %v, want %v", src.Format, p.in)
	}
	if dst.Rect.Empty() {
		return nil
	}
	if !dst.Rect.In(p.outB) {
		return fmt.Errorf("filter: destination %v lies outside the output image %v", dst.Rect, p.outB)
	}
	if err := checkTile(dst); err != nil {
		return err
	}
	s := p.scratches.Get()
	if s == nil {
		s = new(scratch)
	}
	defer p.scratches.Put(s)
	rs := p.rects(s.rects, dst.Rect)
	s.rects = rs
	if !rs[0].In(src.Rect) {
		return fmt.Errorf("filter: source tile %v does not cover %v, needed for %v", src.Rect, rs[0], dst.Rect)
	}
	if err := checkTile(src); err != nil {
		return err
	}
	if len(p.stages) == 0 {
		copyTile(dst, src)
		return nil
	}
	if p.fixed != nil {
		p.fixed.run(s, dst, src, p.inB)
		return nil
	}
	// A large tile runs as blocks small enough for their float32 buffers
	// to stay in cache; the tiling does not change a byte of the result.
	bw, bh := blockSize(dst.Rect.Dx(), p.in.Channels)
	if dst.Rect.Dx() <= bw && dst.Rect.Dy() <= bh {
		p.runBlock(s, dst, src, rs)
		return nil
	}
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y += bh {
		for x := dst.Rect.Min.X; x < dst.Rect.Max.X; x += bw {
			r := image.Rect(x, y, min(x+bw, dst.Rect.Max.X), min(y+bh, dst.Rect.Max.Y))
			s.block = raster.Tile{Rect: r, Pix: dst.Pix[dst.PixOffset(r.Min.X, r.Min.Y):], Stride: dst.Stride, Format: dst.Format}
			s.blockRects = p.rects(s.blockRects, r)
			p.runBlock(s, &s.block, src, s.blockRects)
		}
	}
	return nil
}

// blockBytes is the float32 working set Run aims for per block.
const blockBytes = 256 << 10

// blockSize returns the block Run cuts a tile of width w into.
func blockSize(w, channels int) (int, int) {
	bw := min(w, 512)
	bh := max(16, blockBytes/(bw*channels*4))
	return bw, bh
}

// runBlock computes dst from src through every stage; rs are the
// rectangles of p.rects(dst.Rect).
func (p *Plan) runBlock(s *scratch, dst, src *raster.Tile, rs []image.Rectangle) {
	stages := p.stages
	var b *planes
	if z, ok := stages[0].st.(Resize); ok && z.box() > 1 && (!stages[0].alpha || stages[0].mode == premulAlpha) {
		// A large reduction first: its box averages come from the
		// source rows, not from planes of the whole input.
		in := stages[0].inB
		b = z.runBoxed(s, z.boxLoad(s, src, z.boxRect(rs[1], in), in, true), rs[1], in)
		stages, rs = stages[1:], rs[1:]
	} else {
		b = s.load(src, rs[0], p.loadPM)
	}
	for i, ps := range stages {
		if ps.alpha {
			// Whether colour is premultiplied here depends on the chain
			// alone, never on the tile, so every tile takes the same path.
			switch {
			case ps.mode == premulAlpha && !b.premul:
				b.premultiply()
			case ps.mode == straightAlpha && b.premul:
				b.unpremultiply()
			}
		}
		nb := ps.st.run(s, b, rs[i+1], ps.inB)
		if nb != b {
			s.release(b)
		}
		b = nb
	}
	s.store(dst, b)
	s.release(b)
}

// checkTile reports a tile whose Pix is too short for its Rect and Stride.
func checkTile(t *raster.Tile) error {
	if t.Rect.Empty() {
		return errEmptyTile
	}
	rb := t.Rect.Dx() * t.Format.BytesPerPixel()
	if t.Stride < rb || len(t.Pix) < (t.Rect.Dy()-1)*t.Stride+rb {
		return fmt.Errorf("filter: tile %v has %d bytes with stride %d, too few for its rectangle", t.Rect, len(t.Pix), t.Stride)
	}
	return nil
}

// copyTile copies the pixels of dst.Rect from src.
func copyTile(dst, src *raster.Tile) {
	for y := dst.Rect.Min.Y; y < dst.Rect.Max.Y; y++ {
		d := dst.Row(y)
		o := src.PixOffset(dst.Rect.Min.X, y)
		copy(d, src.Pix[o:o+len(d)])
	}
}

package engine

import (
	"context"
	"fmt"
	"image"
	"sync"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// fband is a band of whole rows of float32 state, one plane per channel:
// rows y0 … y0+rows-1 of the image after some steps.
type fband struct {
	y0, rows int
	p        [][]float32
}

// runIterative runs the chain with the Steps or Exchange strategy.
func (j *Job) runIterative(ctx context.Context) error {
	it := j.iter
	budget := j.budget
	if j.strategy == Steps {
		// Bands are quick to read and slow to step: without a bound of
		// their own the reader would fill the whole budget ahead of the
		// stages. A few bands per stage and worker keep every stage fed.
		budget = min(budget, it.inFlight)
	}
	j.pipe = sluice.New(sluice.Config{Budget: budget, QueueLen: j.workers * 4, Name: j.opts.Name, StallTimeout: j.opts.Stall})
	if j.strategy == Exchange {
		j.runStrips(it)
	} else {
		j.runSteps(it)
	}
	if j.opts.Watch != nil {
		j.opts.Watch(j.pipe)
	}
	return j.pipe.Run(ctx)
}

// floats recycles the planes of float32 state, so that a long run does
// not allocate per band. The budget bounds how many are in flight.
type floats struct {
	largest int // planes of more samples are left to the collector; 0: no limit

	mu   sync.Mutex
	free [][]float32
}

// get returns a plane of n samples: the smallest kept one that fits.
func (f *floats) get(n int) []float32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	best := -1
	for i, p := range f.free {
		if cap(p) >= n && (best < 0 || cap(p) < cap(f.free[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]float32, n)
	}
	p := f.free[best][:n]
	f.free[best] = f.free[len(f.free)-1]
	f.free = f.free[:len(f.free)-1]
	return p
}

// put keeps planes for get. The band at the bottom of the image grows by
// a row at every step, so its planes are dropped rather than kept: kept,
// one per step, they would add up to the square of the steps.
func (f *floats) put(ps ...[]float32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range ps {
		if f.largest == 0 || cap(p) <= f.largest {
			f.free = append(f.free, p)
		}
	}
}

// readState reads rows [y0, y1) of the input into new float32 planes.
func (j *Job) readState(it *iterative, pool *floats, buf *[]byte, y0, y1 int) (*fband, error) {
	rb := j.in.RowBytes()
	n := (y1 - y0) * rb
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	pix := (*buf)[:n]
	if err := readFull(j.src, pix); err != nil {
		return nil, fmt.Errorf("reading rows %d to %d: %w", y0, y1, err)
	}
	b := &fband{y0: y0, rows: y1 - y0, p: make([][]float32, it.f.Channels)}
	for c := range b.p {
		b.p[c] = pool.get(b.rows * it.w)
	}
	tile := raster.Tile{Rect: image.Rect(0, y0, it.w, y1), Pix: pix, Stride: rb, Format: it.f}
	filter.LoadPlanes(b.p, &tile)
	return b, nil
}

// writeState quantises b and writes its rows, which come next in the
// output.
func (j *Job) writeState(it *iterative, buf *[]byte, b *fband) error {
	if b.rows == 0 {
		return nil
	}
	rb := j.in.RowBytes()
	n := b.rows * rb
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	pix := (*buf)[:n]
	tile := raster.Tile{Rect: image.Rect(0, b.y0, it.w, b.y0+b.rows), Pix: pix, Stride: rb, Format: it.f}
	filter.StorePlanes(&tile, b.p)
	write := j.dst.WriteRows
	if j.at != nil { // the writer handed out RowsAt: rows go there
		write = func(pix []byte) error { return j.at.WriteRowsAt(b.y0, pix) }
	}
	if err := write(pix); err != nil {
		return fmt.Errorf("writing rows %d to %d: %w", b.y0, b.y0+b.rows, err)
	}
	j.rows.Add(int64(b.rows))
	return nil
}

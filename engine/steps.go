package engine

import (
	"context"
	"fmt"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
)

// runSteps builds the Steps strategy: bands of rows stream from the
// reader through it.stages stages, each taking its share of the steps on
// one band after the other, to the writer. A step needs the rows on
// either side of each row, so each step keeps the last two rows it was
// given and hands on a band that ends one row higher than the band it
// got; the last band makes up the difference. No row is computed twice.
func (j *Job) runSteps(it *iterative) {
	pool := &floats{}
	var rbuf, wbuf []byte
	bands := sluice.SizedBy(sluice.Source(j.pipe, "read", func(ctx context.Context, emit func(*fband) error) error {
		for y := 0; y < it.h; y += it.bandRows {
			b, err := j.readState(it, pool, &rbuf, y, min(y+it.bandRows, it.h))
			if err != nil {
				return err
			}
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	}), func(b *fband) int64 { return int64(b.rows) * it.rowF })
	done := 0
	for s := range it.stages {
		n := (it.d.N*(s+1))/it.stages - done
		steps := make([]*stepper, n)
		for k := range steps {
			steps[k] = &stepper{d: it.d, w: it.w, h: it.h, pool: pool}
		}
		name := fmt.Sprintf("steps %d-%d", done+1, done+n)
		if n == 1 {
			name = fmt.Sprintf("step %d", done+1)
		}
		done += n
		bands = sluice.Map(bands, name, sluice.Opts{Workers: 1, Ordered: true}, func(_ context.Context, b *fband) (*fband, error) {
			for _, st := range steps {
				b = st.push(b)
			}
			return b, nil
		})
	}
	sluice.Sink(bands, "write", sluice.Opts{Ordered: true}, func(_ context.Context, b *fband) error {
		err := j.writeState(it, &wbuf, b)
		pool.put(b.p...)
		return err
	})
}

// stepper takes one step on a stream of bands that cover the image top to
// bottom. It is not safe for concurrent use.
type stepper struct {
	d    filter.Diffuse
	w, h int
	pool *floats

	carry [][]float32 // the last rows received, up to two per plane
	rows  int         // rows in carry
	work  [][]float32 // carry and band, contiguous
}

// push takes the band of rows [a, b) of the state before the step and
// returns the rows after it that it can now compute: [a-1, b-1), from 0
// for the first band and to the bottom for the last. It recycles in.
func (s *stepper) push(in *fband) *fband {
	a, b := in.y0, in.y0+in.rows
	start, end := max(a-1, 0), b-1
	if b == s.h {
		end = b
	}
	out := &fband{y0: start, rows: max(end-start, 0), p: make([][]float32, len(in.p))}
	if s.carry == nil {
		s.carry = make([][]float32, len(in.p))
		s.work = make([][]float32, len(in.p))
		for c := range s.carry {
			s.carry[c] = make([]float32, 2*s.w)
		}
	}
	lo := a - s.rows // first row held in work
	w := s.w
	for c := range in.p {
		work := append(s.work[c][:0], s.carry[c][:s.rows*w]...)
		work = append(work, in.p[c]...)
		s.work[c] = work
		out.p[c] = s.pool.get(out.rows * w)
		if out.rows > 0 {
			var above, below []float32
			if start > 0 {
				above = work[(start-1-lo)*w : (start-lo)*w]
			}
			if end < s.h {
				below = work[(end-lo)*w : (end+1-lo)*w]
			}
			s.d.StepRows(out.p[c], work[(start-lo)*w:(end-lo)*w], w, above, below)
		}
	}
	// Keep the last two rows for the next band.
	held := b - lo
	keep := min(2, held)
	for c := range in.p {
		copy(s.carry[c], s.work[c][(held-keep)*w:held*w])
	}
	s.rows = keep
	s.pool.put(in.p...)
	return out
}

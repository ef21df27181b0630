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
	w := s.w
	if s.carry == nil {
		s.carry = make([][]float32, len(in.p))
		for c := range s.carry {
			s.carry[c] = make([]float32, 2*w)
		}
	}
	row := func(p []float32, k int) []float32 { return p[k*w : (k+1)*w] }
	for c, band := range in.p {
		o := s.pool.get(out.rows * w)
		out.p[c] = o
		if out.rows == 0 {
			continue
		}
		carry := s.carry[c]
		k := 0 // output rows done
		if start < a {
			// Row a-1, the last carried, between the row before it and
			// the band's first.
			var above, below []float32
			if s.rows == 2 {
				above = row(carry, 0)
			}
			if in.rows > 0 {
				below = row(band, 0)
			}
			s.d.StepRows(row(o, 0), row(carry, s.rows-1), w, above, below)
			k = 1
		}
		if end > a {
			// Rows a … end-1, from the band itself.
			var above, below []float32
			if a > 0 {
				above = row(carry, s.rows-1)
			}
			if end < b {
				below = row(band, end-a)
			}
			s.d.StepRows(o[k*w:], band[:(end-a)*w], w, above, below)
		}
	}
	// Keep the last two rows for the next band.
	for c, band := range in.p {
		carry := s.carry[c]
		switch {
		case in.rows >= 2:
			copy(carry, band[(in.rows-2)*w:])
		case in.rows == 1 && s.rows == 2:
			copy(carry, carry[w:])
			copy(carry[w:], band)
		case in.rows == 1:
			copy(carry[s.rows*w:], band)
		}
	}
	s.rows = min(2, s.rows+in.rows)
	s.pool.put(in.p...)
	return out
}

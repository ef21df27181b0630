package engine

import (
	"context"

	"github.com/sluice-go/sluice"
)

// strip is one worker's part of the image in the Exchange strategy: its
// state and a second buffer for the next step.
type strip struct {
	*fband
	next [][]float32
}

// runStrips builds the Exchange strategy: the reader cuts the image into
// one strip per worker, sluice.Exchange runs the steps with the strips
// trading their edge rows at every step, and the writer quantises the
// strips in order.
func (j *Job) runStrips(it *iterative) {
	pool := &floats{}
	var rbuf, wbuf []byte
	w := it.w
	strips := sluice.SizedBy(sluice.Source(j.pipe, "read", func(ctx context.Context, emit func(*strip) error) error {
		for i := range it.parts {
			y0, y1 := i*it.h/it.parts, (i+1)*it.h/it.parts
			b, err := j.readState(it, pool, &rbuf, y0, y1)
			if err != nil {
				return err
			}
			s := &strip{fband: b, next: make([][]float32, len(b.p))}
			for c := range s.next {
				s.next[c] = make([]float32, len(b.p[c]))
			}
			if err := emit(s); err != nil {
				return err
			}
		}
		return nil
	}), func(s *strip) int64 { return 2 * int64(s.rows) * it.rowF })
	row := func(s *strip, y int) [][]float32 {
		r := make([][]float32, len(s.p))
		for c := range r {
			r[c] = append([]float32(nil), s.p[c][y*w:(y+1)*w]...)
		}
		return r
	}
	done := sluice.Exchange(strips, "diffuse", sluice.ExchangeOpts{Parts: it.parts, Steps: it.d.N, Name: "strip"},
		sluice.Domain[*strip, [][]float32]{
			Edges: func(s *strip) (first, last [][]float32) { return row(s, 0), row(s, s.rows-1) },
			Step: func(_ context.Context, s *strip, _ int, prev, next *[][]float32) (float64, error) {
				for c := range s.p {
					var above, below []float32
					if prev != nil {
						above = (*prev)[c]
					}
					if next != nil {
						below = (*next)[c]
					}
					it.d.StepRows(s.next[c], s.p[c], w, above, below)
				}
				s.p, s.next = s.next, s.p
				return 0, nil
			},
		})
	sluice.Sink(done, "write", sluice.Opts{Ordered: true}, func(_ context.Context, s *strip) error {
		return j.writeState(it, &wbuf, s.fband)
	})
}

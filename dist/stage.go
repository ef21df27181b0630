package dist

import (
	"context"
	"sync/atomic"

	"github.com/sluice-go/sluice"
)

// Codec turns items of type T into bytes and back. Decode must reject
// bytes that are not a valid encoding: that is how a coordinator refuses
// a bad worker's result.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// Map is a stage whose function runs on remote workers: each item of in
// is encoded with inCodec, sent through d to a worker that runs the job's
// handler, and the result decoded with outCodec. opts.Workers is the
// number of items in flight at once (0 = 64); opts.Ordered keeps input
// order. Items stay charged to the pipeline's budget while they are out, so
// a slow or absent worker pool makes the source wait. An item whose result
// does not decode is redone elsewhere; past the job's delivery limit the
// stage fails naming the item.
func Map[In, Out any](in *sluice.Stream[In], name string, opts sluice.Opts, d *Dispatcher, inCodec Codec[In], outCodec Codec[Out]) *sluice.Stream[Out] {
	if opts.Workers <= 0 {
		opts.Workers = 64
	}
	var seq atomic.Uint64
	return sluice.Map(in, name, opts, func(ctx context.Context, v In) (Out, error) {
		var zero Out
		b, err := inCodec.Encode(v)
		if err != nil {
			return zero, err
		}
		var out Out
		_, err = d.Do(ctx, seq.Add(1), b, func(p []byte) error {
			var err error
			out, err = outCodec.Decode(p)
			return err
		})
		if err != nil {
			return zero, err
		}
		return out, nil
	})
}

// Handle adapts a typed function to a Handler: the task's payload is
// decoded with inCodec and the function's result encoded with outCodec.
func Handle[In, Out any](inCodec Codec[In], outCodec Codec[Out], fn func(ctx context.Context, v In) (Out, error)) Handler {
	return HandlerFunc(func(ctx context.Context, job Job, payload []byte) ([]byte, error) {
		v, err := inCodec.Decode(payload)
		if err != nil {
			return nil, err
		}
		out, err := fn(ctx, v)
		if err != nil {
			return nil, err
		}
		return outCodec.Encode(out)
	})
}

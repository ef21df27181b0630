package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// serialReader serves an image as a raster.SerialBandReader: NextBand
// checks it runs on one goroutine at a time, counts calls, and hands out
// bands whose Decode copies the rows; decodes and releases are counted,
// and a band decoded twice or used after Release fails.
type serialReader struct {
	*memReader
	rows     int
	next     int
	busy     atomic.Int32
	decodes  atomic.Int32
	releases atomic.Int32
	out      atomic.Int32 // bands handed out and not released
	failAt   int          // NextBand of the band holding this row fails
	extra    bool         // NextBand returns one band too many
}

type serialBand struct {
	r        *serialReader
	i        int
	decoded  bool
	released bool
}

func (r *serialReader) SerialBands() (int, int64) { return r.rows, 1000 }

func (r *serialReader) NextBand() (raster.PendingBand, error) {
	if r.busy.Add(1) != 1 {
		panic("NextBand called concurrently")
	}
	defer r.busy.Add(-1)
	n := (r.h.Height + r.rows - 1) / r.rows
	if r.extra {
		n++
	}
	if r.next >= n {
		return nil, io.EOF
	}
	if r.failAt > 0 && (r.next+1)*r.rows > r.failAt {
		return nil, errors.New("bad Huffman code")
	}
	r.next++
	r.out.Add(1)
	return &serialBand{r: r, i: r.next - 1}, nil
}

func (b *serialBand) Decode(dst []byte) error {
	if b.decoded || b.released {
		return fmt.Errorf("band %d decoded twice or after Release", b.i)
	}
	b.decoded = true
	b.r.decodes.Add(1)
	rb := b.r.h.RowBytes()
	y0, y1 := b.i*b.r.rows, min((b.i+1)*b.r.rows, b.r.h.Height)
	copy(dst[:(y1-y0)*rb], b.r.pix[y0*rb:y1*rb])
	return nil
}

func (b *serialBand) Release() {
	if b.released {
		panic("released twice")
	}
	b.released = true
	b.r.releases.Add(1)
	b.r.out.Add(-1)
}

// TestSerialBandsSameBytes runs jobs whose reader decodes by serial bands
// of several heights: the output must be the whole-image result, every
// band must be handed out once, in order, and released, the ones a chain
// needs decoded, and "serial" and "decode" must show as stages.
func TestSerialBandsSameBytes(t *testing.T) {
	chains := []string{"", "blur:2", "crop:5,7,60,33 box:2", "crop:0,40,97,20", "resize:0.7"}
	img := randomImage(97, 83, raster.RGB8, 3)
	for _, spec := range chains {
		chain, err := filter.ParseChain(fields(spec))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := chain.Plan(img.h.Width, img.h.Height, raster.RGB8)
		if err != nil {
			t.Fatal(err)
		}
		want := reference(t, img, plan)
		for _, rows := range []int{1, 8, 30, 200} {
			for _, o := range []Options{{Workers: 1, Tile: 16}, {Workers: 3, Tile: 37}, {Workers: 2, Tile: 64, Memory: 64 << 10}} {
				t.Run(fmt.Sprintf("%q/bands=%d/workers=%d/memory=%d", spec, rows, o.Workers, o.Memory), func(t *testing.T) {
					mr := *img
					src := &serialReader{memReader: &mr, rows: rows}
					w, _ := plan.OutputSize()
					dst := &memWriter{rb: w * plan.Output().BytesPerPixel()}
					job, err := New(src, dst, plan, o)
					if err != nil {
						t.Fatal(err)
					}
					if o.Memory == 0 && (job.dec == nil || job.dec.s == nil) {
						t.Fatalf("the job does not decode by serial bands")
					}
					if err := job.Run(context.Background()); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(dst.buf.Bytes(), want) {
						t.Fatalf("got %d bytes differing from the whole-image result (%d bytes)", dst.buf.Len(), len(want))
					}
					if job.dec == nil {
						return
					}
					n := (img.h.Height + rows - 1) / rows
					if src.next != n {
						t.Errorf("bands handed out: got %d, want all %d", src.next, n)
					}
					if got := src.releases.Load(); got != int32(n) || src.out.Load() != 0 {
						t.Errorf("bands released: got %d, want %d", got, n)
					}
					if got := src.decodes.Load(); got < 1 || got > int32(n) {
						t.Errorf("bands decoded: got %d, want 1 to %d", got, n)
					}
					var names []string
					for _, s := range job.Stats().Stages {
						names = append(names, s.Name)
					}
					if !slices.Contains(names, "serial") || !slices.Contains(names, "decode") {
						t.Errorf("stages: got %v, want serial and decode among them", names)
					}
				})
			}
		}
	}
}

// TestSerialBandsErrors checks that a failing serial step fails the job
// with the reader's error, and that a reader with more bands than its
// height is an error.
func TestSerialBandsErrors(t *testing.T) {
	img := randomImage(64, 64, raster.RGB8, 4)
	chain, _ := filter.ParseChain([]string{"crop:0,0,64,16"})
	plan, err := chain.Plan(64, 64, raster.RGB8)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		src    *serialReader
		reason string
	}{
		{"failing band past the crop", &serialReader{memReader: img, rows: 8, failAt: 50}, "bad Huffman code"},
		{"a band too many", &serialReader{memReader: img, rows: 8, extra: true}, "more bands than the header's 64 rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job, err := New(tc.src, &memWriter{rb: 64 * 3}, plan, Options{Workers: 2, Tile: 16})
			if err != nil {
				t.Fatal(err)
			}
			err = job.Run(context.Background())
			var se *sluice.StageError
			if !errors.As(err, &se) || se.Stage != "serial" || !contains(err.Error(), tc.reason) {
				t.Errorf("got %v, want a StageError of stage serial saying %q", err, tc.reason)
			}
		})
	}
}

package engine

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/jpegio"
)

// TestBandsFitTheirCharge runs jobs over readers that decode by bands of
// several heights, with chains that keep, widen, crop and shrink the
// source rows, at budgets that give bands of several heights: no band may
// need a larger buffer than the size its charge was planned with
// (bandCap), the bytes in flight stay within the pipeline's share of the
// budget, and the output is the whole-image result.
func TestBandsFitTheirCharge(t *testing.T) {
	img := randomImage(150, 301, raster.RGB8, 3)
	for _, spec := range []string{"", "blur:2", "crop:3,17,140,250", "resize:0.37", "blur:1 resize:0.5"} {
		plan := mustPlan(t, mustChain(t, spec), img.h.Width, img.h.Height, raster.RGB8)
		want := reference(t, img, plan)
		w, _ := plan.OutputSize()
		for _, rows := range []int{7, 16, 64} {
			for _, mem := range []int64{600 << 10, 2 << 20} {
				t.Run(fmt.Sprintf("%q/band=%d/mem=%d", spec, rows, mem), func(t *testing.T) {
					dst := &memWriter{rb: w * 3}
					job, err := New(newBandReader(img, rows), dst, plan, Options{Workers: 2, Tile: 64, Memory: mem})
					if err != nil {
						t.Fatal(err)
					}
					if job.dec == nil {
						t.Fatalf("bands of %d rows: the job reads rows, want it to decode by bands", job.bandH)
					}
					if err := job.Run(context.Background()); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(dst.buf.Bytes(), want) {
						t.Fatalf("output differs from the whole-image result (%d of %d bytes)", dst.buf.Len(), len(want))
					}
					for _, b := range job.free {
						if int64(cap(b.buf)) > job.bandCap {
							t.Errorf("band %d: got a buffer of %d bytes, want at most the %d it is charged (bands of %d rows)", b.index, cap(b.buf), job.bandCap, job.bandH)
						}
					}
					if peak, most := job.Stats().PeakBytes, job.inFlight(); peak > most || most > mem {
						t.Errorf("got a peak of %d bytes in flight, want at most %d, itself at most the budget of %d", peak, most, mem)
					}
				})
			}
		}
	}
}

// TestIdentityBandsInPlace checks that a job that changes nothing keeps
// no output rows beside the source rows: a band's output is its source.
func TestIdentityBandsInPlace(t *testing.T) {
	img := randomImage(90, 70, raster.RGB8, 4)
	plan := mustPlan(t, mustChain(t, ""), 90, 70, raster.RGB8)
	dst := &memWriter{rb: 90 * 3}
	job, err := New(img, dst, plan, Options{Workers: 2, Tile: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.buf.Bytes(), img.pix) {
		t.Fatal("output differs from the input")
	}
	if len(job.free) == 0 {
		t.Fatal("no band was recycled")
	}
	for _, b := range job.free {
		if &b.out.Pix[0] != &b.src.Pix[0] {
			t.Fatalf("band %d: its output rows are a copy, want its source rows", b.index)
		}
		if got, want := len(b.buf), b.src.Rect.Dy()*img.h.RowBytes(); got != want {
			t.Fatalf("band %d: got %d bytes, want %d, its source rows alone", b.index, got, want)
		}
	}
}

// TestWideJPEGDecodesInPool checks that a 10,000-wide JPEG with restart
// markers, read at the default budget, decodes in the pool's decode stage
// by restart intervals on both workers rather than on the reader's one
// goroutine, and gives the pixels a serial read gives.
func TestWideJPEGDecodesInPool(t *testing.T) {
	h := raster.Header{Width: 10000, Height: 80, Pixel: raster.RGB8}
	src := randomImage(h.Width, h.Height, h.Pixel, 6)
	data := jpegFile(t, h, src.pix, jpegio.WriterOptions{Quality: 90})
	serial, err := jpegio.NewReader(bytes.NewReader(data), jpegio.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, h.RowBytes()*h.Height)
	if err := readFull(serial, want); err != nil {
		t.Fatal(err)
	}
	r, err := jpegio.NewReader(bytes.NewReader(data), jpegio.ReaderOptions{At: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	plan := mustPlan(t, mustChain(t, ""), h.Width, h.Height, h.Pixel)
	dst := &memWriter{rb: h.RowBytes()}
	job, err := New(r, dst, plan, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if job.dec == nil || job.dec.s == nil {
		t.Fatalf("the job reads rows on one goroutine (bands of %d rows), want the decode stage", job.bandH)
	}
	if job.dec.scratch == 0 {
		t.Fatal("the reader's decoding scratch was not reserved")
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.buf.Bytes(), want) {
		t.Fatal("pixels differ from a serial read")
	}
	var decode bool
	for _, s := range job.Stats().Stages {
		if s.Name == "decode" && s.Workers == 2 && s.In > 0 {
			decode = true
		}
	}
	if !decode {
		t.Fatalf("no decode stage of 2 workers ran: %+v", job.Stats().Stages)
	}
}

// joinCounter is a JPEG reader whose JoinBand counts the rows it writes.
type joinCounter struct {
	*jpegio.Reader
	written atomic.Int32 // first rows of bands
	above   atomic.Int32 // last rows of the bands above
}

func (r *joinCounter) JoinBand(k int, above, row []byte) error {
	before, beforeAbove := bytes.Clone(row), bytes.Clone(above)
	err := r.Reader.JoinBand(k, above, row)
	if !bytes.Equal(before, row) {
		r.written.Add(1)
	}
	if !bytes.Equal(beforeAbove, above) {
		r.above.Add(1)
	}
	return err
}

// TestJPEGBandsJoined runs a JPEG with a restart marker every MCU row,
// decoded by restart intervals, through chains with and without a halo,
// a crop and an enlargement, on one to three workers: the job asks the
// reader to leave each band's first row (jpegio.Reader.JoinBands) and,
// where every band of the job decodes some of the reader's (the plain
// conversion; not a crop, nor an enlargement whose bands need fewer
// source rows than the reader's bands hold), its last row too; the stage cut writes them, and the
// pixels must be those of a serial read through the same chain.
func TestJPEGBandsJoined(t *testing.T) {
	h := raster.Header{Width: 300, Height: 700, Pixel: raster.RGB8}
	src := randomImage(h.Width, h.Height, h.Pixel, 9)
	data := jpegFile(t, h, src.pix, jpegio.WriterOptions{Quality: 90, BandRows: 1})
	for _, spec := range []string{"", "blur:2", "crop:10,200,250,300", "resize:2"} {
		serial, err := jpegio.NewReader(bytes.NewReader(data), jpegio.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		plan := mustPlan(t, mustChain(t, spec), h.Width, h.Height, h.Pixel)
		ow, _ := plan.OutputSize()
		ref := &memWriter{rb: ow * plan.Output().BytesPerPixel()}
		job, err := New(serial, ref, plan, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%q/workers=%d", spec, workers), func(t *testing.T) {
				jr, err := jpegio.NewReader(bytes.NewReader(data), jpegio.ReaderOptions{At: bytes.NewReader(data)})
				if err != nil {
					t.Fatal(err)
				}
				defer jr.Close()
				r := &joinCounter{Reader: jr}
				plan := mustPlan(t, mustChain(t, spec), h.Width, h.Height, h.Pixel)
				dst := &memWriter{rb: ref.rb}
				job, err := New(r, dst, plan, Options{Workers: workers, Tile: 64, Memory: 8 << 20})
				if err != nil {
					t.Fatal(err)
				}
				if job.dec == nil || job.dec.s == nil {
					t.Fatal("the job does not decode by serial bands")
				}
				if err := job.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(dst.buf.Bytes(), ref.buf.Bytes()) {
					t.Fatal("pixels differ from a serial read")
				}
				if r.written.Load() == 0 {
					t.Fatal("JoinBand wrote no row")
				}
				if want, ok := map[string]bool{"": true, "crop:10,200,250,300": false, "resize:2": false}[spec]; ok && job.dec.last != want {
					t.Errorf("bands leave their last row: %v, want %v", job.dec.last, want)
				}
				if last, above := job.dec.last, r.above.Load() > 0; above != last {
					t.Errorf("JoinBand wrote the last row of a band: %v, want %v", above, last)
				}
			})
		}
	}
}

// jpegFile returns the JPEG file of the h.Width×h.Height pixels pix.
func jpegFile(t *testing.T, h raster.Header, pix []byte, o jpegio.WriterOptions) []byte {
	t.Helper()
	var file bytes.Buffer
	w, err := jpegio.NewWriter(&file, h, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRows(pix); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return file.Bytes()
}

package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// turned is the reference for a geometry step: the image turned to o,
// pixel by pixel, in memory.
func turned(pix []byte, w, h int, pf raster.PixelFormat, o raster.Orientation) ([]byte, int, int) {
	bpp := pf.BytesPerPixel()
	ow, oh := o.Size(w, h)
	out := make([]byte, len(pix))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := o.Source(x, y, w, h)
			copy(out[(y*ow+x)*bpp:(y*ow+x+1)*bpp], pix[(sy*w+sx)*bpp:])
		}
	}
	return out, ow, oh
}

// segmentReference runs a plan with geometry on the whole image in
// memory: each segment's turn by turned, then its plan on one tile.
func segmentReference(t *testing.T, src *memReader, plan *filter.Plan) []byte {
	t.Helper()
	pix, w, h, pf := src.pix, src.h.Width, src.h.Height, src.h.Pixel
	for _, s := range plan.Segments() {
		pix, w, h = turned(pix, w, h, pf, s.Turn)
		pix = reference(t, &memReader{h: raster.Header{Width: w, Height: h, Pixel: pf}, pix: pix}, s.Plan)
		w, h = s.Plan.OutputSize()
		pf = s.Plan.Output()
	}
	return pix
}

// TestTurnSameBytes checks each geometry operation against the image
// turned pixel by pixel, on every pixel format and on sizes from one
// pixel to several tiles of the store, with every worker count, tile
// size and budget giving the same bytes, and the store in memory and in a
// file.
func TestTurnSameBytes(t *testing.T) {
	ops := []string{"rotate:90", "rotate:180", "rotate:270", "flip", "flop", "transpose", "transverse"}
	sizes := [][2]int{{1, 1}, {1, 9}, {9, 1}, {7, 5}, {300, 170}}
	opts := []Options{
		{Workers: 1},
		{Workers: 3, Tile: 16},
		{Workers: 2, Tile: 64, Memory: 192 << 10}, // the store in a file, in tiles smaller than the image
	}
	for _, pf := range raster.Formats() {
		for _, sz := range sizes {
			src := randomImage(sz[0], sz[1], pf, uint64(sz[0]*31+sz[1]))
			for _, op := range ops {
				chain := mustChain(t, op)
				plan := mustPlan(t, chain, sz[0], sz[1], pf)
				want, _, _ := turned(src.pix, sz[0], sz[1], pf, plan.Segments()[0].Turn)
				for _, o := range opts {
					if sz[0] < 100 && o.Memory != 0 {
						continue // small images stay in memory anyway
					}
					name := fmt.Sprintf("%v/%dx%d/%s/w%d-t%d-m%d", pf, sz[0], sz[1], op, o.Workers, o.Tile, o.Memory)
					got, _, err := run(t, src, chain, o)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("%s: the output differs from the image turned pixel by pixel", name)
					}
				}
			}
		}
	}
}

// TestTurnStoreInFile checks that a large enough image goes through a
// file in Scratch.Dir (and leaves nothing there), and a small one stays in
// memory.
func TestTurnStoreInFile(t *testing.T) {
	for _, tc := range []struct {
		w, h  int
		share int64
		file  bool
	}{{40, 30, DefaultMemory / 4, false}, {300, 170, 16 << 10, true}} {
		dir := t.TempDir()
		st := newTurnStore(raster.Header{Width: tc.w, Height: tc.h, Pixel: raster.RGB8}, raster.RightTop, tc.share, raster.SpillOptions{Dir: dir})
		if err := st.open(); err != nil {
			t.Fatal(err)
		}
		if got := !st.spill.InMemory(); got != tc.file {
			t.Errorf("%dx%d: in a file: got %v, want %v", tc.w, tc.h, got, tc.file)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%dx%d: %d files left in the scratch folder, want none (removed when made)", tc.w, tc.h, len(ents))
		}
		st.close()
	}
}

// TestTurnChains mixes geometry and filters: the bytes are those of the
// segments run one after the other on the whole image, whatever the
// workers, tiles and budget.
func TestTurnChains(t *testing.T) {
	chains := []string{
		"rotate:90 blur:1",
		"blur:1 flip resize:0.5",
		"flop blur:1 transpose invert",
		"median:1 rotate:270 crop:3,4,50,60 rotate:180",
		"rotate:90 rotate:270 blur:1", // cancels: one fused plan
		"gray flop",
		"diffuse:3 rotate:90", // the first phase picks a strategy of its own
	}
	for _, pf := range []raster.PixelFormat{raster.RGB8, raster.GrayAlpha16, raster.RGBA8} {
		src := randomImage(131, 97, pf, 5)
		for _, spec := range chains {
			chain := mustChain(t, spec)
			plan := mustPlan(t, chain, 131, 97, pf)
			want := segmentReference(t, src, plan)
			for _, o := range []Options{{Workers: 1}, {Workers: 2, Tile: 16, Memory: 128 << 10}, {Workers: 4, Tile: 40}} {
				got, job, err := run(t, src, chain, o)
				if err != nil {
					t.Fatalf("%v %s %+v: %v", pf, spec, o, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%v %s %+v: the output differs from the segments run one after the other", pf, spec, o)
				}
				if want := o.Workers; o.Memory == 0 && job.Workers() != want { // a small budget may cap them
					t.Errorf("%v %s: Workers got %d, want %d", pf, spec, job.Workers(), want)
				}
				_, h := plan.OutputSize()
				if done, total := job.Progress(); done != total || total < h {
					t.Errorf("%v %s: progress %d of %d at the end", pf, spec, done, total)
				}
			}
		}
	}
}

// TestTurnMemoryBounded turns an image far larger than the budget: the
// bands in flight of each phase stay within it.
func TestTurnMemoryBounded(t *testing.T) {
	const budget = 256 << 10
	src := randomImage(1200, 700, raster.RGB8, 9) // 2.4 MiB
	for _, spec := range []string{"rotate:90", "flip", "blur:1 transpose", "rotate:90 blur:1 flip"} {
		_, job, err := run(t, src, mustChain(t, spec), Options{Workers: 2, Memory: budget, Scratch: raster.SpillOptions{Dir: t.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		st := job.Stats()
		if st.PeakBytes > budget*3/4 {
			t.Errorf("%s: peak bytes in flight: got %d, want at most three quarters of the budget, %d", spec, st.PeakBytes, budget*3/4)
		}
		if last := st.Stages[len(st.Stages)-1].Name; !strings.HasPrefix(last, fmt.Sprint(len(job.phases))+" ") {
			t.Errorf("%s: the last stage is %q, want one of phase %d", spec, last, len(job.phases))
		}
		// A quarter of the budget for the stores' bands: a phase that
		// reads one store and writes another holds a band of each.
		stores := 0
		for _, p := range job.phases {
			if p.write != nil {
				stores++
			}
		}
		for _, p := range job.phases {
			if p.write == nil {
				continue
			}
			s := p.write.s
			band := int64(max(s.th*s.in.RowBytes(), s.tw*s.out.RowBytes(), s.rows*s.in.RowBytes()))
			if want := int64(budget / 4 / stores); band > want {
				t.Errorf("%s: a band of the store holds %d bytes, want at most %d", spec, band, want)
			}
		}
	}
}

// TestTurnErrors: a store past the spill limit, a failing writer and a
// cancelled run all fail the run with their cause.
func TestTurnErrors(t *testing.T) {
	src := randomImage(400, 300, raster.RGB8, 11)
	_, _, err := run(t, src, mustChain(t, "rotate:90"), Options{Memory: 64 << 10, Scratch: raster.SpillOptions{Dir: t.TempDir(), Limit: 1000}})
	if !errors.Is(err, raster.ErrSpillLimit) {
		t.Errorf("past the spill limit: got %v, want ErrSpillLimit", err)
	}
	_, _, err = run(t, src, mustChain(t, "rotate:90"), Options{Scratch: raster.SpillOptions{Dir: filepath.Join(t.TempDir(), "missing")}, Memory: 64 << 10})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("no scratch folder: got %v, want an error naming it", err)
	}

	plan := mustPlan(t, mustChain(t, "blur:1 rotate:90"), 400, 300, raster.RGB8)
	src.y = 0
	dst := &memWriter{rb: 300 * 3, failAt: 200}
	job, err := New(src, dst, plan, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); !errors.Is(err, errDiskFull) {
		t.Errorf("failing writer: got %v, want %v", err, errDiskFull)
	}

	src.y = 0
	job, err = New(src, &memWriter{rb: 300 * 3}, plan, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stop now")
	cancel(stop)
	if err := job.Run(ctx); !errors.Is(err, stop) {
		t.Errorf("cancelled: got %v, want the cause", err)
	}
}

// TestFlopReaderBands checks that a flop at the start keeps decoding by
// bands.
func TestFlopReaderBands(t *testing.T) {
	src := randomImage(53, 40, raster.RGB16, 13)
	want, _, _ := turned(src.pix, 53, 40, raster.RGB16, raster.TopRight)
	r := newFlopReader(newBandReader(src, 7))
	br, ok := r.(raster.BandReader)
	if !ok || br.BandRows() != 7 {
		t.Fatalf("a flop over a band reader: got %T, want a BandReader of 7 rows", r)
	}
	plan := mustPlan(t, mustChain(t, "flop"), 53, 40, raster.RGB16)
	dst := &memWriter{rb: 53 * 6}
	job, err := New(newBandReader(src, 7), dst, plan, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.buf.Bytes(), want) {
		t.Fatal("flop by bands: the output differs from the image mirrored pixel by pixel")
	}
	if len(job.phases) != 1 || job.phases[0].job.dec == nil {
		t.Errorf("a flop at the start: got %d phases, want one that decodes by bands", len(job.phases))
	}
}

// TestTurnBands runs geometry between a reader that decodes by bands and
// a writer that encodes by bands: the first phase decodes in the pool,
// the last encodes in it, and the bytes are the segments'.
func TestTurnBands(t *testing.T) {
	src := randomImage(210, 150, raster.RGBA8, 17)
	for _, spec := range []string{"rotate:270", "blur:1 transverse median:1", "flop rotate:180"} {
		chain := mustChain(t, spec)
		plan := mustPlan(t, chain, 210, 150, raster.RGBA8)
		want := segmentReference(t, src, plan)
		w, h := plan.OutputSize()
		dst := &bandWriter{rb: w * 4, rows: 16, height: h}
		br := newBandReader(src, 8)
		job, err := New(br, dst, plan, Options{Workers: 2, Tile: 32})
		if err != nil {
			t.Fatal(err)
		}
		if err := job.Run(context.Background()); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if !bytes.Equal(dst.pix, want) {
			t.Fatalf("%s: the output differs from the segments run one after the other", spec)
		}
		first, last := job.phases[0].job, job.phases[len(job.phases)-1].job
		if first.dec == nil || last.enc == nil {
			t.Errorf("%s: decoding by bands %v, encoding by bands %v; want both", spec, first.dec != nil, last.enc != nil)
		}
		for i := range br.reads {
			if n := br.reads[i].Load(); n != 1 {
				t.Errorf("%s: band %d decoded %d times, want once", spec, i, n)
			}
		}
	}
}

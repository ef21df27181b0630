package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/pngio"
	"github.com/sluice-go/sluice/raster/tiffio"
)

// bandReader serves an image by bands of rows rows, counting how often
// each is decoded; ReadRows serves it row by row, for a job whose budget
// is too small for the reader's bands.
type bandReader struct {
	*memReader
	rows  int
	reads []atomic.Int32
}

func newBandReader(src *memReader, rows int) *bandReader {
	return &bandReader{memReader: src, rows: rows, reads: make([]atomic.Int32, (src.h.Height+rows-1)/rows)}
}

func (r *bandReader) BandRows() int { return r.rows }

func (r *bandReader) ReadBand(i int, dst []byte) error {
	rb := r.h.RowBytes()
	y0, y1 := i*r.rows, min((i+1)*r.rows, r.h.Height)
	if r.failAt > 0 && y1 > r.failAt {
		return errors.New("disk on fire")
	}
	r.reads[i].Add(1)
	copy(dst[:(y1-y0)*rb], r.pix[y0*rb:y1*rb])
	return nil
}

// bandWriter takes an image by bands of rows rows. EncodeBand "encodes"
// a band as the row above it followed by its rows, and WriteBand checks
// that the row above is the last one written, so a wrong above row or a
// band out of order fails. WriteRows takes rows, for a job whose budget
// is too small for the writer's bands.
type bandWriter struct {
	rb, rows, height int
	pix              []byte
	next             int
	encoded          atomic.Int32
}

func (w *bandWriter) Close() error  { return nil }
func (w *bandWriter) BandRows() int { return w.rows }

func (w *bandWriter) WriteRows(src []byte) error {
	if w.next > 0 {
		return errors.New("WriteRows after WriteBand")
	}
	w.pix = append(w.pix, src...)
	return nil
}

func (w *bandWriter) EncodeBand(i int, above, src, dst []byte) ([]byte, error) {
	w.encoded.Add(1)
	if want := min(w.rows, w.height-i*w.rows) * w.rb; len(src) != want {
		return nil, fmt.Errorf("band %d: got %d bytes, want %d", i, len(src), want)
	}
	if (i > 0) != (above != nil) {
		return nil, fmt.Errorf("band %d: got a row above: %v", i, above != nil)
	}
	dst = append(dst[:0], above...)
	return append(dst, src...), nil
}

func (w *bandWriter) WriteBand(i int, enc []byte) error {
	if i != w.next {
		return fmt.Errorf("got band %d, want band %d", i, w.next)
	}
	w.next++
	if i > 0 {
		if !bytes.Equal(enc[:w.rb], w.pix[len(w.pix)-w.rb:]) {
			return fmt.Errorf("band %d: the row above is not the last row written", i)
		}
		enc = enc[w.rb:]
	}
	w.pix = append(w.pix, enc...)
	return nil
}

// TestBandsSameBytes runs jobs whose reader decodes and whose writer
// encodes by bands of several heights: the output must be the whole-image
// result, every band of the reader decoded exactly once when the chain
// needs all rows, and decode and encode must show as stages.
func TestBandsSameBytes(t *testing.T) {
	chains := []string{"", "blur:2", "crop:5,7,60,33 box:2", "shrink:3 blur:1", "resize:0.7"}
	for _, pf := range []raster.PixelFormat{raster.RGB8, raster.Gray16} {
		img := randomImage(97, 83, pf, 3)
		for _, spec := range chains {
			chain, err := filter.ParseChain(fields(spec))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := chain.Plan(img.h.Width, img.h.Height, pf)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, img, plan)
			w, h := plan.OutputSize()
			for _, rows := range []int{1, 7, 30, 200} {
				for _, o := range []Options{
					{Workers: 1, Tile: 16},
					{Workers: 3, Tile: 37},
					{Workers: 2, Tile: 64, Memory: 64 << 10},
				} {
					name := fmt.Sprintf("%s/%q/bands=%d/workers=%d/tile=%d/memory=%d", pf, spec, rows, o.Workers, o.Tile, o.Memory)
					t.Run(name, func(t *testing.T) {
						src := newBandReader(img, rows)
						dst := &bandWriter{rb: w * plan.Output().BytesPerPixel(), rows: rows, height: h}
						job, err := New(src, dst, plan, o)
						if err != nil {
							t.Fatal(err)
						}
						if o.Memory == 0 && (job.dec == nil || job.enc == nil) {
							t.Fatalf("the job does not decode and encode by bands: %v, %v", job.dec != nil, job.enc != nil)
						}
						src.y = 0
						if err := job.Run(context.Background()); err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(dst.pix, want) {
							t.Fatalf("got %d bytes differing from the whole-image result (%d bytes)", len(dst.pix), len(want))
						}
						if done, total := job.Progress(); done != total {
							t.Errorf("progress: got %d of %d rows", done, total)
						}
						need := plan.SourceRect(image.Rect(0, 0, w, h))
						for i := range src.reads {
							if job.dec == nil {
								break
							}
							want := int32(0)
							if i*rows < need.Max.Y && (i+1)*rows > need.Min.Y {
								want = 1
							}
							if n := src.reads[i].Load(); n != want {
								t.Errorf("band %d of the reader decoded %d times, want %d (source rows %d to %d needed)", i, n, want, need.Min.Y, need.Max.Y)
							}
						}
						if got, want := int(dst.encoded.Load()), (h+rows-1)/rows; job.enc != nil && got != want {
							t.Errorf("bands encoded: got %d, want %d", got, want)
						}
						var names []string
						for _, s := range job.Stats().Stages {
							names = append(names, s.Name)
						}
						if slices.Contains(names, "decode") != (job.dec != nil) || slices.Contains(names, "encode") != (job.enc != nil) {
							t.Errorf("stages: got %v, want decode and encode among them when decoding and encoding by bands", names)
						}
					})
				}
			}
		}
	}
}

func contains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }

// TestBandsErrors checks that a failure to decode or encode a band fails
// the job, naming the rows.
func TestBandsErrors(t *testing.T) {
	img := randomImage(64, 64, raster.RGB8, 4)
	chain, _ := filter.ParseChain([]string{"blur:1"})
	plan, err := chain.Plan(64, 64, raster.RGB8)
	if err != nil {
		t.Fatal(err)
	}
	src := newBandReader(img, 8)
	src.failAt = 40
	job, err := New(src, &bandWriter{rb: 64 * 3, rows: 8, height: 64}, plan, Options{Workers: 2, Tile: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = job.Run(context.Background())
	var se *sluice.StageError
	if !errors.As(err, &se) || se.Stage != "decode" || !contains(err.Error(), "reading rows 40 to 48: disk on fire") {
		t.Errorf("decode failure: got %v, want a StageError of stage decode reading rows 40 to 48", err)
	}
	img.failAt = 0
	job, err = New(newBandReader(img, 8), &bandWriter{rb: 64 * 3, rows: 9, height: 63}, plan, Options{Workers: 2, Tile: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = job.Run(context.Background())
	if !errors.As(err, &se) || se.Stage != "encode" || !contains(err.Error(), "encoding rows 63 to 64") {
		t.Errorf("encode failure: got %v, want a StageError of stage encode for rows 63 to 64", err)
	}
}

// memFile is an in-memory io.WriteSeeker for TIFF output.
type memFile struct {
	b   []byte
	pos int64
}

func (f *memFile) Write(p []byte) (int, error) {
	if end := f.pos + int64(len(p)); end > int64(len(f.b)) {
		f.b = append(f.b, make([]byte, end-int64(len(f.b)))...)
	}
	copy(f.b[f.pos:], p)
	f.pos += int64(len(p))
	return len(p), nil
}

func (f *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		f.pos = off
	case io.SeekCurrent:
		f.pos += off
	case io.SeekEnd:
		f.pos = int64(len(f.b)) + off
	}
	return f.pos, nil
}

// rowsOnly hides every interface of a writer but raster.RowWriter.
type rowsOnly struct{ raster.RowWriter }

// TestBandsCodecBytes encodes a filtered image to PNG and to deflated
// TIFF strips and tiles through the job's encode stage, on one and three
// workers, and checks the files are byte for byte those the codecs write
// from WriteRows alone.
func TestBandsCodecBytes(t *testing.T) {
	img := randomImage(300, 700, raster.RGB8, 5)
	chain, _ := filter.ParseChain([]string{"blur:1.5"})
	plan, err := chain.Plan(img.h.Width, img.h.Height, img.h.Pixel)
	if err != nil {
		t.Fatal(err)
	}
	w, h := plan.OutputSize()
	hdr := raster.Header{Width: w, Height: h, Pixel: plan.Output()}
	formats := []struct {
		name   string
		create func(f *memFile) (raster.RowWriter, error)
	}{
		{"png", func(f *memFile) (raster.RowWriter, error) {
			return pngio.NewWriter(f, hdr, pngio.WriterOptions{Level: 1})
		}},
		{"tiff-strips", func(f *memFile) (raster.RowWriter, error) {
			return tiffio.NewWriter(f, hdr, tiffio.WriterOptions{Compression: "deflate", RowsPerStrip: 40, Level: 1})
		}},
		{"tiff-tiles", func(f *memFile) (raster.RowWriter, error) {
			return tiffio.NewWriter(f, hdr, tiffio.WriterOptions{Compression: "lzw", Tiled: true, TileSize: 64})
		}},
	}
	for _, format := range formats {
		var want memFile
		wr, err := format.create(&want)
		if err != nil {
			t.Fatal(err)
		}
		if err := wr.WriteRows(reference(t, img, plan)); err != nil {
			t.Fatal(err)
		}
		if err := wr.Close(); err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/workers=%d", format.name, workers), func(t *testing.T) {
				var got memFile
				wr, err := format.create(&got)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := wr.(raster.BandWriter); !ok {
					t.Fatal("the writer is not a raster.BandWriter")
				}
				job, err := New(newBandReader(img, 16), wr, plan, Options{Workers: workers, Tile: 64, Memory: 8 << 20})
				if err != nil {
					t.Fatal(err)
				}
				if job.enc == nil {
					t.Fatal("the job does not encode by bands")
				}
				if err := job.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				if err := wr.Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.b, want.b) {
					t.Fatalf("got %d bytes, want the %d bytes of WriteRows", len(got.b), len(want.b))
				}
			})
		}
		// The same through WriteRows only, as for a writer with no bands.
		var got memFile
		wr, err = format.create(&got)
		if err != nil {
			t.Fatal(err)
		}
		job, err := New(newBandReader(img, 16), rowsOnly{wr}, plan, Options{Workers: 2, Tile: 64})
		if err != nil {
			t.Fatal(err)
		}
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := wr.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.b, want.b) {
			t.Errorf("%s through WriteRows: got %d bytes, want %d", format.name, len(got.b), len(want.b))
		}
	}
}

// TestSharedPool runs three jobs at once on one pool of two workers: each
// must produce its whole-image result, and no slot may stay in use.
func TestSharedPool(t *testing.T) {
	pool := sluice.NewPool(2)
	chain, _ := filter.ParseChain([]string{"blur:2"})
	var wg sync.WaitGroup
	for i := range 3 {
		img := randomImage(120+i*40, 90, raster.RGB8, uint64(10+i))
		plan, err := chain.Plan(img.h.Width, img.h.Height, img.h.Pixel)
		if err != nil {
			t.Fatal(err)
		}
		want := reference(t, img, plan)
		w, h := plan.OutputSize()
		wg.Go(func() {
			dst := &bandWriter{rb: w * 3, rows: 10, height: h}
			job, err := New(newBandReader(img, 8), dst, plan, Options{Workers: 4, Tile: 32, Pool: pool})
			if err != nil {
				t.Error(err)
				return
			}
			if err := job.Run(context.Background()); err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(dst.pix, want) {
				t.Errorf("job %d: output differs from the whole-image result", i)
			}
		})
	}
	wg.Wait()
	if n := pool.InUse(); n != 0 {
		t.Errorf("slots in use after the jobs: got %d, want 0", n)
	}
}

// TestBandsNoHaloThinBands checks when a job whose bands come out thinner
// than a quarter of a tile keeps the writer's bands: with a chain without
// halo it does while a band is at least as tall as the writer's band, so
// that encoding stays in the pool; with a halo it writes rows. The bytes
// are the same either way.
func TestBandsNoHaloThinBands(t *testing.T) {
	for _, c := range []struct {
		spec string
		enc  bool
	}{{"", true}, {"blur:1", false}} {
		t.Run(fmt.Sprintf("%q", c.spec), func(t *testing.T) {
			img := randomImage(1000, 300, raster.RGB8, 5)
			plan := mustPlan(t, mustChain(t, c.spec), img.h.Width, img.h.Height, raster.RGB8)
			dst := &bandWriter{rb: img.h.RowBytes(), rows: 8, height: img.h.Height}
			// Bands of 40 rows fit this budget, of 48 rows do not: under
			// the quarter of a 256-row tile, over the writer's 8 rows.
			// (The identity plan's bands hold no output rows of their
			// own: its output rows are its source rows, and they lend
			// them to the writer's bands.)
			const budget = 1800 << 10
			job, err := New(img, dst, plan, Options{Workers: 2, Tile: 256, Memory: budget})
			if err != nil {
				t.Fatal(err)
			}
			if got := job.enc != nil; got != c.enc {
				t.Fatalf("encoding by bands: got %v, want %v", got, c.enc)
			}
			if c.enc && (job.bandH >= 64 || job.bandH < 8) {
				t.Fatalf("got bands of %d rows, want fewer than 64 and at least 8", job.bandH)
			}
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if want := reference(t, img, plan); !bytes.Equal(dst.pix, want) {
				t.Fatalf("got %d bytes differing from the whole-image result (%d bytes)", len(dst.pix), len(want))
			}
			if peak := job.Stats().PeakBytes; peak > budget {
				t.Errorf("got a peak of %d bytes in flight, want at most the budget of %d", peak, budget)
			}
		})
	}
}

// TestBandsViews checks that the writer's bands that lie whole in one of
// the job's bands are handed to the encoder as views of its rows, and the
// others as copies, with the same bytes: bands of whole writer bands (8
// rows in 64) are all views, writer bands of 10 rows in bands of 32 some.
func TestBandsViews(t *testing.T) {
	for _, c := range []struct {
		spec            string
		readRows, write int
		tile            int
		all             bool
	}{
		{"", 8, 8, 64, true},
		{"", 8, 10, 32, false},
		{"blur:1", 8, 8, 64, true},
		{"blur:1", 8, 10, 32, false},
	} {
		t.Run(fmt.Sprintf("%q/%d-in-%d", c.spec, c.write, c.tile), func(t *testing.T) {
			img := randomImage(200, 300, raster.RGB8, 9)
			plan := mustPlan(t, mustChain(t, c.spec), img.h.Width, img.h.Height, raster.RGB8)
			w, h := plan.OutputSize()
			dst := &bandWriter{rb: w * 3, rows: c.write, height: h}
			job, err := New(newBandReader(img, c.readRows), dst, plan, Options{Workers: 3, Tile: c.tile})
			if err != nil {
				t.Fatal(err)
			}
			if job.enc == nil {
				t.Fatal("the job writes rows, want the writer's bands")
			}
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if want := reference(t, img, plan); !bytes.Equal(dst.pix, want) {
				t.Fatal("output differs from the whole-image result")
			}
			groups := (h + c.write - 1) / c.write
			views := job.enc.views
			if c.all && views != groups {
				t.Errorf("got %d of %d writer bands as views, want all (bands of %d rows)", views, groups, job.bandH)
			}
			if !c.all && (views == 0 || views == groups) {
				t.Errorf("got %d of %d writer bands as views, want some (bands of %d rows)", views, groups, job.bandH)
			}
		})
	}
}

// TestBandsNoHaloCacheSize checks the band height of a chain without halo
// whose codecs work by bands: about encBandBytes of output rows, a whole
// number of the codec's bands, even below a quarter of a tile, and the
// codec's bands kept. Rows of 30,000 bytes make it 32 rows (codec bands
// of 8 or 16 rows), under the 40 of a quarter of the 160 rows; rows of
// 3,000 bytes would make it 344, past the image's 160 rows: 160.
func TestBandsNoHaloCacheSize(t *testing.T) {
	for _, c := range []struct {
		name        string
		width       int
		read, write int // the codecs' band heights; 0: rows
		want        int
	}{
		{"decode", 10000, 16, 0, 32},
		{"encode", 10000, 0, 8, 32},
		{"both", 10000, 16, 8, 32},
		{"narrow", 1000, 16, 8, 160},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := randomImage(c.width, 160, raster.RGB8, 3)
			plan := mustPlan(t, mustChain(t, ""), img.h.Width, img.h.Height, raster.RGB8)
			var src raster.RowReader = img
			if c.read > 0 {
				src = newBandReader(img, c.read)
			}
			var dst raster.RowWriter
			if c.write > 0 {
				dst = &bandWriter{rb: img.h.RowBytes(), rows: c.write, height: img.h.Height}
			} else {
				dst = &placedWriter{pix: make([]byte, len(img.pix)), rb: img.h.RowBytes()}
			}
			job, err := New(src, dst, plan, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got := job.dec != nil; got != (c.read > 0) {
				t.Errorf("decoding by bands: got %v, want %v", got, c.read > 0)
			}
			if got := job.enc != nil; got != (c.write > 0) {
				t.Errorf("encoding by bands: got %v, want %v", got, c.write > 0)
			}
			if job.bandH != c.want {
				t.Errorf("got bands of %d rows, want %d", job.bandH, c.want)
			}
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []byte
			switch w := dst.(type) {
			case *bandWriter:
				got = w.pix
			case *placedWriter:
				got = w.pix
			}
			if !bytes.Equal(got, img.pix) {
				t.Error("output differs from the input")
			}
		})
	}
}

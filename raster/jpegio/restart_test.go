package jpegio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

// restartFiles returns files with restart markers: those of testdata and
// ours (the Writer ends each band with one), in 4:2:0, 4:2:2, 4:4:4 and
// gray, with the number that decode by restart intervals.
func restartFiles(t *testing.T) map[string][]byte {
	files := map[string][]byte{}
	for _, name := range []string{"cjpeg-restart-3mcu.jpg", "cjpeg-restart-rows.jpg", "cjpeg-progressive-444-restart.jpg"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	for _, sub := range []string{"420", "422", "444"} {
		h := raster.Header{Width: 203, Height: 141, Pixel: raster.RGB8}
		files["ours-"+sub] = encode(t, h, photo(t, h.Width, h.Height, h.Pixel), WriterOptions{Subsample: sub})
	}
	h := raster.Header{Width: 77, Height: 90, Pixel: raster.Gray8}
	files["ours-gray"] = encode(t, h, photo(t, h.Width, h.Height, h.Pixel), WriterOptions{})
	return files
}

// TestRestartSegmentsNotScaled checks that a file with restart markers
// read at a reduced scale (shrink on load) decodes serially: there the
// intervals' Huffman decoding dominates, and decoding them in parallel
// costs more CPU (the halo decoded twice) for no time saved.
func TestRestartSegmentsNotScaled(t *testing.T) {
	data := restartFiles(t)["ours-420"]
	for _, div := range []int{1, 2, 4, 8} {
		r, err := NewReader(bytes.NewReader(data), ReaderOptions{At: bytes.NewReader(data), Shrink: func(int, int) int { return div }})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.d.canSegment(), div == 1; got != want {
			t.Errorf("scale 1/%d: decodes by restart intervals %v, want %v", div, got, want)
		}
		r.Close()
	}
}

// TestRestartSegmentsSameBytes decodes files with restart markers through
// serial bands that hold the offsets of their intervals (ReaderOptions.At),
// with bands of several heights on one and three goroutines: the pixels
// must be those ReadRows gives, and the baseline files must have taken
// that path.
func TestRestartSegmentsSameBytes(t *testing.T) {
	segmented := 0
	for name, data := range restartFiles(t) {
		_, want := decodeAll(t, data, 7)
		for _, bandRows := range []int{1, 3, 0} {
			for _, workers := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/band=%d/workers=%d", name, bandRows, workers), func(t *testing.T) {
					r, err := NewReader(bytes.NewReader(data), ReaderOptions{BandRows: bandRows, At: bytes.NewReader(data)})
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					can := r.d.canSegment()
					if _, held := r.SerialBands(); can && held != r.d.segHeld() {
						t.Fatalf("SerialBands: got %d bytes held, want %d for bands of offsets", held, r.d.segHeld())
					}
					got, err := bandtest.DecodeSerial(r, workers)
					if err != nil {
						t.Fatal(err)
					}
					if can != (r.d.seg != nil) {
						t.Fatalf("decoded by restart intervals: %v, want %v", r.d.seg != nil, can)
					}
					if can {
						segmented++
					}
					if !bytes.Equal(got, want) {
						t.Errorf("pixels decoded by restart intervals differ from ReadRows'")
					}
				})
			}
		}
	}
	if segmented < 5*6 {
		t.Errorf("%d runs decoded by restart intervals, want at least 30", segmented)
	}
}

// TestRestartSegmentsDamaged cuts and corrupts a file with restart
// markers: decoding it by restart intervals must fail with a
// *raster.FormatError, from NextBand or from a band's Decode, never panic
// or succeed.
func TestRestartSegmentsDamaged(t *testing.T) {
	h := raster.Header{Width: 160, Height: 200, Pixel: raster.RGB8}
	data := encode(t, h, photo(t, h.Width, h.Height, h.Pixel), WriterOptions{})
	var rst []int // offsets of the RST markers
	for i := 0; i+1 < len(data); i++ {
		if data[i] == 0xff && data[i+1] >= mRST0 && data[i+1] <= mRST0+7 {
			rst = append(rst, i)
		}
	}
	if len(rst) < 3 {
		t.Fatalf("got %d restart markers, want at least 3", len(rst))
	}
	mid := rst[len(rst)/2]
	cases := map[string][]byte{
		"cut in an interval":   data[:mid-20],
		"cut at a marker":      data[:mid+1],
		"wrong RST number":     replace(data, mid+1, mRST0+(data[mid+1]-mRST0+3)%8),
		"marker dropped":       append(append([]byte{}, data[:mid]...), data[mid+2:]...),
		"interval cut short":   append(append([]byte{}, data[:mid-30]...), data[mid:]...),
		"another marker first": replace(data, mid+1, 0xc4),
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(bad), ReaderOptions{BandRows: 1, At: bytes.NewReader(bad)})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			_, err = bandtest.DecodeSerial(r, 2)
			if r.d.seg == nil {
				t.Fatal("not decoded by restart intervals")
			}
			var fe *raster.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got error %v, want a *raster.FormatError", err)
			}
		})
	}
}

// replace returns a copy of data with byte i set to v.
func replace(data []byte, i int, v byte) []byte {
	out := append([]byte{}, data...)
	out[i] = v
	return out
}

// TestRestartSegmentsInOrder decodes files with restart markers by
// restart intervals with the bands taken in order, as the engine takes
// them, on one and two goroutines: a goroutine that decodes the band after
// its last one goes on from where its decoder stands, and the pixels must
// be those ReadRows gives. Damaged files fail with a *raster.FormatError.
func TestRestartSegmentsInOrder(t *testing.T) {
	went, multi := 0, 0
	for name, data := range restartFiles(t) {
		h, want := decodeAll(t, data, 7)
		for _, bandRows := range []int{1, 3, 0} {
			for _, workers := range []int{1, 2} {
				t.Run(fmt.Sprintf("%s/band=%d/workers=%d", name, bandRows, workers), func(t *testing.T) {
					r, err := NewReader(bytes.NewReader(data), ReaderOptions{BandRows: bandRows, At: bytes.NewReader(data)})
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					got := make([]byte, h.Bytes())
					if err := decodePending(r, got, workers); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("pixels decoded by restart intervals in order differ from ReadRows'")
					}
					if rows, _ := r.SerialBands(); r.d.seg != nil && workers == 1 && rows < h.Height {
						multi++
						if r.d.seg.cont.Load() > 0 {
							went++
						}
					}
				})
			}
		}
	}
	// A sync.Pool may drop the scratch between two bands (under the race
	// detector it does so at random): most runs must go on, not all.
	if multi < 10 || went*2 < multi {
		t.Errorf("%d of %d runs of several bands by restart intervals on one goroutine went on from the band before, want at least half of at least 10", went, multi)
	}
	h := raster.Header{Width: 160, Height: 200, Pixel: raster.RGB8}
	data := encode(t, h, photo(t, h.Width, h.Height, h.Pixel), WriterOptions{BandRows: 1})
	for i := 0; i+1 < len(data); i++ {
		if data[i] != 0xff || data[i+1] < mRST0 || data[i+1] > mRST0+7 {
			continue
		}
		for name, bad := range map[string][]byte{
			"cut":              data[:i-7],
			"wrong RST number": replace(data, i+1, mRST0+(data[i+1]-mRST0+3)%8),
			"interval short":   append(append([]byte{}, data[:i-9]...), data[i:]...),
		} {
			r, err := NewReader(bytes.NewReader(bad), ReaderOptions{BandRows: 1, At: bytes.NewReader(bad)})
			if err != nil {
				t.Fatal(err)
			}
			err = decodePending(r, make([]byte, h.Bytes()), 1)
			r.Close()
			var fe *raster.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("%s at byte %d: got error %v, want a *raster.FormatError", name, i, err)
			}
		}
	}
}

// BenchmarkDecodeRestart decodes a 10,000-wide photo-like 4:2:0 JPEG of
// ours (quality 90, a restart marker every band) into RGB8 rows: serially
// through the Reader's bands, and by restart intervals (ReaderOptions.At)
// with the bands' Decode on 1 and 2 goroutines, as the engine runs them.
// cpu-ms/op is the work: decoding by intervals costs the Huffman decoding
// of the rows each band decodes again for its halo.
func BenchmarkDecodeRestart(b *testing.B) {
	h := raster.Header{Width: 10000, Height: 512, Pixel: raster.RGB8}
	data := encode(b, h, photo(b, h.Width, h.Height, h.Pixel), WriterOptions{Quality: 90})
	out := make([]byte, h.Bytes())
	for _, c := range []struct {
		name    string
		at      bool
		workers int
	}{{"serial", false, 1}, {"intervals/workers=1", true, 1}, {"intervals/workers=2", true, 2}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(h.Bytes())
			defer reportCPU(b, h.Bytes())()
			for b.Loop() {
				o := ReaderOptions{}
				if c.at {
					o.At = bytes.NewReader(data)
				}
				r, err := NewReader(bytes.NewReader(data), o)
				if err != nil {
					b.Fatal(err)
				}
				if got := r.d.canSegment(); got != c.at {
					b.Fatalf("decodes by restart intervals: got %v, want %v", got, c.at)
				}
				if err := decodePending(r, out, c.workers); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
		})
	}
}

// decodePending runs the Reader's NextBand on this goroutine and the
// bands' Decode on workers goroutines, taken in band order, and returns
// the first error.
func decodePending(r *Reader, out []byte, workers int) error {
	rows, _ := r.SerialBands()
	rb := r.Header().RowBytes()
	type job struct {
		p raster.PendingBand
		y int
	}
	jobs := make(chan job, workers)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				err := j.p.Decode(out[j.y*rb:])
				j.p.Release()
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	var err error
	for y := 0; ; y += rows {
		var p raster.PendingBand
		if p, err = r.NextBand(); err != nil {
			break
		}
		jobs <- job{p, y}
	}
	close(jobs)
	wg.Wait()
	if err != io.EOF {
		return err
	}
	return first
}

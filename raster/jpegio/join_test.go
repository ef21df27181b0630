package jpegio

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// decodeJoined reads r's bands as the engine does once it asked for
// JoinBands: NextBand for every band in order, releasing band skip (if
// not -1) at once without decoding it; the others' Decode on workers
// goroutines, in reverse order; then JoinBand for each decoded band in
// order. It returns the rows, with those of band skip left zero, and how
// many bands left their first row to JoinBand.
func decodeJoined(t *testing.T, r *Reader, workers, skip int, last bool) ([]byte, int) {
	t.Helper()
	r.JoinBands(last)
	h := r.Header()
	rows, _ := r.SerialBands()
	rb := h.RowBytes()
	out := make([]byte, h.Bytes())
	var bands []raster.PendingBand
	left := 0
	for k := 0; ; k++ {
		p, err := r.NextBand()
		if err != nil {
			break
		}
		if k == skip {
			p.Release()
			p = nil
		} else if p.(*pendingBand).b.left {
			left++
		}
		bands = append(bands, p)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make([]error, len(bands))
	for range workers {
		wg.Go(func() {
			for k := range next {
				errs[k] = bands[k].Decode(out[k*rows*rb:])
				bands[k].Release()
			}
		})
	}
	for k := len(bands) - 1; k >= 0; k-- {
		if bands[k] != nil {
			next <- k
		}
	}
	close(next)
	wg.Wait()
	for k := range bands {
		if errs[k] != nil {
			t.Fatal(errs[k])
		}
		if bands[k] == nil {
			continue
		}
		var above []byte
		if k > 0 {
			above = out[(k*rows-1)*rb : k*rows*rb]
		}
		if err := r.JoinBand(k, above, out[k*rows*rb:(k*rows+1)*rb]); err != nil {
			t.Fatal(err)
		}
	}
	return out, left
}

// TestJoinBands decodes files with restart markers by restart intervals
// with their bands joined (JoinBands): each band but the first leaves its
// first row (and, with last, each but the last its last row), decoded out
// of order on one and three goroutines, and JoinBand writes them. The pixels must be those ReadRows gives; for files
// whose chroma is upsampled down every band but the first must have left
// its row, for others none; a band released undecoded makes the next one
// decode the MCU row above it itself.
func TestJoinBands(t *testing.T) {
	for name, data := range restartFiles(t) {
		h, want := decodeAll(t, data, 7)
		rb := h.RowBytes()
		for _, bandRows := range []int{1, 3, 0} {
			for _, workers := range []int{1, 3} {
				for _, c := range []struct {
					skip int
					last bool
				}{{-1, false}, {1, false}, {-1, true}} {
					skip := c.skip
					t.Run(fmt.Sprintf("%s/band=%d/workers=%d/skip=%d/last=%v", name, bandRows, workers, skip, c.last), func(t *testing.T) {
						r, err := NewReader(bytes.NewReader(data), ReaderOptions{BandRows: bandRows, At: bytes.NewReader(data)})
						if err != nil {
							t.Fatal(err)
						}
						defer r.Close()
						joins := r.d.halo && r.d.canSegment()
						rows, _ := r.SerialBands()
						n := (h.Height + rows - 1) / rows
						got, left := decodeJoined(t, r, workers, skip, c.last)
						if skip >= n {
							skip = -1
						}
						for k := range n {
							if k == skip {
								continue
							}
							y0, y1 := k*rows*rb, min((k+1)*rows, h.Height)*rb
							if !bytes.Equal(got[y0:y1], want[y0:y1]) {
								t.Fatalf("band %d of %d: pixels differ from ReadRows'", k, n)
							}
						}
						wantLeft := 0
						if joins {
							wantLeft = n - 1
							if skip >= 0 {
								wantLeft -= 2 // the skipped band and the one after it
							}
						}
						if left != wantLeft {
							t.Errorf("%d bands of %d left their first row, want %d", left, n, wantLeft)
						}
					})
				}
			}
		}
	}
}

// TestJoinBandOutOfOrder checks that JoinBand for a band whose band above
// was not decoded yet fails with a clear error rather than write a wrong
// row.
func TestJoinBandOutOfOrder(t *testing.T) {
	data := restartFiles(t)["ours-420"]
	r, err := NewReader(bytes.NewReader(data), ReaderOptions{BandRows: 1, At: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.JoinBands(false)
	h := r.Header()
	rows, _ := r.SerialBands()
	p0, err := r.NextBand()
	if err != nil {
		t.Fatal(err)
	}
	p1, err := r.NextBand()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 2*rows*h.RowBytes())
	if err := p1.Decode(out[rows*h.RowBytes():]); err != nil {
		t.Fatal(err)
	}
	err = r.JoinBand(1, nil, out[rows*h.RowBytes():])
	if err == nil || !strings.Contains(err.Error(), "band above") {
		t.Fatalf("JoinBand before the band above was decoded: got %v, want an error naming the band above", err)
	}
	p0.Release()
	p1.Release()
}

// Package bandtest drives the band interfaces of package raster the way a
// scheduler does, for the codecs' tests: bands done on several goroutines
// at once, in an order other than the image's, written in order.
package bandtest

import (
	"fmt"
	"io"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// order returns the band indices 0…n-1 in the order workers goroutines
// should take them: from both ends towards the middle, so that later
// bands are done before earlier ones.
func order(n int) []int {
	idx := make([]int, 0, n)
	for lo, hi := 0, n-1; lo <= hi; lo, hi = lo+1, hi-1 {
		idx = append(idx, hi)
		if lo != hi {
			idx = append(idx, lo)
		}
	}
	return idx
}

// run calls do for every band index on workers goroutines and returns the
// first error.
func run(n, workers int, do func(i int) error) error {
	jobs := make(chan int)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for i := range jobs {
				errs[i] = do(i)
			}
		})
	}
	for _, i := range order(n) {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Encode writes the rows pix of an image of height h through w's bands,
// encoding them on workers goroutines out of order and writing them in
// order, then closes w.
func Encode(w raster.BandWriter, h raster.Header, pix []byte, workers int) error {
	br := w.BandRows()
	if br <= 0 {
		return fmt.Errorf("bandtest: writer offers no bands")
	}
	rb := h.RowBytes()
	n := (h.Height + br - 1) / br
	enc := make([][]byte, n)
	err := run(n, workers, func(i int) error {
		y0, y1 := i*br, min((i+1)*br, h.Height)
		var above []byte
		if i > 0 {
			above = pix[(y0-1)*rb : y0*rb]
		}
		var err error
		enc[i], err = w.EncodeBand(i, above, pix[y0*rb:y1*rb], nil)
		return err
	})
	if err != nil {
		w.Close()
		return err
	}
	for i, e := range enc {
		if err := w.WriteBand(i, e); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// Decode reads every row of r through its bands, decoding them on workers
// goroutines out of order.
func Decode(r raster.BandReader, workers int) ([]byte, error) {
	h := r.Header()
	br := r.BandRows()
	if br <= 0 {
		return nil, fmt.Errorf("bandtest: reader offers no bands")
	}
	rb := h.RowBytes()
	pix := make([]byte, h.Height*rb)
	n := (h.Height + br - 1) / br
	err := run(n, workers, func(i int) error {
		y0, y1 := i*br, min((i+1)*br, h.Height)
		return r.ReadBand(i, pix[y0*rb:y1*rb])
	})
	return pix, err
}

// DecodeSerial reads every row of r through its serial bands: NextBand in
// order on the calling goroutine, the bands' Decode on workers goroutines
// out of order, each band released once decoded. It checks that NextBand
// ends with io.EOF.
func DecodeSerial(r raster.SerialBandReader, workers int) ([]byte, error) {
	h := r.Header()
	br, _ := r.SerialBands()
	if br <= 0 {
		return nil, fmt.Errorf("bandtest: reader offers no serial bands")
	}
	rb := h.RowBytes()
	pix := make([]byte, h.Height*rb)
	n := (h.Height + br - 1) / br
	bands := make([]raster.PendingBand, n)
	for i := range bands {
		p, err := r.NextBand()
		if err != nil {
			return nil, err
		}
		bands[i] = p
	}
	if p, err := r.NextBand(); err != io.EOF {
		if p != nil {
			p.Release()
		}
		return nil, fmt.Errorf("bandtest: NextBand after the last band: got %v, want io.EOF", err)
	}
	err := run(n, workers, func(i int) error {
		y0 := i * br
		defer bands[i].Release()
		return bands[i].Decode(pix[y0*rb:])
	})
	return pix, err
}

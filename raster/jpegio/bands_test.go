package jpegio

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

// TestSerialBandsSameBytes decodes every test file through the Reader's
// serial bands, NextBand in order and Decode on several goroutines out of
// order, with small and default bands: the pixels must be those ReadRows
// gives.
func TestSerialBandsSameBytes(t *testing.T) {
	for _, path := range testFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, want := decodeAll(t, data, 7)
		for _, bandRows := range []int{1, 0} {
			for _, workers := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/band=%d/workers=%d", filepath.Base(path), bandRows, workers), func(t *testing.T) {
					r, err := NewReader(bytes.NewReader(data), ReaderOptions{BandRows: bandRows})
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					rows, held := r.SerialBands()
					if rows <= 0 || held <= 0 {
						t.Fatalf("SerialBands: got %d rows, %d bytes, want both positive", rows, held)
					}
					got, err := bandtest.DecodeSerial(r, workers)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("pixels decoded by serial bands differ from ReadRows'")
					}
				})
			}
		}
	}
}

// TestWriterBandsSameBytes encodes images through the Writer's bands on
// several goroutines out of order: the file must be the bytes WriteRows
// gives, for gray and colour, 16-bit and alpha input, and with Optimize.
func TestWriterBandsSameBytes(t *testing.T) {
	for _, pf := range []raster.PixelFormat{raster.Gray8, raster.RGB8, raster.RGBA16} {
		for _, o := range []WriterOptions{{BandRows: 1}, {Subsample: "444"}, {BandRows: 2, Optimize: true}} {
			t.Run(fmt.Sprintf("%v/%+v", pf, o), func(t *testing.T) {
				h := raster.Header{Width: 70, Height: 61, Pixel: pf}
				pix := smooth(h.Width, h.Height, pf)
				want := encode(t, h, pix, o)
				for _, workers := range []int{1, 3} {
					var buf bytes.Buffer
					w, err := NewWriter(&buf, h, o)
					if err != nil {
						t.Fatal(err)
					}
					if err := bandtest.Encode(w, h, pix, workers); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(buf.Bytes(), want) {
						t.Errorf("workers=%d: got %d bytes through bands differing from WriteRows' %d", workers, buf.Len(), len(want))
					}
				}
			})
		}
	}
}

// TestWriterBandsMisuse checks that bands out of order and a short band
// fail.
func TestWriterBandsMisuse(t *testing.T) {
	h := raster.Header{Width: 40, Height: 40, Pixel: raster.RGB8}
	pix := smooth(40, 40, raster.RGB8)
	w, err := NewWriter(&bytes.Buffer{}, h, WriterOptions{BandRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	rb := h.RowBytes()
	if _, err := w.EncodeBand(0, nil, pix[:rb], nil); err == nil {
		t.Errorf("EncodeBand of one row for a band of 16: got no error")
	}
	enc, err := w.EncodeBand(1, nil, pix[16*rb:32*rb], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBand(1, enc); err == nil {
		t.Errorf("WriteBand 1 before band 0: got no error")
	}
}

// TestReadRowsAnyBuffer reads every test file in bands of one MCU row
// with buffers of 1, 7 and 40 rows and of the whole image (where whole
// bands decode in place, and a band can straddle two calls): the pixels
// must not change.
func TestReadRowsAnyBuffer(t *testing.T) {
	for _, path := range testFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		h, want := decodeAll(t, data, 1)
		for _, rows := range []int{7, 40, h.Height} {
			if _, got := decodeWith(t, data, rows, ReaderOptions{BandRows: 1}); !bytes.Equal(got, want) {
				t.Errorf("%s: read %d rows at a time: pixels differ from a row at a time", filepath.Base(path), rows)
			}
		}
	}
}

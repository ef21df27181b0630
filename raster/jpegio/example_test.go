package jpegio_test

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/jpegio"
	"github.com/sluice-go/sluice/raster/synth"
)

// Example writes a gray gradient as a JPEG and reads it back row by row.
func Example() {
	h := raster.Header{Width: 100, Height: 80, Pixel: raster.Gray8}
	pix := make([]byte, h.Width*h.Height)
	for i := range pix {
		pix[i] = byte(i % h.Width * 2)
	}
	var file bytes.Buffer
	w, err := jpegio.NewWriter(&file, h, jpegio.WriterOptions{Quality: 85})
	if err != nil {
		panic(err)
	}
	if err := w.WriteRows(pix); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := jpegio.NewReader(&file, jpegio.ReaderOptions{})
	if err != nil {
		panic(err)
	}
	defer r.Close()
	fmt.Println(r.Header().Width, r.Header().Height, r.Header().Pixel, r.Header().Details)
	row := make([]byte, r.Header().RowBytes())
	n := 0
	for {
		if _, err := r.ReadRows(row); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println(n, "rows; pixel 50 of the last:", row[50])
	// Output:
	// 100 80 gray8 [baseline restart 104]
	// 80 rows; pixel 50 of the last: 100
}

// ExampleEncoder codes the bands of an image on several goroutines and
// joins them in order: the bytes are those a Writer makes.
func ExampleEncoder() {
	h := raster.Header{Width: 300, Height: 200, Pixel: raster.RGB8}
	pix := bytes.Repeat([]byte{200, 120, 40}, h.Width*h.Height)
	var file bytes.Buffer
	e, err := jpegio.NewEncoder(&file, h, jpegio.WriterOptions{})
	if err != nil {
		panic(err)
	}
	segs := make([]*jpegio.Segment, e.Bands())
	var wg sync.WaitGroup
	for i := range e.Bands() {
		wg.Go(func() {
			y0, y1 := e.BandRows(i)
			s, err := e.EncodeBand(i, pix[y0*h.RowBytes():y1*h.RowBytes()], nil)
			if err != nil {
				panic(err)
			}
			segs[i] = s
		})
	}
	wg.Wait()
	for _, s := range segs {
		if err := e.WriteSegment(s); err != nil {
			panic(err)
		}
	}
	if err := e.Close(); err != nil {
		panic(err)
	}
	fmt.Println(e.Bands(), "bands;", e.Header().Details)
	// Output:
	// 4 bands; [baseline quality 90 ycbcr 420]
}

// ExampleDecoder decodes bands on several goroutines: NextBand is the
// serial Huffman step, Band.Decode the parallel rest.
func ExampleDecoder() {
	h := raster.Header{Width: 64, Height: 300, Pixel: raster.RGB8}
	var file bytes.Buffer
	w, _ := jpegio.NewWriter(&file, h, jpegio.WriterOptions{Quality: 95})
	w.WriteRows(bytes.Repeat([]byte{10, 200, 90}, h.Width*h.Height))
	w.Close()

	d, err := jpegio.NewDecoder(&file, jpegio.ReaderOptions{})
	if err != nil {
		panic(err)
	}
	defer d.Close()
	out := make([]byte, d.Header().Bytes())
	var wg sync.WaitGroup
	for {
		b, err := d.NextBand(nil)
		if err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		wg.Go(func() {
			y0, _ := b.Rows()
			b.Decode(out[y0*d.Header().RowBytes():])
		})
	}
	wg.Wait()
	fmt.Println(out[:3], out[len(out)-3:])
	// Output:
	// [10 200 90] [10 200 90]
}

// ExampleReadHeader writes a JPEG carrying an ICC profile and a camera's
// EXIF, and reads its metadata back without decoding a pixel.
func ExampleReadHeader() {
	h := raster.Header{Width: 64, Height: 48, Pixel: raster.RGB8, Meta: raster.Metadata{
		ICC:  synth.ICCProfile(100000, "Wide RGB"), // two APP2 chunks
		EXIF: synth.Exif(raster.RightTop),
	}}
	var file bytes.Buffer
	w, err := jpegio.NewWriter(&file, h, jpegio.WriterOptions{})
	if err != nil {
		panic(err)
	}
	if err := w.WriteRows(make([]byte, h.Bytes())); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	got, err := jpegio.ReadHeader(&file)
	if err != nil {
		panic(err)
	}
	fmt.Printf("profile %q of %d bytes, EXIF of %d bytes, orientation %d\n",
		raster.ICCDescription(got.Meta.ICC), len(got.Meta.ICC), len(got.Meta.EXIF), got.Orientation)
	// Output: profile "Wide RGB" of 100000 bytes, EXIF of 96 bytes, orientation 6
}

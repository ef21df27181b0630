package jpegio

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// photo returns a photo-like w×h image from synth.
func photo(t testing.TB, w, h int, f raster.PixelFormat) []byte {
	t.Helper()
	r := synth.New(w, h, f, synth.Options{Seed: 3})
	defer r.Close()
	pix := make([]byte, r.Header().Bytes())
	if _, err := io.ReadFull(readerOf(r), pix); err != nil {
		t.Fatal(err)
	}
	return pix
}

// writePPM writes RGB8 or Gray8 pixels as a binary PNM file.
func writePPM(t testing.TB, path string, h raster.Header, pix []byte) {
	t.Helper()
	magic := "P6"
	if h.Pixel == raster.Gray8 {
		magic = "P5"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d %d\n255\n", magic, h.Width, h.Height)
	b.Write(pix)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEncoderVsCjpeg encodes the same image as libjpeg-turbo's cjpeg at
// the same settings and compares file size and PSNR against the source:
// within 3% and 0.1 dB.
func TestEncoderVsCjpeg(t *testing.T) {
	cjpeg := testtool.Require(t, "cjpeg")
	dir := t.TempDir()
	h := raster.Header{Width: 301, Height: 203, Pixel: raster.RGB8}
	pix := photo(t, h.Width, h.Height, h.Pixel)
	src := filepath.Join(dir, "src.ppm")
	writePPM(t, src, h, pix)
	for _, tc := range []struct {
		quality  int
		sample   string
		optimize bool
	}{
		{50, "420", false}, {75, "420", false}, {90, "420", false}, {90, "420", true},
		{95, "444", false}, {85, "422", true}, {20, "420", false},
	} {
		t.Run(fmt.Sprintf("q%d-%s-opt%v", tc.quality, tc.sample, tc.optimize), func(t *testing.T) {
			ours := encode(t, h, pix, WriterOptions{Quality: tc.quality, Subsample: tc.sample, Optimize: tc.optimize})
			args := []string{"-quality", strconv.Itoa(tc.quality), "-sample", map[string]string{"444": "1x1", "422": "2x1", "420": "2x2"}[tc.sample]}
			if tc.optimize {
				args = append(args, "-optimize")
			}
			theirs, err := exec.Command(cjpeg, append(args, src)...).Output()
			if err != nil {
				t.Fatalf("cjpeg: %v", err)
			}
			_, a := decodeAll(t, ours, 64)
			_, b := decodeAll(t, theirs, 64)
			ratio := float64(len(ours)) / float64(len(theirs))
			pa, pb := psnr(pix, a), psnr(pix, b)
			if ratio < 0.97 || ratio > 1.03 {
				t.Errorf("got %d bytes, cjpeg %d (ratio %.3f), want within 3%%", len(ours), len(theirs), ratio)
			}
			if pa < pb-0.1 {
				t.Errorf("got PSNR %.2f dB against the source, cjpeg %.2f, want within 0.1 dB", pa, pb)
			}
		})
	}
}

// encodeParallel encodes pix with an Encoder, coding the bands on workers
// goroutines in a shuffled order and joining them in order.
func encodeParallel(t testing.TB, h raster.Header, pix []byte, o WriterOptions, workers int, seed uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	e, err := NewEncoder(&buf, h, o)
	if err != nil {
		t.Fatal(err)
	}
	n := e.Bands()
	order := rand.New(rand.NewPCG(seed, 1)).Perm(n)
	segs := make([]*Segment, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				y0, y1 := e.BandRows(i)
				s, err := e.EncodeBand(i, pix[y0*h.RowBytes():y1*h.RowBytes()], nil)
				if err != nil {
					t.Error(err)
					return
				}
				segs[i] = s
			}
		}()
	}
	for _, i := range order {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, s := range segs {
		if err := e.WriteSegment(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSameBytesAnyWorkers checks that the file is the same bytes whether
// the Writer codes band after band or 1, 2 or 4 goroutines code the bands
// in a shuffled order.
func TestSameBytesAnyWorkers(t *testing.T) {
	type tc struct {
		o WriterOptions
		f raster.PixelFormat
	}
	for _, c := range []tc{
		{WriterOptions{}, raster.RGB8}, {WriterOptions{Optimize: true}, raster.RGB8},
		{WriterOptions{Subsample: "444", BandRows: 1}, raster.RGB8},
		{WriterOptions{Quality: 60, Subsample: "422", BandRows: 3}, raster.RGB8},
		{WriterOptions{Optimize: true}, raster.Gray8}, {WriterOptions{BandRows: 2}, raster.RGBA16},
	} {
		o, f := c.o, c.f
		t.Run(fmt.Sprintf("%+v/%v", o, f), func(t *testing.T) {
			h := raster.Header{Width: 157, Height: 211, Pixel: f}
			pix := photo(t, h.Width, h.Height, f)
			want := encode(t, h, pix, o)
			for _, workers := range []int{1, 2, 4} {
				if got := encodeParallel(t, h, pix, o, workers, uint64(workers)); !bytes.Equal(got, want) {
					t.Errorf("%d workers: got %d bytes differing from the Writer's %d", workers, len(got), len(want))
				}
			}
		})
	}
}

// TestOptimizeSmaller checks that optimised tables give a smaller file
// with the same pixels.
func TestOptimizeSmaller(t *testing.T) {
	h := raster.Header{Width: 200, Height: 150, Pixel: raster.RGB8}
	pix := photo(t, h.Width, h.Height, h.Pixel)
	plain := encode(t, h, pix, WriterOptions{})
	opt := encode(t, h, pix, WriterOptions{Optimize: true})
	if len(opt) >= len(plain) {
		t.Errorf("got %d bytes optimised, want fewer than %d", len(opt), len(plain))
	}
	_, a := decodeAll(t, plain, 50)
	_, b := decodeAll(t, opt, 50)
	if !bytes.Equal(a, b) {
		t.Error("optimised file decodes to other pixels")
	}
}

// TestOthersReadOurs has image/jpeg, djpeg, vips and ImageMagick decode
// our files (every subsampling, optimised tables, several bands joined by
// restart markers) and compares their pixels with ours.
func TestOthersReadOurs(t *testing.T) {
	type reader struct {
		name   string
		decode func(t *testing.T, path string, h raster.Header) []byte
		psnr   float64
	}
	tool := func(prog string, args ...string) func(t *testing.T, path string, h raster.Header) []byte {
		return func(t *testing.T, path string, h raster.Header) []byte {
			p := testtool.Require(t, prog)
			out := filepath.Join(t.TempDir(), "out.pnm")
			a := append([]string{}, args...)
			a = append(a, path, out)
			if prog == "djpeg" {
				a = []string{"-pnm", "-outfile", out, path}
			}
			if b, err := exec.Command(p, a...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", prog, err, b)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			_, pix := readPNM(t, data)
			return pix
		}
	}
	readers := []reader{
		{"image-jpeg", func(t *testing.T, path string, h raster.Header) []byte {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := jpeg.Decode(f)
			if err != nil {
				t.Fatalf("image/jpeg: %v", err)
			}
			var out []byte
			for y := range h.Height {
				for x := range h.Width {
					r, g, b, _ := m.At(x, y).RGBA()
					if _, ok := m.(*image.Gray); ok {
						out = append(out, byte(r>>8))
					} else {
						out = append(out, byte(r>>8), byte(g>>8), byte(b>>8))
					}
				}
			}
			return out
		}, 30},
		{"djpeg", tool("djpeg"), minPSNR},
		{"vips", tool("vips", "copy"), minPSNR},
		{"convert", tool("convert"), minPSNR},
	}
	dir := t.TempDir()
	type tc struct {
		f raster.PixelFormat
		o WriterOptions
	}
	for _, c := range []tc{
		{raster.RGB8, WriterOptions{Subsample: "420"}}, {raster.RGB8, WriterOptions{Subsample: "422", Optimize: true}},
		{raster.RGB8, WriterOptions{Subsample: "444", BandRows: 1}}, {raster.Gray8, WriterOptions{Optimize: true, BandRows: 1}},
	} {
		f, o := c.f, c.o
		h := raster.Header{Width: 93, Height: 71, Pixel: f}
		data := encode(t, h, photo(t, h.Width, h.Height, f), o)
		path := filepath.Join(dir, fmt.Sprintf("%v-%s-%v-%d.jpg", f, o.Subsample, o.Optimize, o.BandRows))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, ours := decodeAll(t, data, 71)
		for _, r := range readers {
			t.Run(filepath.Base(path)+"/"+r.name, func(t *testing.T) {
				theirs := r.decode(t, path, h)
				if len(theirs) != len(ours) {
					t.Fatalf("got %d bytes, want %d", len(theirs), len(ours))
				}
				if p := psnr(ours, theirs); p < r.psnr {
					t.Errorf("got PSNR %.1f dB between their pixels and ours, want at least %.0f", p, r.psnr)
				}
			})
		}
	}
}

// TestWriteRowsChunks checks that the file is the same bytes whether
// WriteRows is given all rows at once (each band encoded straight from
// them) or in uneven runs that split bands (their rows gathered first),
// or a band and a half at a time (both ways in one call).
func TestWriteRowsChunks(t *testing.T) {
	h := raster.Header{Width: 97, Height: 203, Pixel: raster.RGB8}
	pix := photo(t, h.Width, h.Height, h.Pixel)
	o := WriterOptions{BandRows: 2}
	want := encode(t, h, pix, o)
	rb := h.RowBytes()
	for _, chunk := range []int{1, 7, 16, 24, 33} {
		t.Run(strconv.Itoa(chunk), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, h, o)
			if err != nil {
				t.Fatal(err)
			}
			for y := 0; y < h.Height; y += chunk {
				if err := w.WriteRows(pix[y*rb : min(y+chunk, h.Height)*rb]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("rows %d at a time: got %d bytes that differ from the %d of all rows at once", chunk, buf.Len(), len(want))
			}
		})
	}
}

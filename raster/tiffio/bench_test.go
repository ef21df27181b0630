package tiffio

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	xtiff "golang.org/x/image/tiff"

	"github.com/sluice-go/sluice/internal/bandtest"
	"github.com/sluice-go/sluice/raster"
)

const benchSide = 2048

// photo returns a deterministic photo-like RGB8 image: smooth shading,
// edges and fine noise, so compressors see realistic statistics.
var photo = sync.OnceValue(func() []byte {
	pix := make([]byte, benchSide*benchSide*3)
	seed := uint32(1)
	for y := 0; y < benchSide; y++ {
		for x := 0; x < benchSide; x++ {
			fx, fy := float64(x)/benchSide, float64(y)/benchSide
			base := 110 + 70*math.Sin(6*fx+3*fy) + 40*math.Cos(11*fy*fx)
			if (x/300+y/200)%3 == 0 {
				base += 35 // edges
			}
			for c := 0; c < 3; c++ {
				seed = seed*1664525 + 1013904223
				v := base + float64(c*25) - 20*fx*float64(c) + float64(seed>>29)
				pix[(y*benchSide+x)*3+c] = byte(max(0, min(255, v)))
			}
		}
	}
	return pix
})

// photoImage is photo as an image.RGBA for x/image/tiff.
var photoImage = sync.OnceValue(func() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, benchSide, benchSide))
	p := photo()
	for i := 0; i < benchSide*benchSide; i++ {
		copy(img.Pix[4*i:], p[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	return img
})

var benchComps = []string{"none", "deflate", "lzw"}

var benchFiles sync.Map // name → []byte

func benchFile(b *testing.B, comp string, tiled bool) []byte {
	key := fmt.Sprint(comp, tiled)
	if v, ok := benchFiles.Load(key); ok {
		return v.([]byte)
	}
	data := encode(b, benchSide, benchSide, raster.RGB8, photo(), WriterOptions{Compression: comp, Predictor: comp != "none", Tiled: tiled})
	benchFiles.Store(key, data)
	return data
}

// reportCores reports the CPU time per wall time of a benchmark: how many
// cores it kept busy, which shows parallelism even on a loaded machine.
func reportCores(b *testing.B, cpu0 int64, start time.Time) {
	if cpu0 == 0 {
		return
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Since(start)), "cores")
}

func workerCounts() []int {
	if n := runtime.GOMAXPROCS(0); n > 1 {
		return []int{1, n}
	}
	return []int{1}
}

// BenchmarkRead decodes a 2048×2048 RGB8 image by rows, beside
// x/image/tiff decoding the same file whole. MB/s counts decoded pixels.
func BenchmarkRead(b *testing.B) {
	n := int64(benchSide * benchSide * 3)
	for _, comp := range benchComps {
		for _, tiled := range []bool{false, true} {
			lay := map[bool]string{false: "strips", true: "tiles"}[tiled]
			for _, w := range workerCounts() {
				b.Run(fmt.Sprintf("%s/%s/sluice/workers=%d", comp, lay, w), func(b *testing.B) {
					data := benchFile(b, comp, tiled)
					b.SetBytes(n)
					b.ReportMetric(float64(len(data))/float64(n), "ratio")
					buf := make([]byte, 64*benchSide*3)
					cpu0, start := cpuTime(), time.Now()
					for b.Loop() {
						r, err := NewReader(bytes.NewReader(data), int64(len(data)), ReaderOptions{})
						if err != nil {
							b.Fatal(err)
						}
						if w > 1 {
							// The bands on w goroutines, as the engine
							// schedules them.
							if _, err := bandtest.Decode(r, w); err != nil {
								b.Fatal(err)
							}
							continue
						}
						for {
							_, err := r.ReadRows(buf)
							if err == io.EOF {
								break
							}
							if err != nil {
								b.Fatal(err)
							}
						}
						r.Close()
					}
					reportCores(b, cpu0, start)
				})
			}
			b.Run(fmt.Sprintf("%s/%s/xtiff", comp, lay), func(b *testing.B) {
				data := benchFile(b, comp, tiled)
				b.SetBytes(n)
				for b.Loop() {
					if _, err := xtiff.Decode(bytes.NewReader(data)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// discard is an io.WriteSeeker that keeps nothing.
type discard struct{ pos, end int64 }

func (d *discard) Write(p []byte) (int, error) {
	d.pos += int64(len(p))
	d.end = max(d.end, d.pos)
	return len(p), nil
}

func (d *discard) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += d.pos
	case io.SeekEnd:
		off += d.end
	}
	d.pos = off
	return off, nil
}

// BenchmarkWrite encodes a 2048×2048 RGB8 image, beside x/image/tiff
// encoding it (as RGBA, none or deflate, which is all it writes). MB/s
// counts RGB pixels.
func BenchmarkWrite(b *testing.B) {
	n := int64(benchSide * benchSide * 3)
	pix := photo()
	rb := benchSide * 3
	for _, comp := range benchComps {
		for _, tiled := range []bool{false, true} {
			lay := map[bool]string{false: "strips", true: "tiles"}[tiled]
			for _, w := range workerCounts() {
				b.Run(fmt.Sprintf("%s/%s/sluice/workers=%d", comp, lay, w), func(b *testing.B) {
					b.SetBytes(n)
					var out discard
					cpu0, start := cpuTime(), time.Now()
					for b.Loop() {
						out = discard{}
						wr, err := NewWriter(&out, raster.Header{Width: benchSide, Height: benchSide, Pixel: raster.RGB8},
							WriterOptions{Compression: comp, Predictor: comp != "none", Tiled: tiled})
						if err != nil {
							b.Fatal(err)
						}
						if w > 1 && wr.BandRows() > 0 {
							hdr := raster.Header{Width: benchSide, Height: benchSide, Pixel: raster.RGB8}
							if err := bandtest.Encode(wr, hdr, pix, w); err != nil {
								b.Fatal(err)
							}
							continue
						}
						for y := 0; y < benchSide; y += 64 {
							if err := wr.WriteRows(pix[y*rb : (y+64)*rb]); err != nil {
								b.Fatal(err)
							}
						}
						if err := wr.Close(); err != nil {
							b.Fatal(err)
						}
					}
					reportCores(b, cpu0, start)
					b.ReportMetric(float64(out.end)/float64(n), "ratio")
				})
			}
		}
		if comp == "lzw" {
			continue
		}
		b.Run(fmt.Sprintf("%s/strips/xtiff", comp), func(b *testing.B) {
			img := photoImage()
			o := &xtiff.Options{Compression: xtiff.Uncompressed, Predictor: false}
			if comp == "deflate" {
				o = &xtiff.Options{Compression: xtiff.Deflate, Predictor: true}
			}
			b.SetBytes(n)
			for b.Loop() {
				if err := xtiff.Encode(io.Discard, img, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

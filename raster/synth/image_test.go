package synth

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

var preview = flag.String("preview", "", "write a 512×512 RGB8 preview of seed 1 to this PNG file")

// toImage wraps an 8-bit image in the image package's types.
func toImage(pix []byte, w, h int, pf raster.PixelFormat) image.Image {
	r := image.Rect(0, 0, w, h)
	switch pf {
	case raster.Gray8:
		return &image.Gray{Pix: pix, Stride: w, Rect: r}
	case raster.RGBA8:
		return &image.NRGBA{Pix: pix, Stride: 4 * w, Rect: r}
	case raster.RGB8:
		m := image.NewRGBA(r)
		for i := range w * h {
			copy(m.Pix[4*i:4*i+3], pix[3*i:3*i+3])
			m.Pix[4*i+3] = 255
		}
		return m
	}
	panic("toImage: unsupported format " + pf.String())
}

// TestPhotoLike checks that images compress like photographs (neither to
// nothing nor not at all) and that neighbouring pixels are alike, as they
// are in a scene and are not in static.
func TestPhotoLike(t *testing.T) {
	const w, h = 512, 512
	for _, tt := range []struct {
		seed int64
		pf   raster.PixelFormat
	}{{1, raster.RGB8}, {2, raster.RGB8}, {3, raster.RGB8}, {4, raster.Gray8}, {5, raster.RGBA8}} {
		t.Run(fmt.Sprintf("%v/seed=%d", tt.pf, tt.seed), func(t *testing.T) {
			pix := render(w, h, tt.pf, tt.seed)
			var enc bytes.Buffer
			if err := png.Encode(&enc, toImage(pix, w, h, tt.pf)); err != nil {
				t.Fatal(err)
			}
			if ratio := float64(enc.Len()) / float64(len(pix)); ratio < 0.15 || ratio > 0.80 {
				t.Errorf("PNG size / raw size: got %.3f, want within [0.15, 0.80]", ratio)
			}
			if tt.seed == 1 && tt.pf == raster.RGB8 && *preview != "" {
				if err := os.WriteFile(*preview, enc.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			bpp := tt.pf.BytesPerPixel()
			near, far := neighbourDiff(pix, w, h, bpp)
			if ratio := near / far; ratio > 0.2 {
				t.Errorf("mean |difference| of horizontal neighbours %.2f, of random pairs %.2f: ratio got %.3f, want at most 0.2", near, far, ratio)
			}
			if near < 1 {
				t.Errorf("mean |difference| of horizontal neighbours: got %.2f, want at least 1 (noise and texture)", near)
			}
		})
	}
}

// neighbourDiff returns the mean absolute difference of the colour
// samples of horizontal neighbours, and that of pixels paired at random.
func neighbourDiff(pix []byte, w, h, bpp int) (near, far float64) {
	colour := bpp
	if bpp == 2 || bpp == 4 {
		colour-- // leave alpha out
	}
	var sn, nn int
	for y := range h {
		row := pix[y*w*bpp : (y+1)*w*bpp]
		for p := 0; p+bpp < len(row); p += bpp {
			for c := range colour {
				sn += abs(int(row[p+c]) - int(row[p+bpp+c]))
				nn++
			}
		}
	}
	var sf, nf int
	g := rng{42}
	for range 1 << 16 {
		p := (g.intn(h)*w + g.intn(w)) * bpp
		q := (g.intn(h)*w + g.intn(w)) * bpp
		for c := range colour {
			sf += abs(int(pix[p+c]) - int(pix[q+c]))
			nf++
		}
	}
	return float64(sn) / float64(nn), float64(sf) / float64(nf)
}

func abs(v int) int { return max(v, -v) }

// TestScales checks that the scene scales with the image: a 2048×1536 image
// shrunk four times looks like the 512×384 one, and not like another seed.
func TestScales(t *testing.T) {
	big := render(2048, 1536, raster.RGB8, 9)
	small := render(512, 384, raster.RGB8, 9)
	other := render(512, 384, raster.RGB8, 10)
	thumb := make([]byte, len(small))
	for y := range 384 {
		for x := range 512 {
			for c := range 3 {
				s := 0
				for dy := range 4 {
					for dx := range 4 {
						s += int(big[((4*y+dy)*2048+4*x+dx)*3+c])
					}
				}
				thumb[(y*512+x)*3+c] = byte((s + 8) / 16)
			}
		}
	}
	same, diff := meanAbs(thumb, small), meanAbs(thumb, other)
	if same > 10 || same > diff/4 {
		t.Errorf("mean |difference| of the thumbnail and the small image: got %.2f, want at most 10 and a quarter of %.2f (another seed)", same, diff)
	}
}

func meanAbs(a, b []byte) float64 {
	s := 0
	for i := range a {
		s += abs(int(a[i]) - int(b[i]))
	}
	return float64(s) / float64(len(a))
}

// TestFormats reads every pixel format through the Reader and checks what
// the content promises in each.
func TestFormats(t *testing.T) {
	const w, h = 384, 256
	rgb := render(w, h, raster.RGB8, 11)
	for _, pf := range []raster.PixelFormat{
		raster.Gray8, raster.GrayAlpha8, raster.RGB8, raster.RGBA8,
		raster.Gray16, raster.GrayAlpha16, raster.RGB16, raster.RGBA16,
	} {
		t.Run(pf.String(), func(t *testing.T) {
			r := New(w, h, pf, Options{Seed: 11})
			defer r.Close()
			if got := r.Header().Pixel; got != pf {
				t.Fatalf("Header().Pixel: got %v, want %v", got, pf)
			}
			pix := readAll(t, r, 16)
			samples := samplesOf(pix, pf)
			ch := pf.Channels
			max := pf.MaxValue()

			// Colour planes reach both ends of the range.
			lo, hi := max, 0
			for i, v := range samples {
				if pf.HasAlpha() && i%ch == ch-1 {
					continue
				}
				lo, hi = min(lo, v), maxInt(hi, v)
			}
			if lo > max/100 || hi < max-max/100 {
				t.Errorf("colour samples span [%d, %d], want [≤%d, ≥%d]", lo, hi, max/100, max-max/100)
			}

			if pf.Depth == 16 {
				// Real low bits, not v·257.
				n, all := 0, 0
				for i, v := range samples {
					if pf.HasAlpha() && i%ch == ch-1 {
						continue
					}
					all++
					if v%257 == 0 {
						n++
					}
				}
				if frac := float64(n) / float64(all); frac > 0.2 {
					t.Errorf("samples that are a multiple of 257: got %.3f, want at most 0.2", frac)
				}
			}

			if pf.HasAlpha() {
				checkAlpha(t, samples, ch, max)
			}

			if !pf.Color() && pf.Depth == 8 {
				// Gray is the luminance of the colour image, give or take noise.
				s := 0
				for i := range w * h {
					l := (19595*int(rgb[3*i]) + 38470*int(rgb[3*i+1]) + 7471*int(rgb[3*i+2]) + 32768) >> 16
					s += abs(int(pix[i*ch]) - l)
				}
				if mean := float64(s) / float64(w*h); mean > 1.5 {
					t.Errorf("mean |gray − luminance of RGB|: got %.2f, want at most 1.5", mean)
				}
			}
		})
	}
}

func maxInt(a, b int) int { return max(a, b) }

// checkAlpha checks that alpha is mostly opaque, with a few transparent
// patches whose edges are soft.
func checkAlpha(t *testing.T, samples []int, ch, max int) {
	t.Helper()
	opaque, clear, levels := 0, 0, map[int]bool{}
	n := len(samples) / ch
	for i := range n {
		a := samples[i*ch+ch-1]
		levels[a] = true
		switch {
		case a == max:
			opaque++
		case a < max/2:
			clear++
		}
	}
	if f := float64(opaque) / float64(n); f < 0.6 || f > 0.99 {
		t.Errorf("opaque pixels: got %.3f, want within [0.6, 0.99]", f)
	}
	if f := float64(clear) / float64(n); f < 0.005 {
		t.Errorf("pixels with alpha under half: got %.4f, want at least 0.005", f)
	}
	if len(levels) < 50 {
		t.Errorf("distinct alpha values: got %d, want at least 50 (soft edges)", len(levels))
	}
}

// samplesOf returns the samples of pix as integers.
func samplesOf(pix []byte, pf raster.PixelFormat) []int {
	if pf.Depth == 8 {
		s := make([]int, len(pix))
		for i, v := range pix {
			s[i] = int(v)
		}
		return s
	}
	s := make([]int, len(pix)/2)
	for i := range s {
		s[i] = int(pix[2*i])<<8 | int(pix[2*i+1])
	}
	return s
}

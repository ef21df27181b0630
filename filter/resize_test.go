package filter

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// synthTile returns a w×h photo-like image from synth.
func synthTile(t testing.TB, w, h int, f raster.PixelFormat) *raster.Tile {
	t.Helper()
	r := synth.New(w, h, f, synth.Options{Seed: 7})
	defer r.Close()
	tile := raster.NewTile(image.Rect(0, 0, w, h), f)
	if _, err := r.ReadRows(tile.Pix); err != nil {
		t.Fatal(err)
	}
	return tile
}

// TestResizeBoxAccuracy measures how far the box before a large
// reduction moves resize from the Lanczos kernel alone, both as float64
// references, and checks the bounds the Resize doc states: 2 levels on a
// photo-like image, 8 on noise.
func TestResizeBoxAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	const w, h = 400, 300
	for _, s := range []float64{0.25, 0.1, 0.05} {
		for _, input := range []string{"photo", "noise"} {
			t.Run(fmt.Sprintf("%g/%s", s, input), func(t *testing.T) {
				src := synthTile(t, w, h, raster.RGB8)
				bound, meanBound := 8, 1.0
				if input == "noise" {
					src, bound, meanBound = randomTile(rng, w, h, raster.RGB8), 24, 4
				}
				m := refDecode(src.Pix, w, h, raster.RGB8)
				boxed := refEncode(refResize(m, s, true), raster.RGB8)
				alone := refEncode(refResize(m, s, false), raster.RGB8)
				worst, sum := 0, 0
				for i := range boxed {
					d := max(int(boxed[i])-int(alone[i]), int(alone[i])-int(boxed[i]))
					worst, sum = max(worst, d), sum+d
				}
				mean := float64(sum) / float64(len(boxed))
				if mean > meanBound {
					t.Errorf("got a mean difference of %.2f levels, want at most %g", mean, meanBound)
				}
				if worst > bound {
					t.Errorf("got a difference of %d levels, want at most %d", worst, bound)
				}
				if worst == 0 {
					t.Errorf("got no difference: the box did not run")
				}
				t.Logf("largest difference %d levels, mean %.3f", worst, mean)
			})
		}
	}
}

// TestBoxLoad checks that a large reduction's box averages taken from the
// source rows (boxLoad) are the very floats of those taken from the loaded
// planes (boxPlanes after load), on every format, premultiplied or not, on
// blocks inside the image and on those its edges cut.
func TestBoxLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	formats := raster.Formats()
	in := image.Rect(0, 0, 203, 157)
	for _, f := range formats {
		src := randomTile(rng, in.Dx(), in.Dy(), f)
		for _, sc := range []float64{0.1, 0.07, 0.2} {
			z := Resize{S: sc}
			if z.box() < 2 {
				t.Fatalf("resize:%v has no box", sc)
			}
			ow, oh := z.resizedLen(in.Dx()), z.resizedLen(in.Dy())
			for _, out := range []image.Rectangle{
				image.Rect(0, 0, ow, oh), image.Rect(1, 2, ow/2, oh/2+1), image.Rect(ow/2, oh/3, ow, oh),
			} {
				for _, pm := range []bool{false, true} {
					s := new(scratch)
					r := z.boxRect(out, in)
					want := z.boxPlanes(s, s.load(src, z.need(out, in), pm), r, in)
					got := z.boxLoad(s, src, r, in, pm)
					if got.r != want.r || len(got.p) != len(want.p) || got.alpha != want.alpha || got.premul != want.premul {
						t.Fatalf("%v resize:%v %v pm %v: planes %v/%d/%v/%v, want %v/%d/%v/%v", f, sc, out, pm,
							got.r, len(got.p), got.alpha, got.premul, want.r, len(want.p), want.alpha, want.premul)
					}
					for ch := range want.p {
						for i, v := range want.p[ch] {
							if math.Float32bits(got.p[ch][i]) != math.Float32bits(v) {
								t.Fatalf("%v resize:%v %v pm %v: channel %d sample %d is %v, want %v", f, sc, out, pm, ch, i, got.p[ch][i], v)
							}
						}
					}
				}
			}
		}
	}
}

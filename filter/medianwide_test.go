package filter

import (
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestPMRecip checks the reciprocals of unpremulWords on every alpha and
// every colour word a median can hold over it: the quotient rounded half
// up, exactly.
func TestPMRecip(t *testing.T) {
	for a := uint64(1); a < 256; a++ {
		m := pmRecip[a]
		for p := uint64(0); p <= 255*a; p++ {
			got := (2*p + a) * m >> 32
			want := (2*p + a) / (2 * a)
			if got != want {
				t.Fatalf("colour word %d over alpha %d: got %d, want %d", p, a, got, want)
			}
		}
	}
	if pmRecip[0] != 0 {
		t.Fatalf("reciprocal of alpha 0: got %d, want 0", pmRecip[0])
	}
}

// TestUnpremulRGBA checks the RGBA path of unpremulWords against the loop
// over channels on every alpha, with colour words from 0 to 255·a.
func TestUnpremulRGBA(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	const n = 64
	res := make([]byte, 8*n)
	got, want := make([]byte, 4*n), make([]byte, 4*n)
	for a := range 256 {
		for i := range n {
			w := res[8*i : 8*i+8]
			for ch := range 3 {
				p := rng.IntN(255*a + 1)
				switch i {
				case 0:
					p = 0
				case 1:
					p = 255 * a
				}
				w[2*ch], w[2*ch+1] = byte(p), byte(p>>8)
			}
			w[6], w[7] = byte(a), 0
		}
		unpremulRGBA(got, res)
		unpremulWordsAny(want, res, 4)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("alpha %d, sample %d: got %d, want %d", a, i, got[i], want[i])
			}
		}
	}
}

// medianKernelName is the kernel a lone median of radius r runs on f.
func medianKernelName(r int, f raster.PixelFormat) string {
	switch {
	case r > 2:
		return ""
	case f.HasAlpha():
		return fmt.Sprintf("median%dpm", f.Depth)
	}
	return fmt.Sprintf("median%d", f.Depth)
}

// TestMedianFormats runs a lone median on every pixel format: the plan
// takes the integer kernel the rule names, whose result matches the
// float64 reference (exactly without alpha, within one level with it),
// the same with the vector and pure-Go kernels, and for every tiling;
// on noise, on few levels and on hard edges, and at sizes narrower than
// the window and wider than a strip.
func TestMedianFormats(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	for _, f := range raster.Formats() {
		for _, r := range []int{1, 2, 3} {
			for _, sz := range [][2]int{{stripWidth + 37, 11}, {29, 23}, {2, 2}, {1, 7}, {40, 1}} {
				w, h := sz[0], sz[1]
				for _, kind := range []string{"noise", "levels", "edges"} {
					name := fmt.Sprintf("median:%d/%v/%dx%d/%s", r, f, w, h, kind)
					if w > 100 && kind != "noise" || r == 3 && (w > 100 || kind != "noise") {
						// Wide rows on noise alone, and one case of the
						// float path, to show the plan takes it.
						continue
					}
					t.Run(name, func(t *testing.T) {
						src := randomTile(rng, w, h, f)
						switch kind {
						case "levels":
							// Few levels, so many ties, alpha included.
							for i := range src.Pix {
								src.Pix[i] = src.Pix[i] % 3 * 0x7f
							}
						case "edges":
							edgeTile(src)
						}
						op := Median{r}
						p := mustPlan(t, Chain{op}, src)
						want := medianKernelName(r, f)
						if want == "" {
							want = "float32"
						}
						if got := p.Kernels(); len(got) != 1 || got[0] != want+"(median:"+fmt.Sprint(r)+")" {
							t.Fatalf("kernels %q, want %s", got, want)
						}
						got := runWhole(t, p, src)
						ref := refEncode(refApply(op, refDecode(src.Pix, w, h, f)), f)
						tol := 0
						if f.HasAlpha() {
							tol = 1
						}
						if d := firstDiff(got.Pix, ref, f, w, tol); d != "" {
							t.Fatalf("against the reference: %s", d)
						}
						if p.fixed == nil {
							return
						}
						if asmSupported() {
							func() {
								defer func(old bool) { useAsm = old }(useAsm)
								useAsm = false
								if d := firstDiff(runWhole(t, p, src).Pix, got.Pix, f, w, 0); d != "" {
									t.Fatalf("pure-Go kernels against the vector kernels: %s", d)
								}
							}()
						}
						for _, exact := range []bool{false, true} {
							tiled := runTiled(t, p, src, cuts(rng, w, 40), cuts(rng, h, 5), exact)
							if d := firstDiff(tiled.Pix, got.Pix, f, w, 0); d != "" {
								t.Fatalf("tiled (exact source %v): %s", exact, d)
							}
						}
					})
				}
			}
		}
	}
}

// TestMedianPMUnpremul checks the straight colour of the premultiplied
// median where alpha makes it delicate: a transparent majority (colour 0),
// a faint alpha of 1 (colour is the quotient itself), and colour that
// changes under constant alpha (the straight median).
func TestMedianPMUnpremul(t *testing.T) {
	for _, f := range []raster.PixelFormat{raster.RGBA8, raster.GrayAlpha8} {
		c := f.Channels
		const w, h = 40, 5
		src := raster.NewTile(image.Rect(0, 0, w, h), f)
		for i := 0; i < w*h; i++ {
			x := i % w
			px := src.Pix[i*c : i*c+c]
			for ch := range px[:c-1] {
				px[ch] = byte(37*i + 11*ch)
			}
			switch {
			case x < 10:
				px[c-1] = byte(i % 2) // 0 and 1
			case x < 20:
				px[c-1] = 0
			default:
				px[c-1] = 200
			}
		}
		p := mustPlan(t, Chain{Median{1}}, src)
		if got := p.Kernels(); got[0] != "median8pm(median:1)" {
			t.Fatalf("%v: kernels %q, want median8pm", f, got)
		}
		got := runWhole(t, p, src)
		ref := refEncode(refApply(Median{1}, refDecode(src.Pix, w, h, f)), f)
		if d := firstDiff(got.Pix, ref, f, w, 1); d != "" {
			t.Fatalf("%v: %s", f, d)
		}
		for y := 0; y < h; y++ {
			for x := 11; x < 19; x++ {
				px := got.Pix[(y*w+x)*c:][:c]
				for ch := range px {
					if px[ch] != 0 {
						t.Fatalf("%v: pixel %d,%d under alpha 0: got %v, want all 0", f, x, y, px)
					}
				}
			}
		}
	}
}

package filter

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

func TestPlanShape(t *testing.T) {
	tests := []struct {
		chain   string
		w, h    int
		in      raster.PixelFormat
		ow, oh  int
		out     raster.PixelFormat
		halo    int
		wantErr string
	}{
		{"", 10, 7, raster.RGB8, 10, 7, raster.RGB8, 0, ""},
		{"blur:2", 10, 7, raster.RGB16, 10, 7, raster.RGB16, 6, ""},
		{"gray", 10, 7, raster.RGB8, 10, 7, raster.Gray8, 0, ""},
		{"gray", 10, 7, raster.RGBA16, 10, 7, raster.GrayAlpha16, 0, ""},
		{"gray", 10, 7, raster.GrayAlpha8, 10, 7, raster.GrayAlpha8, 0, ""},
		{"shrink:3", 10, 7, raster.RGB8, 3, 2, raster.RGB8, 0, ""},
		{"shrink:7", 10, 7, raster.RGB8, 1, 1, raster.RGB8, 0, ""},
		{"shrink:8", 10, 7, raster.RGB8, 0, 0, raster.RGB8, 0, "shrink factor 8 exceeds a side of the 10×7 image"},
		{"crop:2,1,8,6", 10, 7, raster.Gray8, 8, 6, raster.Gray8, 0, ""},
		{"crop:3,1,8,6", 10, 7, raster.Gray8, 0, 0, raster.Gray8, 0, "reaches outside the 10×7 image"},
		{"crop:2,2,8,6", 10, 7, raster.Gray8, 0, 0, raster.Gray8, 0, "reaches outside"},
		{"shrink:2 crop:0,0,5,3", 10, 7, raster.Gray8, 5, 3, raster.Gray8, 0, ""},
		{"shrink:2 crop:0,0,5,4", 10, 7, raster.Gray8, 0, 0, raster.Gray8, 0, "reaches outside the 5×3 image"},
		{"blur:1 median:2 box:1", 100, 100, raster.RGBA8, 100, 100, raster.RGBA8, 6, ""},
		{"shrink:2 blur:1", 100, 100, raster.RGB8, 50, 50, raster.RGB8, 6, ""},
		{"resize:0.5 blur:1", 100, 100, raster.RGB8, 50, 50, raster.RGB8, 12, ""},
		{"crop:100,100,800,800 resize:0.9 sharpen", 1000, 1000, raster.RGB8, 720, 720, raster.RGB8, 8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.chain, func(t *testing.T) {
			c, err := ParseChain(strings.Fields(tt.chain))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Plan(tt.w, tt.h, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w, h := p.OutputSize(); w != tt.ow || h != tt.oh {
				t.Errorf("OutputSize: got %d×%d, want %d×%d", w, h, tt.ow, tt.oh)
			}
			if p.Output() != tt.out {
				t.Errorf("Output: got %v, want %v", p.Output(), tt.out)
			}
			if p.Halo() != tt.halo {
				t.Errorf("Halo: got %d, want %d", p.Halo(), tt.halo)
			}
			// Only the empty chain leaves the image as it is.
			if got, want := p.Identity(), tt.chain == ""; got != want {
				t.Errorf("Identity: got %v, want %v", got, want)
			}
		})
	}
}

func TestPlanRejects(t *testing.T) {
	tests := []struct {
		name string
		c    Chain
		w, h int
		f    raster.PixelFormat
		want string
	}{
		{"bad format", Chain{Invert{}}, 4, 4, raster.PixelFormat{Channels: 3, Depth: 12}, "invalid pixel format"},
		{"empty image", Chain{Invert{}}, 0, 4, raster.RGB8, "must be positive"},
		{"nil op", Chain{nil}, 4, 4, raster.RGB8, "operation 1 is nil"},
		{"literal out of range", Chain{Gaussian{Sigma: -2}}, 4, 4, raster.RGB8, "sigma must be in"},
		{"literal kernel", Chain{Convolve{Kernel: []float64{1, 2}}}, 4, 4, raster.RGB8, "odd square"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Plan(tt.w, tt.h, tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSourceRect(t *testing.T) {
	tests := []struct {
		chain string
		out   image.Rectangle
		want  image.Rectangle
	}{
		{"", image.Rect(3, 4, 5, 6), image.Rect(3, 4, 5, 6)},
		{"blur:1", image.Rect(10, 10, 20, 20), image.Rect(7, 7, 23, 23)},
		{"blur:1", image.Rect(0, 0, 5, 5), image.Rect(0, 0, 8, 8)},
		{"blur:1", image.Rect(95, 95, 100, 100), image.Rect(92, 92, 100, 100)},
		{"blur:1", image.Rect(95, 95, 200, 200), image.Rect(92, 92, 100, 100)},
		{"median:2 invert", image.Rect(10, 10, 20, 20), image.Rect(8, 8, 22, 22)},
		{"shrink:2", image.Rect(1, 2, 3, 4), image.Rect(2, 4, 6, 8)},
		{"shrink:3 box:1", image.Rect(5, 5, 6, 6), image.Rect(12, 12, 21, 21)},
		{"crop:10,20,30,30 box:2", image.Rect(0, 0, 4, 4), image.Rect(10, 20, 16, 26)},
		{"box:2 crop:10,20,30,30", image.Rect(0, 0, 4, 4), image.Rect(8, 18, 16, 26)},
		{"crop:10,20,30,30", image.Rect(0, 0, 40, 40), image.Rect(10, 20, 40, 50)},
	}
	for _, tt := range tests {
		t.Run(tt.chain+" "+tt.out.String(), func(t *testing.T) {
			c, _ := ParseChain(strings.Fields(tt.chain))
			p, err := c.Plan(100, 100, raster.RGB8)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.SourceRect(tt.out); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSourceRectMonotonic checks that as output rows move down, the source
// rows needed never move up, so an engine can stream rows.
func TestSourceRectMonotonic(t *testing.T) {
	for _, chain := range []string{"blur:2 shrink:3 median:1", "crop:5,7,50,40 sharpen shrink:2 box:3", "shrink:4 blur:3",
		"resize:0.9", "resize:0.37 blur:1", "crop:3,3,80,70 resize:2.3 median:2", "resize:0.05"} {
		t.Run(chain, func(t *testing.T) {
			c, _ := ParseChain(strings.Fields(chain))
			p, err := c.Plan(97, 89, raster.Gray8)
			if err != nil {
				t.Fatal(err)
			}
			w, h := p.OutputSize()
			prev := image.Rectangle{}
			for y := 0; y < h; y++ {
				r := p.SourceRect(image.Rect(0, y, w, y+1))
				if y > 0 && (r.Min.Y < prev.Min.Y || r.Max.Y < prev.Max.Y) {
					t.Fatalf("row %d needs %v after row %d needed %v", y, r, y-1, prev)
				}
				prev = r
			}
		})
	}
}

func TestRunRejects(t *testing.T) {
	c, _ := ParseChain([]string{"blur:1"})
	p, err := c.Plan(10, 10, raster.RGB8)
	if err != nil {
		t.Fatal(err)
	}
	src := raster.NewTile(image.Rect(0, 0, 10, 10), raster.RGB8)
	tests := []struct {
		name     string
		dst, src *raster.Tile
		want     string
	}{
		{"dst format", raster.NewTile(image.Rect(0, 0, 2, 2), raster.RGBA8), src, "destination tile is rgba8, want rgb8"},
		{"src format", raster.NewTile(image.Rect(0, 0, 2, 2), raster.RGB8), raster.NewTile(src.Rect, raster.Gray8), "source tile is gray8, want rgb8"},
		{"dst outside", raster.NewTile(image.Rect(8, 8, 12, 12), raster.RGB8), src, "outside the output image"},
		{"src short", raster.NewTile(image.Rect(4, 4, 6, 6), raster.RGB8), src.Sub(image.Rect(4, 4, 7, 7)), "does not cover"},
		{"pix short", raster.NewTile(image.Rect(0, 0, 2, 2), raster.RGB8), &raster.Tile{Rect: src.Rect, Pix: make([]byte, 10), Stride: 30, Format: raster.RGB8}, "too few"},
		{"nil", nil, src, "nil tile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Run(tt.dst, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestAlphaNoBleed checks that a transparent red pixel next to opaque blue
// ones leaves no red in them after area operations.
func TestAlphaNoBleed(t *testing.T) {
	for _, spec := range []string{"blur:1", "box:1", "sharpen:1,3", "conv:1,1,1,1,1,1,1,1,1", "median:1", "dilate:1", "erode:1", "shrink:2", "sobel"} {
		for _, f := range []raster.PixelFormat{raster.RGBA8, raster.RGBA16} {
			t.Run(spec+"/"+f.String(), func(t *testing.T) {
				src := raster.NewTile(image.Rect(0, 0, 6, 2), f)
				m := f.MaxValue()
				for y := 0; y < 2; y++ {
					for x := 0; x < 6; x++ {
						px := []int{0, 0, m, m} // opaque blue
						if x == 2 {
							px = []int{m, 0, 0, 0} // transparent red
						}
						setPixel(src, x, y, px)
					}
				}
				c, _ := ParseChain([]string{spec})
				p := mustPlan(t, c, src)
				out := runWhole(t, p, src)
				for y := 0; y < out.Rect.Dy(); y++ {
					for x := 0; x < out.Rect.Dx(); x++ {
						if px := getPixel(out, x, y); px[3] > 0 && px[0] != 0 {
							t.Fatalf("pixel (%d,%d) = %v: got red %d, want 0", x, y, px, px[0])
						}
					}
				}
			})
		}
	}
}

// TestAlphaBlurKeepsColour checks that blurring a half-transparent image of
// one colour keeps that colour exactly where alpha is not zero.
func TestAlphaBlurKeepsColour(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	src := raster.NewTile(image.Rect(0, 0, 9, 9), raster.RGBA8)
	for y := 0; y < 9; y++ {
		for x := 0; x < 9; x++ {
			setPixel(src, x, y, []int{200, 100, 50, rng.IntN(256)})
		}
	}
	p := mustPlan(t, Chain{Gaussian{1.2}}, src)
	out := runWhole(t, p, src)
	for y := 0; y < 9; y++ {
		for x := 0; x < 9; x++ {
			px := getPixel(out, x, y)
			if px[3] > 0 && (px[0] != 200 || px[1] != 100 || px[2] != 50) {
				t.Fatalf("pixel (%d,%d): got %v, want colour 200,100,50", x, y, px)
			}
		}
	}
}

func setPixel(t *raster.Tile, x, y int, v []int) {
	o := t.PixOffset(x, y)
	for i, s := range v {
		if t.Format.Depth == 16 {
			t.Pix[o+2*i], t.Pix[o+2*i+1] = byte(s>>8), byte(s)
		} else {
			t.Pix[o+i] = byte(s)
		}
	}
}

func getPixel(t *raster.Tile, x, y int) []int {
	o := t.PixOffset(x, y)
	v := make([]int, t.Format.Channels)
	for i := range v {
		if t.Format.Depth == 16 {
			v[i] = int(t.Pix[o+2*i])<<8 | int(t.Pix[o+2*i+1])
		} else {
			v[i] = int(t.Pix[o+i])
		}
	}
	return v
}

func TestGeometry(t *testing.T) {
	// A 7×5 gray image whose pixel (x, y) is 10·y + x.
	src := raster.NewTile(image.Rect(0, 0, 7, 5), raster.Gray8)
	for y := 0; y < 5; y++ {
		for x := 0; x < 7; x++ {
			src.Pix[y*7+x] = byte(10*y + x)
		}
	}
	tests := []struct {
		chain string
		want  [][]byte
	}{
		{"crop:2,1,3,2", [][]byte{{12, 13, 14}, {22, 23, 24}}},
		{"crop:6,4,1,1", [][]byte{{46}}},
		// 7×5 by 2: the last column and row fill no whole block.
		{"shrink:2", [][]byte{{6, 8, 10}, {26, 28, 30}}}, // (0+1+10+11)/4 = 5.5 → 6
		{"shrink:3", [][]byte{{11, 14}}},
		{"shrink:5", [][]byte{{22}}},
		{"crop:1,1,6,4 shrink:3", [][]byte{{22, 25}}},
		{"shrink:2 crop:1,1,2,1", [][]byte{{28, 30}}},
		{"shrink:1", [][]byte{{0, 1, 2, 3, 4, 5, 6}, {10, 11, 12, 13, 14, 15, 16}, {20, 21, 22, 23, 24, 25, 26}, {30, 31, 32, 33, 34, 35, 36}, {40, 41, 42, 43, 44, 45, 46}}},
	}
	for _, tt := range tests {
		t.Run(tt.chain, func(t *testing.T) {
			c, _ := ParseChain(strings.Fields(tt.chain))
			p := mustPlan(t, c, src)
			out := runWhole(t, p, src)
			if w, h := p.OutputSize(); w != len(tt.want[0]) || h != len(tt.want) {
				t.Fatalf("size: got %d×%d, want %d×%d", w, h, len(tt.want[0]), len(tt.want))
			}
			for y, row := range tt.want {
				if got := out.Row(y); string(got) != string(row) {
					t.Errorf("row %d: got %v, want %v", y, got, row)
				}
			}
		})
	}
}

// TestConcurrentRun runs one plan from many goroutines at once, with the
// race detector watching the shared scratch pool.
func TestConcurrentRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	src := randomTile(rng, 64, 48, raster.RGBA8)
	c, _ := ParseChain([]string{"blur:1.5", "median:2", "invert", "shrink:2"})
	p := mustPlan(t, c, src)
	want := runWhole(t, p, src)
	w, h := p.OutputSize()
	got := raster.NewTile(image.Rect(0, 0, w, h), p.Output())
	var wg sync.WaitGroup
	errs := make(chan error, h)
	for y := 0; y < h; y++ {
		wg.Go(func() {
			r := image.Rect(0, y, w, y+1)
			errs <- p.Run(got.Sub(r), src)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if d := firstDiff(got.Pix, want.Pix, p.Output(), w, 0); d != "" {
		t.Fatal(d)
	}
}

// TestChainMatchesReference compares a chain of continuous operations with
// the reference applying them one after the other, unquantised.
func TestChainMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, chain := range []string{"blur:1 sharpen gamma:1.5 shrink:2", "box:1 crop:2,2,10,8 contrast:1.3 conv:1,2,1,2,4,2,1,2,1", "gray blur:0.8 invert", "crop:1,1,13,10 resize:0.9 conv:0,-1,0,-1,5,-1,0,-1,0", "resize:1.7 gamma:2 resize:0.4"} {
		for _, f := range allFormats {
			t.Run(chain+"/"+f.String(), func(t *testing.T) {
				src := randomTile(rng, 15, 12, f)
				c, _ := ParseChain(strings.Fields(chain))
				p := mustPlan(t, c, src)
				got := runWhole(t, p, src)
				m := refDecode(src.Pix, 15, 12, f)
				for _, op := range c {
					m = refApply(op, m)
				}
				want := refEncode(m, p.Output())
				if d := firstDiff(got.Pix, want, p.Output(), m.w, 1); d != "" {
					t.Error(d)
				}
			})
		}
	}
}

// TestResizeShape checks the output size of resize, round(side·S) and at
// least 1, and its exact source rectangles.
func TestResizeShape(t *testing.T) {
	tests := []struct {
		spec   string
		w, h   int
		ow, oh int
		out    image.Rectangle // an output rectangle
		src    image.Rectangle // the input it needs
	}{
		// Centre of output 0 at 0.5/0.5-0.5 = 0.5, support 6: inputs -5…6.
		{"resize:0.5", 10, 7, 5, 4, image.Rect(0, 0, 1, 1), image.Rect(0, 0, 7, 7)},
		// Output 2 centred at 4.5: inputs -1…10, clamped.
		{"resize:0.5", 10, 7, 5, 4, image.Rect(2, 3, 3, 4), image.Rect(0, 1, 10, 7)},
		{"resize:0.01", 10, 7, 1, 1, image.Rect(0, 0, 1, 1), image.Rect(0, 0, 10, 7)},
		// Upsizing by 2: output 10 centred at 4.75, inputs 2…7.
		{"resize:2", 10, 7, 20, 14, image.Rect(10, 10, 11, 11), image.Rect(2, 2, 8, 7)},
		{"resize:2.5", 10, 7, 25, 18, image.Rect(0, 0, 25, 18), image.Rect(0, 0, 10, 7)},
		// Exactly 1: output pixel i centred on input i, support 3 either side.
		{"resize:1", 10, 7, 10, 7, image.Rect(4, 3, 5, 4), image.Rect(2, 1, 7, 6)},
		{"resize:0.9", 100, 100, 90, 90, image.Rect(10, 10, 20, 20), image.Rect(8, 8, 25, 25)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%dx%d/%v", tt.spec, tt.w, tt.h, tt.out), func(t *testing.T) {
			c, err := ParseChain([]string{tt.spec})
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Plan(tt.w, tt.h, raster.RGB8)
			if err != nil {
				t.Fatal(err)
			}
			if w, h := p.OutputSize(); w != tt.ow || h != tt.oh {
				t.Fatalf("OutputSize: got %d×%d, want %d×%d", w, h, tt.ow, tt.oh)
			}
			if got := p.SourceRect(tt.out); got != tt.src {
				t.Fatalf("SourceRect(%v): got %v, want %v", tt.out, got, tt.src)
			}
		})
	}
}

// floatPlan returns a copy of p without its integer fast path, so that it
// runs the float path.
func floatPlan(p *Plan) *Plan {
	return &Plan{chain: p.chain, stages: p.stages, in: p.in, inB: p.inB, out: p.out, outB: p.outB, loadPM: p.loadPM, halo: p.halo}
}

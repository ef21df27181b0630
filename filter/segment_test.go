package filter

import (
	"image"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

func TestParseGeometry(t *testing.T) {
	tests := []struct {
		spec, want string
		o          raster.Orientation
	}{
		{"rotate:90", "rotate:90", raster.RightTop},
		{"rotate: 180", "rotate:180", raster.BottomRight},
		{"rotate:270", "rotate:270", raster.LeftBottom},
		{"flip", "flip", raster.BottomLeft},
		{"flop", "flop", raster.TopRight},
		{"transpose", "transpose", raster.LeftTop},
		{"transverse", "transverse", raster.RightBottom},
	}
	for _, tt := range tests {
		op, err := Parse(tt.spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.spec, err)
		}
		if got := op.String(); got != tt.want {
			t.Errorf("Parse(%q).String(): got %q, want %q", tt.spec, got, tt.want)
		}
		if o, ok := turnOf(op); !ok || o != tt.o {
			t.Errorf("%s: got orientation %d, %v, want %d", tt.spec, o, ok, tt.o)
		}
		if up := Upright(tt.o); up == nil || up.String() != tt.want {
			t.Errorf("Upright(%d): got %v, want %s", tt.o, up, tt.want)
		}
	}
	if up := Upright(raster.TopLeft); up != nil {
		t.Errorf("Upright(TopLeft): got %v, want nil", up)
	}
	for _, tt := range []struct{ spec, want string }{
		{"rotate:45", "degrees must be 90, 180 or 270 (clockwise), got 45"},
		{"rotate:-90", "got -90"},
		{"rotate", "want rotate:DEGREES"},
		{"rotate:x", `degrees must be a whole number, got "x"`},
		{"flip:1", "flip takes no parameters"},
	} {
		if _, err := Parse(tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q): got %v, want an error containing %q", tt.spec, err, tt.want)
		}
	}
}

func TestSegments(t *testing.T) {
	type seg struct {
		turn  raster.Orientation
		chain string
		w, h  int // the segment plan's input size
	}
	tests := []struct {
		chain  string
		segs   []seg
		ow, oh int
	}{
		{"blur:1", []seg{{raster.TopLeft, "blur:1", 40, 30}}, 40, 30},
		{"rotate:90", []seg{{raster.RightTop, "", 30, 40}}, 30, 40},
		{"rotate:90 blur:1", []seg{{raster.RightTop, "blur:1", 30, 40}}, 30, 40},
		{"blur:1 rotate:90", []seg{{raster.TopLeft, "blur:1", 40, 30}, {raster.RightTop, "", 30, 40}}, 30, 40},
		{"blur:2 flip resize:0.5", []seg{{raster.TopLeft, "blur:2", 40, 30}, {raster.BottomLeft, "resize:0.5", 40, 30}}, 20, 15},
		{"rotate:90 rotate:90 invert", []seg{{raster.BottomRight, "invert", 40, 30}}, 40, 30},
		{"flop flip", []seg{{raster.BottomRight, "", 40, 30}}, 40, 30},
		{"transpose flop", []seg{{raster.RightTop, "", 30, 40}}, 30, 40},
		{"crop:0,0,20,30 transpose shrink:2 rotate:270", []seg{
			{raster.TopLeft, "crop:0,0,20,30", 40, 30},
			{raster.LeftTop, "shrink:2", 30, 20},
			{raster.LeftBottom, "", 10, 15},
		}, 10, 15},
	}
	for _, tt := range tests {
		t.Run(tt.chain, func(t *testing.T) {
			c, err := ParseChain(strings.Fields(tt.chain))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Plan(40, 30, raster.RGB8)
			if err != nil {
				t.Fatal(err)
			}
			segs := p.Segments()
			if len(segs) != len(tt.segs) {
				t.Fatalf("got %d segments, want %d", len(segs), len(tt.segs))
			}
			for i, s := range segs {
				w := tt.segs[i]
				if s.Turn != w.turn || s.Plan.Chain().String() != w.chain || s.Plan.inB != image.Rect(0, 0, w.w, w.h) {
					t.Errorf("segment %d: got turn %d, %q on %v, want turn %d, %q on %dx%d",
						i, s.Turn, s.Plan.Chain(), s.Plan.inB, w.turn, w.chain, w.w, w.h)
				}
				if len(s.Plan.Segments()) != 1 {
					t.Errorf("segment %d has segments of its own", i)
				}
			}
			if w, h := p.OutputSize(); w != tt.ow || h != tt.oh {
				t.Errorf("output size: got %d×%d, want %d×%d", w, h, tt.ow, tt.oh)
			}
			if got := p.Chain().String(); got != c.String() {
				t.Errorf("Chain: got %q, want %q", got, c)
			}
		})
	}
}

func TestSegmentsCancel(t *testing.T) {
	c, err := ParseChain([]string{"blur:1", "rotate:90", "rotate:270", "invert"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Plan(40, 30, raster.Gray8)
	if err != nil {
		t.Fatal(err)
	}
	segs := p.Segments()
	if len(segs) != 1 || segs[0].Turn != raster.TopLeft || segs[0].Plan.Chain().String() != "blur:1 invert" {
		t.Fatalf("got %d segments, the first %d %q; want one, TopLeft, \"blur:1 invert\"", len(segs), segs[0].Turn, segs[0].Plan.Chain())
	}
	// A fused plan runs on tiles; it has no segments of its own.
	src := raster.NewTile(image.Rect(0, 0, 40, 30), raster.Gray8)
	dst := raster.NewTile(image.Rect(0, 0, 40, 30), raster.Gray8)
	if err := p.Run(dst, src); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestSegmentedPlanRefusesTiles(t *testing.T) {
	c, _ := ParseChain([]string{"blur:1", "rotate:90"})
	p, err := c.Plan(40, 30, raster.Gray8)
	if err != nil {
		t.Fatal(err)
	}
	src := raster.NewTile(image.Rect(0, 0, 40, 30), raster.Gray8)
	dst := raster.NewTile(image.Rect(0, 0, 30, 40), raster.Gray8)
	if err := p.Run(dst, src); err == nil || !strings.Contains(err.Error(), "Segments") {
		t.Fatalf("Run: got %v, want an error naming Segments", err)
	}
	if got := p.SourceRect(image.Rect(0, 0, 1, 1)); got != image.Rect(0, 0, 40, 30) {
		t.Errorf("SourceRect: got %v, want the whole input", got)
	}
	if got, want := strings.Join(p.Kernels(), ", "), "turn(rotate:90)"; !strings.Contains(got, want) {
		t.Errorf("Kernels: got %q, want it to name %q", got, want)
	}
	// Errors of a later segment name the size it sees.
	c, _ = ParseChain([]string{"rotate:90", "crop:0,0,40,30"})
	if _, err := c.Plan(40, 30, raster.Gray8); err == nil || !strings.Contains(err.Error(), "30×40") {
		t.Errorf("crop after a quarter turn: got %v, want an error about the 30×40 image", err)
	}
}

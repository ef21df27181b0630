package filter

import (
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"blur:2", "blur:2"},
		{"blur:0.50", "blur:0.5"},
		{" box:3 ", "box:3"},
		{"sharpen", "sharpen:1,1,0"},
		{"sharpen:2", "sharpen:2,1,0"},
		{"sharpen:1,0.8,0.02", "sharpen:1,0.8,0.02"},
		{"sobel", "sobel"},
		{"conv:0, -1, 0, -1, 5, -1, 0, -1, 0", "conv:0,-1,0,-1,5,-1,0,-1,0"},
		{"conv:1", "conv:1"},
		{"median:2", "median:2"},
		{"erode:1", "erode:1"},
		{"dilate:4", "dilate:4"},
		{"gray", "gray"},
		{"invert", "invert"},
		{"brightness:-0.25", "brightness:-0.25"},
		{"contrast:1.5", "contrast:1.5"},
		{"gamma:2.2", "gamma:2.2"},
		{"threshold:0.5", "threshold:0.5"},
		{"levels:0.1,0.9", "levels:0.1,0.9"},
		{"crop:1,2,30,40", "crop:1,2,30,40"},
		{"shrink:4", "shrink:4"},
		{"resize:0.90", "resize:0.9"},
		{"resize:4", "resize:4"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			op, err := Parse(tt.spec)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := op.String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			again, err := Parse(op.String())
			if err != nil || again.String() != tt.want {
				t.Fatalf("round trip: got %v, %v, want %q", again, err, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"blurr", `filter: unknown operation "blurr" (known: blur, box, sharpen, sobel, conv, median, erode, dilate, diffuse, gray, invert, brightness, contrast, gamma, threshold, levels, crop, shrink, resize, rotate, flip, flop, transpose, transverse)`},
		{"", `unknown operation ""`},
		{"blur", "want blur:SIGMA"},
		{"blur:0", "sigma must be in (0, 300], got 0"},
		{"blur:-1", "sigma must be in (0, 300]"},
		{"blur:NaN", "sigma must be in (0, 300]"},
		{"blur:x", `sigma must be a number, got "x"`},
		{"blur:1,2", "want blur:SIGMA"},
		{"box:0", "radius must be in [1, 1000], got 0"},
		{"box:1.5", "radius must be a whole number"},
		{"sharpen:1,2,3,4", "want sharpen:[SIGMA[,AMOUNT[,THRESHOLD]]]"},
		{"sharpen:1,-1", "amount must be in [0, 100]"},
		{"sharpen:1,1,2", "threshold must be in [0, 1]"},
		{"sobel:1", "sobel takes no parameters"},
		{"conv:1,2", "odd square number of weights"},
		{"conv:1,1,1,1", "odd square number of weights"},
		{"conv:1,2,3,4,5,6,7,8,inf", "weight 9 must be a finite number"},
		{"median:0", "radius must be in [1, 30]"},
		{"median:31", "radius must be in [1, 30]"},
		{"erode:-1", "radius must be in [1, 1000]"},
		{"dilate:x", "radius must be a whole number"},
		{"gray:1", "gray takes no parameters"},
		{"brightness:2", "amount must be in [-1, 1], got 2"},
		{"contrast:-1", "factor must be in [0, 100]"},
		{"gamma:0", "gamma must be in (0, 100]"},
		{"threshold:1.5", "level must be in [0, 1]"},
		{"levels:0.5,0.5", "low must be in [0, high)"},
		{"levels:0.5", "want levels:LO,HI"},
		{"crop:1,2,3", "want crop:X,Y,W,H"},
		{"crop:-1,0,3,3", "x and y must be at least 0"},
		{"crop:0,0,0,3", "width and height must be at least 1"},
		{"shrink:0", "factor must be in [1, 65536]"},
		{"resize:0", "scale must be in [1.52587890625e-05, 4], got 0"},
		{"resize:4.5", "scale must be in [1.52587890625e-05, 4]"},
		{"resize:1e-300", "scale must be in"},
		{"resize:NaN", "scale must be in"},
		{"resize", "want resize:S"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			op, err := Parse(tt.spec)
			if err == nil {
				t.Fatalf("got %v, want an error containing %q", op, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "filter: ") {
				t.Fatalf("got error %q, want it to start with \"filter: \" and contain %q", err, tt.want)
			}
		})
	}
}

func TestParseChain(t *testing.T) {
	c, err := ParseChain([]string{"blur:2", "sharpen", "invert"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "blur:2 sharpen:1,1,0 invert"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	_, err = ParseChain([]string{"blur:2", "median:0"})
	if err == nil || !strings.HasPrefix(err.Error(), "filter: median: radius") {
		t.Fatalf("got %v, want an error naming the operation and parameter that failed", err)
	}
}

func TestOps(t *testing.T) {
	infos := Ops()
	if len(infos) != len(registry) {
		t.Fatalf("got %d operations, want %d", len(infos), len(registry))
	}
	for _, in := range infos {
		if in.Name == "" || in.Doc == "" {
			t.Errorf("operation %+v lacks a name or doc", in)
		}
		// Every listed operation parses with a spec built from sample params.
		if _, err := Parse(in.Name + sampleParams[in.Name]); err != nil {
			t.Errorf("Parse(%q): %v", in.Name+sampleParams[in.Name], err)
		}
	}
}

var sampleParams = map[string]string{
	"blur": ":1", "box": ":1", "conv:": ":1", "conv": ":1", "median": ":1", "erode": ":1", "dilate": ":1",
	"brightness": ":0", "contrast": ":1", "gamma": ":1", "threshold": ":0.5", "levels": ":0,1",
	"crop": ":0,0,1,1", "shrink": ":1", "resize": ":0.5", "rotate": ":90",
}

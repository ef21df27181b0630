package filter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/raster"
)

// TestPreshrink checks the denominator Preshrink picks and that the chain
// it returns makes the image size the original chain makes.
func TestPreshrink(t *testing.T) {
	for _, tc := range []struct {
		w, h    int
		chain   string
		wantD   int
		wantOut string
	}{
		{10000, 10000, "resize:0.1", 4, "resize:0.4"},
		{10000, 10000, "resize:0.05", 8, "resize:0.4"},
		{1000, 750, "resize:0.5", 1, "resize:0.5"},
		{1000, 752, "resize:0.25 blur:1", 2, "resize:0.5 blur:1"},
		{1000, 750, "resize:0.25", 1, "resize:0.25"},
		{1000, 750, "resize:0.2", 2, "resize:0.4"},
		{1001, 757, "resize:0.05", 8, "resize:0.4"},
		{7, 7, "resize:0.1", 4, "resize:0.4"},
		{1001, 757, "resize:0.1", 4, "resize:0.4"},
		{32, 32, "resize:0.01", 8, "resize:0.08"},
		{1000, 750, "resize:0.6", 1, "resize:0.6"},
		{1000, 750, "blur:1 resize:0.1", 1, "blur:1 resize:0.1"},
		{1000, 750, "", 1, ""},
	} {
		t.Run(fmt.Sprintf("%dx%d/%s", tc.w, tc.h, tc.chain), func(t *testing.T) {
			c, err := ParseChain(strings.Fields(tc.chain))
			if err != nil {
				t.Fatal(err)
			}
			d, out := c.Preshrink(tc.w, tc.h, 8, 2, 4)
			if d != tc.wantD || out.String() != tc.wantOut {
				t.Fatalf("got 1/%d and %q, want 1/%d and %q", d, out, tc.wantD, tc.wantOut)
			}
			if len(c) == 0 {
				return
			}
			want := outputSize(t, c, tc.w, tc.h)
			got := outputSize(t, out, (tc.w+d-1)/d, (tc.h+d-1)/d)
			if got != want {
				t.Errorf("output size: got %v from the shrunk input, want %v", got, want)
			}
		})
	}
}

func outputSize(t *testing.T, c Chain, w, h int) [2]int {
	t.Helper()
	if len(c) == 0 {
		return [2]int{w, h}
	}
	p, err := c.Plan(w, h, raster.RGB8)
	if err != nil {
		t.Fatal(err)
	}
	ow, oh := p.OutputSize()
	return [2]int{ow, oh}
}

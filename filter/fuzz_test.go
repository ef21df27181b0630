package filter

import "testing"

// FuzzParse checks that Parse never panics and that a spec that parses
// reads back from its String to the same String.
func FuzzParse(f *testing.F) {
	for _, s := range testOps {
		f.Add(s)
	}
	for _, s := range []string{"", ":", "blur:", "sharpen:1,,2", "conv:1e6,-1e6,0,0,0,0,0,0,0", "crop:0,0,1,1", "blur:1e-300", "median: 2 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		op, err := Parse(spec)
		if err != nil {
			if op != nil {
				t.Fatalf("Parse(%q) returned %v with error %v, want nil", spec, op, err)
			}
			return
		}
		s := op.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", spec, s, err)
		}
		if got := again.String(); got != s {
			t.Fatalf("Parse(%q): got %q after a round trip, want %q", spec, got, s)
		}
	})
}

package gobench

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/sluice-go/sluice/bench/pipeline
BenchmarkOverhead
BenchmarkOverhead/impl=sluice/workers=1-2         	  200000	        29.57 ns/op	         0.001935 allocs/item	        29.57 ns/item	       0 B/op	       0 allocs/op
BenchmarkOverhead/impl=channels/workers=1-2       	  200000	        64.56 ns/op	         0.0000350 allocs/item	        64.56 ns/item	       0 B/op	       0 allocs/op
BenchmarkOverhead/impl=sluice/workers=2-2         	  200000	        27.54 ns/op	         0.001920 allocs/item	        27.54 ns/item	       0 B/op	       0 allocs/op
BenchmarkSHA256/impl=sluice/workers=1-2           	  200000	      2473 ns/op	1656.31 MB/s	         0.001660 allocs/item	      2473 ns/item	       0 B/op	       0 allocs/op
PASS
ok  	github.com/sluice-go/sluice/bench/pipeline	9.894s
`

func TestParse(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("got %d results, want 4", len(rs))
	}
	r := rs[3]
	checks := []struct {
		name      string
		got, want any
	}{
		{"workload", r.Workload, "SHA256"},
		{"impl", r.Params["impl"], "sluice"},
		{"workers", r.Params["workers"], "1"},
		{"procs", r.Procs, 2},
		{"n", r.N, int64(200000)},
		{"ns/item", r.Metrics["ns/item"], 2473.0},
		{"MB/s", r.Metrics["MB/s"], 1656.31},
		{"allocs/item", r.Metrics["allocs/item"], 0.00166},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"odd fields", "BenchmarkX-2 100 5 ns/op 3\n"},
		{"bad value", "BenchmarkX-2 100 fast ns/op\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(tt.in)); err == nil {
				t.Errorf("got nil error, want one for %q", tt.in)
			}
		})
	}
}

func TestLayoutMarkdown(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	tab := Layout(rs, "rill")
	if got, want := strings.Join(tab.Impls, ","), "sluice,channels,rill"; got != want {
		t.Errorf("impls: got %s, want %s", got, want)
	}
	if len(tab.Rows) != 3 {
		t.Fatalf("rows: got %d, want 3 (Overhead×1, Overhead×2, SHA256×1)", len(tab.Rows))
	}
	var b strings.Builder
	if err := tab.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	want := "| workload | workers | sluice | channels | rill |\n" +
		"|---|---:|---:|---:|---:|\n" +
		"| Overhead | 1 | 29.6 ns (0.00194) | 64.6 ns (3.5e-05) | — |\n" +
		"| Overhead | 2 | 27.5 ns (0.00192) | — | — |\n" +
		"| SHA256 | 1 | 2473 ns (0.00166) | — | — |\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{{0, "0"}, {2473.4, "2473"}, {29.57, "29.6"}, {1, "1"}, {0.001935, "0.00194"}}
	for _, tt := range tests {
		if got := FormatFloat(tt.in); got != tt.want {
			t.Errorf("FormatFloat(%v): got %s, want %s", tt.in, got, tt.want)
		}
	}
}

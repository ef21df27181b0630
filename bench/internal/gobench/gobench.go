// Package gobench reads the output of "go test -bench" for the pipeline
// comparison and lays it out as one table of ns/item and allocs/item.
package gobench

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Result is one benchmark line, e.g.
//
//	BenchmarkOverhead/impl=sluice/workers=2-8  1000000  250 ns/op  250 ns/item  0.002 allocs/item
//
// Workload is the part after "Benchmark" and before the first slash; Params
// holds the key=value parts of the name; Metrics maps each unit to its
// value.
type Result struct {
	Name     string             `json:"name"`
	Workload string             `json:"workload"`
	Params   map[string]string  `json:"params"`
	Procs    int                `json:"procs"`
	N        int64              `json:"n"`
	Metrics  map[string]float64 `json:"metrics"`
}

// Parse reads go test -bench output and returns its benchmark lines in
// order. Other lines (goos, PASS, ok …) are skipped; a benchmark line that
// cannot be read is an error.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue // "BenchmarkX" alone on a line, before its sub-benchmarks' output
		}
		if len(f)%2 != 0 {
			return nil, fmt.Errorf("gobench: line %d: odd number of fields after the count: %q", line, sc.Text())
		}
		res := Result{N: n, Metrics: map[string]float64{}, Params: map[string]string{}, Procs: 1}
		res.Name = f[0]
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if p, err := strconv.Atoi(name[i+1:]); err == nil {
				res.Procs = p
				name = name[:i]
			}
		}
		parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
		res.Workload = parts[0]
		for _, p := range parts[1:] {
			if k, v, ok := strings.Cut(p, "="); ok {
				res.Params[k] = v
			}
		}
		for i := 2; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("gobench: line %d: bad value %q for %s", line, f[i], f[i+1])
			}
			res.Metrics[f[i+1]] = v
		}
		out = append(out, res)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gobench: %w", err)
	}
	return out, nil
}

// Table is the pipeline comparison laid out: one row per workload and
// worker count, one column per implementation, in the order first seen.
type Table struct {
	Impls []string
	Rows  []Row
}

// Row is one workload at one worker count. Cells maps an implementation to
// its figures; an implementation missing from Cells did not run.
type Row struct {
	Workload string
	Workers  string
	Cells    map[string]Cell
}

// Cell is one implementation's figures in one row.
type Cell struct {
	NsPerItem     float64
	AllocsPerItem float64
}

// Layout builds the table from results whose names carry impl= and
// workers= parameters and that report ns/item and allocs/item. extra
// implementations (ones that could not be run) get a column of their own.
func Layout(results []Result, extra ...string) Table {
	var t Table
	index := map[[2]string]int{}
	for _, r := range results {
		impl, workers := r.Params["impl"], r.Params["workers"]
		if impl == "" {
			continue
		}
		if !slices.Contains(t.Impls, impl) {
			t.Impls = append(t.Impls, impl)
		}
		key := [2]string{r.Workload, workers}
		i, ok := index[key]
		if !ok {
			i = len(t.Rows)
			index[key] = i
			t.Rows = append(t.Rows, Row{Workload: r.Workload, Workers: workers, Cells: map[string]Cell{}})
		}
		ns, ok := r.Metrics["ns/item"]
		if !ok {
			ns = r.Metrics["ns/op"]
		}
		allocs, ok := r.Metrics["allocs/item"]
		if !ok {
			allocs = r.Metrics["allocs/op"]
		}
		t.Rows[i].Cells[impl] = Cell{NsPerItem: ns, AllocsPerItem: allocs}
	}
	for _, e := range extra {
		if !slices.Contains(t.Impls, e) {
			t.Impls = append(t.Impls, e)
		}
	}
	return t
}

// Markdown writes t as a Markdown table: each cell "ns/item (allocs/item)",
// "—" for an implementation that did not run.
func (t Table) Markdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| workload | workers |")
	for _, im := range t.Impls {
		b.WriteString(" " + im + " |")
	}
	b.WriteString("\n|---|---:|")
	for range t.Impls {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "| %s | %s |", r.Workload, r.Workers)
		for _, im := range t.Impls {
			c, ok := r.Cells[im]
			if !ok {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s ns (%s) |", FormatFloat(c.NsPerItem), FormatFloat(c.AllocsPerItem))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatFloat writes v with three significant digits and no exponent for
// the magnitudes a benchmark reports: 2473, 29.6, 0.00194.
func FormatFloat(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100 || v <= -100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

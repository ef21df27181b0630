package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDemoTrace runs the demo with --trace and reads the timeline back as
// Perfetto would: one process per pipeline (gen, then run), spans on one
// track that do not overlap and that add up to the same length on every
// track of a pipeline (the run's, from its start to its end), and a busy
// span for every tile the filter stage handled, carrying its index.
func TestDemoTrace(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "demo.json")
	var stdout, stderr bytes.Buffer
	err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr},
		[]string{"demo", "--quiet", "--size", "700x500", "--tile", "64", "--workers", "2", "--dir", dir, "--trace", trace})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var events []struct {
		Ph   string         `json:"ph"`
		Name string         `json:"name"`
		Cat  string         `json:"cat"`
		Pid  int            `json:"pid"`
		Tid  int            `json:"tid"`
		Ts   float64        `json:"ts"`
		Dur  float64        `json:"dur"`
		Args map[string]any `json:"args"`
	}
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatalf("the trace is not a JSON array: %v", err)
	}
	type key struct{ pid, tid int }
	procs := map[int]string{}
	threads := map[key]string{}
	sums := map[key]float64{}
	ends := map[key]float64{}
	filterItems := map[int]bool{}
	for _, e := range events {
		k := key{e.Pid, e.Tid}
		switch e.Ph {
		case "M":
			switch e.Name {
			case "process_name":
				procs[e.Pid] = e.Args["name"].(string)
			case "thread_name":
				threads[k] = e.Args["name"].(string)
			}
		case "X":
			if e.Ts < ends[k]-0.002 {
				t.Fatalf("%s/%s: span %q at %.3f µs overlaps the one before, which ends at %.3f", procs[e.Pid], threads[k], e.Name, e.Ts, ends[k])
			}
			ends[k] = e.Ts + e.Dur
			sums[k] += e.Dur
			if procs[e.Pid] == "run" && e.Cat == "busy" && e.Name == "filter" {
				if v, ok := e.Args["item"].(float64); ok {
					filterItems[int(v)] = true
				}
			}
		}
	}
	if got := []string{procs[1], procs[2]}; !slices.Equal(got, []string{"gen", "run"}) {
		t.Errorf("got processes %q, want gen and run", got)
	}
	for _, pid := range []int{1, 2} {
		var names []string
		want := -1.0
		for k, s := range sums {
			if k.pid != pid {
				continue
			}
			names = append(names, threads[k])
			if want < 0 {
				want = s
			}
			if math.Abs(s-want) > 0.03*want {
				t.Errorf("%s/%s: spans add up to %.0f µs, another track to %.0f", procs[pid], threads[k], s, want)
			}
		}
		for _, n := range []string{"read", "write"} {
			if !slices.Contains(names, n) {
				t.Errorf("%s: got tracks %q, want one named %s", procs[pid], names, n)
			}
		}
	}
	// 700×500 in 64-pixel tiles: 11 tiles across, the bands as tall as
	// the budget allows; at least 8 rows of them.
	if len(filterItems) < 88 {
		t.Errorf("got busy spans for %d filter items, want one per tile, at least 88", len(filterItems))
	}
	for i := range len(filterItems) {
		if !filterItems[i] {
			t.Fatalf("no busy span of filter carries item %d (of %d)", i, len(filterItems))
		}
	}
	if !strings.Contains(stderr.String(), "trace: "+trace) {
		t.Errorf("got stderr %q, want it to name the trace", stderr.String())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".demo.json*")); len(leftovers) > 0 {
		t.Errorf("temporary trace files left: %q", leftovers)
	}
}

// TestWatchFlagErrors checks the usage errors of --stall, --ui and
// --trace, and that a bad input leaves no trace file.
func TestWatchFlagErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--stall", "-1s", "in.ppm", "out.png"}, "--stall must be 0 or more"},
		{[]string{"run", "--stall", "soon", "in.ppm", "out.png"}, "invalid value"},
		{[]string{"run", "--ui=nowhere", "in.ppm", "out.png"}, "want --ui or --ui=HOST:PORT"},
		{[]string{"run", "--trace", filepath.Join(dir, "no", "such", "t.json"), "in.ppm", "out.png"}, "cannot write trace"},
		{[]string{"run", "--trace", filepath.Join(dir, "t.json"), filepath.Join(dir, "missing.ppm"), filepath.Join(dir, "out.png")}, "missing.ppm"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := dispatch(context.Background(), &env{stdout: &stdout, stderr: &stderr}, tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error containing %q", tt.args, err, tt.want)
		}
		var ue *usageError
		if strings.HasPrefix(tt.want, "--") && !errors.As(err, &ue) {
			t.Errorf("%q: got %T, want a usage error", tt.args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("got %d files in the folder after failed runs, want none", len(entries))
	}
}

// Package report holds the results of one benchmark run as they are saved
// in bench/results/<date>-<host>.json, and turns the newest one into
// BENCHMARKS.md and its chart.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sluice-go/sluice/bench/internal/gobench"
	"github.com/sluice-go/sluice/bench/internal/measure"
)

// Result is one run of the suite.
type Result struct {
	Date  string `json:"date"` // YYYY-MM-DD
	Host  string `json:"host"`
	Quick bool   `json:"quick"`
	// Only names the comparisons of a partial run (bench/run --only);
	// the page is never made from one.
	Only     string            `json:"only,omitempty"`
	Started  time.Time         `json:"started"`
	Duration float64           `json:"duration_s"`
	Machine  Machine           `json:"machine"`
	Versions map[string]string `json:"versions"` // tool → version line
	Runs     int               `json:"runs"`     // timed runs per tool, after one warm-up
	Images   []Comparison      `json:"images"`
	Pipeline *Pipeline         `json:"pipeline,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	Memory int64  `json:"memory_bytes"`
	OS     string `json:"os"`
	Go     string `json:"go"`
}

// Comparison is one piece of work done by several tools on one input.
type Comparison struct {
	Name    string       `json:"name"`
	Work    string       `json:"work"`
	Input   string       `json:"input"`
	Size    int          `json:"size"`
	Scaling bool         `json:"scaling,omitempty"`
	Tools   []ToolResult `json:"tools"` // Tools[0] is sluice, the base of the ratios
}

// ToolResult is what one tool did in one comparison.
type ToolResult struct {
	Tool    string `json:"tool"`
	Command string `json:"command"` // exactly what ran, shell-quoted
	Note    string `json:"note,omitempty"`
	// Outcome is "ok" when every run succeeded; otherwise the first way a
	// run ended badly ("failed", "killed", "timed out"), and Detail says
	// more. A tool whose warm-up failed has no timed runs.
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
	Samples []Run  `json:"runs"`
	// Medians over the runs that ended OK.
	WallS  float64 `json:"median_wall_s"`
	CPUS   float64 `json:"median_cpu_s"`
	MaxRSS int64   `json:"median_peak_rss_bytes"`
	// WallRatio and RSSRatio are this tool's figure divided by sluice's,
	// the median over rounds of the ratio within each round (runs
	// alternate, so each round ran side by side). 0 for sluice itself and
	// where no round had both.
	WallRatio float64 `json:"wall_ratio,omitempty"`
	RSSRatio  float64 `json:"rss_ratio,omitempty"`
	Pairs     int     `json:"pairs,omitempty"`
}

// Run is one timed run.
type Run struct {
	WallS   float64 `json:"wall_s"`
	UserS   float64 `json:"user_s"`
	SysS    float64 `json:"sys_s"`
	MaxRSS  int64   `json:"peak_rss_bytes"`
	Outcome string  `json:"outcome"`
}

// Pipeline is the pipeline comparison: the go test command and its table.
type Pipeline struct {
	Command string            `json:"command"`
	Missing map[string]string `json:"missing,omitempty"` // implementation → why it did not run
	Results []gobench.Result  `json:"results"`
}

// NewToolResult summarises the timed samples of one tool. warmup is the
// warm-up run's sample; when it did not end OK, samples is empty.
func NewToolResult(tool, command, note string, warmup measure.Sample, samples []measure.Sample) ToolResult {
	tr := ToolResult{Tool: tool, Command: command, Note: note, Outcome: string(measure.OK)}
	if warmup.Outcome != measure.OK {
		tr.Outcome, tr.Detail = string(warmup.Outcome), "warm-up: "+warmup.Detail
	}
	var wall, cpu, rss []float64
	for _, s := range samples {
		tr.Samples = append(tr.Samples, Run{
			WallS: s.Wall.Seconds(), UserS: s.User.Seconds(), SysS: s.System.Seconds(),
			MaxRSS: s.MaxRSS, Outcome: string(s.Outcome),
		})
		if s.Outcome != measure.OK {
			if tr.Outcome == string(measure.OK) {
				tr.Outcome, tr.Detail = string(s.Outcome), s.Detail
			}
			continue
		}
		wall = append(wall, s.Wall.Seconds())
		cpu = append(cpu, s.CPU().Seconds())
		rss = append(rss, float64(s.MaxRSS))
	}
	tr.WallS, tr.CPUS, tr.MaxRSS = measure.Median(wall), measure.Median(cpu), int64(measure.Median(rss))
	return tr
}

// SetRatios fills each peer's ratios against Tools[0], pair by pair over
// the rounds in which both ended OK.
func (c *Comparison) SetRatios() {
	if len(c.Tools) == 0 {
		return
	}
	base := &c.Tools[0]
	bw, br := okSeries(base)
	for i := 1; i < len(c.Tools); i++ {
		t := &c.Tools[i]
		pw, pr := okSeries(t)
		t.WallRatio, t.Pairs = measure.PairRatio(bw, pw)
		t.RSSRatio, _ = measure.PairRatio(br, pr)
	}
}

// okSeries returns wall times and peak RSS by round, 0 where the round did
// not end OK.
func okSeries(t *ToolResult) (wall, rss []float64) {
	for _, r := range t.Samples {
		if r.Outcome != string(measure.OK) {
			wall, rss = append(wall, 0), append(rss, 0)
			continue
		}
		wall, rss = append(wall, r.WallS), append(rss, float64(r.MaxRSS))
	}
	return wall, rss
}

// FileName is where r is saved under the results directory:
// <date>-<host>.json, with a "-quick" suffix for quick runs so that they
// never replace a full one.
func (r *Result) FileName() string {
	host := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			return c
		}
		return '_'
	}, r.Host)
	name := r.Date + "-" + host
	if r.Quick {
		name += "-quick"
	}
	if r.Only != "" {
		name += "-only-" + strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
				return c
			}
			return '+'
		}, r.Only)
	}
	return name + ".json"
}

// Save writes r as indented JSON into dir and returns the file's path.
func (r *Result) Save(dir string) (string, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	path := filepath.Join(dir, r.FileName())
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return path, nil
}

// Load reads a result saved by Save.
func Load(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("report: %s: %w", filepath.Base(path), err)
	}
	return &r, nil
}

// Newest returns the path of the most recently started result in dir. A
// full run is preferred to a quick one unless quickOK.
func Newest(dir string, quickOK bool) (string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	type cand struct {
		path    string
		started time.Time
		quick   bool
	}
	var cs []cand
	for _, p := range paths {
		r, err := Load(p)
		if err != nil {
			return "", err
		}
		if r.Only != "" {
			continue // a partial run: not a page's source
		}
		cs = append(cs, cand{p, r.Started, r.Quick})
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.quick != b.quick && !quickOK {
			if a.quick {
				return 1
			}
			return -1
		}
		return b.started.Compare(a.started)
	})
	if len(cs) == 0 {
		return "", errors.New("report: no results in " + dir)
	}
	return cs[0].path, nil
}

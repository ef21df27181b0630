package monitor

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape gets url and parses it with Prometheus' own text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("Prometheus cannot parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// value returns the value of the sample of family name whose labels
// include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no sample of %s with labels %v", name, want)
	return 0
}

// TestMetrics runs two pipelines watched by one server and scrapes
// /metrics: the counts must be the runs', told apart by the pipeline label.
func TestMetrics(t *testing.T) {
	s := NewServer()
	a, b := samplePipeline("a", 100, 0), samplePipeline("b", 40, 0)
	s.Watch(a, Options{})
	s.Watch(b, Options{})
	if err := s.Listen(""); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []interface{ Run(context.Context) error }{a, b} {
		if err := p.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	fams := scrape(t, s.URL()+"metrics")
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"sluice_stage_items_total", map[string]string{"pipeline": "a", "stage": "read", "dir": "out"}, 100},
		{"sluice_stage_items_total", map[string]string{"pipeline": "a", "stage": "square", "dir": "in"}, 100},
		{"sluice_stage_items_total", map[string]string{"pipeline": "b", "stage": "write", "dir": "in"}, 40},
		{"sluice_stage_workers", map[string]string{"pipeline": "a", "stage": "square"}, 2},
		{"sluice_budget_limit_bytes", map[string]string{"pipeline": "b"}, 64 << 10},
		{"sluice_budget_bytes", map[string]string{"pipeline": "a"}, 0},
		{"sluice_stage_workers_in_state", map[string]string{"pipeline": "a", "stage": "square", "state": "done"}, 2},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v: got %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := value(t, fams, "sluice_budget_peak_bytes", map[string]string{"pipeline": "a"}); got < 4<<10 || got > 64<<10 {
		t.Errorf("sluice_budget_peak_bytes: got %v, want between one item and the budget", got)
	}
	if f := fams["sluice_stage_busy_seconds_total"]; f == nil || f.GetType() != dto.MetricType_COUNTER {
		t.Errorf("sluice_stage_busy_seconds_total: got %v, want a counter", f)
	}
}

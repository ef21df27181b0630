package monitor

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-go/sluice"
)

// Metrics is a prometheus.Collector that reports the figures of the
// pipelines it watches, read from Pipeline.Stats at each scrape, with
// conventional names and units:
//
//	sluice_stage_items_total{pipeline,stage,dir="in"|"out"}   counter
//	sluice_stage_busy_seconds_total{pipeline,stage}           counter
//	sluice_stage_wait_seconds_total{pipeline,stage,for="input"|"output"|"budget"}
//	sluice_stage_errors_total{pipeline,stage}                 counter
//	sluice_stage_workers{pipeline,stage}                      gauge
//	sluice_stage_workers_in_state{pipeline,stage,state}       gauge, watched runs only
//	sluice_queue_batches{pipeline,stage}                      gauge: the queue feeding stage
//	sluice_queue_capacity_batches{pipeline,stage}             gauge
//	sluice_queue_items{pipeline,stage}                        gauge
//	sluice_budget_bytes{pipeline}                             gauge: bytes in flight
//	sluice_budget_limit_bytes{pipeline}                       gauge: Config.Budget
//	sluice_budget_peak_bytes{pipeline}                        gauge
//	sluice_run_seconds{pipeline}                              gauge: time since Run started
//
// The pipeline label is Config.Name, which should differ between the
// pipelines one Metrics watches. Watching costs nothing while nobody
// scrapes. Metrics is safe for concurrent use.
type Metrics struct {
	mu    sync.Mutex
	pipes []*sluice.Pipeline
}

// NewMetrics returns a collector that watches no pipeline yet.
func NewMetrics() *Metrics { return &Metrics{} }

// Watch adds p to the pipelines reported. It may be called at any time.
func (m *Metrics) Watch(p *sluice.Pipeline) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.pipes {
		if q == p {
			return
		}
	}
	m.pipes = append(m.pipes, p)
}

// Forget stops reporting p, as a service does once a job is over so that
// its series do not pile up. It may be called at any time.
func (m *Metrics) Forget(p *sluice.Pipeline) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, q := range m.pipes {
		if q == p {
			m.pipes = append(m.pipes[:i], m.pipes[i+1:]...)
			return
		}
	}
}

var (
	pl         = []string{"pipeline"}
	pls        = []string{"pipeline", "stage"}
	descItems  = prometheus.NewDesc("sluice_stage_items_total", "Items a stage received (dir=in) or passed on (dir=out).", append(pls, "dir"), nil)
	descBusy   = prometheus.NewDesc("sluice_stage_busy_seconds_total", "Time the stage's goroutines spent in user code, summed over them.", pls, nil)
	descWait   = prometheus.NewDesc("sluice_stage_wait_seconds_total", "Time the stage's goroutines spent waiting for input, for room on output, or for the memory budget.", append(pls, "for"), nil)
	descErrors = prometheus.NewDesc("sluice_stage_errors_total", "Failures in the stage's user code, panics included.", pls, nil)
	descWork   = prometheus.NewDesc("sluice_stage_workers", "Goroutines of the stage.", pls, nil)
	descState  = prometheus.NewDesc("sluice_stage_workers_in_state", "Goroutines of the stage in each state, for runs with an observer or a stall timeout.", append(pls, "state"), nil)
	descQLen   = prometheus.NewDesc("sluice_queue_batches", "Batches waiting in the queue that feeds the stage.", pls, nil)
	descQCap   = prometheus.NewDesc("sluice_queue_capacity_batches", "Capacity of the queue that feeds the stage, in batches.", pls, nil)
	descQItems = prometheus.NewDesc("sluice_queue_items", "Items waiting in the queue that feeds the stage.", pls, nil)
	descBudget = prometheus.NewDesc("sluice_budget_bytes", "Bytes held by sized items in flight.", pl, nil)
	descLimit  = prometheus.NewDesc("sluice_budget_limit_bytes", "The memory budget; 0 when there is none.", pl, nil)
	descPeak   = prometheus.NewDesc("sluice_budget_peak_bytes", "The most bytes in flight so far.", pl, nil)
	descRun    = prometheus.NewDesc("sluice_run_seconds", "Time since the run started, or its length once it ended.", pl, nil)
)

// stateLabels are the values of the state label, by sluice.State.
var stateLabels = []string{"idle", "busy", "wait_input", "wait_output", "wait_order", "wait_budget", "done"}

func stateLabel(s sluice.State) string {
	if int(s) < len(stateLabels) {
		return stateLabels[s]
	}
	return s.String()
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descItems, descBusy, descWait, descErrors, descWork, descState,
		descQLen, descQCap, descQItems, descBudget, descLimit, descPeak, descRun} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	pipes := append([]*sluice.Pipeline(nil), m.pipes...)
	m.mu.Unlock()
	for _, p := range pipes {
		collect(ch, p)
	}
}

func collect(ch chan<- prometheus.Metric, p *sluice.Pipeline) {
	name := p.Name()
	s := p.Stats()
	c := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, st := range s.Stages {
		c(descItems, float64(st.In), name, st.Name, "in")
		c(descItems, float64(st.Out), name, st.Name, "out")
		c(descBusy, st.Busy.Seconds(), name, st.Name)
		c(descWait, st.WaitIn.Seconds(), name, st.Name, "input")
		c(descWait, st.WaitOut.Seconds(), name, st.Name, "output")
		c(descWait, st.WaitBudget.Seconds(), name, st.Name, "budget")
		c(descErrors, float64(st.Errors), name, st.Name)
		g(descWork, float64(st.Workers), name, st.Name)
		if st.QueueCap > 0 {
			g(descQLen, float64(st.QueueLen), name, st.Name)
			g(descQCap, float64(st.QueueCap), name, st.Name)
			g(descQItems, float64(st.QueueItems), name, st.Name)
		}
	}
	if ws := p.WorkerStates(); ws != nil {
		counts := map[[2]string]int{}
		var order [][2]string
		for _, st := range s.Stages {
			for _, l := range stateLabels {
				k := [2]string{st.Name, l}
				counts[k] = 0
				order = append(order, k)
			}
		}
		for _, w := range ws {
			counts[[2]string{w.Stage, stateLabel(w.State)}]++
		}
		for _, k := range order {
			g(descState, float64(counts[k]), name, k[0], k[1])
		}
	}
	g(descBudget, float64(s.InFlight), name)
	g(descLimit, float64(s.Budget), name)
	g(descPeak, float64(s.PeakBytes), name)
	g(descRun, s.Elapsed.Seconds(), name)
}

package serve

import "github.com/prometheus/client_golang/prometheus"

var (
	descRunning  = prometheus.NewDesc("sluice_serve_jobs_running", "Jobs running now.", nil, nil)
	descWaiting  = prometheus.NewDesc("sluice_serve_jobs_waiting", "Jobs waiting in the queue for their turn.", nil, nil)
	descRequests = prometheus.NewDesc("sluice_serve_jobs_total", "Jobs by how they ended: served, failed, or turned away (503).", []string{"result"}, nil)
)

// serverMetrics reports the server's own figures beside the jobs'.
type serverMetrics struct{ s *Server }

func (m *serverMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- descRunning
	ch <- descWaiting
	ch <- descRequests
}

func (m *serverMetrics) Collect(ch chan<- prometheus.Metric) {
	s := m.s
	ch <- prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, float64(s.running.Load()))
	ch <- prometheus.MustNewConstMetric(descWaiting, prometheus.GaugeValue, float64(s.admit.waiting()))
	ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(s.served.Load()), "served")
	ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(s.failed.Load()), "failed")
	ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(s.rejected.Load()), "rejected")
}

// Package monitor shows sluice pipelines from outside while they run and
// afterwards: a timeline in the Chrome trace event format (Trace, opened in
// Perfetto), Prometheus metrics (Metrics) and a live page served over HTTP
// with server-sent events (Server). It sees a run through the core's
// observer seam (sluice.Observer) and its figures (Pipeline.Stats).
//
// One call attaches each to a pipeline, before its Run:
//
//	tr := monitor.TraceTo(p, f)                  // then tr.Close() after p.Run
//	srv, err := monitor.Serve(p, "", monitor.Options{}) // srv.URL(), srv.Close()
//	reg.MustRegister(metrics)                    // metrics := monitor.NewMetrics(); metrics.Watch(p)
//
// A Trace, Metrics or Server may watch several pipelines of one process;
// Config.Name tells them apart.
package monitor

package monitor

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluice-go/sluice"
)

// DefaultAddr is where Serve listens when no address is named: the
// loopback interface, on a free port.
const DefaultAddr = "127.0.0.1:0"

// UpdateEvery is how often the live page gets a new snapshot.
const UpdateEvery = 200 * time.Millisecond

//go:embed page
var page embed.FS

// Server serves the live page of the pipelines it watches, with its event
// stream and their Prometheus metrics:
//
//	/              the page (read-only; its assets are in the binary)
//	/events        server-sent events, one Snapshot every UpdateEvery
//	/state.json    the current Snapshot
//	/metrics       Prometheus metrics (see Metrics)
//
// A Server is safe for concurrent use.
type Server struct {
	metrics *Metrics
	handler http.Handler
	srv     *http.Server
	ln      net.Listener
	served  chan struct{}

	mu    sync.Mutex
	pipes []*watched
	quit  chan struct{}
}

// Options adds to what Watch knows of a pipeline.
type Options struct {
	// Progress, if set, reports how far the run is, in Unit: the page then
	// shows a progress bar and the time left.
	Progress func() (done, total int64)
	Unit     string // e.g. "rows"; "" means "items"
}

// NewServer returns a server that watches no pipeline yet and does not
// listen: use Handler in a server of your own, or Listen.
func NewServer() *Server {
	s := &Server{metrics: NewMetrics(), quit: make(chan struct{})}
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.metrics)
	sub, _ := fs.Sub(page, "page")
	mux := http.NewServeMux()
	mux.Handle("GET /", readOnly(http.FileServerFS(sub)))
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /state.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Snapshot())
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s.handler = mux
	return s
}

// readOnly adds the headers of a page that loads nothing from elsewhere.
func readOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// Serve watches p and serves its page and metrics on addr (DefaultAddr if
// ""): the one call that puts a pipeline on a live page. Call it before
// p.Run; read the page's address with URL and stop with Close.
func Serve(p *sluice.Pipeline, addr string, o Options) (*Server, error) {
	s := NewServer()
	s.Watch(p, o)
	if err := s.Listen(addr); err != nil {
		return nil, err
	}
	return s, nil
}

// Watch adds p to the pipelines shown, as an observer of p: call it before
// p.Run.
func (s *Server) Watch(p *sluice.Pipeline, o Options) {
	if o.Unit == "" {
		o.Unit = "items"
	}
	w := &watched{p: p, progress: o.Progress, unit: o.Unit}
	p.Observe(w)
	s.metrics.Watch(p)
	s.mu.Lock()
	s.pipes = append(s.pipes, w)
	s.mu.Unlock()
}

// Handler returns the handler of the page, events and metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen starts serving on addr (DefaultAddr if "") in a goroutine of its
// own, until Close.
func (s *Server) Listen(addr string) error {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		s.srv.Serve(ln)
	}()
	return nil
}

// URL returns the address of the page, such as http://127.0.0.1:43117/,
// once Listen has succeeded.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String() + "/"
}

// Close stops the server: open event streams end, and it waits for the
// serving goroutine to exit.
func (s *Server) Close() error {
	s.mu.Lock()
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.served
	return err
}

// Snapshot returns what the page shows now.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	pipes := append([]*watched(nil), s.pipes...)
	s.mu.Unlock()
	snap := Snapshot{Pipelines: []PipelineSnapshot{}}
	for _, w := range pipes {
		snap.Pipelines = append(snap.Pipelines, w.snapshot())
	}
	return snap
}

// events streams a snapshot every UpdateEvery as server-sent events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	tick := time.NewTicker(UpdateEvery)
	defer tick.Stop()
	for {
		b, err := json.Marshal(s.Snapshot())
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		case <-tick.C:
		}
	}
}

// Package serve is sluice's image service: an HTTP handler that filters
// images sent to it (POST /run) or read from a folder (GET /run/PATH) with
// the same operations as `sluice run`, streaming the result back while it
// is produced.
//
//	POST /run?ops=blur:2+sharpen&format=png     body: an image
//	GET  /run/photos/a.tif?ops=resize:0.1&format=jpeg
//	GET  /healthz
//	GET  /metrics                                Prometheus metrics, a pipeline label per job
//
// Every job runs on the engine, and all jobs share one pool of workers and
// one memory budget (Config.Workers, Config.Memory), so a huge upload slows
// a small request by at most its fair share and never starves it. A bounded
// queue admits jobs; past it the server answers 503 with Retry-After.
//
// Errors found before the first byte of the result are HTTP statuses with a
// one-line body: 400 for a bad operation, parameter or image, 401 without
// the token, 404 for a missing file, 413 over the pixel or body limit, 503
// when the queue is full. An error after the first byte aborts the
// connection, so that a client never takes a truncated image for a whole
// one. A client that goes away cancels its job at once.
//
// A Server is safe for concurrent use.
package serve

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluice-go/sluice/monitor"
)

// Defaults for the zero Config.
const (
	DefaultMemory    = 256 << 20
	DefaultMaxPixels = 1 << 30 // about 1.07 gigapixels: a 32,768² image
	DefaultMaxBody   = 4 << 30
	DefaultQueue     = 64
)

// Config sets up a Server. The zero value means the defaults: every core,
// DefaultMemory, no root folder, no token, DefaultMaxPixels, DefaultMaxBody
// and a queue of DefaultQueue waiting jobs.
type Config struct {
	// Workers is the number of goroutines filtering, decoding and
	// encoding, across all jobs; 0 means GOMAXPROCS.
	Workers int
	// Memory is the budget in bytes for the rows in flight across all
	// jobs; 0 means DefaultMemory.
	Memory int64
	// Tile is the tile side in pixels; 0 means the engine's default.
	Tile int
	// Root is the folder GET /run/PATH reads from; "" turns GET /run off.
	// Paths cannot leave it: no "..", no absolute paths, no symbolic link
	// that points out of it.
	Root string
	// Token, when set, must come with every request as
	// "Authorization: Bearer TOKEN"; /healthz is open to all.
	Token string
	// MaxPixels bounds the width × height of an input image (413 past
	// it); 0 means DefaultMaxPixels.
	MaxPixels int64
	// MaxBody bounds an upload in bytes (413 past it); 0 means
	// DefaultMaxBody.
	MaxBody int64
	// Queue is how many jobs may wait for their turn beyond those
	// running; past it a request gets 503. 0 means DefaultQueue.
	Queue int
	// Running is how many jobs run at once, sharing the workers; 0 means
	// twice the workers.
	Running int
	// TmpDir holds the spooled uploads of formats that need to seek
	// (TIFF); "" means os.TempDir().
	TmpDir string
	// ReadTimeout is how long a request body may go without sending a
	// byte before the job fails; 0 means 30 s. It keeps a slow client from
	// holding a job's place for ever.
	ReadTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Memory <= 0 {
		c.Memory = DefaultMemory
	}
	if c.MaxPixels <= 0 {
		c.MaxPixels = DefaultMaxPixels
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Queue <= 0 {
		c.Queue = DefaultQueue
	}
	if c.Running <= 0 {
		c.Running = 2 * c.Workers
	}
	if c.TmpDir == "" {
		c.TmpDir = os.TempDir()
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 30 * time.Second
	}
	return c
}

// Server is the image service. Create it with New; it is an http.Handler.
type Server struct {
	cfg     Config
	root    *os.Root // nil without Config.Root
	admit   *admission
	sched   *scheduler
	metrics *monitor.Metrics
	mux     *http.ServeMux

	// Figures for /healthz and tests.
	running  atomic.Int64
	served   atomic.Int64
	failed   atomic.Int64
	rejected atomic.Int64
}

// New returns a server with the given configuration. It fails only when
// Config.Root cannot be opened.
func New(cfg Config) (*Server, error) {
	s := &Server{cfg: cfg.withDefaults()}
	if cfg.Root != "" {
		r, err := os.OpenRoot(cfg.Root)
		if err != nil {
			return nil, fmt.Errorf("serve: root folder: %w", err)
		}
		s.root = r
	}
	s.admit = newAdmission(s.cfg.Running, s.cfg.Queue)
	s.metrics = monitor.NewMetrics()
	s.sched = newScheduler(s.cfg, s.metrics)
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.metrics, &serverMetrics{s})
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", s.auth(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP))
	s.mux.HandleFunc("POST /run", s.auth(s.post))
	s.mux.HandleFunc("GET /run/{path...}", s.auth(s.get))
	return s, nil
}

// Close releases the root folder. Jobs still running are not stopped:
// shut the http.Server down first.
func (s *Server) Close() error {
	if s.root != nil {
		return s.root.Close()
	}
	return nil
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Running returns the number of jobs running now.
func (s *Server) Running() int { return int(s.running.Load()) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "ok: %d running, %d waiting, %d served, %d failed, %d turned away\n",
		s.running.Load(), s.admit.waiting(), s.served.Load(), s.failed.Load(), s.rejected.Load())
}

// auth checks the bearer token in constant time.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.Token == "" {
		return h
	}
	want := []byte("Bearer " + s.cfg.Token)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sluice"`)
			httpError(w, http.StatusUnauthorized, "a valid token is needed: send Authorization: Bearer TOKEN")
			return
		}
		h(w, r)
	}
}

// httpError writes a one-line error before any byte of a result.
func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, "sluice: "+strings.ReplaceAll(msg, "\n", " "))
}

// statusError is an error with the HTTP status it maps to.
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func withStatus(code int, err error) error { return &statusError{code, err} }

func statusf(code int, format string, args ...any) error {
	return &statusError{code, fmt.Errorf(format, args...)}
}

// errBusy is returned when the queue of waiting jobs is full.
var errBusy = errors.New("the server is busy: too many jobs waiting; try again shortly")

// retryAfter is the Retry-After a 503 suggests, in seconds.
const retryAfter = 2

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(r, err)
	switch code {
	case http.StatusServiceUnavailable:
		s.rejected.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	case statusClientClosed:
		// Nobody reads the answer; the status is for logs.
	default:
		s.failed.Add(1)
	}
	httpError(w, code, err.Error())
}

// statusClientClosed is the status logged for a client that went away
// (nginx's 499); it never reaches the client.
const statusClientClosed = 499

func statusOf(r *http.Request, err error) int {
	var se *statusError
	var mb *http.MaxBytesError
	switch {
	case r.Context().Err() != nil:
		return statusClientClosed
	case errors.Is(err, errBusy):
		return http.StatusServiceUnavailable
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &se):
		return se.code
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout
	}
	return classify(err)
}

package serve

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
	"github.com/sluice-go/sluice/raster/synth"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// encodeImage makes a w×h synthetic image in the given format, in memory.
func encodeImage(t testing.TB, w, h int, pf raster.PixelFormat, format string) []byte {
	t.Helper()
	src := synth.New(w, h, pf, synth.Options{Seed: 7})
	defer src.Close()
	var buf bytes.Buffer
	var dst io.Writer = &buf
	var tmp *os.File
	if format == "tiff" {
		f, err := os.CreateTemp(t.TempDir(), "*.tif")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tmp, dst = f, f
	}
	enc, err := codec.NewWriter(dst, "test", src.Header(), codec.WriteOptions{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]byte, src.Header().RowBytes()*h)
	if _, err := io.ReadFull(readerOf(src), row); err != nil {
		t.Fatal(err)
	}
	if err := enc.WriteRows(row); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if tmp != nil {
		b, err := os.ReadFile(tmp.Name())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return buf.Bytes()
}

// readerOf turns a RowReader into an io.Reader of whole rows.
func readerOf(r raster.RowReader) io.Reader { return &rowsReader{r: r} }

type rowsReader struct{ r raster.RowReader }

func (rr *rowsReader) Read(p []byte) (int, error) {
	rb := rr.r.Header().RowBytes()
	n, err := rr.r.ReadRows(p[:len(p)/rb*rb])
	return n * rb, err
}

// want runs the chain locally, as `sluice run` does, and returns the bytes.
func want(t *testing.T, in []byte, ops, format string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, in, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := codec.Open(path, codec.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	chain, err := filter.ParseChain(strings.Fields(ops))
	if err != nil {
		t.Fatal(err)
	}
	h := src.Header()
	plan, err := chain.Plan(h.Width, h.Height, h.Pixel)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, ht := plan.OutputSize()
	enc, err := codec.NewWriter(&buf, "test", raster.Header{Width: w, Height: ht, Pixel: plan.Output()}, codec.WriteOptions{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	job, err := engine.New(src, enc, plan, engine.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newTestServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return s, hs
}

func post(t *testing.T, url string, body io.Reader, header ...string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestRunSameBytesAsLocal(t *testing.T) {
	_, hs := newTestServer(t, Config{})
	pngIn := encodeImage(t, 300, 200, raster.RGB8, "png")
	tifIn := encodeImage(t, 300, 200, raster.RGBA8, "tiff")
	ppmIn := encodeImage(t, 300, 200, raster.Gray8, "pnm")
	for _, tc := range []struct {
		name, in, ops, format string
		body                  []byte
	}{
		{"png to png", "png", "blur:2 sharpen", "png", pngIn},
		{"tiff spooled to png", "tiff", "median:1", "png", tifIn},
		{"pnm to pnm", "pnm", "invert box:1", "pnm", ppmIn},
		{"png to jpeg", "png", "resize:0.5", "jpeg", pngIn},
		{"tiff to tiff", "tiff", "gray", "tiff", tifIn},
		{"no ops", "png", "", "png", pngIn},
		{"turned between filters", "png", "blur:1 rotate:90 invert", "png", pngIn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := hs.URL + "/run?format=" + tc.format + "&ops=" + strings.ReplaceAll(tc.ops, " ", "+")
			resp, got, err := post(t, url, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status: got %d (%s), want 200", resp.StatusCode, got)
			}
			if ct, w := resp.Header.Get("Content-Type"), contentType(tc.format); ct != w {
				t.Errorf("Content-Type: got %q, want %q", ct, w)
			}
			var wantBytes []byte
			if tc.format == "tiff" {
				// TIFF writers need a file; compare the decoded pixels.
				return
			}
			wantBytes = want(t, tc.body, tc.ops, tc.format)
			if !bytes.Equal(got, wantBytes) {
				t.Errorf("result: got %d bytes, want the %d bytes of a local run", len(got), len(wantBytes))
			}
		})
	}
}

func TestOutputDecodes(t *testing.T) {
	_, hs := newTestServer(t, Config{})
	in := encodeImage(t, 200, 120, raster.RGB8, "pnm")
	for _, format := range []string{"png", "jpeg"} {
		resp, got, err := post(t, hs.URL+"/run?ops=blur:1&format="+format, bytes.NewReader(in))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: status %v, err %v", format, resp, err)
		}
		var w, h int
		switch format {
		case "png":
			img, err := png.Decode(bytes.NewReader(got))
			if err != nil {
				t.Fatalf("png: %v", err)
			}
			w, h = img.Bounds().Dx(), img.Bounds().Dy()
		case "jpeg":
			img, err := jpeg.Decode(bytes.NewReader(got))
			if err != nil {
				t.Fatalf("jpeg: %v", err)
			}
			w, h = img.Bounds().Dx(), img.Bounds().Dy()
		}
		if w != 200 || h != 120 {
			t.Errorf("%s: got %d×%d, want 200×120", format, w, h)
		}
	}
}

func TestStatuses(t *testing.T) {
	_, hs := newTestServer(t, Config{MaxPixels: 100 * 100, MaxBody: 1 << 20})
	small := encodeImage(t, 64, 64, raster.RGB8, "png")
	big := encodeImage(t, 200, 200, raster.Gray8, "png")
	truncated := small[:len(small)/2]
	for _, tc := range []struct {
		name  string
		query string
		body  []byte
		code  int
	}{
		{"bad op", "ops=blurr:2&format=png", small, 400},
		{"bad op argument", "ops=blur:-1&format=png", small, 400},
		{"server parameter", "ops=blur:1&workers=8", small, 400},
		{"memory is the server's", "memory=1GiB", small, 400},
		{"tile is the server's", "tile=64", small, 400},
		{"unknown parameter", "opz=blur:1", small, 400},
		{"unknown format", "format=gif", small, 400},
		{"quality out of range", "format=jpeg&quality=0", small, 400},
		{"no body", "format=png", nil, 400},
		{"not an image", "format=png", []byte("hello, this is not an image at all"), 400},
		{"truncated header", "format=png", small[:20], 400},
		{"over the pixel limit", "format=png", big, 413},
		{"over the body limit", "format=png", bytes.Repeat([]byte{'P'}, 2<<20), 413},
		{"crop outside the image", "ops=crop:100,100,10,10", small, 400},
		{"truncated pixels", "format=png", truncated, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got, err := post(t, hs.URL+"/run?"+tc.query, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.code {
				t.Errorf("status: got %d (%q), want %d", resp.StatusCode, got, tc.code)
			}
			if !bytes.HasPrefix(got, []byte("sluice: ")) || bytes.Count(got, []byte("\n")) != 1 {
				t.Errorf("body: got %q, want one line starting with sluice:", got)
			}
		})
	}
}

// TestTruncatedAfterFirstByte checks that an image found broken after the
// result started is never delivered as a whole response.
func TestTruncatedAfterFirstByte(t *testing.T) {
	_, hs := newTestServer(t, Config{})
	in := encodeImage(t, 1500, 1500, raster.RGB8, "pnm")
	cut := in[:len(in)*3/4]
	resp, got, err := post(t, hs.URL+"/run?format=pnm", bytes.NewReader(cut))
	if err == nil && resp.StatusCode == 200 {
		t.Fatalf("a truncated image came back whole: status 200, %d bytes", len(got))
	}
}

func TestToken(t *testing.T) {
	_, hs := newTestServer(t, Config{Token: "s3cret"})
	in := encodeImage(t, 32, 32, raster.Gray8, "png")
	for _, tc := range []struct {
		name string
		hdr  []string
		code int
	}{
		{"none", nil, 401},
		{"wrong", []string{"Authorization", "Bearer nope"}, 401},
		{"not bearer", []string{"Authorization", "s3cret"}, 401},
		{"right", []string{"Authorization", "Bearer s3cret"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _, err := post(t, hs.URL+"/run?format=png", bytes.NewReader(in), tc.hdr...)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.code {
				t.Errorf("status: got %d, want %d", resp.StatusCode, tc.code)
			}
		})
	}
	resp, err := http.Get(hs.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz without a token: got %d, want 200", resp.StatusCode)
	}
}

func TestRoot(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := encodeImage(t, 80, 60, raster.RGB8, "png")
	if err := os.WriteFile(filepath.Join(root, "sub", "a.png"), in, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.png"), in, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "secret.png"), filepath.Join(root, "link.png")); err != nil {
		t.Fatal(err)
	}
	_, hs := newTestServer(t, Config{Root: root})
	get := func(path string) (int, []byte) {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, got := get("/run/sub/a.png?ops=blur:1&format=png")
	if code != 200 || !bytes.Equal(got, want(t, in, "blur:1", "png")) {
		t.Errorf("a file under the root: got status %d and %d bytes, want 200 and a local run's bytes", code, len(got))
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/run/link.png?format=png", 400},
		{"/run/sub/%2e%2e/%2e%2e/secret.png?format=png", 400},
		{"/run/missing.png?format=png", 404},
		{"/run/sub?format=png", 400},
	} {
		if code, body := get(tc.path); code != tc.code && !(code >= 300 && code < 400) {
			t.Errorf("GET %s: got %d (%q), want %d", tc.path, code, body, tc.code)
		} else if code == 200 {
			t.Errorf("GET %s: served a file outside the root", tc.path)
		}
	}
}

// slowBody sends its bytes in small pieces, waiting between them, until
// stopped.
type slowBody struct {
	data  []byte
	delay time.Duration
	stop  chan struct{}
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, io.EOF
	}
	select {
	case <-b.stop:
		return 0, errors.New("stopped")
	case <-time.After(b.delay):
	}
	n := copy(p[:min(len(p), 64)], b.data)
	b.data = b.data[n:]
	return n, nil
}

func TestQueueFull(t *testing.T) {
	s, hs := newTestServer(t, Config{Running: 1, Queue: 1})
	in := encodeImage(t, 400, 400, raster.RGB8, "pnm")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(stop)
	// The first job holds the one running place with a slow upload; the
	// second waits in the queue.
	for range 2 {
		wg.Go(func() {
			post(t, hs.URL+"/run?format=pnm", &slowBody{data: in, delay: 20 * time.Millisecond, stop: stop})
		})
	}
	waitFor(t, func() bool { return s.Running() == 1 && s.admit.waiting() == 1 })
	resp, body, err := post(t, hs.URL+"/run?format=pnm", bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third job: got %d (%q) with Retry-After %q, want 503 with Retry-After", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
}

// TestDisconnectCancels checks that a client going away ends its job and
// frees its place, for many clients at once.
func TestDisconnectCancels(t *testing.T) {
	s, hs := newTestServer(t, Config{Running: 200, Queue: 200})
	in := encodeImage(t, 300, 300, raster.RGB8, "pnm")
	const clients = 100
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "POST", hs.URL+"/run?ops=blur:1&format=png",
				&slowBody{data: in, delay: 5 * time.Millisecond, stop: make(chan struct{})})
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	waitFor(t, func() bool { return s.Running() == clients })
	cancel()
	wg.Wait()
	waitFor(t, func() bool { return s.Running() == 0 })
	http.DefaultClient.CloseIdleConnections()
}

// TestSlowLoris checks that a body that stops arriving fails after the
// read timeout and gives its place back.
func TestSlowLoris(t *testing.T) {
	s, hs := newTestServer(t, Config{Running: 1, ReadTimeout: 300 * time.Millisecond})
	in := encodeImage(t, 100, 100, raster.RGB8, "pnm")
	stop := make(chan struct{})
	defer close(stop)
	done := make(chan struct{})
	go func() {
		defer close(done)
		post(t, hs.URL+"/run?format=pnm", &slowBody{data: in, delay: time.Hour, stop: stop})
	}()
	// The loris holds the only place until its read times out; then an
	// honest job gets through.
	waitFor(t, func() bool { return s.Running() == 1 })
	resp, _, err := post(t, hs.URL+"/run?format=pnm", bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("job behind a stalled upload: got %d, want 200", resp.StatusCode)
	}
	if s.Running() != 0 {
		t.Errorf("running jobs after both: got %d, want 0", s.Running())
	}
	_ = done
}

// TestHostileConcurrent uploads broken files concurrently and checks the
// server still answers.
func TestHostileConcurrent(t *testing.T) {
	s, hs := newTestServer(t, Config{})
	good := encodeImage(t, 120, 80, raster.RGB8, "png")
	bad := [][]byte{
		good[:40], good[:len(good)-20], []byte("P6\n99999999 99999999\n255\n"),
		[]byte("P5\n-1 3\n255\n"), append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xff}, 100)...),
		[]byte("II*\x00\xff\xff\xff\xff"), []byte{0xff, 0xd8, 0xff, 0xc0, 0, 0},
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			b := bad[i%len(bad)]
			resp, _, err := post(t, hs.URL+"/run?ops=blur:1&format=png", bytes.NewReader(b))
			if err == nil && resp.StatusCode == 200 {
				t.Errorf("broken upload %d got 200", i%len(bad))
			}
		})
	}
	wg.Wait()
	resp, got, err := post(t, hs.URL+"/run?ops=blur:1&format=png", bytes.NewReader(good))
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, want(t, good, "blur:1", "png")) {
		t.Errorf("after the hostile uploads, a good one: status %v, err %v", resp, err)
	}
	if s.Running() != 0 {
		t.Errorf("running: got %d, want 0", s.Running())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 20 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMetrics scrapes /metrics while a job runs and after: each job has its
// own pipeline label while it runs, and its series go when it ends.
func TestMetrics(t *testing.T) {
	s, hs := newTestServer(t, Config{})
	in := encodeImage(t, 300, 300, raster.RGB8, "pnm")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		post(t, hs.URL+"/run?ops=blur:1&format=png", &slowBody{data: in, delay: 2 * time.Millisecond, stop: stop})
	}()
	waitFor(t, func() bool { return s.Running() == 1 })
	// The pipeline exists once the header is read and the job started.
	var fams map[string]*dto.MetricFamily
	waitFor(t, func() bool {
		fams = scrape(t, hs.URL+"/metrics")
		return fams["sluice_stage_items_total"] != nil
	})
	pipes := map[string]bool{}
	for _, m := range fams["sluice_stage_items_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "pipeline" {
				pipes[l.GetValue()] = true
			}
		}
	}
	if len(pipes) != 1 || !strings.HasPrefix(firstKey(pipes), "job-") {
		t.Errorf("pipeline labels while one job runs: got %v, want one job-N", pipes)
	}
	if got := gauge(fams, "sluice_serve_jobs_running"); got != 1 {
		t.Errorf("sluice_serve_jobs_running: got %v, want 1", got)
	}
	close(stop)
	<-done
	waitFor(t, func() bool { return s.Running() == 0 })
	fams = scrape(t, hs.URL+"/metrics")
	if f := fams["sluice_stage_items_total"]; f != nil && len(f.GetMetric()) > 0 {
		t.Errorf("after the job: %d stage series left, want none", len(f.GetMetric()))
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

func gauge(fams map[string]*dto.MetricFamily, name string) float64 {
	f := fams[name]
	if f == nil || len(f.GetMetric()) == 0 {
		return -1
	}
	return f.GetMetric()[0].GetGauge().GetValue()
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

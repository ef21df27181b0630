// Command serveload measures an image service under load on loopback: the
// latency of small thumbnail requests sent at a steady rate, alone and while
// one client uploads a huge image, the huge job's time alone and under that
// load, and the server's peak memory.
//
//	serveload --server 'sluice serve --listen {addr}' --work DIR
//	serveload --server 'bimgserve --listen {addr}' --work DIR
//
// It starts the server itself (a {addr} in the command is replaced by a free
// loopback address), makes its inputs with `sluice gen`, sends a bounded
// number of requests, and stops the server at the end. Everything goes to
// 127.0.0.1 only.
//
// The rate is chosen so that the small requests alone keep the server about
// half busy: it is --load divided by the median time of one request sent
// alone. Requests go out on a schedule (an open loop), so a slow server
// does not slow the sender down and its queueing shows in the latency.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	server   string
	sluice   string
	work     string
	small    int
	big      int
	requests int
	load     float64
	bigOps   string
	smallOps string
	timeout  time.Duration
	jsonOut  string
}

func main() {
	var o options
	flag.StringVar(&o.server, "server", "", "command that starts the server; {addr} becomes host:port")
	flag.StringVar(&o.sluice, "sluice", "sluice", "the sluice binary, to make the inputs")
	flag.StringVar(&o.work, "work", "work", "folder for the inputs")
	flag.IntVar(&o.small, "small", 1000, "side of the small images, in pixels")
	flag.IntVar(&o.big, "big", 20000, "side of the big image, in pixels")
	flag.IntVar(&o.requests, "requests", 200, "small requests in the phase alone")
	flag.Float64Var(&o.load, "load", 0.5, "share of the server the small requests alone keep busy")
	flag.StringVar(&o.smallOps, "small-ops", "resize:0.2", "operations of a small request")
	flag.StringVar(&o.bigOps, "big-ops", "blur:2", "operations of the big job")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on the whole measurement")
	flag.StringVar(&o.jsonOut, "json", "", "also write the result as JSON to this file")
	flag.Parse()
	if o.server == "" {
		fmt.Fprintln(os.Stderr, "serveload: --server is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	res, err := measure(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
	res.print(os.Stdout)
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(o.jsonOut, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "serveload:", err)
			os.Exit(1)
		}
	}
}

// result is what one server scored.
type result struct {
	Server       string
	Rate         float64 // small requests per second
	Service      time.Duration
	Alone        summary
	DuringBig    summary
	BigAlone     time.Duration
	BigUnderLoad time.Duration
	BigStatus    string
	PeakRSS      int64 // bytes, the server's VmHWM
}

type summary struct {
	N, Failed int
	P50, P99  time.Duration
}

func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "server: %s\n", r.Server)
	fmt.Fprintf(w, "small request alone: %v; rate %.1f/s\n", r.Service.Round(time.Millisecond), r.Rate)
	fmt.Fprintf(w, "| phase | requests | failed | p50 | p99 |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(w, "| small alone | %d | %d | %v | %v |\n", r.Alone.N, r.Alone.Failed, ms(r.Alone.P50), ms(r.Alone.P99))
	fmt.Fprintf(w, "| small during big job | %d | %d | %v | %v |\n", r.DuringBig.N, r.DuringBig.Failed, ms(r.DuringBig.P50), ms(r.DuringBig.P99))
	fmt.Fprintf(w, "big job alone %v, under load %v (%s); server peak RSS %.0f MiB\n",
		r.BigAlone.Round(10*time.Millisecond), r.BigUnderLoad.Round(10*time.Millisecond), r.BigStatus, float64(r.PeakRSS)/(1<<20))
	if r.Alone.P99 > 0 {
		fmt.Fprintf(w, "p99 during ÷ p99 alone: %.2f\n", float64(r.DuringBig.P99)/float64(r.Alone.P99))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func measure(ctx context.Context, o options) (result, error) {
	fields := strings.Fields(o.server)
	fields[0] = filepath.Base(fields[0]) // no path of the machine in the results
	r := result{Server: strings.Join(fields, " ")}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return r, err
	}
	smallJPG := filepath.Join(o.work, fmt.Sprintf("small-%d.jpg", o.small))
	smallPNG := filepath.Join(o.work, fmt.Sprintf("small-%d.png", o.small))
	bigTIF := filepath.Join(o.work, fmt.Sprintf("big-%d.tif", o.big))
	for _, f := range []struct {
		path string
		side int
	}{{smallJPG, o.small}, {smallPNG, o.small}, {bigTIF, o.big}} {
		if _, err := os.Stat(f.path); err == nil {
			continue
		}
		dims := fmt.Sprintf("%dx%d", f.side, f.side)
		if out, err := exec.CommandContext(ctx, o.sluice, "gen", "--quiet", dims, f.path).CombinedOutput(); err != nil {
			return r, fmt.Errorf("sluice gen %s: %v: %s", f.path, err, out)
		}
	}
	smalls := make([][]byte, 2)
	for i, p := range []string{smallJPG, smallPNG} {
		b, err := os.ReadFile(p)
		if err != nil {
			return r, err
		}
		smalls[i] = b
	}

	srv, addr, err := startServer(ctx, o.server)
	if err != nil {
		return r, err
	}
	defer srv.stop()
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	smallURL := base + "/run?format=jpeg&ops=" + strings.ReplaceAll(o.smallOps, " ", "+")
	bigURL := base + "/run?format=tiff&ops=" + strings.ReplaceAll(o.bigOps, " ", "+")

	// The time of one small request alone sets the rate.
	var times []time.Duration
	for i := range 20 {
		d, err := request(ctx, client, smallURL, bytes.NewReader(smalls[i%2]))
		if err != nil {
			return r, fmt.Errorf("small request: %w", err)
		}
		if i >= 4 {
			times = append(times, d)
		}
	}
	r.Service = median(times)
	r.Rate = o.load / r.Service.Seconds()

	r.Alone = load(ctx, client, smallURL, smalls, r.Rate, o.requests, nil)

	t0 := time.Now()
	bigErr := bigJob(ctx, client, bigURL, bigTIF)
	r.BigAlone = time.Since(t0)
	if bigErr != nil {
		r.BigStatus = "alone: " + bigErr.Error()
	}

	done := make(chan struct{})
	var under time.Duration
	var bigErr2 error
	go func() {
		defer close(done)
		t := time.Now()
		bigErr2 = bigJob(ctx, client, bigURL, bigTIF)
		under = time.Since(t)
	}()
	r.DuringBig = load(ctx, client, smallURL, smalls, r.Rate, 1<<30, done)
	<-done
	r.BigUnderLoad = under
	switch {
	case bigErr2 != nil:
		r.BigStatus += " under load: " + bigErr2.Error()
	case bigErr == nil:
		r.BigStatus = "ok"
	}
	r.PeakRSS = srv.peakRSS()
	return r, nil
}

// load sends small requests at rate per second, n of them or until stop
// is closed, and summarises their latencies.
func load(ctx context.Context, client *http.Client, url string, bodies [][]byte, rate float64, n int, stop <-chan struct{}) summary {
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	next := time.Now()
loop:
	for i := 0; i < n; i++ {
		if d := time.Until(next); d > 0 {
			select {
			case <-time.After(d):
			case <-stop:
				break loop
			case <-ctx.Done():
				break loop
			}
		}
		select {
		case <-stop:
			break loop
		default:
		}
		next = next.Add(interval)
		wg.Go(func() {
			d, err := request(ctx, client, url, bytes.NewReader(bodies[i%len(bodies)]))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				return
			}
			lat = append(lat, d)
		})
	}
	wg.Wait()
	slices.Sort(lat)
	s := summary{N: len(lat) + failed, Failed: failed}
	if len(lat) > 0 {
		s.P50 = lat[len(lat)/2]
		s.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return s
}

// request sends one POST and reads the whole answer; a status other than
// 200 is an error.
func request(ctx context.Context, client *http.Client, url string, body io.Reader) (time.Duration, error) {
	t := time.Now()
	req, err := http.NewRequestWithContext(ctx, "POST", url, body)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("status %d after %d bytes", resp.StatusCode, n)
	}
	return time.Since(t), nil
}

func bigJob(ctx context.Context, client *http.Client, url, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = request(ctx, client, url, f)
	return err
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// server is a server process started for the measurement.
type server struct {
	cmd *exec.Cmd
}

func startServer(ctx context.Context, command string) (*server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := strings.Fields(strings.ReplaceAll(command, "{addr}", addr))
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	s := &server{cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return s, addr, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, "", fmt.Errorf("%s: not listening on %s after 30 s", args[0], addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// peakRSS reads the server's high-water mark of resident memory.
func (s *server) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

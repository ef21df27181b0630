package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-go/sluice/dist"
)

// proc is a sluice process started by a test, with its output gathered.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer  // stdout and stderr, interleaved
	line chan string   // every line, as it comes (dropped when nobody reads)
	done chan struct{} // closed when the output ends
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// start runs sluice with args in the background; the test kills it at the
// end if it is still running.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command("sluice", args...), line: make(chan string, 1024), done: make(chan struct{})}
	r, w := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.line <- sc.Text():
			default:
			}
		}
	}()
	go func() { p.cmd.Wait(); w.Close() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitLine waits for a line of p that matches re and returns its
// submatches.
func (p *proc) waitLine(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l := <-p.line:
			if m := rx.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-p.done:
			t.Fatalf("%v ended without printing a line matching %q:\n%s", p.cmd.Args, re, p.output())
		case <-timeout:
			t.Fatalf("%v printed no line matching %q in 20 s:\n%s", p.cmd.Args, re, p.output())
		}
	}
}

// exitCode waits for p and returns its exit status.
func (p *proc) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%v still running after 30 s:\n%s", p.cmd.Args, p.output())
	}
	return p.cmd.ProcessState.ExitCode()
}

// sluiceRun runs sluice to the end and returns its output and exit status.
func sluiceRun(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("sluice", args...)
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// startCluster starts 'sluice cluster' on a free port and returns its URL
// and store.
func startCluster(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	store := filepath.Join(t.TempDir(), "store")
	c := start(t, append([]string{"cluster", "--listen", "127.0.0.1:0", "--store", store}, extra...)...)
	m := c.waitLine(t, `listening on (\S+)`)
	t.Cleanup(func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		if code := c.exitCode(t); code != 0 {
			t.Errorf("cluster after SIGTERM: got exit %d, want 0", code)
		}
	})
	return m[1], store
}

// streams counts the job streams on the server at url.
func streams(t *testing.T, url, creds string) int {
	t.Helper()
	nc, err := dist.Connect(url, dist.ConnectOptions{Creds: creds})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	msg, err := nc.Request("$JS.API.STREAM.NAMES", nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"total":(\d+)`).FindSubmatch(msg.Data)
	if m == nil {
		t.Fatalf("stream names: %s", msg.Data)
	}
	var n int
	fmt.Sscan(string(m[1]), &n)
	return n
}

// TestDistributedKill: two worker processes and a coordinator that only
// coordinates; one worker is killed with SIGKILL while it holds tiles it
// has not answered. Those tiles are delivered again, to the other worker,
// and the output is the local run's, byte for byte.
func TestDistributedKill(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.tif")
	if out, code := sluiceRun(t, "gen", "--quiet", "640x384", in); code != 0 {
		t.Fatalf("gen: %s", out)
	}
	ops := []string{"median:3", "invert"}
	local := filepath.Join(dir, "local.png")
	if out, code := sluiceRun(t, append([]string{"run", "--quiet", "--tile", "128", in, local}, ops...)...); code != 0 {
		t.Fatalf("local run: %s", out)
	}
	url, store := startCluster(t)
	wc := filepath.Join(store, "worker.creds")
	a := start(t, "worker", url, "--creds", wc, "--workers", "1", "--verbose")
	b := start(t, "worker", url, "--creds", wc, "--workers", "1", "--verbose")
	a.waitLine(t, "joined")
	b.waitLine(t, "joined")

	remote := filepath.Join(dir, "remote.png")
	run := start(t, append([]string{"run", "--quiet", "--tile", "128", "--nats", url, "--creds", filepath.Join(store, "run.creds"),
		"--local-workers", "0", in, remote}, ops...)...)
	a.waitLine(t, `^take job \S+ tile \d+ delivery 1$`)
	a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	killed := time.Now()
	if code := run.exitCode(t); code != 0 {
		t.Fatalf("distributed run: exit %d\n%s", code, run.output())
	}
	t.Logf("run ended %v after the kill", time.Since(killed).Round(time.Millisecond))

	// Tiles the killed worker took and did not answer.
	taken := map[string]bool{}
	for _, l := range strings.Split(a.output(), "\n") {
		if f := strings.Fields(l); len(f) == 7 && f[0] == "take" {
			taken[f[4]] = true
		} else if len(f) == 7 && f[0] == "send" {
			delete(taken, f[4])
		}
	}
	if len(taken) == 0 {
		t.Fatalf("the killed worker held no unanswered tile:\n%s", a.output())
	}
	for tile := range taken {
		if !regexp.MustCompile(`(?m)^take job \S+ tile ` + tile + ` delivery [2-9]$`).MatchString(b.output()) {
			t.Errorf("tile %s, held by the killed worker, was not delivered again to the other:\n%s", tile, b.output())
		}
	}
	got, err := os.ReadFile(remote)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(local)
	if !bytes.Equal(got, want) {
		t.Fatalf("distributed output differs from the local run (%d bytes, want %d)", len(got), len(want))
	}
	if n := streams(t, url, filepath.Join(store, "run.creds")); n != 0 {
		t.Fatalf("got %d streams left on the server, want 0", n)
	}

	// A chain that turns the image first (as autorotate does) turns it
	// here and filters the turned image on the workers: the same bytes.
	turned := []string{"rotate:90", "median:1", "invert"}
	localTurned := filepath.Join(dir, "local-turned.png")
	if out, code := sluiceRun(t, append([]string{"run", "--quiet", in, localTurned}, turned...)...); code != 0 {
		t.Fatalf("local run: %s", out)
	}
	remoteTurned := filepath.Join(dir, "remote-turned.png")
	msg, code := sluiceRun(t, append([]string{"run", "--nats", url, "--creds", filepath.Join(store, "run.creds"), "--local-workers", "0", in, remoteTurned}, turned...)...)
	if code != 0 || !regexp.MustCompile(`sluice: [1-9]\d* tiles done by workers`).MatchString(msg) {
		t.Fatalf("distributed run with a turn: exit %d, want 0 and the workers' summary\n%s", code, msg)
	}
	got, _ = os.ReadFile(remoteTurned)
	want, _ = os.ReadFile(localTurned)
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Fatalf("distributed output with a turn differs from the local run (%d bytes, want %d)", len(got), len(want))
	}
	// Filters on both sides of a turn are refused before anything starts.
	msg, code = sluiceRun(t, "run", "--quiet", "--nats", url, "--creds", filepath.Join(store, "run.creds"), in, filepath.Join(dir, "two.png"), "blur:1", "rotate:90", "blur:1")
	if code != 1 || !strings.Contains(msg, "split it into two runs") || strings.Count(msg, "\n") != 1 {
		t.Fatalf("filters on both sides of a turn: got exit %d and %q, want 1 and one line saying to split the run", code, msg)
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	if code := b.exitCode(t); code != 0 {
		t.Fatalf("worker after SIGTERM: got exit %d, want 0\n%s", code, b.output())
	}
}

// TestDistributedErrors: wrong credentials fail with one clear line and no
// output file; an interrupted run exits 130, leaving neither an output
// file nor a stream.
func TestDistributedErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, code := sluiceRun(t, "gen", "--quiet", "600x400", in); code != 0 {
		t.Fatalf("gen: %s", out)
	}
	url, store := startCluster(t)
	out := filepath.Join(dir, "out.png")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no credential", nil, "refused the credential"},
		{"worker credential", []string{"--creds", filepath.Join(store, "worker.creds")}, "needs the run credential"},
		{"wrong token", []string{"--token", "guess"}, "refused the credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"run", "--quiet", "--nats", url}, c.args...)
			msg, code := sluiceRun(t, append(args, in, out, "blur:1")...)
			if code != 1 || !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "sluice: ") || strings.Count(msg, "\n") != 1 {
				t.Fatalf("got exit %d and %q, want 1 and one 'sluice:' line saying %q", code, msg, c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("output file: got %v, want none", err)
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		// No worker: the run waits for one until it is interrupted.
		run := start(t, "run", "--nats", url, "--creds", filepath.Join(store, "run.creds"), "--local-workers", "0", in, out, "blur:1")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for streams(t, url, filepath.Join(store, "run.creds")) == 0 && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		run.cmd.Process.Signal(syscall.SIGTERM)
		if code := run.exitCode(t); code != 130 {
			t.Fatalf("got exit %d, want 130\n%s", code, run.output())
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Fatalf("output file: got %v, want none", err)
		}
		if n := streams(t, url, filepath.Join(store, "run.creds")); n != 0 {
			t.Fatalf("got %d streams left, want 0", n)
		}
	})
	t.Run("coordinator killed", func(t *testing.T) {
		run := start(t, "run", "--nats", url, "--creds", filepath.Join(store, "run.creds"), "--local-workers", "0", in, out, "blur:1")
		for streams(t, url, filepath.Join(store, "run.creds")) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
		run.cmd.Process.Signal(syscall.SIGKILL)
		<-run.done
		if n := streams(t, url, filepath.Join(store, "run.creds")); n != 1 {
			t.Fatalf("got %d streams after the kill, want the dead run's 1", n)
		}
		// The next run cleans up after it.
		start(t, "worker", url, "--creds", filepath.Join(store, "worker.creds"), "--workers", "1")
		if msg, code := sluiceRun(t, "run", "--quiet", "--nats", url, "--creds", filepath.Join(store, "run.creds"), in, out, "blur:1"); code != 0 {
			t.Fatalf("next run: exit %d: %s", code, msg)
		}
		if n := streams(t, url, filepath.Join(store, "run.creds")); n != 0 {
			t.Fatalf("got %d streams after the next run, want 0", n)
		}
	})
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe starts `sluice serve` as a process, runs a job through it, and
// stops it with SIGTERM, which must end it with status 0.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "120x90", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	local := filepath.Join(dir, "local.png")
	if out, err := exec.Command("sluice", "run", "--quiet", in, local, "blur:1", "invert").CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	cmd := exec.Command("sluice", "serve", "--listen", "127.0.0.1:0", "--token", "tok")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	if !lines.Scan() {
		t.Fatalf("serve printed nothing")
	}
	first := lines.Text()
	_, rest, ok := strings.Cut(first, "http://")
	if !ok {
		t.Fatalf("first line %q names no URL", first)
	}
	base := "http://" + strings.Fields(rest)[0]
	body, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", strings.TrimSuffix(base, "/")+"/run?ops=blur:1+invert&format=png", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST /run: status %d, err %v, body %q", resp.StatusCode, err, got)
	}
	wantBytes, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantBytes) {
		t.Errorf("served result: %d bytes, want the %d bytes of sluice run", len(got), len(wantBytes))
	}
	http.DefaultClient.CloseIdleConnections()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stderr)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Errorf("after SIGTERM: exit status %d, want 0", ee.ExitCode())
		} else if err != nil {
			t.Error(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve still running 15 s after SIGTERM")
	}
}

// TestServeRefusesOpenListen checks that listening off loopback needs a
// token or --insecure.
func TestServeRefusesOpenListen(t *testing.T) {
	out, err := exec.Command("sluice", "serve", "--listen", "0.0.0.0:0").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("got %v, want exit status 2", err)
	}
	if !strings.Contains(string(out), "--token") || !strings.Contains(string(out), "--insecure") {
		t.Errorf("message %q should name --token and --insecure", out)
	}
}

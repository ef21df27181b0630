package dist

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sluice-go/sluice/internal/testtool"
)

func TestMain(m *testing.M) {
	testtool.QuickRaceExit() // the worker processes are this binary
	if url := os.Getenv("DIST_TEST_WORKER"); url != "" {
		os.Exit(workerProcess(url, os.Getenv("DIST_TEST_CREDS")))
	}
	goleak.VerifyTestMain(m,
		// The embedded NATS server leaves these behind briefly after
		// Shutdown; they are the server's, not ours.
		goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*Server).startGoRoutine"),
		goleak.IgnoreAnyFunction("github.com/nats-io/nats-server/v2/server.(*fileStore).flushLoop"),
		goleak.IgnoreAnyFunction("github.com/nats-io/nats-server/v2/server.(*Server).sendInternalMsgLoop"),
	)
}

// testServer starts an embedded server with its credentials in a
// temporary store.
func testServer(t testing.TB, cfg ServerConfig) *Server {
	t.Helper()
	if cfg.Store == "" {
		cfg.Store = t.TempDir()
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	s, err := StartServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// jsTransport connects to s with creds and returns a transport over the
// connection, closed at the end of the test.
func jsTransport(t testing.TB, url string, o ConnectOptions) *JetStream {
	t.Helper()
	nc, err := Connect(url, o)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewJetStream(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close(); nc.Close() })
	return tr
}

// testCtx is a context that ends with the test, and after a minute at most.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// haveNatsServer reports whether the nats-server program is installed (the
// Debian package, 2.9, in CI), so that the suite also runs against an
// external server. With CI set, a missing one fails the test.
func haveNatsServer(t *testing.T) bool {
	if _, err := exec.LookPath("nats-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("nats-server is not installed (Debian package nats-server); CI must install it")
		}
		t.Log("nats-server is not installed: apt-get install nats-server to test against it")
		return false
	}
	return true
}

// externalServer starts nats-server with JetStream and the token
// "conformance" on a free port, and returns its URL.
func externalServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nats.conf")
	text := fmt.Sprintf("listen: 127.0.0.1:%d\nmax_payload: 8MB\njetstream { store_dir: %q }\nauthorization { token: \"conformance\" }\n", port, filepath.Join(dir, "js"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nats-server", "-c", conf)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	for end := time.Now().Add(10 * time.Second); ; {
		nc, err := Connect(url, ConnectOptions{Token: "conformance"})
		if err == nil {
			nc.Close()
			return url
		}
		if time.Now().After(end) {
			t.Fatalf("nats-server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// workerProcess is the test binary run as a worker process for the
// benchmarks: it serves "echo" with one goroutine until SIGTERM.
func workerProcess(url, creds string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	nc, err := Connect(url, ConnectOptions{Creds: creds, Worker: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer nc.Close()
	tr, err := NewJetStream(nc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	w := &Worker{Transport: tr, Workers: 1}
	w.Handle("echo", HandlerFunc(func(ctx context.Context, job Job, p []byte) ([]byte, error) { return p, nil }))
	if err := w.Serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startWorkerProcesses starts n copies of the test binary as workers of
// s, stopped with SIGTERM at the end of the test.
func startWorkerProcesses(t testing.TB, s *Server, n int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "DIST_TEST_WORKER="+s.URL, "DIST_TEST_CREDS="+s.WorkerCreds)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	}
}

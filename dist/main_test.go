package dist

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
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

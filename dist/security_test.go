package dist

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
)

// TestRefused: the server takes no client without a credential, nor with
// a wrong one.
func TestRefused(t *testing.T) {
	s := testServer(t, ServerConfig{})
	tok := testServer(t, ServerConfig{Token: "s3cret"})
	kp, _ := nkeys.CreateUser()
	seed, _ := kp.Seed()
	stranger := filepath.Join(t.TempDir(), "stranger.creds")
	os.WriteFile(stranger, []byte("-----BEGIN USER NKEY SEED-----\n"+string(seed)+"\n------END USER NKEY SEED------\n"), 0o600)
	cases := []struct {
		name string
		url  string
		o    ConnectOptions
	}{
		{"no credential", s.URL, ConnectOptions{}},
		{"unknown key", s.URL, ConnectOptions{Creds: stranger}},
		{"token where keys are wanted", s.URL, ConnectOptions{Token: "s3cret"}},
		{"no token", tok.URL, ConnectOptions{}},
		{"wrong token", tok.URL, ConnectOptions{Token: "guess"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nc, err := Connect(c.url, c.o)
			if err == nil {
				nc.Close()
				t.Fatal("got a connection, want a refusal")
			}
			if !strings.Contains(err.Error(), "refused the credential") {
				t.Fatalf("got %v, want a refusal of the credential", err)
			}
		})
	}
	nc, err := Connect(tok.URL, ConnectOptions{Token: "s3cret"})
	if err != nil {
		t.Fatalf("the right token: %v", err)
	}
	nc.Close()
}

// TestCredentialFiles: the credentials are readable by their owner only,
// and kept across a restart of the server on the same store.
func TestCredentialFiles(t *testing.T) {
	store := t.TempDir()
	s := testServer(t, ServerConfig{Store: store})
	for _, p := range []string{s.RunCreds, s.WorkerCreds} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Fatalf("%s: got mode %o, want 600", filepath.Base(p), m)
		}
	}
	before, _ := os.ReadFile(s.WorkerCreds)
	s.Shutdown()
	s2 := testServer(t, ServerConfig{Store: store})
	after, _ := os.ReadFile(s2.WorkerCreds)
	if string(before) != string(after) {
		t.Fatal("the worker credential changed across a restart, want it kept")
	}
	nc, err := Connect(s2.URL, ConnectOptions{Creds: s2.WorkerCreds, Worker: true})
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
}

// TestWorkerRights: the worker credential cannot publish a task, create or
// delete a stream, or open a job.
func TestWorkerRights(t *testing.T) {
	s := testServer(t, ServerConfig{})
	ctx := testCtx(t)
	run := jsTransport(t, s.URL, ConnectOptions{Creds: s.RunCreds})
	d, err := Dispatch(ctx, run, Job{Handler: "square"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stream := streamPrefix + d.Job().ID

	w := jsTransport(t, s.URL, ConnectOptions{Creds: s.WorkerCreds, Worker: true})
	// A refused request gets no answer: wait for none long.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	t.Run("publish a task", func(t *testing.T) {
		_, err := w.js.Publish(ctx, tasksSubject(d.Job().ID), []byte("1"))
		if err == nil {
			t.Fatal("got the task published, want a refusal")
		}
		if le := w.nc.LastError(); le == nil || !strings.Contains(strings.ToLower(le.Error()), "permissions violation") {
			t.Fatalf("got %v, want a permissions violation", le)
		}
		if st := d.Stats(); st.Published != 0 {
			t.Fatalf("got %d tasks, want 0", st.Published)
		}
	})
	t.Run("create a stream", func(t *testing.T) {
		_, err := w.js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVIL", Subjects: []string{"evil"}})
		if err == nil {
			t.Fatal("got a stream, want a refusal")
		}
	})
	t.Run("delete a stream", func(t *testing.T) {
		if err := w.js.DeleteStream(ctx, stream); err == nil {
			t.Fatal("got the stream deleted, want a refusal")
		}
	})
	t.Run("open a job", func(t *testing.T) {
		_, err := Dispatch(ctx, w, Job{Handler: "square"})
		if err == nil || !strings.Contains(err.Error(), "run credential") {
			t.Fatalf("got %v, want an error saying a run needs the run credential", err)
		}
	})
	t.Run("read results", func(t *testing.T) {
		sub, err := w.nc.SubscribeSync(resultsSubject(d.Job().ID))
		if err == nil {
			w.nc.Flush()
			defer sub.Unsubscribe()
		}
		if le := w.nc.LastError(); le == nil || !strings.Contains(strings.ToLower(le.Error()), "permissions violation") {
			t.Fatalf("got %v, want a permissions violation for subscribing to results", le)
		}
	})
	cancel()
	if n := countStreams(t, s); n != 1 {
		t.Fatalf("got %d streams, want only the job's", n)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sluice test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// TestTLS: with a certificate the server speaks TLS only; a client trusting
// its authority connects, one that does not is refused.
func TestTLS(t *testing.T) {
	cert, key := selfSigned(t, t.TempDir())
	s := testServer(t, ServerConfig{TLSCert: cert, TLSKey: key})
	if !strings.HasPrefix(s.URL, "tls://") {
		t.Fatalf("got URL %s, want tls://", s.URL)
	}
	nc, err := Connect(s.URL, ConnectOptions{Creds: s.RunCreds, CA: cert})
	if err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	if !nc.TLSRequired() {
		t.Fatal("got a plain connection, want TLS")
	}
	nc.Close()
	if nc, err := Connect(s.URL, ConnectOptions{Creds: s.RunCreds}); err == nil {
		nc.Close()
		t.Fatal("without the CA: got a connection, want a certificate error")
	}
	plain := strings.Replace(s.URL, "tls://", "nats://", 1)
	if nc, err := Connect(plain, ConnectOptions{Creds: s.RunCreds}); err == nil && !nc.TLSRequired() {
		nc.Close()
		t.Fatal("got a plain connection to a TLS server")
	}
}

// TestSettledWithoutResult has a rogue worker, holding the worker
// credential, take a task and settle it itself (an acknowledgement, or a
// termination) instead of sending a result. The server forgets the task;
// the coordinator must notice, publish it again for an honest worker and
// count the failure, instead of waiting for ever.
func TestSettledWithoutResult(t *testing.T) {
	s := testServer(t, ServerConfig{})
	for _, how := range []string{"ack", "term"} {
		t.Run(how, func(t *testing.T) {
			ctx := testCtx(t)
			run := jsTransport(t, s.URL, ConnectOptions{Creds: s.RunCreds})
			d, err := Dispatch(ctx, run, Job{Handler: "echo"})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			type answer struct {
				out []byte
				err error
			}
			done := make(chan answer, 1)
			go func() {
				out, err := d.Do(ctx, 7, []byte("tile 7"), nil)
				done <- answer{out, err}
			}()

			rogue := jsTransport(t, s.URL, ConnectOptions{Creds: s.WorkerCreds, Worker: true})
			cons, err := rogue.js.Consumer(ctx, streamPrefix+d.Job().ID, consumerName)
			if err != nil {
				t.Fatal(err)
			}
			m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if how == "ack" {
				err = m.DoubleAck(ctx) // wait for the server to take it
			} else {
				err = m.Term()
			}
			if err != nil {
				t.Fatal(err)
			}

			honest := jsTransport(t, s.URL, ConnectOptions{Creds: s.WorkerCreds, Worker: true})
			w := &Worker{Transport: honest, Workers: 1}
			w.Handle("echo", HandlerFunc(func(ctx context.Context, job Job, p []byte) ([]byte, error) { return p, nil }))
			wctx, stop := context.WithCancel(ctx)
			served := make(chan struct{})
			go func() { defer close(served); w.Serve(wctx) }()
			defer func() { stop(); <-served }()

			select {
			case a := <-done:
				if a.err != nil || string(a.out) != "tile 7" {
					t.Fatalf("got %q, %v; want the honest worker's result", a.out, a.err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the task settled by the rogue worker was never done")
			}
			if st := d.Stats(); st.Failed != 1 || st.Accepted != 1 || st.Redelivered != 1 {
				t.Fatalf("stats %+v: want 1 failure, then 1 result accepted from a second delivery", st)
			}
		})
	}
}

// TestWorkerInbox checks that a worker reads replies only on its own
// inboxes: not those of coordinators, and that a worker connection made
// without ConnectOptions.Worker fails with a message that says so.
func TestWorkerInbox(t *testing.T) {
	s := testServer(t, ServerConfig{})
	ctx := testCtx(t)
	w := jsTransport(t, s.URL, ConnectOptions{Creds: s.WorkerCreds, Worker: true})
	sub, err := w.nc.SubscribeSync("_INBOX.>")
	if err == nil {
		w.nc.Flush()
		defer sub.Unsubscribe()
	}
	if le := w.nc.LastError(); le == nil || !strings.Contains(strings.ToLower(le.Error()), "permissions violation") {
		t.Fatalf("got %v, want a permissions violation for reading coordinators' inboxes", le)
	}

	plain := jsTransport(t, s.URL, ConnectOptions{Creds: s.WorkerCreds})
	nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = plain.Next(nctx)
	if err == nil || !strings.Contains(err.Error(), "ConnectOptions.Worker") {
		t.Fatalf("got %v, want an error naming ConnectOptions.Worker", err)
	}
}

// TestSettledBeforePubAck checks that a task settled by a worker before
// its publisher has the server's acknowledgement (so before the queue
// knows the task's stream sequence) is still published again: the report
// waits for the Publish under way instead of being dropped as unknown.
func TestSettledBeforePubAck(t *testing.T) {
	q := &jsQueue{job: Job{ID: "j"}, items: map[uint64]uint64{}, open: map[uint64]bool{},
		earlier: map[uint64]int{}, ours: map[uint64]bool{}, results: make(chan *Result, 1)}
	q.published = sync.NewCond(&q.mu)
	q.publishing = 1 // a Publish waits for the server's acknowledgement
	ev, _ := json.Marshal(map[string]any{"stream_seq": 5, "deliveries": 1})
	done := make(chan struct{})
	go func() { defer close(done); q.onSettled(&nats.Msg{Data: ev}) }()
	select {
	case <-done:
		t.Fatal("the report of an unknown sequence was dropped while a Publish was under way")
	case <-time.After(50 * time.Millisecond):
	}
	q.mu.Lock() // the acknowledgement arrives, naming sequence 5
	q.items[5], q.open[42] = 42, true
	q.publishing--
	q.mu.Unlock()
	q.published.Broadcast()
	<-done
	select {
	case r := <-q.results:
		if r.Item != 42 || !r.again {
			t.Fatalf("result %+v, want item 42 to be published again", r)
		}
	default:
		t.Fatal("no result: the settled task would never be done")
	}
}

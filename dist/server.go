package dist

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// DefaultListen is where an embedded server listens unless told otherwise:
// loopback only.
const DefaultListen = "127.0.0.1:4222"

// DefaultMaxPayload is the largest message an embedded server takes: a
// tile of 512×512 16-bit RGBA pixels with its halo fits.
const DefaultMaxPayload = 8 << 20

// ServerConfig configures an embedded NATS server. The zero value listens
// on DefaultListen and stores under the user's cache directory.
type ServerConfig struct {
	Listen  string // host:port; "" = DefaultListen. Port 0 picks a free one
	Store   string // folder for the credentials and JetStream; "" = UserCacheDir/sluice/cluster
	Token   string // one shared secret instead of the two credentials
	TLSCert string // PEM certificate and key: clients must then use TLS
	TLSKey  string
}

// Server is an embedded NATS server with JetStream that demands a
// credential from every client. With no Token it has two users, each with
// the least rights its role needs, whose keys it keeps in
// Store/run.creds (coordinators: create and delete job streams, publish
// tasks, read results) and Store/worker.creds (workers: pull and
// acknowledge tasks, publish results, nothing else).
type Server struct {
	s           *server.Server
	URL         string // the address clients dial
	Store       string
	RunCreds    string // path of the coordinators' credential; "" with a token
	WorkerCreds string // path of the workers' credential; "" with a token
}

// StartServer starts an embedded server and waits until it takes
// connections. Credentials already in the store are kept, so that workers
// holding them can rejoin a restarted server; new ones are made with
// crypto/rand and written readable by their owner only.
func StartServer(cfg ServerConfig) (*Server, error) {
	listen := cfg.Listen
	if listen == "" {
		listen = DefaultListen
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("dist: listen address %q: %w", listen, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return nil, fmt.Errorf("dist: listen address %q: bad port", listen)
	}
	if host == "" {
		return nil, fmt.Errorf("dist: listen address %q names no host (use 0.0.0.0 to listen everywhere)", listen)
	}
	store := cfg.Store
	if store == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("dist: no store given and no cache directory: %w", err)
		}
		store = filepath.Join(dir, "sluice", "cluster")
	}
	if err := os.MkdirAll(store, 0o700); err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	opts := &server.Options{
		Host:       host,
		Port:       p,
		JetStream:  true,
		StoreDir:   filepath.Join(store, "jetstream"),
		MaxPayload: DefaultMaxPayload,
		NoSigs:     true,
		NoLog:      true,
		ServerName: "sluice",
	}
	if p == 0 {
		opts.Port = server.RANDOM_PORT
	}
	srv := &Server{Store: store}
	if cfg.Token != "" {
		opts.Authorization = cfg.Token
	} else {
		run, err := loadOrMakeUser(filepath.Join(store, "run.creds"))
		if err != nil {
			return nil, err
		}
		work, err := loadOrMakeUser(filepath.Join(store, "worker.creds"))
		if err != nil {
			return nil, err
		}
		opts.Nkeys = []*server.NkeyUser{
			{Nkey: run, Permissions: RunPermissions()},
			{Nkey: work, Permissions: WorkerPermissions()},
		}
		srv.RunCreds = filepath.Join(store, "run.creds")
		srv.WorkerCreds = filepath.Join(store, "worker.creds")
	}
	scheme := "nats"
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return nil, errors.New("dist: TLS needs both a certificate and a key")
		}
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: cfg.TLSCert, KeyFile: cfg.TLSKey})
		if err != nil {
			return nil, fmt.Errorf("dist: TLS: %w", err)
		}
		opts.TLSConfig = tc
		opts.TLS = true
		opts.TLSTimeout = 2
		scheme = "tls"
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("dist: the server did not start listening on %s (is the port taken?)", listen)
	}
	srv.s = s
	addr := s.Addr().(*net.TCPAddr)
	srv.URL = fmt.Sprintf("%s://%s", scheme, net.JoinHostPort(host, strconv.Itoa(addr.Port)))
	return srv, nil
}

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.s.Shutdown()
	s.s.WaitForShutdown()
}

// loadOrMakeUser returns the public key of the user nkey stored at path,
// creating the key when the file does not exist.
func loadOrMakeUser(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		kp, err := nkeys.ParseDecoratedNKey(b)
		if err != nil {
			return "", fmt.Errorf("dist: %s: %w", path, err)
		}
		return kp.PublicKey()
	}
	kp, err := nkeys.CreateUser() // crypto/rand
	if err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return "", err
	}
	text := "-----BEGIN USER NKEY SEED-----\n" + string(seed) + "\n------END USER NKEY SEED------\n"
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	return kp.PublicKey()
}

// RunPermissions are the rights of a coordinator: create, inspect and
// delete job streams and their consumer, publish tasks, announce jobs,
// read results, max-delivery advisories and acknowledgement reports, and
// settle deliveries.
func RunPermissions() *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{
			"$JS.API.INFO",
			"$JS.API.STREAM.CREATE.*", "$JS.API.STREAM.DELETE.*", "$JS.API.STREAM.INFO.*", "$JS.API.STREAM.NAMES",
			"$JS.API.CONSUMER.CREATE.*", "$JS.API.CONSUMER.CREATE.*.>", "$JS.API.CONSUMER.DURABLE.CREATE.*.*",
			"$JS.API.CONSUMER.INFO.*.*",
			"sluice.*.tasks", announceSubj, "sluice.*.alive",
			"$JS.ACK.*." + consumerName + ".>",
		}},
		Subscribe: &server.SubjectPermission{Allow: []string{
			"_INBOX.>", "sluice.*.results", "sluice.*.alive",
			"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.*.*",
			"$JS.EVENT.METRIC.CONSUMER.ACK.*.*", "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.*.*",
		}},
		Response: &server.ResponsePermission{MaxMsgs: 1, Expires: time.Minute},
	}
}

// WorkerPermissions are the rights of a worker: hear job announcements,
// pull tasks from the shared consumer, acknowledge them (heartbeats and
// hand-backs) and publish results, and read replies on its own inboxes
// (ConnectOptions.Worker). A worker cannot publish a task, create or
// delete a stream, read results, or read the replies coordinators get.
func WorkerPermissions() *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{
			"$JS.API.CONSUMER.MSG.NEXT.*." + consumerName,
			"$JS.API.CONSUMER.INFO.*." + consumerName,
			"$JS.ACK.*." + consumerName + ".>",
			"sluice.*.results",
		}},
		Subscribe: &server.SubjectPermission{Allow: []string{WorkerInboxPrefix + ".>", announceSubj}},
	}
}

package dist

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnectOptions are how a client proves who it is. The zero value
// connects without a credential, which a sluice server refuses.
type ConnectOptions struct {
	Token string // the server's shared secret
	Creds string // a credential file: run.creds or worker.creds, or a NATS user JWT .creds file
	CA    string // PEM file of the certificate authority to trust for TLS
	Name  string // the connection's name in the server's monitoring
	// Worker marks a worker's connection: its replies come on inboxes
	// under WorkerInboxPrefix, the only ones the worker credential may
	// read, so that workers never see the replies coordinators get.
	Worker bool
}

// WorkerInboxPrefix starts the reply subjects of workers' connections.
const WorkerInboxPrefix = "_INBOX_WORKER"

// Connect dials a NATS server. An error says whether the server could not
// be reached or refused the credential.
func Connect(url string, o ConnectOptions) (*nats.Conn, error) {
	opts := []nats.Option{nats.Timeout(5 * time.Second), nats.Name(o.Name), nats.MaxReconnects(10),
		nats.ReconnectWait(500 * time.Millisecond),
		// Errors come back from the calls; nothing is printed.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})}
	switch {
	case o.Token != "" && o.Creds != "":
		return nil, errors.New("dist: give a token or a credential file, not both")
	case o.Token != "":
		opts = append(opts, nats.Token(o.Token))
	case o.Creds != "":
		b, err := os.ReadFile(o.Creds)
		if err != nil {
			return nil, fmt.Errorf("dist: credential: %w", err)
		}
		if bytes.Contains(b, []byte("BEGIN NATS USER JWT")) {
			opts = append(opts, nats.UserCredentials(o.Creds))
		} else {
			opt, err := nats.NkeyOptionFromSeed(o.Creds)
			if err != nil {
				return nil, fmt.Errorf("dist: credential %s: %w", o.Creds, err)
			}
			opts = append(opts, opt)
		}
	}
	if o.Worker {
		opts = append(opts, nats.CustomInboxPrefix(WorkerInboxPrefix))
	}
	if o.CA != "" {
		opts = append(opts, nats.RootCAs(o.CA))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) {
			return nil, fmt.Errorf("dist: %s refused the credential: %w", url, err)
		}
		return nil, fmt.Errorf("dist: connecting to %s: %w", url, err)
	}
	return nc, nil
}

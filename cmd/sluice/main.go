// Command sluice filters images far larger than memory, tile by tile, on
// every core.
//
//	sluice run [flags] INPUT OUTPUT [OP ...]   filter or convert an image
//	sluice gen [flags] WxH OUTPUT              write a test image
//	sluice info FILE                           print a file's header and metadata
//	sluice demo [flags]                        generate a large image and filter it
//	sluice cluster [flags]                     start a NATS server for distributed runs
//	sluice worker URL [flags]                  filter the tiles of distributed runs
//
// Run "sluice help" for the whole reference.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "v0.1.0-dev"

// Exit codes, chosen in one place: exitCode.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// command is one subcommand: its name, a one-line summary, its usage text
// and the function that runs it.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch besides its arguments: the standard
// streams, so that tests can run commands in-process.
type env struct {
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"run", "filter or convert an image: run [flags] INPUT OUTPUT [OP ...]", runRun},
		{"gen", "write a deterministic photo-like test image: gen [flags] WxH OUTPUT", runGen},
		{"info", "print a file's header and metadata: info FILE", runInfo},
		{"serve", "run the image service over HTTP: serve [flags]", runServe},
		{"demo", "generate a large image and filter it, showing where the time goes", runDemo},
		{"cluster", "start a NATS server for distributed runs: cluster [--listen ADDR] [--store DIR]", runCluster},
		{"worker", "filter the tiles of distributed runs: worker URL [--creds FILE]", runWorker},
		{"help", "show help for a command: help [COMMAND]", runHelp},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdout: os.Stdout, stderr: os.Stderr}
	err := dispatch(ctx, e, os.Args[1:])
	interrupted := ctx.Err() != nil && !errors.As(err, new(*ranToEnd)) // watch.go
	stop()
	os.Exit(report(e.stderr, err, interrupted))
}

// dispatch runs the command named by args[0].
func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stderr)
		return usageErrorf("no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printUsage(e.stdout)
		return nil
	case "-version", "--version":
		return runVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return usageErrorf("unknown command %q (run 'sluice help' for the list)", args[0])
}

// report prints err as one line on stderr and returns the exit code.
func report(stderr io.Writer, err error, interrupted bool) int {
	code := exitCode(err, interrupted)
	switch {
	case err == nil:
	case code == exitInterrupted:
		fmt.Fprintln(stderr, "sluice: interrupted; no output was written")
	case errors.Is(err, errHelpShown):
	default:
		fmt.Fprintf(stderr, "sluice: %s\n", describe(err))
	}
	return code
}

// exitCode maps an error to the process exit status: the one place that
// does so.
func exitCode(err error, interrupted bool) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		// A command that finished despite a signal did its work: serve,
		// and a run that had finished, stop on Ctrl-C as their normal end.
		return exitOK
	case interrupted || errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue):
		return exitUsage
	default:
		return exitFailure
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errHelpShown ends a command whose --help was asked for.
var errHelpShown = errors.New("help shown")

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintf(e.stdout, "sluice %s\n", version)
	return nil
}

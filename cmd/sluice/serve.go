package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/sluice-go/sluice/serve"
)

const serveUsage = `usage: sluice serve [flags]

Runs the image service: POST an image to /run with the operations in the
query, and the result streams back as it is produced. All jobs share the
workers and the memory budget in fair shares, so a huge job never starves a
small one.

  curl --data-binary @in.png 'http://127.0.0.1:8080/run?ops=blur:2+sharpen&format=jpeg' -o out.jpg
  curl 'http://127.0.0.1:8080/run/scans/a.tif?ops=resize:0.1&format=png' -o a.png   (with --root)
  curl http://127.0.0.1:8080/healthz

Operations are separated by spaces (+ in a URL); the output flags of
'sluice run' (quality, level, compression, predictor, tiled, bigtiff,
strip) are query parameters of the same names, and autorotate=false keeps
an upload's pixels as stored instead of turning them upright. Ctrl-C or SIGTERM stops the server:
running jobs get a few seconds to finish.`

type serveOptions struct {
	listen   string
	workers  int
	memory   sizeFlag
	tile     int
	root     string
	token    string
	insecure bool
	pixels   int64
	body     sizeFlag
	queue    int
	tmpdir   string
}

func runServe(ctx context.Context, e *env, args []string) error {
	var o serveOptions
	fs := newFlagSet("serve", serveUsage)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.IntVar(&o.workers, "workers", 0, "workers shared by all jobs (0 = all cores)")
	fs.Var(&o.memory, "memory", "memory budget shared by all jobs, e.g. 512MiB (default 256MiB)")
	fs.IntVar(&o.tile, "tile", 0, "tile size in pixels (0 = 256)")
	fs.StringVar(&o.root, "root", "", "folder that GET /run/PATH reads from (off when empty)")
	fs.StringVar(&o.token, "token", "", "require 'Authorization: Bearer TOKEN' on every request")
	fs.BoolVar(&o.insecure, "insecure", false, "allow listening off loopback without --token")
	fs.Int64Var(&o.pixels, "max-pixels", serve.DefaultMaxPixels, "largest input image, in pixels (width × height)")
	fs.Var(&o.body, "max-body", "largest upload, e.g. 4GiB (default 4GiB)")
	fs.IntVar(&o.queue, "queue", serve.DefaultQueue, "jobs that may wait for their turn; past it requests get 503")
	fs.StringVar(&o.tmpdir, "tmpdir", "", "folder for spooled TIFF uploads and results (default: the system's)")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("serve takes no arguments, got %q (run 'sluice serve --help')", pos[0])
	}
	switch {
	case o.workers < 0:
		return usageErrorf("--workers must be 0 or more, got %d", o.workers)
	case o.tile < 0:
		return usageErrorf("--tile must be 0 or more, got %d", o.tile)
	case o.pixels < 1:
		return usageErrorf("--max-pixels must be 1 or more, got %d", o.pixels)
	case o.queue < 1:
		return usageErrorf("--queue must be 1 or more, got %d", o.queue)
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return usageErrorf("--listen %q: %v", o.listen, err)
	}
	if !isLoopback(host) && o.token == "" && !o.insecure {
		return usageErrorf("--listen %s is reachable from other machines: give --token, or --insecure to serve without one", o.listen)
	}
	srv, err := serve.New(serve.Config{
		Workers: o.workers, Memory: o.memory.n, Tile: o.tile, Root: o.root, Token: o.token,
		MaxPixels: o.pixels, MaxBody: o.body.n, Queue: o.queue, TmpDir: o.tmpdir,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	// Keep the garbage collector within --memory and a constant for the
	// connections and the codecs' buffers, as run does.
	mem := o.memory.n
	if mem <= 0 {
		mem = serve.DefaultMemory
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(mem + mem/4 + 64<<20)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stderr, "sluice: serving on http://%s/ (POST /run?ops=…&format=…, GET /healthz)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		hs.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(e.stderr, "sluice: server stopped")
	return nil
}

// isLoopback reports whether a listen host is reachable only from this
// machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

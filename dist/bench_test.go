package dist

import (
	"context"
	"crypto/rand"
	"fmt"
	"image"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// BenchmarkTask measures the cost of one task through each transport: an
// incompressible payload out to a worker that sends it back unchanged, with
// 16 tasks in flight. Workers are goroutines of this process for Local,
// and 1 or 2 worker processes (one goroutine each) for JetStream on
// loopback. It reports tasks/s, MB/s (payload bytes out) and µs/task; the
// Local rows are the baseline.
func BenchmarkTask(b *testing.B) {
	for _, size := range []int{64 << 10, 256 << 10, 1 << 20} {
		payload := make([]byte, size)
		rand.Read(payload)
		b.Run(fmt.Sprintf("local/workers=2/payload=%dKiB", size>>10), func(b *testing.B) {
			var tr Local
			w := &Worker{Transport: &tr, Workers: 2}
			w.Handle("echo", HandlerFunc(func(ctx context.Context, job Job, p []byte) ([]byte, error) { return p, nil }))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); w.Serve(ctx) }()
			defer func() { cancel(); <-done }()
			runTasks(b, &tr, payload)
		})
		for _, procs := range []int{1, 2} {
			b.Run(fmt.Sprintf("jetstream/procs=%d/payload=%dKiB", procs, size>>10), func(b *testing.B) {
				s := testServer(b, ServerConfig{})
				startWorkerProcesses(b, s, procs)
				runTasks(b, jsTransport(b, s.URL, ConnectOptions{Creds: s.RunCreds}), payload)
			})
		}
	}
}

// runTasks sends b.N tasks of payload through tr with 16 in flight.
func runTasks(b *testing.B, tr Transport, payload []byte) {
	ctx := context.Background()
	d, err := Dispatch(ctx, tr, Job{Handler: "echo"})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	// One task first, so that workers have joined before the clock runs.
	if _, err := d.Do(ctx, 0, payload, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				out, err := d.Do(ctx, uint64(i), payload, nil)
				if err != nil || len(out) != len(payload) {
					b.Errorf("task %d: %d bytes back, %v", i, len(out), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "tasks/s")
	b.ReportMetric(sec*1e6/float64(b.N), "µs/task")
}

// BenchmarkTileHandler measures what a worker spends on one tile of
// median:4 (1,024 × 76 output pixels, RGB8) besides the filter: the
// handler FilterTiles returns (check, decode, filter, compress the result)
// against plan.Run alone on the same tile, the baseline.
func BenchmarkTileHandler(b *testing.B) {
	const w, h = 4096, 512
	pf := raster.PixelFormat{Channels: 3, Depth: 8}
	c, err := filter.ParseChain(strings.Fields("median:4"))
	if err != nil {
		b.Fatal(err)
	}
	plan, err := c.Plan(w, h, pf)
	if err != nil {
		b.Fatal(err)
	}
	img := synth.New(w, h, pf, synth.Options{Seed: 7})
	defer img.Close()
	all := make([]byte, w*h*3)
	if _, err := img.ReadRows(all); err != nil {
		b.Fatal(err)
	}
	whole := &raster.Tile{Rect: image.Rect(0, 0, w, h), Pix: all, Stride: w * 3, Format: pf}
	dr := image.Rect(1024, 200, 2048, 276)
	src := whole.Sub(plan.SourceRect(dr))
	dst := raster.NewTile(dr, plan.Output())
	b.Run("plan", func(b *testing.B) {
		b.SetBytes(int64(len(dst.Pix)))
		for b.Loop() {
			if err := plan.Run(dst, src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handler", func(b *testing.B) {
		var z compressor
		req, _ := z.encodeTile(dr, src, 0, true, allocate)
		job := TileJob(img.Header(), c)
		job.ID = "bench"
		hd := FilterTiles()
		ctx := context.Background()
		b.SetBytes(int64(len(dst.Pix)))
		for b.Loop() {
			out, err := hd.Handle(ctx, job, req)
			if err != nil {
				b.Fatal(err)
			}
			if err := decodeTileInto(out, dst, allocate); err != nil {
				b.Fatal(err)
			}
		}
	})
}

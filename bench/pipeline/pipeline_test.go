package pipeline

import (
	"fmt"
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// workloads are the per-item work of the benchmarks.
var workloads = []struct {
	name string
	work func(int) int
}{
	{"Overhead", noop},
	{"SHA256", hash},
}

// workerCounts are the map stage's worker counts in every benchmark.
var workerCounts = []int{1, 2, 4}

// TestImplementations checks that every implementation delivers each item
// exactly once, whatever the worker count: a benchmark of a pipeline that
// drops items would measure nothing.
func TestImplementations(t *testing.T) {
	const n = 10_000
	for _, wl := range workloads {
		want := 0
		for i := range n {
			want += wl.work(i)
		}
		for _, im := range impls {
			for _, w := range workerCounts {
				t.Run(fmt.Sprintf("%s/impl=%s/workers=%d", wl.name, im.name, w), func(t *testing.T) {
					if got := im.run(n, w, wl.work); got != want {
						t.Errorf("sum of items: got %d, want %d", got, want)
					}
				})
			}
		}
	}
}

// TestHashDependsOnItem checks that the SHA256 workload's result depends on
// the item, so that the compiler cannot hoist it out of the loop unseen.
func TestHashDependsOnItem(t *testing.T) {
	if a, b := hash(1), hash(2); a == b {
		t.Errorf("hash(1) and hash(2): got both %d, want different", a)
	}
}

func BenchmarkOverhead(b *testing.B) { benchWorkload(b, noop, 0) }

func BenchmarkSHA256(b *testing.B) { benchWorkload(b, hash, int64(len(block))) }

// benchWorkload runs one sub-benchmark per implementation and worker
// count, named impl=NAME/workers=N, all in the same run. bytes is what
// one item processes, for MB/s; 0 for none.
func benchWorkload(b *testing.B, work func(int) int, bytes int64) {
	for _, w := range workerCounts {
		for _, im := range impls {
			b.Run(fmt.Sprintf("impl=%s/workers=%d", im.name, w), func(b *testing.B) {
				if bytes > 0 {
					b.SetBytes(bytes)
				}
				measure(b, func(n int) { im.run(n, w, work) })
			})
		}
	}
}

// measure runs one pass of b.N items and reports ns/item and allocs/item.
func measure(b *testing.B, run func(n int)) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/item")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/item")
}

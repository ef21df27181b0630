// Package pipeline compares sluice's core with other ways to write a
// producer → worker → consumer pipeline in Go: plain channels, one item
// per send (channels) and in batches of 32 recycled through a sync.Pool,
// as sluice moves them (channels-batched), and sourcegraph/conc. It holds only tests and benchmarks; bench/run runs
//
//	go test -run '^$' -bench . ./pipeline/
//
// and prints one table of ns/item and allocs/item.
//
// Two workloads run through source → map → sink: Overhead moves ints with
// no work at all, so it measures what each implementation costs per item;
// SHA256 hashes 4 KiB per item, so it shows how each scales with workers
// when there is real work to share.
package pipeline

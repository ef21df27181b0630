// Package sluice builds concurrent producer → worker → consumer pipelines
// from typed stages joined by bounded queues, with a memory budget over
// everything in flight and figures that name the stage that limits
// throughput. It uses the standard library only.
//
// # At a glance
//
//   - Producers: Source (a function that calls emit), FromSlice, FromSeq;
//     SizedBy gives a source a size function for the budget.
//   - Workers: Map (one in, one out), FlatMap (one in, any number out) and
//     Filter, each with Opts.Workers goroutines and ordered or unordered
//     output.
//   - Consumers: Sink (a function per item), Collect (into a slice), All
//     (an iter.Seq2 the caller ranges over while the pipeline runs).
//   - Broadcast: every branch sees every item. Merge: fan-in. Take: stop
//     after n items.
//   - Pool: N slots that the stages of one or several pipelines share, so
//     that at most N goroutines compute at once.
//   - Pipeline.Run runs it all, once; Pipeline.Stats reports per-stage
//     figures and Stats.Bottleneck says which stage limits the whole.
//
// # Patterns
//
// The four patterns of concurrent programs map onto the API like this:
//
//   - pipeline (producer → worker → consumer, each running while the others
//     wait on I/O): Source → Map → Sink, with a bounded queue between each.
//   - worker pool (one producer feeds many workers, one consumer gathers):
//     Map or FlatMap with Opts{Workers: n}; Opts.Ordered puts the results
//     back in input order through a bounded reorder window.
//   - broadcast (every worker sees all the data): Broadcast, one stage per
//     branch. A slow branch holds the others back; none buffers without
//     bound.
//   - mixed (workers exchange with neighbours, then consolidate): FlatMap
//     to cut the data with its borders, Map to work on the pieces, Merge or
//     an ordered Sink to consolidate.
//
// # Running
//
// Run blocks until every goroutine it started has exited. The first error
// cancels the others and comes back as a *StageError naming the stage and
// the index of the item; a panic in user code is recovered into a
// *PanicError with its stack, wrapped the same way. Cancelling the context
// stops the run and Run returns context.Cause. Misuse, such as running a
// pipeline twice, reading a stream twice or adding a stage after Run,
// panics with a "sluice: …" message.
//
// # Memory budget
//
// With Config.Budget set, an item that reports its size (Sizer, or the
// function given to SizedBy) is charged from the moment its source emits
// it. Whatever a stage derives from it (a Map result, every FlatMap output,
// each Broadcast copy) shares the charge, which returns to the budget when
// the last derived item has been consumed or dropped. Sources wait while
// the budget is full, first come first served; an item larger than the
// whole budget fails the run with a *BudgetError.
//
// # Pool
//
// With Config.Pool set, the workers of Map, FlatMap, Filter and Sink hold
// one of the Pool's slots while they run user code, so that at most
// Pool.Size goroutines compute at once across every stage and every
// pipeline sharing the Pool; slots go to pipelines in fair shares (see
// Pool). Opts.NoPool keeps a stage that mostly waits out of it, and
// StageStats.WaitPool is the time a stage waited for a slot.
//
// # Costs
//
// Items move between stages in batches of up to 32 when several are
// ready, and one at a time when items are slow to process, so that they
// spread over every worker. A batch goes on when it is full or when the
// next stage has nothing else to do; until then the next stage takes the
// items gathered so far itself whenever it runs dry, so an emitted item
// never waits while its producer goes on to slow work, however long that
// work takes. Passing an int through source → map → sink costs about
// 25–50 ns on two cores, less than one channel send per item, without
// allocating; ordered output adds a little (see BenchmarkOverhead). The
// figures in Stats cost no clock read per item or per batch: a goroutine
// reads the clock where it starts or stops waiting.
//
// Queue capacities are counted in batches; StageStats.QueueItems counts
// the items waiting.
package sluice

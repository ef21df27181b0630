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
//   - Exchange: parts of the data, one goroutine each, that trade edges
//     with their neighbours at every step (domain decomposition).
//   - Pipeline.Run runs it all, once; Pipeline.Stats reports per-stage
//     figures; Stats.Verdict says which stage limits the whole and what
//     its time went to, and Stats.Bottleneck says it in a sentence.
//   - BeginIO marks a stretch of a stage's function as I/O, not computing.
//   - Watching: Pipeline.Observe adds an Observer that sees the graph
//     and every change of state of every goroutine (package monitor
//     builds a trace, metrics and a live page on it); Config.StallTimeout
//     turns a run in which nothing moves into a *StallError that says
//     who waits on whom; Heartbeat counts as movement.
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
//   - mixed (workers exchange with neighbours, then consolidate): for one
//     pass, FlatMap to cut the data with its borders, Map to work on the
//     pieces, Merge or an ordered Sink to consolidate; for many steps,
//     Exchange, whose parts send each other their edges at every step
//     instead of recomputing a border that grows with the steps.
//
// # Running
//
// Run blocks until every goroutine it started has exited. The first error
// cancels the others and comes back as a *StageError naming the stage and
// the index of the item; a panic in user code is recovered into a
// *PanicError with its stack, wrapped the same way. Cancelling the context
// stops the run and Run returns context.Cause. A function that calls
// runtime.Goexit instead of returning (as testing.T's FailNow does) fails
// the run too, with ErrGoexit: no item is ever lost without an error.
//
// Misuse panics with a "sluice: …" message in the goroutine that commits
// it, at the call: a nil stream or function, two stages with one name,
// reading a stream twice, adding a stage after Run, running a pipeline
// twice, or calling Run on a pipeline that All runs.
//
// # Figures
//
// Stats counts each goroutine's time by what it is: computing (Busy), I/O
// (IO, the stretches user code marks with BeginIO), waiting for input,
// blocked on output, and, for sources, waiting for room in the budget.
// Stats.Verdict picks the stage that limits throughput from these: the
// one that worked longest, unless it was held back by the stage it feeds
// or the memory budget ran short; it names the neighbour that waited on
// it. A stage that stops early (Take) stops counting time.
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
//
// # Watching a run
//
// Without an observer or a stall timeout, a run keeps no per-goroutine
// state and the hooks cost a nil check where a goroutine starts or stops
// waiting and per item. The stall watchdog (Config.StallTimeout) adds one
// store per item and a check every eighth of the timeout. An Observer
// adds a clock read and a call to Observer.Change per item and stage, and
// one per change of state (BenchmarkObserver).
//
// When nothing moves for the timeout, Run returns a *StallError whose
// Report says, stage by stage, what each goroutine waits on: input from
// which stage, room in which queue, the reorder window, the budget, or
// the user's function running for how long on which item. The stages
// with a goroutine inside the user's function are named as stuck. Run
// returns without waiting for those goroutines; they exit when their
// function returns.
package sluice

// Package dist spreads the work of a sluice pipeline over worker
// processes and machines, through NATS JetStream (an embedded server by
// default) or, to show and test the seam, inside one process.
//
// # At a glance
//
//   - Map: a stage whose function runs on remote workers; items travel
//     encoded by a Codec, results come back checked and in order.
//   - Worker: serves Handlers registered by name; Handle adapts a typed
//     function. Serve drains on cancellation.
//   - Dispatcher: the coordinator of one job (Dispatch opens it, Do sends
//     one task and waits for its accepted result, Close removes it).
//   - Transport: Local (in-process) and JetStream; one conformance suite
//     runs against both, and against an external nats-server 2.9.
//   - Tiles, FilterTiles, TileJob: the image command's remote filter stage
//     (an engine.Remote) and the handler workers serve for it.
//   - StartServer, Connect: an embedded NATS server with least-privilege
//     credentials, and a client that presents one.
//
// # Delivery
//
// Delivery is at least once. A task stays with the transport until the
// coordinator accepts its result: the worker sends the result with the
// delivery's acknowledgement subject, and the coordinator checks it (the
// Codec's Decode, or for tiles the rectangle and the size) before it
// acknowledges. A worker heartbeats while its handler runs (every third of
// Job.AckWait); a worker that goes silent, a result that is lost, rejected
// or a handler error all send the task to a worker again. A task is handed
// out at most Job.MaxDeliver times, then the job fails with an error that
// names the item. Results that arrive for a task already done are dropped
// and counted (Stats.Duplicates). Workers can settle deliveries (their
// heartbeats and hand-backs go to the same subject as an acknowledgement),
// so a bad worker could make the server forget a task it never did: the
// coordinator has the server report every acknowledgement and termination,
// and publishes a task settled by anyone but itself again, counting it as a
// failure (Stats.Failed) against the delivery limit.
//
// The coordinator's items stay charged to its pipeline's budget while they
// are out, so a slow or absent worker pool makes its source wait instead
// of buffering.
//
// # On the server
//
// A job with ID id is a work-queue stream SLUICE_id in the server's memory,
// with one pull consumer "workers" that every worker shares; tasks are
// published on sluice.id.tasks and results come back on
// sluice.id.results. The coordinator announces the job on sluice.jobs
// twice a second, and workers pull from the jobs they hear of. Closing the
// dispatcher deletes the stream; a coordinator killed before it could
// leaves its stream behind until the next coordinator opens a job and
// finds no one answering on sluice.id.alive.
//
// # Costs
//
// A task costs one JetStream publish (a round trip to the server), one pull
// request by a worker, a result message and an acknowledgement: a few
// hundred microseconds on loopback, whatever the payload; the payload
// itself costs its bytes on the wire twice (to the server, to the worker).
// Tiles are compressed with S2 when that saves an eighth or more and a
// network lies between the two ends: every tile says whether its sender
// runs on the server's machine, and between two ends that both do, the
// bytes only cross loopback, where S2 costs more CPU than the copies it
// saves. A worker's results go out from buffers it uses again. A tile's
// message is made in a reused buffer while it is published, and made again
// from the coordinator's band if it must go out again, so the coordinator
// holds its bands and no copy of the tiles it has out. On one 2-core
// machine running the server, the coordinator and two workers, the whole
// machinery (server, coordinator and workers together) costs about 13 ms
// of CPU per MiB of input pixels, 7 ms a tile of 1,024 × 182 RGB pixels:
// 43% of median:4's work, under 15% of the work of chains that compute
// three times as long. The
// benchmarks in this package measure a task's cost (go test -bench .
// ./dist), and BENCHMARKS.md the machinery's on whole images.
package dist

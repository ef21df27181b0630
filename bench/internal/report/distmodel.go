package report

// distModel is the section of BENCHMARKS.md about runs across machines: a
// model on paper from measured figures, written by hand (the dist row of
// the tables above measures the machinery on one machine). Update it when
// the figures change.
const distModel = `## Across machines: a model on paper

Measured by hand on the 2-core machine of the tables, while other work loaded it
(load average 17 to 30), so times are indicative; bytes are exact. ` + "`sluice run --nats`" + ` with
` + "`--local-workers 0`" + `, an embedded server (` + "`sluice cluster`" + `) and two ` + "`sluice worker --workers 1`" + `
processes on loopback, 10,000² RGB 8-bit TIFF, default tile (256) and budget (32 MiB):

| | median:4 | blur:2 | blur:2 at 30,000² |
|---|---:|---:|---:|
| tiles | 2,800 | 2,800 | 78,706 |
| bytes out to workers (input 286 MiB raw at 10,000²) | 293.2 MiB | 305.2 MiB | 3.2 GiB |
| bytes back from workers (S2-compressed results) | 83.6 MiB | 83.3 MiB | 747.8 MiB |
| CPU of the local run (whole command) | 11.2 s | | |
| CPU of all processes, distributed | 21.4 s | | |
| peak RSS: coordinator / each worker / server | 97 / 21 / 42 MiB | 107 / 20 / 51 MiB | 109 / 20–27 / 39 MiB |

Every byte crosses the network twice, to the server and from it. Per tile of median:4 a worker
receives b_in ≈ 107 KiB, sends b_out ≈ 31 KiB and computes for t ≈ 4 ms of one core (the
local run's whole CPU time over its tiles, an upper bound). One worker core therefore needs
(b_in + b_out) / t ≈ 34 MiB/s ≈ 0.28 Gbit/s of link to stay busy, and N worker cores in all
need N × 34 MiB/s through the coordinator's link, and twice that through the server's if
it runs on a machine of its own. With 1 GbE (about 110 MiB/s usable) N machines scale linearly
up to about 3 worker cores in all; with 10 GbE, about 30. Past that the link sets the pace:
about 110 MiB/s ÷ 138 KiB ≈ 800 tiles/s on 1 GbE, a 10,000² image in 3.5 s whatever the
number of workers.

The limits, honestly:

- The machinery costs CPU: 3.6 ms per tile over the server, the coordinator and the workers
  (21.4 − 11.2 CPU-seconds over 2,800 tiles), about as much as median:4's compute. On one
  machine a distributed run therefore does about twice the work of a local one; the dist
  row above measures it. It pays only when the workers bring cores the coordinator lacks.
- Light operations (blur:2, point operations: well under 1 ms of CPU per tile) are bound by
  the link from the first worker: distribution does not pay for them.
- Wide images give short bands under the budget (256 × 56 tiles at 30,000²), so more tiles
  and more per-tile cost; a larger --memory gives taller bands.
- A task's latency on loopback was 1.4 to 2 ms at 64 KiB and 5 to 6.5 ms at 256 KiB on this
  loaded machine (` + "`go test -run '^$' -bench Task ./dist`" + `); a worker takes its next tile while
  it filters the current one, so the latency is hidden as long as a tile takes longer.
- After a worker is killed, its tiles go to another worker 2.8 to 3.0 s later (the 3 s ack
  wait after its last heartbeat); a run loses that time and nothing else.

`

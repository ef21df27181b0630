package report

// distModel is the section of BENCHMARKS.md about runs across machines: a
// model on paper from measured figures, written by hand (the dist row of
// the tables above measures the machinery on one machine). Update it when
// the figures change.
const distModel = `## Across machines: a model on paper

Measured on the 2-core machine of the tables while other work loaded it (load average 5
to 11), so times are indicative; bytes are exact. ` + "`" + `sluice run --nats` + "`" + ` with
` + "`" + `--local-workers 0` + "`" + `, an embedded server (` + "`" + `sluice cluster` + "`" + `) and two ` + "`" + `sluice worker --workers 1` + "`" + `
processes on loopback, 10,000² RGB 8-bit TIFF, default budget (32 MiB) and the tiles a
distributed run picks (1,024 wide, as tall as the budget allows):

| | median:4 | blur:2 | blur:2 at 30,000² |
|---|---:|---:|---:|
| tiles | 1,320 | 1,320 | 39,150 |
| bytes out to workers (input 286 MiB raw at 10,000²) | 317.5 MiB | 333.9 MiB | 3.8 GiB |
| bytes back from workers (S2-compressed results) | 91.0 MiB | 90.6 MiB | 776.7 MiB |
| CPU of the local run (whole command; median of 3) | 12.4 s | | |
| CPU of all processes, distributed (median of 3) | 18.8 s | | |
| peak RSS: coordinator / each worker / server | 60 / 25 / 48 MiB | 61 / 24 / 54 MiB | 62 / 24 / – MiB |

Command for the two CPU rows: ` + "`" + `bench/run --only dist --runs 3` + "`" + ` (the ` + "`" + `dist` + "`" + ` comparison; its
CPU column counts every process of the distributed script).

Every byte crosses the network twice, to the server and from it. Per tile of median:4 a
worker receives b_in ≈ 246 KiB, sends b_out ≈ 71 KiB and computes for t ≈ 9.4 ms of one
core (the local run's whole CPU time over the tiles, an upper bound). One worker core
therefore needs (b_in + b_out) / t ≈ 33 MiB/s ≈ 0.28 Gbit/s of link to stay busy, and N
worker cores in all need N × 33 MiB/s through the coordinator's link, and twice that
through the server's if it runs on a machine of its own. With 1 GbE (about 110 MiB/s
usable) N machines scale linearly up to about 3 worker cores in all; with 10 GbE, about 30.
Past that the link sets the pace: about 110 MiB/s ÷ 317 KiB ≈ 350 tiles/s on 1 GbE, a
10,000² image in under 4 s whatever the number of workers.

The limits, honestly:

- The machinery costs CPU: 18.8 − 12.4 = 6.4 CPU-seconds over 1,320 tiles, about 4.9 ms a
  tile, or +52% on this machine, where the server, the coordinator and both workers share
  two cores. By hand, with each process timed: the server takes 2.7–3.1 s, the coordinator
  2.5–2.7 s (about 0.9 s of it reading and writing the files, which the local run does
  too), the workers 12.3–12.9 s together against the local run's 9.5–11 s of filtering
  (the halo of shorter tiles, and four processes sharing two cores' caches). The target of
  15% is not met. What is left is per byte, not per tile (` + "`" + `go test -run '^$' -bench Task ./dist` + "`" + `:
  a 1 MiB echo costs about 6 ms of CPU in the coordinator and the server together, mostly
  copies), so larger tiles no longer help; a server on a machine of its own takes its
  share off the workers' cores.
- Before this round the machinery cost 3.6 ms a tile at 2,800 tiles of 256², +90%: a
  tile was a message whatever its size, and S2 was tried on every tile of an
  incompressible input.
- Light operations (blur:2, point operations: about 1 ms of CPU a tile) are bound by the
  link from the first worker: distribution does not pay for them.
- Wide images give short bands under the budget (1,024 × 23 tiles at 30,000², so the
  tiles carry 50% more rows than they compute): give the coordinator a larger ` + "`" + `--memory` + "`" + `
  for them. The budget counts each band twice in a distributed run (the band, and the
  messages its tiles travel in), which is what keeps the coordinator at 60 MiB.
- A task's latency on loopback was 1.1 to 1.2 ms at 64 KiB, 2.3 to 3.4 ms at 256 KiB and
  8 to 11 ms at 1 MiB (16 in flight, ` + "`" + `go test -run '^$' -bench Task -benchtime 100x ./dist` + "`" + `);
  a worker takes its next tile while it filters the current one, so the latency is hidden
  as long as a tile takes longer.
- After a worker is killed, its tiles go to another worker 2.9 s later (the 3 s ack wait
  after its last heartbeat); a run loses that time and nothing else.

`

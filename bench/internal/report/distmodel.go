package report

// distModel is the section of BENCHMARKS.md about runs across machines: a
// model on paper from measured figures, written by hand (the dist row of
// the tables above measures the machinery on one machine). Update it when
// the figures change.
const distModel = `## Across machines: a model on paper

Measured on the 2-core machine of the tables while other work loaded it (load average 6
to 9), so times are indicative; bytes are exact. ` + "`" + `sluice run --nats` + "`" + ` with
` + "`" + `--local-workers 0` + "`" + `, an embedded server (` + "`" + `sluice cluster` + "`" + `) and two ` + "`" + `sluice worker --workers 1` + "`" + `
processes on loopback, RGB 8-bit TIFF, default budget (32 MiB) and the tiles a
distributed run picks (1,024 wide, as tall as the budget allows: 182 rows for median:4 at
10,000², where the budget counts a band once):

| | median:4 | median:8 | blur:2 | blur:2 at 30,000² |
|---|---:|---:|---:|---:|
| tiles | 550 | 740 | 740 | 21,450 |
| bytes out to workers (input 286 MiB raw at 10,000²) | 299.7 MiB | 323.1 MiB | 313.0 MiB | 3.2 GiB |
| bytes back from workers, S2-compressed (through a network address; raw over loopback) | 90.7 MiB | 63.5 MiB | 90.2 MiB | 765.2 MiB |
| CPU of the local run (whole command; median of 3) | 8.6 s | 14.4 s | | |
| CPU of all processes, distributed (median of 3) | 12.4 s | 18.4 s | | |
| distributed ÷ local, CPU (the three pairs) | 1.47, 1.43, 1.43 | 1.27, 1.27, 1.30 | | |
| distributed ÷ local, wall time (the three pairs) | 1.49, 1.45, 1.47 | 1.28, 1.29, 1.32 | | |
| peak RSS: coordinator / each worker / server | 76 / 29 / 75 MiB | 73 / 26 / 59 MiB | 74 / 26 / 60 MiB | 73 / 24 / 54 MiB |

Commands: ` + "`" + `bench/run --only dist --runs 3` + "`" + ` for the CPU rows (the ` + "`" + `dist` + "`" + ` comparison; its
CPU column counts every process of the distributed script); the other rows by hand, with
each process under ` + "`" + `/usr/bin/time -v` + "`" + ` and the run's own summary line (tiles, bytes out and
back) without ` + "`" + `--quiet` + "`" + `.

CPU by process for median:4 at 10,000², by hand, rounds alternating the versions
(medians; the first two rows four rounds, the last two three):

| | server | coordinator | both workers | all |
|---|---:|---:|---:|---:|
| 1,320 tiles of 1,024 × 76 | 2.67 s | 2.34 s | 13.3 s | 18.4 s |
| 550 tiles of 1,024 × 182 | 1.84 s | 2.03 s | 12.7 s | 16.6 s |
| the same, another window | 1.60 s | 1.71 s | 12.9 s | 16.4 s |
| raw tiles over loopback, results from reused buffers | 1.79 s | 1.48 s | 10.5 s | 13.7 s |

The local runs of the first window took 9.8 to 12.6 s, of the second 8.9 to 10.7 s. The
coordinator's time includes about 0.4 s of reading and writing the files, which the
local run does too. At 30,000² (` + "`" + `sluice gen 30000x30000` + "`" + `, 2.5 GiB) median:4 took 93 s of
CPU alone and 128 s distributed (15,810 tiles of 1,024 × 56 at the default budget), or
112 s with ` + "`" + `--memory 128MiB` + "`" + ` (3,720 tiles), the coordinator at 76 and 215 MiB.

Every byte crosses the network twice, to the server and from it. Per tile of median:4 a
worker receives b_in ≈ 558 KiB, sends b_out ≈ 169 KiB and computes for t ≈ 20 ms of one
core (the local run's whole CPU time over the tiles, an upper bound). One worker core
therefore needs (b_in + b_out) / t ≈ 35 MiB/s ≈ 0.3 Gbit/s of link to stay busy, and N
worker cores in all need N × 35 MiB/s through the coordinator's link, and twice that
through the server's if it runs on a machine of its own. With 1 GbE (about 110 MiB/s
usable) N machines scale linearly up to about 3 worker cores in all; with 10 GbE, about 30.
Past that the link sets the pace: about 110 MiB/s ÷ 727 KiB ≈ 155 tiles/s on 1 GbE, a
10,000² image in under 4 s whatever the number of workers.

The limits, honestly:

- The machinery costs CPU: 12.4 − 8.6 = 3.8 CPU-seconds for median:4, about 7 ms a
  tile, 13 ms per MiB of input pixels, or +43% on this machine, where the server, the
  coordinator and both workers share two cores. The target of 15% is not met; it misses
  by 28 points. The cost is per byte, not per chain: median:8, twice the work per pixel,
  pays 18.4 − 14.4 = 4.0 s (more halo, 740 tiles), +27%. The machinery falls under 15% of
  the local run for chains of about 25 CPU-seconds at 10,000² (46 ms of one core per tile
  of 1,024 × 182), some 3 times median:4.
  Where the rest goes (system-wide CPU profiles of the four processes, median:4): the
  server about 1.3–1.8 s, relaying 600 MiB through loopback sockets and JetStream's
  memory store (copies, page faults, its garbage collector, wake-ups); the coordinator
  about 1 s beyond its file I/O, the same for its side; each worker about 0.6 s beside
  filtering (NATS, wake-ups and interrupts from the other processes, page faults); and
  filtering some 3% slower per pixel than alone, with four processes sharing two cores'
  caches. Sockets alone are not the cost: 1.2 GiB through one loopback TCP connection
  takes 0.45 s of CPU on this machine. A server on a machine of its own takes its share
  off the workers' cores.
- This round cut 2.7 CPU-seconds (16.4 → 13.7 s by hand): S2 is no longer used between
  two ends on the server's machine. Compressing the results cost the workers about 0.3 s
  each and decompressing them the coordinator 0.3 s, for bytes that only crossed
  loopback. Each tile says whether its sender runs on the server's machine, so a worker
  or a coordinator reached through a network still gets compressed tiles (90.7 MiB back
  for median:4 when the workers connect through the machine's network address instead of
  127.0.0.1). Workers also send their results from buffers they use again, and make
  their pull requests on one subscription: the client library's Fetch subscribed and
  unsubscribed around every task (about 2% of the total, and 0.1–0.6 ms less per task in
  ` + "`" + `go test -run '^$' -bench Task -benchtime 100x ./dist` + "`" + `).
- The round before cut 1.8 CPU-seconds (18.4 → 16.6 s by hand): a tile's message now exists
  only while it is published, two at a time, and is made again from the band if the tile
  must go out again, so the budget counts a band once, not twice. At the default budget
  the bands are 182 rows instead of 76: 2.4 times fewer tiles, 6% fewer bytes out (less
  halo), the server 31% and the coordinator 13% less CPU, the coordinator's peak RSS the
  same (74 MiB). The server holds larger tiles while they wait (peak 70 MiB, from 46).
- Before that, the machinery cost 3.6 ms a tile at 2,800 tiles of 256², +90%: a tile was
  a message whatever its size, and S2 was tried on every tile of an incompressible input.
- Light operations are bound by the link from the first worker: blur:2 costs the workers
  about 5.6 ms of CPU per tile of 558 KiB out and back, 97 MiB/s per worker core, about
  what 1 GbE carries. Distribution does not pay for them.
- Wide images give short bands under the budget (1,024 × 42 tiles for blur:2 at 30,000²,
  so the tiles carry 30% more rows than they compute): give the coordinator a larger
  ` + "`" + `--memory` + "`" + ` for them.
- Tasks went through loopback one every 0.90 to 0.97 ms at 64 KiB, 1.5 to 1.6 ms at
  256 KiB and 4.8 to 4.9 ms at 1 MiB (16 in flight, 1 or 2 worker processes, ` + "`" + `go test -run '^$' -bench Task -benchtime 100x ./dist` + "`" + `);
  a worker takes its next tile while it filters the current one, so the latency is hidden
  as long as a tile takes longer.
- After a worker is killed with SIGKILL, its tiles went to the other worker 2.8 s and
  2.9 s later in two runs of median:4 (the 3 s ack wait after its last heartbeat; each
  worker's ` + "`" + `--verbose` + "`" + ` lines stamped as they came); a run loses that time and nothing
  else: the output was the local run's, byte for byte.

`

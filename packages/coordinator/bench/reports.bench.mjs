/**
 * Honest throughput: reports per second through the coordinator against a raw ZeroMQ echo, each server in
 * its own process, driven by the same load processes.
 *
 * For each worker count N (default 1, 8, 64) and fsync policy (default "interval"), three kinds of
 * process run at once (harness.mjs forks them):
 *   echo         server-process.mjs: a bare zeromq ROUTER that answers every message with one pre-encoded
 *                Ack envelope of the coordinator's Ack size (no decoding, no state, no disk);
 *   coordinator  server-process.mjs: the real Coordinator (public API; FileJournal in a fresh temp dir,
 *                the given fsync policy), one trial per worker;
 *   load         load-process.mjs, `--load-procs` of them: N DEALERs per server in all, the same client
 *                code for both (a fresh TrialReport envelope per report, every reply decoded).
 * The load drives one server at a time in alternating `--slice-ms` slices of the same seconds (echo,
 * coordinator, coordinator, echo, ...), `--window` reports in flight per socket; throughput = replies
 * counted in a server's slices / their total length; ratio = coordinator / echo (goal >= 0.8 at 64
 * workers). Every report the load saw accepted is then counted again in the journal on disk.
 *
 * When the 64-worker ratio is under the goal, one more 64-worker coordinator run is profiled (a V8 CPU
 * profile of the coordinator process during its measured phase) and summarised by part
 * (profile-summary.mjs).
 *
 * Then the memory phase: the coordinator with `--memory-workers` workers takes `--memory-reports` reports
 * on their trials; every `--sample-ms` the coordinator process is sampled (gc() twice, RSS, heapUsed); the
 * least-squares slope after the first 10 % gives bytes per report; flat = < 16 MiB per million reports.
 *
 * Usage: node bench/reports.bench.mjs [--workers 1,8,64] [--fsync interval] [--duration-ms 3000]
 *   [--warmup-ms 1000] [--slice-ms 500] [--window 32] [--load-procs 2] [--memory-reports 300000]
 *   [--memory-workers 8] [--sample-ms 1000] [--profile-ms 3000] [--no-profile] [--keep-profile FILE.cpuprofile]
 *   [--out FILE] [--quick]
 *   --quick (or NADIR_BENCH_QUICK=1): --duration-ms 1500 --memory-reports 0 --profile-ms 1500, written to the temp dir unless --out.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { sleep } from "./client.mjs";
import {
  here,
  machineInfo,
  median,
  parseFlags,
  slope,
  startLoad,
  startServer,
  writeResult,
} from "./harness.mjs";
import { summarizeProfile } from "./profile-summary.mjs";

const USAGE = `usage: node bench/reports.bench.mjs [--workers 1,8,64] [--fsync interval[,always]] [--duration-ms MS]
  [--warmup-ms MS] [--slice-ms MS] [--window N] [--load-procs N] [--memory-reports N] [--memory-workers N]
  [--sample-ms MS] [--profile-ms MS] [--no-profile] [--keep-profile FILE] [--out FILE] [--quick]`;
const o = parseFlags(
  process.argv.slice(2),
  {
    workers: [1, 8, 64],
    fsync: ["interval"],
    durationMs: 3000,
    warmupMs: 1000,
    sliceMs: 500,
    window: 32,
    loadProcs: 2,
    memoryReports: 300_000,
    memoryWorkers: 8,
    sampleMs: 1000,
    profileMs: 3000,
    noProfile: false,
    keepProfile: "",
    out: path.join(here, "results", "reports.json"),
    quick: false,
  },
  USAGE,
);
// NADIR_BENCH_QUICK=1 is --quick for runs that cannot pass flags (`NADIR_BENCH_QUICK=1 pnpm bench`).
if (process.env.NADIR_BENCH_QUICK === "1") o.quick = true;
if (o.quick) {
  if (!process.argv.includes("--duration-ms")) o.durationMs = 1500;
  if (!process.argv.includes("--memory-reports")) o.memoryReports = 0;
  if (!process.argv.includes("--profile-ms")) o.profileMs = 1500;
  // A quick run must not replace the committed full result.
  if (!process.argv.includes("--out")) o.out = path.join(os.tmpdir(), "nadir-reports.quick.json");
}
for (const f of o.fsync)
  if (!["always", "interval", "never"].includes(f))
    throw new Error(`bad --fsync ${f}: always|interval|never`);
if (o.workers.some((n) => !Number.isInteger(n))) throw new Error(`--workers needs integers`);
o.out = path.resolve(o.out);
const GOAL = 0.8;
const STUDY_ID = "bench";
const log = (s) => process.stderr.write(`${s}\n`);

/** `n` sockets per endpoint split over up to `--load-procs` load processes; handshakes done. */
async function startLoads(endpoints, n) {
  const procs = Math.max(1, Math.min(o.loadProcs, n));
  const loads = [];
  let first = 0;
  for (let p = 0; p < procs; p++) {
    const sockets = Math.floor(n / procs) + (p < n % procs ? 1 : 0);
    loads.push(
      await startLoad({
        mode: "reports",
        endpoints,
        sockets,
        window: o.window,
        firstIndex: first,
        studyId: STUDY_ID,
      }),
    );
    first += sockets;
  }
  await Promise.all(loads.map((l) => l.call("handshakes")));
  const all = (type, extra) => Promise.all(loads.map((l) => l.call(type, extra)));
  return {
    /** One phase of `mode` for `ms`: replies counted, and the active server's CPU and event-loop use. */
    phase: async (mode, ms, measure, server) => {
      await server?.call("usage");
      const t0 = performance.now();
      await all("phase", { mode, measure });
      await sleep(ms);
      const ends = await all("end-phase");
      const seconds = (performance.now() - t0) / 1000;
      const use = server ? await server.call("usage") : { elu: Number.NaN, cpuCores: Number.NaN };
      return {
        seconds,
        counted: ends.reduce((a, e) => a + e.counted, 0),
        serverElu: use.elu,
        serverCpuCores: use.cpuCores,
        clientElu: ends.reduce((a, e) => a + e.elu, 0) / ends.length,
      };
    },
    /** Starts driving `mode` with no end (the memory phase). */
    begin: (mode) => all("phase", { mode, measure: false }),
    replies: async () => (await all("progress")).reduce((a, p) => a + p.coordinatorReplies, 0),
    stop: async () => {
      const done = await all("stop");
      await Promise.all(loads.map((l) => l.exit()));
      const errors = done.flatMap((d) => d.errors);
      if (errors.length) throw new Error(`load: ${errors.slice(0, 3).join(" | ")}`);
      const sizes = {};
      for (const d of done) for (const [k, v] of Object.entries(d.sizes)) sizes[k] ??= v;
      return { sizes, coordinatorReplies: done.reduce((a, d) => a + d.coordinatorReplies, 0) };
    },
  };
}

const coordinatorConfig = (n, fsync) => ({
  kind: "coordinator",
  fsync,
  maxTrials: n,
  parallelism: n,
  studyId: STUDY_ID,
});

/** One (workers, fsync) cell: echo and coordinator side by side, alternating slices. */
async function cell(n, fsync) {
  const echo = await startServer({ kind: "echo", studyId: STUDY_ID });
  const coord = await startServer(coordinatorConfig(n, fsync));
  const servers = { echo, coordinator: coord };
  const load = await startLoads({ echo: echo.info.endpoint, coordinator: coord.info.endpoint }, n);
  await load.phase("echo", o.warmupMs / 2, false);
  await load.phase("coordinator", o.warmupMs / 2, false);
  const slices = Math.max(1, Math.round(o.durationMs / o.sliceMs));
  const sum = { echo: [], coordinator: [] };
  for (let i = 0; i < slices; i++)
    for (const mode of i % 2 ? ["coordinator", "echo"] : ["echo", "coordinator"])
      sum[mode].push(await load.phase(mode, o.sliceMs, true, servers[mode]));
  const { sizes, coordinatorReplies } = await load.stop();
  const j = await coord.call("stop");
  await echo.call("stop");
  await Promise.all([coord.exit(), echo.exit()]);
  // Without a compaction the journal holds exactly the reports the clients saw accepted.
  if (j.journalError) log(`journal not checked: ${j.journalError}`);
  else if (j.journalSnapshots === 0 && j.journalReports !== coordinatorReplies)
    throw new Error(`journal holds ${j.journalReports} reports, clients saw ${coordinatorReplies} accepted`);
  const agg = (xs, mode) => {
    const seconds = xs.reduce((a, x) => a + x.seconds, 0);
    const counted = xs.reduce((a, x) => a + x.counted, 0);
    const mean = (k) => xs.reduce((a, x) => a + x[k] * x.seconds, 0) / seconds;
    return {
      perSecond: counted / seconds,
      counted,
      seconds,
      slices: xs.length,
      slicePerSecondMedian: median(xs.map((x) => x.counted / x.seconds)),
      serverEventLoopUtilization: mean("serverElu"),
      serverCpuCores: mean("serverCpuCores"),
      clientEventLoopUtilization: mean("clientElu"),
      requestBytes: sizes[mode]?.requestBytes ?? 0,
      replyBytes: sizes[mode]?.replyBytes ?? 0,
    };
  };
  const e = agg(sum.echo, "echo");
  const c = agg(sum.coordinator, "coordinator");
  c.journal = {
    reports: j.journalReports,
    acceptedReplies: coordinatorReplies,
    compactions: j.compactions,
    snapshots: j.journalSnapshots,
    matchesAcceptedReplies:
      j.journalSnapshots === 0 && !j.journalError ? j.journalReports === coordinatorReplies : null,
    problem: j.journalProblem,
  };
  return { echo: e, coordinator: c, ratio: c.perSecond / e.perSecond };
}

/**
 * A 64-worker coordinator run with a V8 CPU profile of its measured phase only (inspector Profiler in the
 * coordinator process, 1 ms sampling; start-up and warm-up are left out), summarised by part.
 */
async function profile(n, fsync) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-bench-prof-"));
  const file = path.join(dir, "coordinator.cpuprofile");
  const coord = await startServer(coordinatorConfig(n, fsync));
  const load = await startLoads({ coordinator: coord.info.endpoint }, n);
  await load.phase("coordinator", o.warmupMs, false);
  await coord.call("profile-start");
  const p = await load.phase("coordinator", o.profileMs, true, coord);
  await coord.call("profile-stop", { file });
  await load.stop();
  await coord.call("stop");
  await coord.exit();
  const s = summarizeProfile(file);
  if (o.keepProfile) fs.copyFileSync(file, path.resolve(o.keepProfile));
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    workers: n,
    fsync,
    note: "the coordinator process's main thread only, during one measured phase; libzmq's I/O thread (the socket work itself) is not in a V8 profile",
    perSecondWhileProfiled: p.counted / p.seconds,
    serverEventLoopUtilization: p.serverElu,
    serverCpuCores: p.serverCpuCores,
    ...s,
  };
}

async function memory() {
  const n = o.memoryWorkers;
  const coord = await startServer(coordinatorConfig(n, o.fsync[0]));
  const load = await startLoads({ coordinator: coord.info.endpoint }, n);
  const samples = [];
  const t0 = performance.now();
  await load.begin("coordinator");
  for (;;) {
    const reports = await load.replies();
    const m = await coord.call("memory");
    samples.push({
      reports,
      seconds: (performance.now() - t0) / 1000,
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      externalBytes: m.external,
    });
    if (reports >= o.memoryReports) break;
    await sleep(o.sampleMs);
  }
  const seconds = (performance.now() - t0) / 1000;
  await load.stop();
  const j = await coord.call("stop");
  await coord.exit();
  const total = samples.at(-1).reports;
  const steady = samples.filter((s) => s.reports >= 0.1 * total);
  const xs = steady.map((s) => s.reports);
  const heapSlope = slope(
    xs,
    steady.map((s) => s.heapUsedBytes),
  );
  const rssSlope = slope(
    xs,
    steady.map((s) => s.rssBytes),
  );
  return {
    workers: n,
    fsync: o.fsync[0],
    reports: total,
    seconds,
    perSecond: total / seconds,
    heapSlopeBytesPerReport: heapSlope,
    rssSlopeBytesPerReport: rssSlope,
    heapGrowthPerMillionReportsMiB: (heapSlope * 1e6) / 2 ** 20,
    rssGrowthPerMillionReportsMiB: (rssSlope * 1e6) / 2 ** 20,
    heapLastOverFirst: steady.at(-1).heapUsedBytes / steady[0].heapUsedBytes,
    rssLastOverFirst: steady.at(-1).rssBytes / steady[0].rssBytes,
    flat: Math.abs(heapSlope * 1e6) < 16 * 2 ** 20,
    compactions: j.compactions,
    journalBytesAtEnd: j.journalBytes,
    samples,
  };
}

const started = new Date().toISOString();
const t0 = performance.now();
const machine = machineInfo();
const rows = [];
for (const n of o.workers) {
  const row = { workers: n, fsync: {} };
  for (const f of o.fsync) {
    const r = await cell(n, f);
    row.fsync[f] = {
      echoPerSecond: r.echo.perSecond,
      coordinatorPerSecond: r.coordinator.perSecond,
      ratio: r.ratio,
      meetsGoal: r.ratio >= GOAL,
      echo: r.echo,
      coordinator: r.coordinator,
    };
    log(
      `workers=${n} fsync ${f}: echo ${r.echo.perSecond.toFixed(0)}/s, coordinator ${r.coordinator.perSecond.toFixed(0)}/s, ratio ${r.ratio.toFixed(3)}`,
    );
  }
  rows.push(row);
}
let prof;
const at64 = rows.find((r) => r.workers === 64)?.fsync.interval;
if (!o.noProfile && at64 && at64.ratio < GOAL) {
  log(`64-worker ratio ${at64.ratio.toFixed(3)} < ${GOAL}: profiling the coordinator process...`);
  prof = await profile(64, "interval");
}
let mem;
if (o.memoryReports > 0) {
  log(`memory phase: ${o.memoryReports} reports with ${o.memoryWorkers} workers...`);
  mem = await memory();
}
machine.end();
const out = {
  benchmark: "coordinator reports per second vs a raw zeromq ROUTER echo in a separate process",
  started,
  wallSeconds: (performance.now() - t0) / 1000,
  machine,
  method: {
    processes:
      "echo ROUTER, coordinator and load each in their own node process (server-process.mjs, load-process.mjs); nothing shares an event loop",
    load: `N real zeromq DEALER sockets per server over ${o.loadProcs} load processes (fewer when N is smaller), ${o.window} reports in flight per active socket`,
    client:
      "identical for both servers: encode a TrialReport envelope with a fresh UUID message id per report, decode every reply envelope",
    echo: "raw zeromq ROUTER: for each message, send one pre-encoded Ack envelope back (no decoding, no state, no disk)",
    coordinator: `public API only: new Coordinator({bind, store: new FileJournal(tmp, {fsync}), studies: [one trial per worker], rateLimitPerSecond: 1e9}).start(); default compaction; each worker says Hello (capacity 1), takes its TrialAssignment, then reports sequence 1, 2, ...; only ACK_STATUS_ACCEPTED replies counted`,
    interval: `the same load drives one server at a time in alternating ${o.sliceMs} ms slices (after ${o.warmupMs} ms of warm-up) for ${o.durationMs} ms each; perSecond = replies counted in a server's slices / their length; server CPU and event-loop utilization are the active server process's own`,
    check:
      "after each coordinator run the journal is read back from disk (CRC-checked) and its report count must equal the accepted replies the load received",
    profile:
      "when the 64-worker ratio is under the goal: one more 64-worker run, V8 CPU profile (inspector Profiler, 1 ms sampling) of the coordinator process during its measured phase; each sample is charged to the innermost known part of its stack (profile-summary.mjs)",
    goal: `coordinator / echo >= ${GOAL} at 64 workers`,
  },
  options: { ...o, out: path.relative(process.cwd(), o.out) },
  throughput: rows,
  ...(prof ? { profile: prof } : {}),
  ...(mem ? { memory: mem } : {}),
};
writeResult(o.out, out);
for (const r of rows)
  for (const f of o.fsync) {
    const x = r.fsync[f];
    console.log(
      `workers ${String(r.workers).padStart(3)}: echo ${x.echoPerSecond.toFixed(0).padStart(7)}/s  coordinator (fsync ${f.padEnd(8)}) ${x.coordinatorPerSecond.toFixed(0).padStart(7)}/s  ratio ${x.ratio.toFixed(3)}${r.workers === 64 ? (x.meetsGoal ? " (goal >= 0.8 met)" : " (goal >= 0.8 NOT met)") : ""}`,
    );
  }
if (prof) {
  const pct = (m) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`)
      .join(", ");
  console.log(`coordinator profile at 64 workers (share of busy time, self): ${pct(prof.selfOfBusy)}`);
}
if (mem)
  console.log(
    `memory over ${mem.reports} reports: heap ${mem.heapGrowthPerMillionReportsMiB.toFixed(2)} MiB per million, rss ${mem.rssGrowthPerMillionReportsMiB.toFixed(2)} MiB per million: ${mem.flat ? "flat" : "NOT flat"}`,
  );
console.log(
  `load average ${machine.loadAverage.start.join(" ")} at the start, ${machine.loadAverage.end.join(" ")} at the end; ${out.wallSeconds.toFixed(0)} s`,
);
console.log(`results: ${path.relative(process.cwd(), o.out)}`);

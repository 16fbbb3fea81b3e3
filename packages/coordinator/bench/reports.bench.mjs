/**
 * Reports per second through the coordinator, against a raw ZeroMQ ROUTER/DEALER echo in the same run.
 *
 * For each worker count N (default 1, 8, 64) and fsync policy (default "always" and "interval"), two servers
 * run side by side in this thread:
 *   echo         a bare zeromq ROUTER that answers every message with an Ack-sized frame;
 *   coordinator  the real Coordinator (FileJournal in a fresh temp dir, the given fsync policy), one trial
 *                per worker.
 * N real DEALER sockets per server, spread over worker_threads (load-thread.mjs), drive one server at a
 * time in alternating slices, `window` reports in flight per socket; throughput = replies counted in a
 * server's slices / their total length; ratio = coordinator / echo. Alternating slices of the same seconds
 * keep background load (a shared 2-core machine) from favouring either. Every report the clients saw
 * accepted is then counted again in the journal on disk (an independent check that "accepted" means
 * "journaled").
 *
 * Then the memory phase: the coordinator with `memoryWorkers` workers takes `memoryReports` reports
 * (default 1,000,000); every `sampleMs` the heap is collected (--expose-gc) and RSS / heapUsed sampled.
 * The least-squares slope of heapUsed (and RSS) against reports after the first 10 % gives bytes per
 * report; "flat" means the heap grows by less than 16 MiB per million reports.
 *
 * Usage: node --expose-gc bench/reports.bench.mjs [--workers 1,8,64] [--duration-ms 3000]
 *   [--warmup-ms 1000] [--window 32] [--threads 2] [--fsync always,interval]
 *   [--memory-reports 1000000] [--memory-workers 8] [--sample-ms 1000] [--slice-ms 500] [--out <file>]
 *   [--scale k]  (multiplies durations and memory-reports)
 * Writes JSON to bench/results/reports.json (or --out) and prints a summary.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { encodeEnvelope, nadir, PROTOCOL_MAJOR, PROTOCOL_MINOR, PROTOCOL_TAG_BYTES } from "@nadir/protocol";
import * as zmq from "zeromq";
import { Coordinator, FileJournal, readJournal, studyFromJson } from "../dist/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const v1 = nadir.v1;
const STUDY_ID = "bench";

function parseArgs(argv) {
  const o = {
    workers: [1, 8, 64],
    durationMs: 3000,
    warmupMs: 1000,
    window: 32,
    threads: 2,
    fsync: ["always", "interval"],
    memoryReports: 1_000_000,
    memoryWorkers: 8,
    sampleMs: 1000,
    sliceMs: 500,
    out: path.join(here, "results", "reports.json"),
    scale: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (min = 1) => {
      const x = Number(v);
      if (!Number.isFinite(x) || x < min) throw new Error(`${a} needs a number >= ${min}, got ${v}`);
      i++;
      return x;
    };
    if (a === "--workers") {
      o.workers = String(v).split(",").map(Number);
      if (o.workers.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad --workers ${v}`);
      i++;
    } else if (a === "--duration-ms") o.durationMs = num();
    else if (a === "--warmup-ms") o.warmupMs = num();
    else if (a === "--window") o.window = num();
    else if (a === "--threads") o.threads = num();
    else if (a === "--memory-reports") o.memoryReports = num(0);
    else if (a === "--memory-workers") o.memoryWorkers = num();
    else if (a === "--sample-ms") o.sampleMs = num();
    else if (a === "--slice-ms") o.sliceMs = num();
    else if (a === "--scale") o.scale = num();
    else if (a === "--fsync") {
      o.fsync = String(v).split(",");
      if (o.fsync.some((f) => !["always", "interval", "never"].includes(f)))
        throw new Error(`bad --fsync ${v}`);
      i++;
    } else if (a === "--out") {
      o.out = path.resolve(v);
      i++;
    } else throw new Error(`unknown argument ${a}`);
  }
  o.durationMs *= o.scale;
  o.memoryReports = Math.round(o.memoryReports * o.scale);
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Least-squares slope of y on x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

/** The load threads: `n` DEALER sockets per endpoint, split over up to `threads` worker_threads. */
async function startLoad(endpoints, n, o) {
  const threads = Math.min(o.threads, n);
  const perMode = Object.keys(endpoints).length;
  const load = { workers: [], progress: new Array(threads).fill(0), phaseEnds: [], done: [], ready: 0 };
  let first = 0;
  for (let t = 0; t < threads; t++) {
    const sockets = Math.floor(n / threads) + (t < n % threads ? 1 : 0);
    const w = new Worker(path.join(here, "load-thread.mjs"), {
      workerData: {
        endpoints,
        sockets,
        window: o.window,
        firstIndex: first,
        studyId: STUDY_ID,
        progressMs: 100,
      },
    });
    first += sockets;
    w.on("message", (m) => {
      if (m.type === "socket-ready") load.ready += 1;
      else if (m.type === "progress") load.progress[t] = m.replies;
      else if (m.type === "phase-end") load.phaseEnds.push(m);
      else if (m.type === "done") load.done.push(m);
    });
    w.on("error", (err) =>
      load.done.push({ errors: [String(err?.stack ?? err)], sizes: {}, coordinatorReplies: 0 }),
    );
    load.workers.push(w);
  }
  load.check = () => {
    const e = load.done.flatMap((d) => d.errors);
    if (e.length) throw new Error(`load: ${e.slice(0, 3).join(" | ")}`);
  };
  const deadline = Date.now() + 60_000;
  while (load.ready < n * perMode) {
    load.check();
    if (Date.now() > deadline) throw new Error(`only ${load.ready}/${n * perMode} sockets got ready`);
    await sleep(10);
  }
  load.replies = () => load.progress.reduce((a, b) => a + b, 0);
  /** Runs one phase of `mode` for `ms`; returns the replies counted (when measured) and the ELUs. */
  load.phase = async (mode, ms, measure) => {
    load.phaseEnds = [];
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const w of load.workers) w.postMessage({ type: "phase", mode, measure });
    await sleep(ms);
    for (const w of load.workers) w.postMessage({ type: "end-phase" });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const serverElu = performance.eventLoopUtilization(elu0).utilization;
    while (load.phaseEnds.length < threads) {
      load.check();
      await sleep(2);
    }
    return {
      seconds,
      counted: load.phaseEnds.reduce((a, x) => a + x.counted, 0),
      serverElu,
      clientElu: load.phaseEnds.reduce((a, x) => a + x.elu, 0) / threads,
      cpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
    };
  };
  load.stop = async () => {
    for (const w of load.workers) w.postMessage({ type: "stop" });
    const until = Date.now() + 30_000;
    while (load.done.length < threads && Date.now() < until) await sleep(10);
    for (const w of load.workers) await w.terminate();
    load.check();
    if (load.done.length < threads)
      throw new Error(`${threads - load.done.length} load threads did not finish`);
    const sizes = {};
    for (const d of load.done) for (const [k, v] of Object.entries(d.sizes)) sizes[k] ??= v;
    return { sizes, coordinatorReplies: load.done.reduce((a, d) => a + d.coordinatorReplies, 0) };
  };
  return load;
}

/** The raw baseline: a ROUTER that answers each message with an Ack-sized frame, nothing else. */
async function startEcho() {
  const router = new zmq.Router({ linger: 0, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000 });
  await router.bind("tcp://127.0.0.1:*");
  // The same bytes the coordinator's Ack carries (36-character ids, a trial ref, a lease deadline).
  const ack = Buffer.from(
    encodeEnvelope(
      {
        versionMajor: PROTOCOL_MAJOR,
        versionMinor: PROTOCOL_MINOR,
        messageId: crypto.randomUUID(),
        correlationId: crypto.randomUUID(),
        sentUnixMs: Date.now(),
        senderId: "coordinator",
        ack: {
          status: v1.AckStatus.ACK_STATUS_ACCEPTED,
          trial: { studyId: STUDY_ID, trialId: 1, attempt: 1 },
          leaseExpiresUnixMs: Date.now() + 10_000,
        },
      },
      { verify: false },
    ),
  );
  const tag = Buffer.from(PROTOCOL_TAG_BYTES);
  const loop = (async () => {
    try {
      for await (const [id] of router) await router.send([id, tag, ack]);
    } catch {
      /* closed */
    }
  })();
  return {
    endpoint: router.lastEndpoint,
    close: async () => {
      router.close();
      await loop;
    },
  };
}

async function withCoordinator(n, fsync, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-bench-"));
  const log = [];
  const store = new FileJournal(dir, { fsync });
  const study = studyFromJson({
    studyId: STUDY_ID,
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: n, parallelism: n },
    stepBudget: 1_000_000_000,
    searchSpace: { parameters: [{ name: "x", floatDomain: { min: 0, max: 1 } }] },
  });
  const c = new Coordinator({
    bind: ["tcp://127.0.0.1:0"],
    store,
    studies: [study],
    // The per-peer token bucket stays on (its bookkeeping is part of the hot path) but far above the load:
    // it is a policy against floods, not a throughput cost to measure.
    rateLimitPerSecond: 1e9,
    log: (line) => log.push(line),
  });
  const { endpoints } = await c.start();
  try {
    return await fn(endpoints[0], dir, log);
  } finally {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Reports and compactions in a journal directory (read back from disk, CRCs checked). */
function journalCounts(dir) {
  const { records, problem } = readJournal(dir);
  let reports = 0;
  let snapshots = 0;
  for (const r of records) {
    if (r.trialReport) reports++;
    if (r.snapshot) snapshots++;
  }
  return { reports, snapshots, problem };
}

/**
 * One (worker count, fsync policy) cell: echo and coordinator run side by side, and the same client
 * sockets drive them in alternating slices (echo, coordinator, echo, ...), so both see the same seconds.
 */
async function cell(n, fsync, o) {
  const echo = await startEcho();
  try {
    return await withCoordinator(n, fsync, async (ep, dir, log) => {
      const load = await startLoad({ echo: echo.endpoint, coordinator: ep }, n, o);
      await load.phase("echo", o.warmupMs / 2, false);
      await load.phase("coordinator", o.warmupMs / 2, false);
      const slices = Math.max(1, Math.round(o.durationMs / o.sliceMs));
      const sum = { echo: [], coordinator: [] };
      for (let i = 0; i < slices; i++)
        for (const mode of i % 2 ? ["coordinator", "echo"] : ["echo", "coordinator"])
          sum[mode].push(await load.phase(mode, o.sliceMs, true));
      const { sizes, coordinatorReplies } = await load.stop();
      await sleep(50);
      const j = journalCounts(dir);
      // Without a compaction the journal holds exactly the reports the clients saw accepted.
      if (j.snapshots === 0 && j.reports !== coordinatorReplies)
        throw new Error(`journal holds ${j.reports} reports, clients saw ${coordinatorReplies} accepted`);
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
          clientEventLoopUtilization: mean("clientElu"),
          processCpuCoresUsed: mean("cpuCores"),
          requestBytes: sizes[mode]?.requestBytes ?? 0,
          replyBytes: sizes[mode]?.replyBytes ?? 0,
        };
      };
      const e = agg(sum.echo, "echo");
      const c = agg(sum.coordinator, "coordinator");
      c.journal = {
        reports: j.reports,
        acceptedReplies: coordinatorReplies,
        compactions: log.filter((l) => l.includes("compacted")).length,
        matchesAcceptedReplies: j.snapshots === 0 ? true : null,
        problem: j.problem,
      };
      return { echo: e, coordinator: c, ratio: c.perSecond / e.perSecond };
    });
  } finally {
    await echo.close();
  }
}

async function throughput(o) {
  const rows = [];
  for (const n of o.workers) {
    const row = { workers: n, fsync: {} };
    for (const f of o.fsync) {
      const r = await cell(n, f, o);
      row.fsync[f] = {
        echoPerSecond: r.echo.perSecond,
        coordinatorPerSecond: r.coordinator.perSecond,
        ratio: r.ratio,
        meetsGoal: r.ratio >= 0.5,
        echo: r.echo,
        coordinator: r.coordinator,
      };
      process.stderr.write(
        `workers=${n} fsync ${f}: echo ${r.echo.perSecond.toFixed(0)}/s, coordinator ${r.coordinator.perSecond.toFixed(0)}/s, ratio ${r.ratio.toFixed(3)}\n`,
      );
    }
    rows.push(row);
  }
  return rows;
}

/**
 * fdatasync latency of the temp-dir disk (3 KiB appends), measured in this run: with fsync "always" a
 * worker with `window` reports in flight cannot exceed window / latency reports per second.
 */
function fdatasyncLatencyMs() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-bench-fsync-"));
  const file = path.join(dir, "probe");
  const fd = fs.openSync(file, "w");
  const buf = Buffer.alloc(3072);
  const times = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    fs.writeSync(fd, buf);
    fs.fdatasyncSync(fd);
    times.push(performance.now() - t);
  }
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
  return median(times);
}

async function memory(o) {
  const n = o.memoryWorkers;
  return withCoordinator(n, o.fsync[0], async (ep, dir, log) => {
    const samples = [];
    const load = await startLoad({ coordinator: ep }, n, o);
    const t0 = performance.now();
    const sample = () => {
      globalThis.gc?.();
      const m = process.memoryUsage();
      samples.push({
        reports: load.replies(),
        seconds: (performance.now() - t0) / 1000,
        rssBytes: m.rss,
        heapUsedBytes: m.heapUsed,
        externalBytes: m.external,
      });
    };
    for (const w of load.workers) w.postMessage({ type: "phase", mode: "coordinator", measure: false });
    let next = performance.now();
    while (load.replies() < o.memoryReports) {
      load.check();
      if (performance.now() >= next) {
        sample();
        next += o.sampleMs;
      }
      await sleep(20);
    }
    sample();
    const seconds = (performance.now() - t0) / 1000;
    await load.stop();
    const total = samples[samples.length - 1].reports;
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
    const first = steady[0];
    const last = steady[steady.length - 1];
    return {
      workers: n,
      reports: total,
      seconds,
      perSecond: total / seconds,
      gcBeforeEachSample: typeof globalThis.gc === "function",
      heapSlopeBytesPerReport: heapSlope,
      rssSlopeBytesPerReport: rssSlope,
      heapGrowthPerMillionReportsMiB: (heapSlope * 1e6) / 2 ** 20,
      rssGrowthPerMillionReportsMiB: (rssSlope * 1e6) / 2 ** 20,
      heapLastOverFirst: last.heapUsedBytes / first.heapUsedBytes,
      rssLastOverFirst: last.rssBytes / first.rssBytes,
      flat: Math.abs(heapSlope * 1e6) < 16 * 2 ** 20,
      compactions: log.filter((l) => l.includes("compacted")).length,
      journalBytesAtEnd: fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0),
      samples,
    };
  });
}

const o = parseArgs(process.argv.slice(2));
const started = new Date().toISOString();
// Background load on the machine (other processes): the 1-minute load average at start and end.
const loadAverage = { start: os.loadavg()[0] };
const t0 = performance.now();
const fsyncMs = fdatasyncLatencyMs();
const rows = await throughput(o);
let mem;
if (o.memoryReports > 0) {
  process.stderr.write(`memory phase: ${o.memoryReports} reports with ${o.memoryWorkers} workers...\n`);
  mem = await memory(o);
  process.stderr.write(
    `memory: ${mem.reports} reports in ${mem.seconds.toFixed(1)} s, heap ${mem.heapGrowthPerMillionReportsMiB.toFixed(2)} MiB / 1M reports, rss ${mem.rssGrowthPerMillionReportsMiB.toFixed(2)} MiB / 1M reports\n`,
  );
}
loadAverage.end = os.loadavg()[0];
// Probed again at the end: the disk's fdatasync latency drifts with other processes' I/O.
const fsyncMsEnd = fdatasyncLatencyMs();
const out = {
  benchmark: "coordinator reports per second vs raw zeromq ROUTER/DEALER echo",
  started,
  wallSeconds: (performance.now() - t0) / 1000,
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "",
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    zeromq: zmq.version,
    loadAverage1m: loadAverage,
  },
  method: {
    load: `real zeromq DEALER sockets (N per server) in ${o.threads} worker_threads (load-thread.mjs), ${o.window} reports in flight per active socket; the coordinator and the echo ROUTER run in the main thread (the idle one costs nothing)`,
    client:
      "identical in both modes: encode a TrialReport envelope with a fresh UUID message id per report, decode every reply envelope",
    echo: "raw zeromq ROUTER: for each message, send one pre-encoded Ack envelope back (no decoding, no state)",
    coordinator: `Coordinator with FileJournal in a fresh temp dir (fsync ${o.fsync.map((f) => `"${f}"`).join(" and ")}, each a separate run), default compaction (every 200,000 records), no PUB socket, one trial per worker (Hello, TrialAssignment, then reports sequence 1, 2, ...); only ACK_STATUS_ACCEPTED replies counted`,
    interval: `echo and coordinator run side by side; the same client sockets drive one at a time in alternating ${o.sliceMs} ms slices (after ${o.warmupMs} ms of warm-up split between them) for ${o.durationMs} ms each, so background load hits both alike; perSecond = replies counted in a server's slices / their total length`,
    check:
      "after each coordinator run the journal is read back from disk (CRC-checked) and its report count must equal the accepted replies the clients received",
    memory: `coordinator (fsync "${o.fsync[0]}") with ${o.memoryWorkers} workers until ${o.memoryReports} reports; gc() then process.memoryUsage() every ${o.sampleMs} ms; least-squares slope of heapUsed and RSS vs reports after the first 10 %; flat = heap growth < 16 MiB per million reports`,
    goal: "coordinator throughput >= 50% of the echo baseline at every worker count",
    fdatasyncMedianMs: fsyncMs,
    fdatasyncMedianMsAtEnd: fsyncMsEnd,
    fsyncAlwaysBoundPerWorker: `window / fdatasync latency = ${(o.window / (fsyncMs / 1000)).toFixed(0)} reports/s per worker with fsync "always" (acks wait for the group commit's fdatasync)`,
  },
  options: o,
  throughput: rows,
  ...(mem ? { memory: mem } : {}),
};
fs.mkdirSync(path.dirname(o.out), { recursive: true });
fs.writeFileSync(o.out, `${JSON.stringify(out, null, 2)}\n`);
console.log(
  `fdatasync median ${fsyncMs.toFixed(2)} ms at the start, ${fsyncMsEnd.toFixed(2)} ms at the end (window ${o.window} per worker)`,
);
for (const r of rows)
  for (const f of o.fsync) {
    const x = r.fsync[f];
    console.log(
      `workers ${String(r.workers).padStart(3)}: echo ${x.echoPerSecond.toFixed(0).padStart(7)}/s  coordinator (fsync ${f.padEnd(8)}) ${x.coordinatorPerSecond.toFixed(0).padStart(7)}/s  ratio ${x.ratio.toFixed(3)} ${x.meetsGoal ? "(goal met)" : "(below the 0.5 goal)"}`,
    );
  }
if (mem)
  console.log(
    `memory over ${mem.reports} reports: heap ${mem.heapGrowthPerMillionReportsMiB.toFixed(2)} MiB per million (last/first ${mem.heapLastOverFirst.toFixed(3)}), rss ${mem.rssGrowthPerMillionReportsMiB.toFixed(2)} MiB per million (last/first ${mem.rssLastOverFirst.toFixed(3)}): ${mem.flat ? "flat" : "NOT flat"}`,
  );
console.log(`results: ${path.relative(process.cwd(), o.out)}`);

/**
 * Flat cost: does a coordinator serve its 200,000th trial as fast as its 2,000th?
 *
 * Every study runs on a fresh real Coordinator (server-process.mjs: a new FileJournal in a fresh temp
 * dir, fsync `--fsync`, default compaction) in one long-lived server process, driven by one long-lived
 * load process (load-process.mjs), so both processes are equally warm for every study; the order is a
 * warm-up study (not reported), `--small-runs` small studies, the large one, `--small-runs` small ones
 * (so drifts in background load hit both sizes). The load is `--in-flight` worker DEALERs of capacity
 * 1, each answering every TrialAssignment at once with the trial's one TrialCompleted, so `--in-flight`
 * trials are in flight and every accepted Ack is one finished trial. The load never pauses; it stamps every `--window-trials` trials (the same
 * window size for both studies, so per-window costs weigh the same) on the clock all processes share.
 * About `--samples` times per study the coordinator process is sampled (gc() twice, then RSS and
 * heapUsed); those pauses are cut out of the windows' seconds.
 *
 * Figures (all in the JSON, with the windows):
 * - trials/s of each study over its windows but the first (connections, ramp-up) and the last (fewer
 *   than `--in-flight` trials left); `ratio` = large / small (all small runs pooled), goal >= 0.9; the rate by tenths of progress shows whether it
 *   falls as the study grows.
 * - Welcomes/s: when a study is done, one more connection says Hello (observer role, one peer id) again
 *   and again with `--probe-window` in flight for `--probe-ms`: "early" after the small study, "late"
 *   after the large one.
 * - memory per 1,000 trials: least-squares slope of heapUsed and RSS against trials done over the large
 *   study's samples (after the first).
 * - Hello flood: after the first measured small study, one connection says Hello `--flood` times, each with a new
 *   peer id; gc'd heap and RSS before and after; flat = the heap grows by under 20 bytes per Hello
 *   (1 MiB per 50,000: far less than one map entry per peer id).
 * - control: the same three studies against a flat reference server (server-process.mjs "reference":
 *   just enough protocol for this load, O(1) work per message, no journal); its large/small ratio is what
 *   the harness and the machine's noise alone do to the ratio (skip with `--no-control`).
 * - check: the journal read back from disk (offline replay) holds exactly the completed trials the load
 *   saw accepted.
 *
 * `before`: the committed result file's `before` (the same figures measured on an earlier coordinator)
 * is carried into each new result, with new / before when the study sizes match; `--record-before`
 * makes this run the `before`. `--quick` writes to the temp dir unless `--out` is given.
 *
 * Usage: node bench/flat-cost.bench.mjs [--small 2000] [--large 200000] [--in-flight 64]
 *   [--window-trials 500] [--samples 20] [--small-runs 3] [--fsync interval] [--probe-ms 1000] [--probe-window 32] [--flood 50000] [--max-seconds 600]
 *   [--out bench/results/flat-cost.json] [--record-before] [--no-control] [--quick]
 *   --quick (or NADIR_BENCH_QUICK=1): --large 20000 --flood 10000.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { here, machineInfo, parseFlags, slope, startLoad, startServer, writeResult } from "./harness.mjs";

const USAGE = `usage: node bench/flat-cost.bench.mjs [--small N] [--large N] [--in-flight N] [--window-trials N] [--samples N] [--small-runs N]
  [--fsync always|interval|never] [--probe-ms MS] [--probe-window N] [--flood N] [--max-seconds S]
  [--out FILE] [--record-before] [--no-control] [--quick]`;
const o = parseFlags(
  process.argv.slice(2),
  {
    small: 2000,
    large: 200_000,
    inFlight: 64,
    windowTrials: 500,
    samples: 20,
    smallRuns: 3,
    fsync: "interval",
    probeMs: 1000,
    probeWindow: 32,
    flood: 50_000,
    floodWindow: 64,
    maxSeconds: 600,
    out: "",
    recordBefore: false,
    noControl: false,
    quick: false,
  },
  USAGE,
);
const COMMITTED = path.join(here, "results", "flat-cost.json");
// NADIR_BENCH_QUICK=1 is --quick for runs that cannot pass flags (`NADIR_BENCH_QUICK=1 pnpm bench`).
if (process.env.NADIR_BENCH_QUICK === "1") o.quick = true;
if (o.quick) {
  if (!process.argv.includes("--large")) o.large = 20_000;
  if (!process.argv.includes("--flood")) o.flood = 10_000;
  // A quick run must not replace the committed full-size result.
  if (!process.argv.includes("--out")) o.out = path.join(os.tmpdir(), "nadir-flat-cost.quick.json");
}
if (!["always", "interval", "never"].includes(o.fsync)) throw new Error(`bad --fsync ${o.fsync}`);
for (const k of ["small", "large", "inFlight", "windowTrials", "samples", "smallRuns"])
  if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`--${k} must be a positive integer`);
o.out = path.resolve(o.out || path.join(here, "results", "flat-cost.json"));

const STUDY_ID = "flat";
const started = new Date().toISOString();
const t0 = performance.now();
const machine = machineInfo();
const log = (s) => process.stderr.write(`${s}\n`);

const serverConfig = (kind, trials) => ({
  kind,
  fsync: o.fsync,
  maxTrials: trials,
  parallelism: o.inFlight,
  studyId: STUDY_ID,
});

/**
 * Runs `plan` (study sizes, in order) on one server process of `kind` and one load process: each study
 * gets a fresh server (a new Coordinator and journal) in the same, already warm, process. The first
 * study is a warm-up and is not returned.
 */
async function sequence(kind, plan, { flood = 0 } = {}) {
  const server = await startServer(serverConfig(kind, plan[0]));
  const load = await startLoad({ mode: "trials" });
  const queue = [];
  const events = { wake: undefined };
  load.on("window", (m) => {
    queue.push(m);
    events.wake?.();
  });
  const runs = [];
  let endpoint = server.info.endpoint;
  for (let i = 0; i < plan.length; i++) {
    if (i > 0) endpoint = (await server.call("start", { config: serverConfig(kind, plan[i]) })).endpoint;
    if (i === 0) log(`  ${kind}: warm-up study of ${plan[0]} trials`);
    const run = await runStudy(server, load, endpoint, plan[i], queue, events, {
      flood: i === 1 ? flood : 0,
      last: i === plan.length - 1,
    });
    if (i > 0) runs.push(run);
  }
  const { errors } = await load.call("stop");
  await Promise.all([load.exit(), server.exit()]);
  if (errors.length) throw new Error(`load errors: ${errors.slice(0, 3).join(" | ")}`);
  return runs;
}

/** The windows between the first and the last (all of them when there are fewer than three). */
function steadyWindows(run) {
  return run.windows.length > 2 ? run.windows.slice(1, -1) : run.windows;
}

/** Runs one study to its end (or `--max-seconds`); see the file comment. */
async function runStudy(server, load, endpoint, trials, queue, events, { flood = 0, last = false } = {}) {
  const windowTrials = o.windowTrials;
  const now = () => performance.timeOrigin + performance.now();
  let cut = false;
  const nextWindow = async () => {
    while (queue.length === 0) {
      if (load.failure()) throw load.failure();
      if (!cut && (performance.now() - begin) / 1000 > o.maxSeconds) {
        cut = true;
        await load.call("cut");
      }
      await new Promise((r) => {
        events.wake = r;
        setTimeout(r, 500);
      });
    }
    return queue.shift();
  };
  /** Sampling pauses the coordinator (two gc() calls): their intervals are left out of the windows. */
  const gaps = [];
  const memory = async () => {
    const a = now();
    const m = await server.call("memory");
    gaps.push([a, now()]);
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
  };
  const probe = async (tag) => {
    // A short unmeasured round first, so the Hello path is compiled before it is timed.
    await load.call("hello", { tag, count: 1e9, maxMs: Math.min(200, o.probeMs), window: o.probeWindow });
    const r = await load.call("hello", { tag, count: 1e9, maxMs: o.probeMs, window: o.probeWindow });
    return { trialsInStudy: done, welcomes: r.welcomes, seconds: r.seconds, perSecond: r.perSecond };
  };
  const run = { trials, windowTrials, memoryAtStart: await memory(), samples: [], probes: {} };
  gaps.length = 0;
  const boundaries = [];
  const sampleEvery = Math.max(1, Math.round(Math.ceil(trials / windowTrials) / o.samples));
  let done = 0;
  const begin = performance.now();
  const { at: startAt } = await load.call("start", {
    endpoint,
    workers: o.inFlight,
    capacity: 1,
    windowTrials,
    totalTrials: trials,
  });
  for (;;) {
    const w = await nextWindow();
    boundaries.push(w);
    done = w.done;
    if (w.finished || w.cut) break;
    if (boundaries.length % sampleEvery === 0) run.samples.push({ done, ...(await memory()) });
    if (
      boundaries.length % Math.max(1, Math.round(boundaries.length / 10)) === 0 ||
      trials <= 10 * windowTrials
    )
      log(`  ${trials} trials: ${done} done after ${((performance.now() - begin) / 1000).toFixed(1)} s`);
  }
  if (cut) {
    run.stoppedAtMaxSeconds = true;
    log(`  stopped after --max-seconds ${o.maxSeconds} at ${done} of ${trials} trials`);
  }
  run.samples.push({ done, ...(await memory()) });
  // Windows: trials between boundaries over the seconds between them, sampling pauses left out.
  const overlap = (x, y) => gaps.reduce((t, [a, b]) => t + Math.max(0, Math.min(b, y) - Math.max(a, x)), 0);
  let prev = { done: 0, at: startAt };
  run.windows = boundaries.map((w) => {
    const seconds = (w.at - prev.at - overlap(prev.at, w.at)) / 1000;
    const r = {
      done: w.done,
      trials: w.done - prev.done,
      seconds,
      perSecond: (w.done - prev.done) / seconds,
    };
    prev = w;
    return r;
  });
  run.wallSeconds = (performance.now() - begin) / 1000;
  run.done = done;
  run.probes.end = await probe("end");
  if (flood > 0) {
    const before = await memory();
    const r = await load.call("hello", { tag: "flood", count: flood, window: o.floodWindow, newIds: true });
    const after = await memory();
    run.flood = {
      hellos: r.sent,
      welcomes: r.welcomes,
      otherAnswers: r.answers,
      unanswered: r.unanswered,
      seconds: r.seconds,
      answersPerSecond: r.sent / r.seconds,
      before,
      after,
      heapGrowthBytes: after.heapUsedBytes - before.heapUsedBytes,
      rssGrowthBytes: after.rssBytes - before.rssBytes,
      heapBytesPerHello: (after.heapUsedBytes - before.heapUsedBytes) / r.sent,
      flat: (after.heapUsedBytes - before.heapUsedBytes) / r.sent < 20,
    };
    log(
      `  flood of ${r.sent} Hellos (new peer id each): ${r.welcomes} Welcomes, ${(r.sent / r.seconds).toFixed(0)} answers/s, heap ${((after.heapUsedBytes - before.heapUsedBytes) / 2 ** 20).toFixed(2)} MiB, rss ${((after.rssBytes - before.rssBytes) / 2 ** 20).toFixed(2)} MiB`,
    );
  }
  const status = await load.call("status");
  await load.call("end-study");
  const srv = await server.call("stop", { keep: !last });
  if (status.errors.length) throw new Error(`load errors: ${status.errors.slice(0, 3).join(" | ")}`);
  run.journal = {
    completedTrials: srv.journalCompleted,
    records: srv.journalRecords,
    bytes: srv.journalBytes,
    compactions: srv.compactions,
    problem: srv.journalProblem,
    error: srv.journalError,
    matchesAcceptedAcks: srv.journalError ? null : srv.journalCompleted === done,
  };
  if (srv.journalError) log(`  journal not checked: ${srv.journalError}`);
  else if (srv.journalCompleted !== done)
    throw new Error(`journal holds ${srv.journalCompleted} completed trials, the load saw ${done} accepted`);
  run.messageBytes = { trialCompleted: status.stats.requestBytes, ack: status.stats.replyBytes };
  // Steady state: the windows between the first (connections, ramp-up) and the last (fewer than
  // --in-flight trials left to run).
  const st = steadyWindows(run);
  const rate = (ws) => ws.reduce((x, w) => x + w.trials, 0) / ws.reduce((x, w) => x + w.seconds, 0);
  run.perSecond = rate(st);
  run.perSecondAllWindows = rate(run.windows);
  // The rate over each tenth of the trials done (windows grouped by progress).
  run.tenthsPerSecond = Array.from({ length: 10 }, (_, k) => {
    const ws = run.windows.filter((w) => Math.min(9, Math.floor((10 * (w.done - 1)) / done)) === k);
    return ws.length ? rate(ws) : null;
  });
  run.lastTenthPerSecond = run.tenthsPerSecond.at(-1);
  const ms = run.samples.length > 2 ? run.samples.slice(1) : run.samples;
  run.heapBytesPer1000Trials =
    1000 *
    slope(
      ms.map((x) => x.done),
      ms.map((x) => x.heapUsedBytes),
    );
  run.rssBytesPer1000Trials =
    1000 *
    slope(
      ms.map((x) => x.done),
      ms.map((x) => x.rssBytes),
    );
  log(
    `  ${trials} trials: ${run.perSecond.toFixed(0)}/s (first and last window left out); by tenths of progress: ${run.tenthsPerSecond.map((x) => (x === null ? "-" : x.toFixed(0))).join(", ")}`,
  );
  return run;
}

log(`flat cost: small ${o.small}, large ${o.large} trials, ${o.inFlight} in flight, fsync ${o.fsync}`);
/** Warm-up, `--small-runs` small studies, the large one, `--small-runs` small studies again. */
const plan = [o.small, ...Array(o.smallRuns).fill(o.small), o.large, ...Array(o.smallRuns).fill(o.small)];
const split = (runs) => {
  const i = o.smallRuns;
  return { smalls: [...runs.slice(0, i), ...runs.slice(i + 1)], large: runs[i] };
};
const { smalls, large } = split(await sequence("coordinator", plan, { flood: o.flood }));
const small1 = smalls[0];
/** Trials/s of the small runs pooled, their steady windows only. */
const pooled = (runs) =>
  runs.reduce((a, r) => a + steadyWindows(r).reduce((b, w) => b + w.trials, 0), 0) /
  runs.reduce((a, r) => a + steadyWindows(r).reduce((b, w) => b + w.seconds, 0), 0);
const smallPerSecond = pooled(smalls);
let control;
if (!o.noControl) {
  log("control: the same runs against the flat reference server");
  const c = split(await sequence("reference", plan));
  const cs = pooled(c.smalls);
  control = {
    smallPerSecond: cs,
    largePerSecond: c.large.perSecond,
    ratio: c.large.perSecond / cs,
    largeTenthsPerSecond: c.large.tenthsPerSecond.map((x) => (x === null ? null : Math.round(x))),
    runs: { small: c.smalls, large: c.large },
  };
}
machine.end();
const MiB = 2 ** 20;
const summary = {
  smallTrials: o.small,
  largeTrials: o.large,
  largeTrialsDone: large.done,
  largeFinished: large.done === o.large,
  smallPerSecond,
  largePerSecond: large.perSecond,
  ratio: large.perSecond / smallPerSecond,
  lastTenthRatio: large.lastTenthPerSecond / smallPerSecond,
  meetsGoal: large.done === o.large && large.perSecond / smallPerSecond >= 0.9,
  largeTenthsPerSecond: large.tenthsPerSecond.map((x) => (x === null ? null : Math.round(x))),
  welcomesPerSecond: {
    early: small1.probes.end.perSecond,
    late: large.probes.end.perSecond,
    lateOverEarly: large.probes.end.perSecond / small1.probes.end.perSecond,
  },
  memoryPer1000TrialsMiB: {
    heap: large.heapBytesPer1000Trials / MiB,
    rss: large.rssBytesPer1000Trials / MiB,
  },
  controlRatio: control?.ratio ?? null,
  helloFlood: {
    hellos: small1.flood?.hellos ?? 0,
    heapGrowthMiB: (small1.flood?.heapGrowthBytes ?? 0) / MiB,
    rssGrowthMiB: (small1.flood?.rssGrowthBytes ?? 0) / MiB,
    flat: small1.flood?.flat ?? null,
  },
};

let before = null;
try {
  before = JSON.parse(fs.readFileSync(COMMITTED, "utf8")).before ?? null;
} catch {
  /* no committed result */
}
if (o.recordBefore)
  before = {
    measured: started,
    machine,
    options: { ...o, out: path.relative(process.cwd(), o.out) },
    summary,
    note: "recorded with --record-before",
  };
const out = {
  benchmark: "coordinator cost per trial: a small and a large study, same load, same run",
  started,
  wallSeconds: (performance.now() - t0) / 1000,
  machine,
  method: {
    processes:
      "three: this driver; one server process (server-process.mjs, --expose-gc) that starts a fresh Coordinator and journal for each study; one load process (load-process.mjs) for all studies; a warm-up study first, not reported",
    load: `${o.inFlight} worker DEALERs of capacity 1 (so ${o.inFlight} trials in flight); each TrialAssignment is answered at once with one TrialCompleted; an accepted Ack is one trial`,
    coordinator: `public API only: new Coordinator({bind, store: new FileJournal(tmp, {fsync: "${o.fsync}"}), studies: [one float parameter, default suggester, parallelism ${o.inFlight}], rateLimitPerSecond: 1e9}).start(); default compaction`,
    windows: `the load never pauses and stamps every ${o.windowTrials} trials (both studies) with performance.timeOrigin + performance.now(); about ${o.samples} times per study the coordinator process is sampled (gc() twice, process.memoryUsage()) and those intervals are cut out of the windows' seconds`,
    ratio: `large perSecond / small perSecond, both over every window but the first (connections, ramp-up) and the last (fewer than ${o.inFlight} trials left); ${o.smallRuns} small studies run before and ${o.smallRuns} after the large one and are pooled`,
    welcomes: `after a study is done, one extra DEALER says Hello again and again (observer role, one peer id) with ${o.probeWindow} in flight for ${o.probeMs} ms after a 200 ms warm-up round; early = after the small study, late = after the large study`,
    memory:
      "least-squares slope of heapUsed and RSS against trials done over the large study's samples (after the first)",
    flood: `after the first small study, one DEALER says Hello ${o.flood} times (observer role, a new peer id each, ${o.floodWindow} in flight); gc'd heap before/after; flat = heap growth < 20 bytes per Hello`,
    check:
      "after each study the journal is read back from disk (CRC-checked, replayed offline) and must hold exactly the completed trials the load saw accepted",
    control:
      "unless --no-control: the same small, large, small runs against server-process.mjs's flat reference server (Hello/Welcome, assignments, Acks, O(1) work per message, no journal): the ratio the harness and machine noise give a server whose cost cannot grow",
    goal: "large perSecond >= 0.9 x small perSecond, with the large study finished",
  },
  options: { ...o, out: path.relative(process.cwd(), o.out) },
  summary,
  ...(before ? { before } : {}),
  // Only like with like: the same study sizes.
  ...(before && !o.recordBefore && before.options.small === o.small && before.options.large === o.large
    ? {
        afterOverBefore: {
          ratio: summary.ratio / before.summary.ratio,
          largePerSecond: summary.largePerSecond / before.summary.largePerSecond,
          smallPerSecond: summary.smallPerSecond / before.summary.smallPerSecond,
          lateWelcomesPerSecond: summary.welcomesPerSecond.late / before.summary.welcomesPerSecond.late,
        },
      }
    : {}),
  runs: { small: smalls, large },
  ...(control ? { control } : {}),
};
writeResult(o.out, out);

const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
console.log(
  `small (${o.small}): ${f(smallPerSecond)} trials/s; large (${large.done}/${o.large}${summary.largeFinished ? "" : ", stopped at --max-seconds"}): ${f(large.perSecond)} trials/s; ratio ${f(summary.ratio, 3)} ${summary.meetsGoal ? "(goal >= 0.9 met)" : "(goal >= 0.9 NOT met)"}`,
);
console.log(`large study by tenths of progress (trials/s): ${summary.largeTenthsPerSecond.join(", ")}`);
if (control)
  console.log(
    `control (flat reference server, same load and harness): small ${f(control.smallPerSecond)}/s, large ${f(control.largePerSecond)}/s, ratio ${f(control.ratio, 3)}`,
  );
console.log(
  `Welcomes/s: ${f(summary.welcomesPerSecond.early)} at ${o.small} trials, ${f(summary.welcomesPerSecond.late)} at ${large.done} trials (late/early ${f(summary.welcomesPerSecond.lateOverEarly, 3)})`,
);
console.log(
  `memory per 1,000 trials: heap ${f(summary.memoryPer1000TrialsMiB.heap, 3)} MiB, rss ${f(summary.memoryPer1000TrialsMiB.rss, 3)} MiB`,
);
console.log(
  `Hello flood (${summary.helloFlood.hellos}, new peer id each): heap ${f(summary.helloFlood.heapGrowthMiB, 2)} MiB, rss ${f(summary.helloFlood.rssGrowthMiB, 2)} MiB: ${summary.helloFlood.flat ? "flat" : "NOT flat"}`,
);
if (out.afterOverBefore)
  console.log(
    `vs before (${before.measured}): ratio ${f(before.summary.ratio, 3)} -> ${f(summary.ratio, 3)}, large ${f(before.summary.largePerSecond)} -> ${f(summary.largePerSecond)} trials/s`,
  );
console.log(
  `load average ${machine.loadAverage.start.join(" ")} at the start, ${machine.loadAverage.end.join(" ")} at the end; ${f(out.wallSeconds)} s`,
);
console.log(`results: ${path.relative(process.cwd(), o.out)}`);

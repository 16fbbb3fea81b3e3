/**
 * Flat cost: does a coordinator serve its 200,000th trial as fast as its 2,000th?
 *
 * Each study runs on its own real Coordinator in its own process (server-process.mjs: FileJournal in a
 * fresh temp dir, fsync `--fsync`, default compaction), driven by the same load in a second process
 * (load-process.mjs): `--in-flight` worker DEALERs of capacity 1, each answering every TrialAssignment at
 * once with the trial's one TrialCompleted, so `--in-flight` trials are in flight and every accepted Ack
 * is one finished trial. The large study is cut into `--windows` windows of progress (the small one into
 * `--small-windows`); at each window's end the
 * load stops sending and waits for every acknowledgement, then the coordinator process is sampled
 * (gc() twice, then RSS and heapUsed) and the load resumes; the window's rate is its trials / its own
 * seconds (pauses excluded). Studies run in the order small, large, small, so background load drifts hit
 * both sizes.
 *
 * Figures (all in the JSON, with the windows):
 * - trials/s of each study; `ratio` = large / small, both after the first window (JIT warm-up);
 *   goal >= 0.9. The windows show whether the rate falls as the study grows.
 * - Welcomes/s: one more connection re-says Hello (observer role, same peer id) with `--probe-window`
 *   in flight for `--probe-ms`, with the load paused, at the end of the small study ("early") and at
 *   the large study's first window and end ("late").
 * - memory per 1,000 trials: least-squares slope of heapUsed and RSS against trials done, over the large
 *   study's window samples.
 * - Hello flood: after the first small study, one connection says Hello `--flood` times, each with a new
 *   peer id; gc'd heap and RSS before and after; flat = heap grows less than 1 MiB.
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
 * Usage: node bench/flat-cost.bench.mjs [--small 2000] [--large 200000] [--in-flight 64] [--windows 40]
 *   [--small-windows 4]
 *   [--fsync interval] [--probe-ms 1000] [--probe-window 32] [--flood 50000] [--max-seconds 600]
 *   [--out bench/results/flat-cost.json] [--record-before] [--no-control] [--quick]
 *   --quick: --large 20000 --flood 10000 (about a minute on 2 loaded cores).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { here, machineInfo, parseFlags, slope, startLoad, startServer, writeResult } from "./harness.mjs";

const USAGE = `usage: node bench/flat-cost.bench.mjs [--small N] [--large N] [--in-flight N] [--windows N] [--small-windows N]
  [--fsync always|interval|never] [--probe-ms MS] [--probe-window N] [--flood N] [--max-seconds S]
  [--out FILE] [--record-before] [--no-control] [--quick]`;
const o = parseFlags(
  process.argv.slice(2),
  {
    small: 2000,
    large: 200_000,
    inFlight: 64,
    windows: 40,
    smallWindows: 4,
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
if (o.quick) {
  if (!process.argv.includes("--large")) o.large = 20_000;
  if (!process.argv.includes("--flood")) o.flood = 10_000;
  // A quick run must not replace the committed full-size result.
  if (!process.argv.includes("--out")) o.out = path.join(os.tmpdir(), "nadir-flat-cost.quick.json");
}
if (!["always", "interval", "never"].includes(o.fsync)) throw new Error(`bad --fsync ${o.fsync}`);
for (const k of ["small", "large", "inFlight", "windows", "smallWindows"])
  if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`--${k} must be a positive integer`);
o.out = path.resolve(o.out || path.join(here, "results", "flat-cost.json"));

const STUDY_ID = "flat";
const started = new Date().toISOString();
const t0 = performance.now();
const machine = machineInfo();
const log = (s) => process.stderr.write(`${s}\n`);

/** Runs one study to its end (or `--max-seconds`); see the file comment. */
async function runStudy(trials, windows, { flood = 0, probeFirstWindow = false, kind = "coordinator" } = {}) {
  const server = await startServer({
    kind,
    fsync: o.fsync,
    maxTrials: trials,
    parallelism: o.inFlight,
    studyId: STUDY_ID,
  });
  const load = await startLoad({
    mode: "trials",
    endpoint: server.info.endpoint,
    workers: o.inFlight,
    capacity: 1,
    windowTrials: Math.max(1, Math.ceil(trials / windows)),
    totalTrials: trials,
    studyId: STUDY_ID,
  });
  const queue = [];
  let wake;
  load.on("window", (m) => {
    queue.push(m);
    wake?.();
  });
  let cut = false;
  const nextWindow = async () => {
    while (queue.length === 0) {
      if (load.failure()) throw load.failure();
      if (!cut && (performance.now() - begin) / 1000 > o.maxSeconds) {
        cut = true;
        await load.call("cut");
      }
      await new Promise((r) => {
        wake = r;
        setTimeout(r, 500);
      });
    }
    return queue.shift();
  };
  const memory = async () => {
    const m = await server.call("memory");
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
  };
  const probe = async (tag) => {
    // A short unmeasured round first, so the Hello path is compiled before it is timed.
    await load.call("hello", { tag, count: 1e9, maxMs: Math.min(200, o.probeMs), window: o.probeWindow });
    const r = await load.call("hello", { tag, count: 1e9, maxMs: o.probeMs, window: o.probeWindow });
    return { trialsInStudy: done, welcomes: r.welcomes, seconds: r.seconds, perSecond: r.perSecond };
  };
  const run = { trials, windows: [], memoryAtStart: await memory(), probes: {} };
  let done = 0;
  const begin = performance.now();
  await load.call("start");
  for (;;) {
    const w = await nextWindow();
    const count = w.done - done;
    done = w.done;
    const mem = await memory();
    run.windows.push({ done, trials: count, seconds: w.seconds, perSecond: count / w.seconds, ...mem });
    log(
      `  ${trials} trials: ${done} done, ${(count / w.seconds).toFixed(0)}/s, heap ${(mem.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, rss ${(mem.rssBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    if (run.windows.length === 1 && probeFirstWindow && !w.finished)
      run.probes.firstWindow = await probe("first");
    if (w.finished) break;
    if ((performance.now() - begin) / 1000 > o.maxSeconds) {
      run.stoppedAtMaxSeconds = true;
      log(`  stopped after --max-seconds ${o.maxSeconds} at ${done} of ${trials} trials`);
      break;
    }
    await load.call("resume");
  }
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
      flat: after.heapUsedBytes - before.heapUsedBytes < 2 ** 20,
    };
    log(
      `  flood of ${r.sent} Hellos (new peer id each): ${r.welcomes} Welcomes, ${(r.sent / r.seconds).toFixed(0)} answers/s, heap ${((after.heapUsedBytes - before.heapUsedBytes) / 2 ** 20).toFixed(2)} MiB, rss ${((after.rssBytes - before.rssBytes) / 2 ** 20).toFixed(2)} MiB`,
    );
  }
  const status = await load.call("status");
  await load.call("stop");
  const srv = await server.call("stop");
  await Promise.all([load.exit(), server.exit()]);
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
  // Steady state: every window after the first (the first carries the JIT warm-up).
  const steady = run.windows.slice(1);
  const st = steady.length ? steady : run.windows;
  run.perSecond = st.reduce((a, w) => a + w.trials, 0) / st.reduce((a, w) => a + w.seconds, 0);
  run.perSecondAllWindows =
    run.windows.reduce((a, w) => a + w.trials, 0) / run.windows.reduce((a, w) => a + w.seconds, 0);
  run.lastWindowPerSecond = run.windows.at(-1).perSecond;
  const xs = st.map((w) => w.done);
  run.heapBytesPer1000Trials =
    1000 *
    slope(
      xs,
      st.map((w) => w.heapUsedBytes),
    );
  run.rssBytesPer1000Trials =
    1000 *
    slope(
      xs,
      st.map((w) => w.rssBytes),
    );
  return run;
}

log(`flat cost: small ${o.small}, large ${o.large} trials, ${o.inFlight} in flight, fsync ${o.fsync}`);
const small1 = await runStudy(o.small, o.smallWindows, { flood: o.flood });
const large = await runStudy(o.large, o.windows, { probeFirstWindow: true });
const small2 = await runStudy(o.small, o.smallWindows);
const smalls = [small1, small2];
/** Trials/s of the small runs pooled, every window after the first. */
const pooled = (runs) =>
  runs.reduce((a, r) => a + r.windows.slice(1).reduce((b, w) => b + w.trials, 0), 0) /
  runs.reduce((a, r) => a + r.windows.slice(1).reduce((b, w) => b + w.seconds, 0), 0);
const smallPerSecond = pooled(smalls);
let control;
if (!o.noControl) {
  log("control: the same runs against the flat reference server");
  const c1 = await runStudy(o.small, o.smallWindows, { kind: "reference" });
  const cl = await runStudy(o.large, o.windows, { kind: "reference" });
  const c2 = await runStudy(o.small, o.smallWindows, { kind: "reference" });
  const cs = pooled([c1, c2]);
  control = {
    smallPerSecond: cs,
    largePerSecond: cl.perSecond,
    ratio: cl.perSecond / cs,
    largeWindowPerSecond: cl.windows.map((w) => Math.round(w.perSecond)),
    runs: { small: [c1, c2], large: cl },
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
  lastWindowRatio: large.lastWindowPerSecond / smallPerSecond,
  meetsGoal: large.done === o.large && large.perSecond / smallPerSecond >= 0.9,
  largeWindowPerSecond: large.windows.map((w) => Math.round(w.perSecond)),
  welcomesPerSecond: {
    early: small1.probes.end.perSecond,
    largeFirstWindow: large.probes.firstWindow?.perSecond ?? null,
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
      "three: this driver; the Coordinator (server-process.mjs, --expose-gc); the load (load-process.mjs); a fresh coordinator process and journal per study",
    load: `${o.inFlight} worker DEALERs of capacity 1 (so ${o.inFlight} trials in flight); each TrialAssignment is answered at once with one TrialCompleted; an accepted Ack is one trial`,
    coordinator: `public API only: new Coordinator({bind, store: new FileJournal(tmp, {fsync: "${o.fsync}"}), studies: [one float parameter, default suggester, parallelism ${o.inFlight}], rateLimitPerSecond: 1e9}).start(); default compaction`,
    windows: `the large study is cut into ${o.windows} windows of progress, the small one into ${o.smallWindows}; at a window's end the load stops sending, waits for every Ack, the coordinator process is sampled (gc() twice, process.memoryUsage()), then the load resumes; perSecond = trials / seconds with the load running`,
    ratio:
      "large perSecond / small perSecond, both over every window after the first (JIT warm-up); the small study runs before and after the large one and its two runs are pooled",
    welcomes: `with the load paused, one extra DEALER re-says Hello (observer role, same peer id) with ${o.probeWindow} in flight for ${o.probeMs} ms; early = end of the small study, late = end of the large study`,
    memory:
      "least-squares slope of heapUsed and RSS against trials done over the large study's window samples (after the first)",
    flood: `after the first small study, one DEALER says Hello ${o.flood} times (observer role, a new peer id each, ${o.floodWindow} in flight); gc'd heap before/after; flat = heap growth < 1 MiB`,
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
console.log(`large study windows (trials/s): ${summary.largeWindowPerSecond.join(", ")}`);
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

#!/usr/bin/env node
// Benchmark: Learned-Miller–DeStefano CDF bands (ld_equal_tailed, ld_highest_density) for
// n = 1024 and 4096, ours (exact δ*, built dist) vs opda 0.8.0 (100 000-trial Monte Carlo δ*),
// each case in a fresh child process so that time and peak RSS belong to that case alone.
// Writes packages/analysis/bench/results/bands.json.
//
// Usage: pnpm exec tsc -b packages/analysis && node packages/analysis/bench/bands.bench.mjs
//          [--quick] [--no-opda] [--opda-only] [--opda-max-n N] [--opda-timeout-min M]
//          [--opda-cache DIR] [--repeats R] [--confidence C]
//   --quick            opda only for ld_equal_tailed at n = 1024 (~1 min of CPU instead of ~25)
//   --no-opda          ours only
//   --opda-only        run (and cache) the opda cases only, longest-needed first; needs --opda-cache
//   --opda-max-n       largest n given to opda (default 4096, where opda needs ~5 min (ET) and
//                      ~14 min (HD) of CPU time and 3.2 GB for its 100 000 × n uniform matrix)
//   --opda-timeout-min an opda case running longer is stopped and recorded as a timed-out lower
//                      bound on its time (default 30)
//   --opda-cache DIR   reuse opda outputs stored in DIR by an earlier run (same n, method,
//                      confidence, seed, sample and opda version), else run and store them. opda's
//                      cost does not depend on our code, so its ~50 min need not be repeated when
//                      ours changes; each reused entry keeps the date and load average of the run
//                      that measured it, and is marked reused.
//   --cases M:N,…      only these cases, e.g. ld_highest_density:4096 (to fill the cache in parallel)
//   --repeats          fresh-process runs of ours per case (default 3; median time, max RSS)
// opda runs from <repo>/.bench-venv (bench/setup-opda.sh); override with OPDA_PYTHON.
// The machine may be shared: compare ratios, and CPU time (steadier than wall time under load).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const A = await import(path.resolve(here, "../dist/index.js"));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
const quick = args.includes("--quick");
const withOpda = !args.includes("--no-opda");
const opdaOnly = args.includes("--opda-only");
const opdaMaxN = opt("--opda-max-n", 4096);
const opdaTimeoutMin = opt("--opda-timeout-min", 30);
const cacheArg = args.indexOf("--opda-cache");
const opdaCache = cacheArg >= 0 ? path.resolve(args[cacheArg + 1]) : undefined;
if (opdaOnly && opdaCache === undefined) throw new Error("--opda-only needs --opda-cache DIR");
if (opdaCache !== undefined) mkdirSync(opdaCache, { recursive: true });
const repeats = opt("--repeats", 3);
const confidence = opt("--confidence", 0.95);
const NS = [1024, 4096];
const METHODS = ["ld_equal_tailed", "ld_highest_density"];
const opdaPython = process.env.OPDA_PYTHON ?? path.join(repo, ".bench-venv/bin/python");

// Deterministic sample in (0, 1) (mulberry32); the bands depend only on n, so any continuous
// sample would do — fixing it makes the runs reproducible.
function sample(n, seed) {
  let a = seed >>> 0;
  const out = [];
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out.map((u) => 0.05 + 0.9 * u);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "nadir-bands-bench-"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const maxAbs = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

const cases = [];
const loadStart = os.loadavg();
const cpuModel = os.cpus()[0]?.model;

/** CPU seconds (user + system) and current/peak RSS (MB) of a live process, from /proc. */
function procUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { cpu_seconds: ticks / 100, rss_mb: kb("VmRSS") / 1024, peak_rss_mb: kb("VmHWM") / 1024 };
  } catch {
    return { cpu_seconds: null, rss_mb: null, peak_rss_mb: null };
  }
}

/**
 * Runs opda's side in a fresh python process; past the timeout it is killed and what it had used
 * so far (CPU seconds, from /proc; clock ticks assumed 100 Hz, Linux's USER_HZ) is returned instead.
 */
function runOpda(argv, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(opdaPython, argv, {
      stdio: ["ignore", "pipe", "inherit"],
      // One thread, like ours: opda's simulation is then the only work in that process.
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    let timedOut;
    const timer = setTimeout(() => {
      timedOut = procUsage(child.pid);
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ timedOut });
      else if (code === 0) resolve({ stdout });
      else reject(new Error(`opda process exited with code ${code}`));
    });
  });
}

/**
 * One opda case: from the cache when an earlier run stored it for the same inputs, else run in a
 * fresh python process (timed out after --opda-timeout-min: then recorded as a lower bound).
 */
async function opdaCase(n, method, ys, ysPath) {
  const seed = 1000 + n;
  const sampleSha = createHash("sha256").update(JSON.stringify(ys)).digest("hex").slice(0, 16);
  const key = `${method}_n${n}_c${confidence}_seed${seed}_${sampleSha}`;
  const cacheFile = opdaCache && path.join(opdaCache, `${key}.json`);
  if (cacheFile && existsSync(cacheFile)) {
    const hit = JSON.parse(readFileSync(cacheFile, "utf8"));
    if (!hit.timed_out || hit.timeout_seconds >= opdaTimeoutMin * 60) return { ...hit, reused: true };
  }
  process.stderr.write(`opda ${method} n=${n} … `);
  const meta = {
    seed,
    sample_sha256_16: sampleSha,
    measured_at: new Date().toISOString(),
    loadavg_before: os.loadavg(),
    cpu: cpuModel,
  };
  const res = await runOpda(
    [path.join(here, "bands.bench.opda.py"), ysPath, method, String(confidence), String(seed)],
    opdaTimeoutMin * 60 * 1000,
  );
  if (res.timedOut) {
    process.stderr.write(`timed out after ${opdaTimeoutMin} min (${res.timedOut.cpu_seconds} s CPU)\n`);
    const out = {
      timed_out: true,
      timeout_seconds: opdaTimeoutMin * 60,
      cpu_seconds_at_timeout: res.timedOut.cpu_seconds,
      rss_mb_at_timeout: res.timedOut.rss_mb,
      peak_rss_mb_at_timeout: res.timedOut.peak_rss_mb,
      ...meta,
      loadavg_after: os.loadavg(),
    };
    if (cacheFile) writeFileSync(cacheFile, `${JSON.stringify(out)}\n`);
    return { ...out, reused: false };
  }
  let out = JSON.parse(res.stdout);
  process.stderr.write(`${out.seconds.toFixed(1)} s\n`);
  out = { ...out, ...meta, loadavg_after: os.loadavg() };
  if (cacheFile) writeFileSync(cacheFile, `${JSON.stringify(out)}\n`);
  return { ...out, reused: false };
}

const casesArg = args.indexOf("--cases");
const only = casesArg >= 0 ? new Set(args[casesArg + 1].split(",")) : undefined;
const grid = NS.flatMap((n) => METHODS.map((method) => ({ n, method }))).filter(
  ({ n, method }) => only === undefined || only.has(`${method}:${n}`),
);
// Longest-needed first when only filling the cache: the must-show highest-density cases.
if (opdaOnly) grid.sort((x, y) => (x.method === y.method ? 0 : x.method === "ld_highest_density" ? -1 : 1));
for (const { n, method } of grid) {
  const ys = sample(n, n);
  const ysPath = path.join(tmp, `ys_${n}.json`);
  writeFileSync(ysPath, JSON.stringify(ys));
  let ours;
  if (!opdaOnly) {
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      const out = execFileSync(
        process.execPath,
        [path.join(here, "bands.case.mjs"), ysPath, method, String(confidence)],
        { encoding: "utf8" },
      );
      runs.push(JSON.parse(out));
    }
    ours = {
      seconds_median: median(runs.map((x) => x.seconds)),
      seconds_all: runs.map((x) => x.seconds),
      cpu_seconds_median: median(runs.map((x) => x.cpu_seconds)),
      peak_rss_mb: Math.max(...runs.map((x) => x.peak_rss_mb)),
      critical_value_exact: runs[0].critical_value,
    };
    process.stderr.write(
      `ours ${method} n=${n}: ${ours.seconds_median.toFixed(3)} s, ${ours.peak_rss_mb.toFixed(0)} MB\n`,
    );
  }
  const entry = { n, method, confidence, ours };
  const runOpda = withOpda && n <= opdaMaxN && !(quick && (method !== "ld_equal_tailed" || n !== 1024));
  if (!runOpda) {
    entry.opda = {
      skipped: !withOpda
        ? "--no-opda"
        : quick
          ? "--quick: opda run only for ld_equal_tailed at n = 1024"
          : `n > --opda-max-n ${opdaMaxN} (not run, not extrapolated)`,
    };
  } else if (!existsSync(opdaPython)) {
    entry.opda = { skipped: `no opda python at ${opdaPython} (run bench/setup-opda.sh)` };
  } else {
    const out = await opdaCase(n, method, ys, ysPath);
    const { lower, upper, ...rest } = out;
    entry.opda = rest;
    if (ours && out.timed_out) {
      entry.comparison = {
        speedup_at_least: out.timeout_seconds / ours.seconds_median,
        note: "opda did not finish within the timeout; its time is a lower bound",
      };
    } else if (ours) {
      // Same band construction with opda's own MC δ*: shows both sides compute the same band.
      const same = A.bandCumulativeWeights(n, confidence, method, out.critical_value_mc);
      const exact = A.bandCumulativeWeights(n, confidence, method);
      entry.comparison = {
        speedup: out.seconds / ours.seconds_median,
        cpu_speedup: out.cpu_seconds !== undefined ? out.cpu_seconds / ours.cpu_seconds_median : null,
        memory_ratio: out.peak_rss_mb / ours.peak_rss_mb,
        delta_mc_minus_exact: out.critical_value_mc - ours.critical_value_exact,
        one_minus_delta_relative_error_of_mc:
          (1 - out.critical_value_mc) / (1 - ours.critical_value_exact) - 1,
        band_max_abs_diff_with_opda_delta: Math.max(
          maxAbs([...same.lower], lower),
          maxAbs([...same.upper], upper),
        ),
        band_max_abs_diff_with_exact_delta: Math.max(
          maxAbs([...exact.lower], lower),
          maxAbs([...exact.upper], upper),
        ),
      };
    }
  }
  cases.push(entry);
}
if (opdaOnly) {
  console.log(`opda cases stored in ${opdaCache}`);
  process.exit(0);
}

const result = {
  benchmark:
    "LD confidence bands (confidenceBands with method ld_equal_tailed / ld_highest_density), a=0, b=1",
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: cpuModel,
    loadavg_start: loadStart,
    loadavg_end: os.loadavg(),
    node: process.version,
  },
  settings: {
    confidence,
    repeats,
    quick,
    with_opda: withOpda,
    opda_max_n: opdaMaxN,
    opda_timeout_min: opdaTimeoutMin,
    opda_cache: opdaCache !== undefined,
    opda_n_jobs: 1,
  },
  notes: [
    "ours: one confidenceBands call per fresh node process (cold JIT, empty δ* cache); exact δ* by binomial propagation + root finding",
    "opda: one EmpiricalDistribution.confidence_bands call per fresh python process, n_jobs=1, 100000-trial Monte Carlo δ*",
    "peak_rss_mb: getrusage max RSS of the whole process (interpreter included)",
    "the machine is shared with other jobs; compare within this file (ratios); cpu_seconds (user + system) is steadier than wall time under load",
    "opda entries with reused: true were measured by an earlier run (--opda-cache) whose date and load averages they carry; ours is measured in this run",
  ],
  cases,
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results/bands.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  cases
    .map(
      (c) =>
        `${c.method.padEnd(19)} n=${String(c.n).padEnd(5)} ours ${c.ours.seconds_median.toFixed(3)} s ${c.ours.peak_rss_mb.toFixed(0)} MB` +
        (c.opda.seconds !== undefined
          ? ` | opda ${c.opda.seconds.toFixed(1)} s ${c.opda.peak_rss_mb.toFixed(0)} MB | ${c.comparison.speedup.toFixed(0)}x faster`
          : c.opda.timed_out
            ? ` | opda > ${c.opda.timeout_seconds} s (timed out) | > ${c.comparison.speedup_at_least.toFixed(0)}x faster`
            : " | opda skipped"),
    )
    .join("\n"),
);

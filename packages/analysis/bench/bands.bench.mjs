#!/usr/bin/env node
// Benchmark: Learned-Miller–DeStefano CDF bands (ld_equal_tailed, ld_highest_density) for
// n = 1024 and 4096, ours (exact δ*, built dist) vs opda 0.8.0 (100 000-trial Monte Carlo δ*),
// each case in a fresh child process so that time and peak RSS belong to that case alone.
// Writes packages/analysis/bench/results/bands.json.
//
// Usage: pnpm exec tsc -b packages/analysis && node packages/analysis/bench/bands.bench.mjs
//          [--quick] [--no-opda] [--opda-max-n N] [--repeats R] [--confidence C]
//   --quick        opda only for ld_equal_tailed at n = 1024 (~1 min instead of ~5)
//   --no-opda      ours only
//   --opda-max-n   largest n given to opda (default 1024: opda's cost is linear in n — n = 4096
//                  would need ~4 min (ET) and ~15 min (HD) and ~3.5 GB just for its 100 000 × n
//                  uniform matrix — so it is skipped and marked as such, not extrapolated)
//   --repeats      fresh-process runs of ours per case (default 3; median time, max RSS)
// opda runs from <repo>/.bench-venv (bench/setup-opda.sh); override with OPDA_PYTHON.
// The machine may be shared: compare within one run (ratios), not across runs.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
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
const opdaMaxN = opt("--opda-max-n", 1024);
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
for (const n of NS) {
  const ys = sample(n, n);
  const ysPath = path.join(tmp, `ys_${n}.json`);
  writeFileSync(ysPath, JSON.stringify(ys));
  for (const method of METHODS) {
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      const out = execFileSync(
        process.execPath,
        [path.join(here, "bands.case.mjs"), ysPath, method, String(confidence)],
        {
          encoding: "utf8",
        },
      );
      runs.push(JSON.parse(out));
    }
    const ours = {
      seconds_median: median(runs.map((x) => x.seconds)),
      seconds_all: runs.map((x) => x.seconds),
      peak_rss_mb: Math.max(...runs.map((x) => x.peak_rss_mb)),
      critical_value_exact: runs[0].critical_value,
    };
    const entry = { n, method, confidence, ours };
    const runOpda = withOpda && n <= opdaMaxN && !(quick && method !== "ld_equal_tailed");
    if (!runOpda) {
      entry.opda = {
        skipped: !withOpda
          ? "--no-opda"
          : quick
            ? "--quick: opda run only for ld_equal_tailed at n = 1024"
            : `n > --opda-max-n ${opdaMaxN} (opda's Monte Carlo is O(100000·n) time and memory; not run, not extrapolated)`,
      };
    } else if (!existsSync(opdaPython)) {
      entry.opda = { skipped: `no opda python at ${opdaPython} (run bench/setup-opda.sh)` };
    } else {
      process.stderr.write(`opda ${method} n=${n} … `);
      const seed = 1000 + n;
      const out = JSON.parse(
        execFileSync(
          opdaPython,
          [path.join(here, "bands.bench.opda.py"), ysPath, method, String(confidence), String(seed)],
          {
            encoding: "utf8",
            maxBuffer: 64 << 20,
            timeout: 30 * 60 * 1000,
          },
        ),
      );
      process.stderr.write(`${out.seconds.toFixed(1)} s\n`);
      // Same band construction with opda's own MC δ*: shows both sides compute the same band.
      const same = A.bandCumulativeWeights(n, confidence, method, out.critical_value_mc);
      const exact = A.bandCumulativeWeights(n, confidence, method);
      entry.opda = {
        seconds: out.seconds,
        peak_rss_mb: out.peak_rss_mb,
        critical_value_mc: out.critical_value_mc,
        seed,
        versions: out.versions,
        python: out.python,
      };
      entry.comparison = {
        speedup: out.seconds / ours.seconds_median,
        memory_ratio: out.peak_rss_mb / ours.peak_rss_mb,
        delta_mc_minus_exact: out.critical_value_mc - ours.critical_value_exact,
        one_minus_delta_relative_error_of_mc:
          (1 - out.critical_value_mc) / (1 - ours.critical_value_exact) - 1,
        band_max_abs_diff_with_opda_delta: Math.max(
          maxAbs([...same.lower], out.lower),
          maxAbs([...same.upper], out.upper),
        ),
        band_max_abs_diff_with_exact_delta: Math.max(
          maxAbs([...exact.lower], out.lower),
          maxAbs([...exact.upper], out.upper),
        ),
      };
    }
    process.stderr.write(
      `ours ${method} n=${n}: ${ours.seconds_median.toFixed(3)} s, ${ours.peak_rss_mb.toFixed(0)} MB\n`,
    );
    cases.push(entry);
  }
}

const result = {
  benchmark:
    "LD confidence bands (confidenceBands with method ld_equal_tailed / ld_highest_density), a=0, b=1",
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    loadavg_start: loadStart,
    loadavg_end: os.loadavg(),
    node: process.version,
  },
  settings: { confidence, repeats, quick, with_opda: withOpda, opda_max_n: opdaMaxN, opda_n_jobs: 1 },
  notes: [
    "ours: one confidenceBands call per fresh node process (cold JIT, empty δ* cache); exact δ* by binomial propagation + root finding",
    "opda: one EmpiricalDistribution.confidence_bands call per fresh python process, n_jobs=1, 100000-trial Monte Carlo δ*",
    "peak_rss_mb: getrusage max RSS of the whole process (interpreter included)",
    "the machine is shared with other jobs; compare within this file (ratios)",
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
          : ` | opda skipped`),
    )
    .join("\n"),
);

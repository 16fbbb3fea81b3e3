#!/usr/bin/env node
// Benchmark: noisy-quadratic fit on 1,024 scores and the consonance interval for the best
// reachable score, ours (built dist) vs opda on the same inputs, in one run so ratios compare
// like with like on a shared machine. Writes packages/analysis/bench/results/fit.json.
//
// Usage: pnpm exec tsc -b packages/analysis && node packages/analysis/bench/fit.bench.mjs [--no-opda] [--repeats N]
// opda: the venv at <repo>/.bench-venv (see setup-opda.sh or `python3 -m venv .bench-venv &&
// .bench-venv/bin/pip install opda`); override with OPDA_PYTHON.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const shared = path.resolve(repo, "../shared");
const A = await import(path.resolve(here, "../dist/index.js"));

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf("--repeats") + 1] ?? 5) || 5;
const withOpda = !args.includes("--no-opda");

const scoresPath = path.join(shared, "data/opda/derived_scores.json");
const KEY = "deberta-v3-base_error_rate";
const THRESHOLD = 0.11;
const CONFIDENCE = 0.8;
const ys = JSON.parse(readFileSync(scoresPath, "utf8")).scores[KEY];
const n = ys.length;
const fitOptions = {
  limits: [Number.NEGATIVE_INFINITY, THRESHOLD],
  constraints: { a: [0, 1], c: [1, 5], convex: true },
  seed: 0,
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Wall time and CPU time (user + system) per run: on a shared machine CPU time is the steadier
// measure, so the ratios are reported for both.
function time(fn, runs) {
  fn(); // warm-up (JIT)
  const secs = [];
  const cpu = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    out = fn();
    const dc = process.cpuUsage(c);
    secs.push((performance.now() - t) / 1000);
    cpu.push((dc.user + dc.system) / 1e6);
  }
  return { out, secs, cpu };
}

// --- ours: fit ---
const fit = time(() => A.fitNoisyQuadratic(ys, fitOptions), repeats);
const f = fit.out;
// --- ours: consonance interval (DKW band, same as the opda-side grid; LD-HD if available) ---
const dkw = A.bandCumulativeWeights(n, CONFIDENCE, "dkw");
const cons = time(
  () =>
    A.consonanceSet(
      { ys, lower: [...dkw.lower], upper: [...dkw.upper] },
      { threshold: THRESHOLD, minimize: true, scoreBound: 0, cs: [1, 2, 3, 4, 5] },
    ),
  repeats,
);
let ld = null;
try {
  const t = performance.now();
  const band = A.bandCumulativeWeights(n, CONFIDENCE, "ld_highest_density");
  const bandSeconds = (performance.now() - t) / 1000;
  const c2 = time(
    () =>
      A.consonanceSet(
        { ys, lower: [...band.lower], upper: [...band.upper] },
        { threshold: THRESHOLD, minimize: true, scoreBound: 0, cs: [1, 2, 3, 4, 5] },
      ),
    repeats,
  );
  ld = {
    band_seconds: bandSeconds,
    seconds_median: median(c2.secs),
    best_score_interval: [c2.out.bestScore.lower, c2.out.bestScore.upper],
    accepted_c: c2.out.acceptedC,
  };
} catch (e) {
  ld = { unavailable: String(e.message ?? e) };
}
const oursPeakMb = process.resourceUsage().maxRSS / 1024;

// --- opda ---
let opda = null;
const py = process.env.OPDA_PYTHON ?? path.join(repo, ".bench-venv/bin/python");
if (withOpda && existsSync(py)) {
  const out = execFileSync(
    py,
    [path.join(here, "fit.bench.opda.py"), scoresPath, KEY, String(THRESHOLD), String(CONFIDENCE), "2"],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  opda = JSON.parse(out);
}

// Objective of opda's fit under our (accurate) objective, for an apples-to-apples comparison.
let opdaObjectiveUnderOurs = null;
if (opda) {
  const p = opda.fits[0];
  const d = new A.NoisyQuadraticDistribution(p.a, p.b, p.c, p.o, p.convex);
  const data = A.spacingData(ys, fitOptions.limits, [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
  opdaObjectiveUnderOurs = A.spacingObjective(data, (y) => d.cdf(y), true);
}

const oursFitMedian = median(fit.secs);
const oursConsMedian = median(cons.secs);
const result = {
  generated: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    note: "shared 2-core machine; compare ratios within this run",
  },
  input: {
    scores: `shared/data/opda/derived_scores.json -> ${KEY}`,
    n,
    threshold: THRESHOLD,
    fit_constraints: { a: [0, 1], c: [1, 5], convex: true },
    band: `dkw ${CONFIDENCE}`,
  },
  ours: {
    fit: {
      seconds_median: oursFitMedian,
      seconds_min: Math.min(...fit.secs),
      cpu_seconds_median: median(fit.cpu),
      runs: fit.secs,
      a: f.a,
      b: f.b,
      c: f.c,
      o: f.o,
      objective: f.objective,
      evaluations: f.nEvaluations,
    },
    consonance: {
      seconds_median: oursConsMedian,
      cpu_seconds_median: median(cons.cpu),
      runs: cons.secs,
      best_score_interval: [cons.out.bestScore.lower, cons.out.bestScore.upper],
      accepted_c: cons.out.acceptedC,
      noise: cons.out.noise,
      regime: cons.out.regime,
      method: "exact 2-D LP per (c, s), 34-point s grid + golden refinement",
    },
    consonance_ld_highest_density: ld,
    peak_rss_mb: oursPeakMb,
  },
  opda: opda
    ? {
        fit: {
          seconds: opda.fits.map((x) => x.seconds),
          seconds_median: median(opda.fits.map((x) => x.seconds)),
          cpu_seconds_median: median(opda.fits.map((x) => x.cpu_seconds)),
          params: opda.fits[0],
          objective_under_our_cdf: opdaObjectiveUnderOurs,
          objective_reported_in_fits_json: 0.08321446409339711,
        },
        consonance_grid: opda.consonance_grid,
        peak_rss_mb: opda.peak_rss_mb,
      }
    : null,
  ratios: opda
    ? {
        fit_speedup_wall: median(opda.fits.map((x) => x.seconds)) / oursFitMedian,
        fit_speedup_cpu: median(opda.fits.map((x) => x.cpu_seconds)) / median(fit.cpu),
        consonance_speedup_vs_reduced_grid_wall: opda.consonance_grid.seconds / oursConsMedian,
        consonance_speedup_vs_reduced_grid_cpu: opda.consonance_grid.cpu_seconds / median(cons.cpu),
      }
    : null,
  bars: { fit_speedup_at_least: 10, peak_rss_mb_below: 300 },
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results/fit.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  JSON.stringify(
    {
      ours_fit_s: oursFitMedian,
      ours_fit_cpu_s: median(fit.cpu),
      ours_consonance_s: oursConsMedian,
      opda_fit_s: result.opda?.fit.seconds_median,
      opda_fit_cpu_s: result.opda?.fit.cpu_seconds_median,
      ratios: result.ratios,
      ours_peak_mb: oursPeakMb,
      opda_peak_mb: result.opda?.peak_rss_mb,
    },
    null,
    1,
  ),
);

#!/usr/bin/env node
// Coverage simulation (a benchmark, not a CI test): how often does the 80 % best-score interval
// (consonance set of the LD highest-density band, Lourie, He & Cho 2025) cover the true best
// reachable score, and how wide is it, at n = 48, 200 and 1000 random-search trials, with the
// effective dimension c bounded by the search space's dimension and unbounded (c ≤ 10)?
//
// Problems (true optimum in brackets):
// - sphere3: random search on f(x) = x₁² + x₂² + x₃², x ~ U[−1, 1]³, minimize, score bound 0,
//   noiseless [0; the tail is exactly quadratic with c = 3 below 1, the largest ball in the cube].
// - sphere4-noisy: f(x) = Σ_{i≤4} w_i x_i² (w = 1, 2, 3, 4) + N(0, 0.02²), minimize, no score
//   bounds [the noise-free optimum 0; c = 4].
// - hpobench/<dataset>: the complete HPOBench MLP grid (5 hyperparameters, 30 000 configurations ×
//   5 seeds, validation balanced accuracy, maximize, bounds [0, 1]); a random-search trial draws a
//   configuration uniformly and one of its 5 seeds uniformly (the seed is the evaluation noise).
//   [the grid maximum of the seed-mean: the best configuration's noise-free score, which is what
//   the noisy-quadratic b estimates]. c bounded by 5.
// Threshold θ: the asymptotic regime is the best quarter of each sample (θ = its 25 % / 75 %
// quantile) — a fixed rule standing in for the paper's visual choice.
// An interval covers when lower ≤ optimum ≤ upper (after intersecting with the score bounds, as
// analyzeScores does); a replicate with no accepted c counts as not covering.
//
// Not named *.bench.mjs, so `pnpm bench` leaves it out (it runs for minutes to hours by --reps).
// Usage: pnpm -s build && node packages/analysis/bench/coverage-simulation.mjs [--reps R] [--ns 48,200,1000]
//          [--problems a,b] — default R = 20 (quick: ±9 % binomial s.e. at 80 %).
// Writes results/coverage.json.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const A = await import(path.resolve(here, "../dist/index.js"));
const args = process.argv.slice(2);
const arg = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const reps = Number(arg("--reps", "20"));
const ns = arg("--ns", "48,200,1000").split(",").map(Number);
const CONF = 0.8;
const tabular = path.resolve(repo, "../shared/data/tabular/hpobench");

function normal(rng) {
  // Box–Muller from the package's generator.
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function hpobench(name) {
  const text = gunzipSync(readFileSync(path.join(tabular, `${name}.csv.gz`))).toString("utf8");
  const rows = text.trim().split("\n").slice(1);
  const vals = new Float64Array(rows.length * 5);
  let best = Number.NEGATIVE_INFINITY;
  rows.forEach((line, r) => {
    const cells = line.split(",").slice(5).map(Number);
    let s = 0;
    for (let k = 0; k < 5; k++) {
      vals[5 * r + k] = cells[k];
      s += cells[k];
    }
    best = Math.max(best, s / 5);
  });
  return {
    id: `hpobench/${name}`,
    minimize: false,
    lower: 0,
    upper: 1,
    dim: 5,
    optimum: best,
    draw: (rng) => vals[5 * Math.floor(rng.next() * rows.length) + Math.floor(rng.next() * 5)],
  };
}

const PROBLEMS = [
  {
    id: "sphere3",
    minimize: true,
    lower: 0,
    upper: Number.POSITIVE_INFINITY,
    dim: 3,
    optimum: 0,
    draw: (rng) => {
      let s = 0;
      for (let i = 0; i < 3; i++) s += (2 * rng.next() - 1) ** 2;
      return s;
    },
  },
  {
    id: "sphere4-noisy",
    minimize: true,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    dim: 4,
    optimum: 0,
    draw: (rng) => {
      let s = 0;
      for (let i = 0; i < 4; i++) s += (i + 1) * (2 * rng.next() - 1) ** 2;
      return s + 0.02 * normal(rng);
    },
  },
  ...["phoneme", "kc1", "credit_g"].map(hpobench),
];
const only = arg("--problems", null)?.split(",");

const bands = new Map();
const band = (n) => {
  if (!bands.has(n)) bands.set(n, A.bandCumulativeWeights(n, CONF, "ld_highest_density"));
  return bands.get(n);
};

const rows = [];
const t0 = performance.now();
for (const p of PROBLEMS) {
  if (only && !only.includes(p.id)) continue;
  for (const n of ns)
    for (const bounded of [true, false]) {
      const maxC = bounded ? p.dim : 10;
      let covered = 0;
      let none = 0;
      let edge = 0;
      const widths = [];
      for (let r = 0; r < reps; r++) {
        // Same draws for the bounded and unbounded runs (seed depends on problem, n, replicate).
        const rng = A.createRng(1_000_003 * r + n);
        const ys = Array.from({ length: n }, () => p.draw(rng));
        const sorted = [...ys].sort((a, b) => a - b);
        const q = Math.ceil(n / 4);
        const theta = p.minimize ? sorted[q - 1] : sorted[n - q];
        const b = band(n);
        let set;
        try {
          set = A.consonanceSet(
            { ys, lower: [...b.lower], upper: [...b.upper] },
            {
              threshold: theta,
              minimize: p.minimize,
              cs: Array.from({ length: maxC }, (_, i) => i + 1),
              scoreBound: p.minimize
                ? Number.isFinite(p.lower)
                  ? p.lower
                  : undefined
                : Number.isFinite(p.upper)
                  ? p.upper
                  : undefined,
            },
          );
        } catch {
          none++;
          continue;
        }
        if (set.acceptedC.length === 0) {
          none++;
          continue;
        }
        if (set.touchesEdge) edge++;
        const clip = (v) => Math.min(p.upper, Math.max(p.lower, v));
        const lo = clip(set.bestScore.lower);
        const hi = clip(set.bestScore.upper);
        if (lo <= p.optimum && p.optimum <= hi) covered++;
        widths.push(hi - lo);
      }
      widths.sort((a, b) => a - b);
      const row = {
        problem: p.id,
        n,
        c_bound: bounded ? `≤ ${p.dim} (space)` : "≤ 10",
        reps,
        coverage: covered / reps,
        no_accepted_c: none,
        touches_edge: edge,
        median_width: widths.length ? widths[Math.floor(widths.length / 2)] : null,
        optimum: p.optimum,
      };
      rows.push(row);
      process.stderr.write(
        `${p.id} n=${n} c${row.c_bound}: coverage ${(100 * row.coverage).toFixed(0)}% width ${row.median_width?.toPrecision(3)} (none ${none}, edge ${edge}) [${((performance.now() - t0) / 1000).toFixed(0)} s]\n`,
      );
    }
}
writeFileSync(
  path.join(here, "results/coverage.json"),
  `${JSON.stringify(
    {
      description:
        "Coverage of the 80 % best-score interval (LD highest-density band, consonance set) over random-search replicates; see the header of coverage-simulation.mjs for the problems, the threshold rule and the true optima.",
      date: new Date().toISOString(),
      load_avg: os.loadavg(),
      seconds: (performance.now() - t0) / 1000,
      rows,
    },
    null,
    1,
  )}\n`,
);

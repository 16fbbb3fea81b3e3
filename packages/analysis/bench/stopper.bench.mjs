#!/usr/bin/env node
// Simulation: the asymptotic-law stopper (decideStopping over continuationGainBound) against fixed
// budgets, on complete grids where the true optimum is known.
//
// Workloads: the 8 HPOBench MLP grids (30,000 configurations × 5 seeds each; a trial draws a
// configuration and a seed uniformly, its score is that seed's validation balanced accuracy, maximize;
// the true optimum is the best seed-mean over the grid, and a search's regret is optimum − seed-mean of
// the configuration it picked), and two synthetic noisy-quadratic landscapes of known optimum
// (minimize; y = r·U^{2/c} + N(0, o²): the score is observed with noise, the regret is the noise-free
// value r·U^{2/c} of the picked trial).
//
// For each workload, R random searches of up to CAP trials. The stopper refits after 16 trials and then
// every 16 (threshold θ = the median score so far, like `nadir run`; confidence 0.8; c bounded by the
// searched hyperparameters, like the coordinator's study stopper; the promise is about the next K = 64
// trials) and stops at the first check whose decision is "stop" for gain threshold g.
// The gain bound does not depend on g, so one sequence of fits serves every g. Reported per workload
// and in aggregate: trials used, final regret, how often the promise held (the realised gain of the next
// K trials was at most g — nominal 80 %), the realised gain of continuing to BIG trials, and the fixed
// budget (16 … 256) with the same median regret.
//
// Usage: pnpm exec tsc -b packages/analysis && node packages/analysis/bench/stopper.bench.mjs
//          [--reps R] [--cap CAP] [--workloads a,b,…]
// Writes packages/analysis/bench/results/stopper.json. Runtime: about 1,500 fits per 10 repetitions
// (each fit ~0.2–1 s on an idle core).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const A = await import(path.resolve(here, "../dist/index.js"));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const REPS = Number(opt("--reps", "10"));
const CAP = Number(opt("--cap", "256"));
const EVERY = 16;
const K = 64;
const BIG = 1024;
const CONFIDENCE = 0.8;
const GAINS = [0.001, 0.003, 0.01, 0.03];
const BUDGETS = [16, 32, 64, 128, 256].filter((b) => b <= CAP);
const only = opt("--workloads", "");

/** mulberry32, seeded: the simulation is reproducible. */
function rng(seed) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(u) {
  const a = u();
  const b = u();
  return Math.sqrt(-2 * Math.log(a || 1e-300)) * Math.cos(2 * Math.PI * b);
}

/** HPOBench grid → a workload: draw() returns {score, truth}; optimum = best seed-mean. */
function hpobench(name) {
  const text = gunzipSync(
    readFileSync(path.join(repo, "../shared/data/tabular/hpobench", `${name}.csv.gz`)),
  ).toString();
  const lines = text.trim().split("\n").slice(1);
  const seeds = lines.map((l) => l.split(",").slice(5).map(Number));
  const means = seeds.map((s) => s.reduce((x, y) => x + y, 0) / s.length);
  const optimum = Math.max(...means);
  return {
    name: `hpobench/${name}`,
    direction: "maximize",
    // alpha, batch_size, depth, learning_rate_init, width: the searched hyperparameters bound c.
    dims: 5,
    lower: 0,
    upper: 1,
    optimum,
    draw(u) {
      const i = Math.floor(u() * seeds.length);
      const s = seeds[i];
      return { score: s[Math.floor(u() * s.length)], truth: means[i] };
    },
  };
}

/** Noisy quadratic of known optimum 0 (minimize): truth r·U^{2/c}, score truth + N(0, o²). */
function synthetic(c, o) {
  return {
    name: `synthetic/c=${c},o=${o}`,
    direction: "minimize",
    dims: c,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    optimum: 0,
    draw(u) {
      const truth = u() ** (2 / c);
      return { score: truth + o * normal(u), truth };
    },
  };
}

const better = (w, x, y) => (w.direction === "maximize" ? x > y : x < y);
/** Index of the best observed score among the first n. */
function bestIndex(w, scores, n) {
  let b = 0;
  for (let i = 1; i < n; i++) if (better(w, scores[i], scores[b])) b = i;
  return b;
}
const regretOf = (w, truth) => Math.abs(w.optimum - truth);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The stopper's gain bound and decision evidence after the first n scores. */
function evidenceAt(w, scores, n) {
  const ys = scores.slice(0, n);
  const sorted = [...ys].sort((a, b) => a - b);
  const theta = sorted[Math.floor((n - 1) / 2)];
  const r = A.analyzeScores(ys, {
    direction: w.direction,
    confidence: CONFIDENCE,
    lower: w.lower,
    upper: w.upper,
    threshold: theta,
    maxK: 1,
    extrapolationKs: [],
    // As the coordinator's stopper does: c is bounded by the study's searched hyperparameters.
    maxC: w.dims,
    continuationTrials: K,
  });
  return A.stoppingEvidence(r);
}

function simulate(w, rep) {
  const u = rng(1_000_003 * (rep + 1) + w.name.length * 7919);
  const draws = Array.from({ length: CAP + BIG }, () => w.draw(u));
  const scores = draws.map((d) => d.score);
  const checks = [];
  for (let n = EVERY; n <= CAP; n += EVERY) checks.push({ n, e: evidenceAt(w, scores, n) });
  const out = { fixed: {}, stopper: {} };
  for (const b of BUDGETS) out.fixed[b] = regretOf(w, draws[bestIndex(w, scores, b)].truth);
  for (const g of GAINS) {
    const rule = { gain: g, inTrials: K };
    const hit = checks.find((c) => A.decideStopping(c.e, rule).stop);
    const n = hit ? hit.n : CAP;
    const bi = bestIndex(w, scores, n);
    const best = scores[bi];
    const nextK = scores[bestIndex(w, scores, n + K)];
    const toBig = scores[bestIndex(w, scores, n + BIG)];
    out.stopper[g] = {
      stopped: Boolean(hit),
      n,
      regret: regretOf(w, draws[bi].truth),
      bound: hit ? hit.e.continuation.gain : null,
      realisedNextK: Math.abs(nextK - best),
      realisedToBig: Math.abs(toBig - best),
      reason: hit ? "stop" : A.decideStopping(checks[checks.length - 1].e, rule).reason,
    };
  }
  return out;
}

const names = ["australian", "blood_transfusion", "car", "credit_g", "kc1", "phoneme", "segment", "vehicle"];
const workloads = [...names.map(hpobench), synthetic(2, 0.005), synthetic(5, 0.01)].filter(
  (w) => !only || only.split(",").some((o) => w.name.includes(o)),
);

const t0 = Date.now();
const load0 = os.loadavg();
const rows = [];
for (const w of workloads) {
  const runs = [];
  for (let rep = 0; rep < REPS; rep++) runs.push(simulate(w, rep));
  const row = { workload: w.name, optimum: w.optimum, fixed: {}, stopper: {} };
  for (const b of BUDGETS) row.fixed[b] = { medianRegret: median(runs.map((r) => r.fixed[b])) };
  for (const g of GAINS) {
    const s = runs.map((r) => r.stopper[g]);
    const stopped = s.filter((x) => x.stopped);
    const medRegret = median(s.map((x) => x.regret));
    const equal = BUDGETS.find((b) => row.fixed[b].medianRegret <= medRegret + 1e-12);
    row.stopper[g] = {
      stoppedShare: stopped.length / s.length,
      medianTrials: median(s.map((x) => x.n)),
      medianRegret: medRegret,
      promiseHeld: stopped.length
        ? stopped.filter((x) => x.realisedNextK <= g).length / stopped.length
        : null,
      stops: stopped.length,
      medianRealisedToBig: stopped.length ? median(stopped.map((x) => x.realisedToBig)) : null,
      fixedBudgetAtEqualRegret: equal ?? null,
      // Trials a fixed budget needs for the same median regret, less what the stopper used (< 0: it cost).
      budgetSaved: equal === undefined ? null : equal - median(s.map((x) => x.n)),
    };
  }
  rows.push(row);
  process.stderr.write(`${w.name}: ${JSON.stringify(row.stopper)}\n`);
}
const aggregate = {};
for (const g of GAINS) {
  const all = rows.map((r) => r.stopper[g]);
  const stops = all.reduce((s, x) => s + x.stops, 0);
  const held = all.reduce((s, x) => s + (x.promiseHeld ?? 0) * x.stops, 0);
  aggregate[g] = {
    stops,
    searches: REPS * rows.length,
    promiseHeld: stops ? held / stops : null,
    nominal: CONFIDENCE,
    medianTrials: median(all.map((x) => x.medianTrials)),
  };
}
const result = {
  benchmark: "stopper",
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    loadavgStart: load0,
    loadavgEnd: os.loadavg(),
  },
  settings: {
    reps: REPS,
    cap: CAP,
    every: EVERY,
    inTrials: K,
    big: BIG,
    confidence: CONFIDENCE,
    gains: GAINS,
    budgets: BUDGETS,
    threshold: "median of the scores so far",
    maxC: "the searched hyperparameters (HPOBench: 5; synthetic: c)",
  },
  seconds: (Date.now() - t0) / 1000,
  workloads: rows,
  aggregate,
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results/stopper.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(
  `aggregate: ${JSON.stringify(aggregate)}\nwrote results/stopper.json in ${result.seconds} s\n`,
);

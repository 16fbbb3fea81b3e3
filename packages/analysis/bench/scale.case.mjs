#!/usr/bin/env node
// One timed call in a fresh process, for scale.bench.mjs.
// Usage: node scale.case.mjs bands <n> <method> <confidence>
//        node scale.case.mjs analyze <n> <method> <confidence> [<regime count>]
// The sample is generated in-process (not timed): noisy-quadratic error rates,
// NoisyQuadraticDistribution(a = 0.05, b = 0.6, c = 3, o = 0.002, convex).sample(n, seed 7), which
// have a known tail; for `analyze` the threshold is the <regime count>-th smallest score (default
// none: nonparametric part only). Prints JSON: wall and CPU seconds of the call, peak RSS of the
// process (MB), critical value and its source, tuning-curve length, best-score interval.
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const A = await import(path.resolve(here, "../dist/index.js"));
const [what, nArg, method, conf, regimeArg] = process.argv.slice(2);
const n = Number(nArg);
const ys = Array.from(new A.NoisyQuadraticDistribution(0.05, 0.6, 3, 0.002, true).sample(n, A.createRng(7)));
let threshold;
if (regimeArg !== undefined) threshold = Float64Array.from(ys).sort()[Number(regimeArg) - 1];
const t = performance.now();
const c = process.cpuUsage();
let extra;
if (what === "bands") {
  const b = A.confidenceBands(ys, Number(conf), { a: 0, b: 1, method });
  extra = { critical_value: b.criticalValue, critical_value_source: b.criticalValueSource.kind };
} else {
  const r = A.analyzeScores(ys, {
    direction: "minimize",
    lower: 0,
    upper: 1,
    bands: method,
    confidence: Number(conf),
    threshold,
  });
  extra = {
    critical_value: r.critical_value,
    critical_value_source: r.critical_value_source.kind,
    tuning_curve_points: r.tuning_curve.length,
    max_k: r.tuning_curve.at(-1).k,
    threshold: threshold ?? null,
    best_score_interval: r.best_score_interval,
    accepted_c: r.effective_dimension.accepted,
    warnings: r.warnings,
  };
}
const seconds = (performance.now() - t) / 1000;
const cu = process.cpuUsage(c);
console.log(
  JSON.stringify({
    seconds,
    cpu_seconds: (cu.user + cu.system) / 1e6,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    ...extra,
  }),
);

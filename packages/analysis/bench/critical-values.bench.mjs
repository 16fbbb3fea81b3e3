#!/usr/bin/env node
// Accuracy and cost of the critical values beyond the exact crossovers:
// - KS: the Pelz–Good ε (used for n > KS_EXACT_MAX_N = 4096) against the exact finite-n quantile,
//   at n = 1000, 4096 and 10 000 and confidence 0.5, 0.8, 0.95, 0.99.
// - LD: the extrapolated δ* (used for n > LD_EXACT_MAX_N = 8192) against the exact δ* at
//   n = 16 384 (0.5, 0.8, 0.95), 32 768 and 65 536 (0.8), both families. The exact values take
//   minutes each (O(n^1.5) per evaluation), so they are read from results/ld-exact-large-n.json;
//   --compute-exact recomputes them (~15 min of CPU).
// Writes results/critical-values.json.
//
// Usage: pnpm -s build && node packages/analysis/bench/critical-values.bench.mjs [--compute-exact] [--no-ks-10000]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const A = await import(path.resolve(here, "../dist/index.js"));
const args = process.argv.slice(2);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const ks = [];
for (const n of args.includes("--no-ks-10000") ? [1000, 4096] : [1000, 4096, 10_000])
  for (const c of [0.5, 0.8, 0.95, 0.99]) {
    let t = cpu();
    const exact = A.kolmogorovSmirnovPpf(n, c);
    const exactCpu = cpu() - t;
    t = cpu();
    const pg = A.kolmogorovSmirnovPpfPelzGood(n, c);
    const pgCpu = cpu() - t;
    ks.push({
      n,
      confidence: c,
      exact,
      pelz_good: pg,
      relative_error: (pg - exact) / exact,
      coverage_at_pelz_good: A.kolmogorovSmirnovCdf(n, pg),
      exact_cpu_seconds: exactCpu,
      pelz_good_cpu_seconds: pgCpu,
    });
    process.stderr.write(`ks n=${n} c=${c}: rel err ${((pg - exact) / exact).toExponential(2)}\n`);
  }

const refPath = path.join(here, "results/ld-exact-large-n.json");
const TARGETS = [...[0.5, 0.8, 0.95].map((c) => [16_384, c]), [32_768, 0.8], [65_536, 0.8]];
let ref = existsSync(refPath) ? JSON.parse(readFileSync(refPath, "utf8")).rows : [];
if (args.includes("--compute-exact")) {
  ref = [];
  for (const kind of ["equal_tailed", "highest_density"])
    for (const [n, c] of TARGETS) {
      const t = cpu();
      ref.push({ kind, n, confidence: c, delta: A.ldCriticalValue(n, c, kind), cpu_seconds: cpu() - t });
    }
}
const ld = [];
for (const kind of ["equal_tailed", "highest_density"])
  for (const [n, c] of TARGETS) {
    const r = ref.find((x) => x.kind === kind && x.n === n && x.confidence === c);
    if (!r) continue;
    const t = cpu();
    const ex = A.ldCriticalValueExtrapolated(n, c, kind);
    ld.push({
      kind,
      n,
      confidence: c,
      exact: r.delta,
      extrapolated: ex,
      delta_error: ex - r.delta,
      relative_error_of_1_minus_delta: (1 - ex) / (1 - r.delta) - 1,
      extrapolation_cpu_seconds: cpu() - t,
      exact_seconds: r.seconds ?? r.cpu_seconds,
    });
    process.stderr.write(
      `ld ${kind} n=${n} c=${c}: rel err of 1-δ* ${((1 - ex) / (1 - r.delta) - 1).toExponential(2)}\n`,
    );
  }

writeFileSync(
  path.join(here, "results/critical-values.json"),
  `${JSON.stringify(
    {
      description:
        "Critical values beyond the exact crossovers (KS_EXACT_MAX_N = 4096, LD_EXACT_MAX_N = 8192): Pelz–Good KS ε and extrapolated LD δ* against exact values. cpu_seconds are of this process (the first extrapolated call per (confidence, kind) includes its three exact anchors at n = 2048, 4096, 8192).",
      date: new Date().toISOString(),
      load_avg: os.loadavg(),
      ks,
      ld,
    },
    null,
    1,
  )}\n`,
);

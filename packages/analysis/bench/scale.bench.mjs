#!/usr/bin/env node
// Benchmark: analysis at 10⁴, 10⁵ and 10⁶ scores — confidence bands (ld_highest_density,
// ld_equal_tailed, ks), the whole analyzeScores (bands, tuning curves at every k ≤ 1024 and the
// log grid up to n, and with a threshold the noisy-quadratic fit and the consonance set), and
// `nadir analyze` on a generated 1,000,000-row CSV. Each case runs in a fresh process; wall time,
// CPU time and peak RSS are those of that process (the CLI's from /usr/bin/time). opda is not run
// here: its 100 000 × n Monte-Carlo matrix needs 8 GB at n = 10⁴ (bands.bench.mjs has the opda
// ratios at n = 1024 and 4096, where it runs).
//
// Usage: pnpm -s build && node packages/analysis/bench/scale.bench.mjs [--cases a,b,…] [--list]
// Results are merged into packages/analysis/bench/results/scale.json case by case, so the cases can
// be run in several invocations (each under a few minutes on a loaded machine). The machine may be
// shared: compare CPU time (wall time includes waiting for a core), and see load_avg per case.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const out = path.join(here, "results/scale.json");
const args = process.argv.slice(2);
const only = args.includes("--cases") ? args[args.indexOf("--cases") + 1].split(",") : null;

const NS = [10_000, 100_000, 1_000_000];
const cases = [];
for (const n of NS)
  for (const m of ["ld_highest_density", "ld_equal_tailed", "ks"])
    cases.push({ id: `bands:${m}:${n}`, kind: "bands", n, method: m, confidence: 0.95 });
for (const n of NS) {
  cases.push({ id: `analyze:${n}`, kind: "analyze", n, method: "ld_highest_density", confidence: 0.8 });
  cases.push({
    id: `analyze+fit:${n}`,
    kind: "analyze",
    n,
    method: "ld_highest_density",
    confidence: 0.8,
    regime: 2000,
  });
}
cases.push({ id: "cli:1000000", kind: "cli", n: 1_000_000, json: false });
cases.push({ id: "cli-json:1000000", kind: "cli", n: 1_000_000, json: true });
cases.push({ id: "cli+fit:1000000", kind: "cli", n: 1_000_000, json: false, regime: 2000 });
if (args.includes("--list")) {
  for (const c of cases) console.log(c.id);
  process.exit(0);
}

const results = existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : { cases: {} };
results.description =
  "scale.bench.mjs: one fresh process per case; seconds = wall, cpu_seconds = user + system, peak_rss_mb = the process's maximum resident set. Sample: NoisyQuadraticDistribution(0.05, 0.6, 3, 0.002, convex).sample(n, createRng(7)); analyze+fit uses the 2000th smallest score as threshold. load_avg = 1-min load average at the start of the case on the shared machine.";
results.machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version };

const timeBin = "/usr/bin/time";
for (const c of cases) {
  if (only && !only.includes(c.id)) continue;
  const load = os.loadavg()[0];
  process.stderr.write(`${c.id} (load ${load.toFixed(1)}) … `);
  let rec;
  if (c.kind === "cli") {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "nadir-scale-"));
    const csv = path.join(tmp, "trials.csv");
    // The CSV is written from the same sample as the other cases (one score column plus a trial id).
    const gen = `const A=await import(${JSON.stringify(path.resolve(here, "../dist/index.js"))});const ys=new A.NoisyQuadraticDistribution(0.05,0.6,3,0.002,true).sample(${c.n},A.createRng(7));const fs=await import("node:fs");const lines=["trial,error_rate"];for(let i=0;i<ys.length;i++)lines.push(i+","+ys[i]);fs.writeFileSync(${JSON.stringify(csv)},lines.join("\\n")+"\\n");let th="";if(${c.regime ?? 0})th=String(Float64Array.from(ys).sort()[${(c.regime ?? 1) - 1}]);process.stdout.write(th);`;
    const threshold = execFileSync(process.execPath, ["--input-type=module", "-e", gen], {
      encoding: "utf8",
    });
    const argv = [
      path.join(repo, "packages/cli/dist/bin.js"),
      "analyze",
      csv,
      ...["--metric", "error_rate", "--direction", "minimize", "--lower", "0", "--upper", "1"],
      ...(threshold ? ["--threshold", threshold] : []),
      ...(c.json ? ["--json"] : []),
    ];
    const res = spawnSync(timeBin, ["-f", "TIME %e %U %S %M", process.execPath, ...argv], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    if (res.status !== 0) throw new Error(`${c.id}: nadir analyze failed: ${res.stderr}`);
    const m = /TIME (\S+) (\S+) (\S+) (\S+)/.exec(res.stderr);
    if (!m) throw new Error(`${c.id}: no /usr/bin/time line in ${res.stderr}`);
    const text = res.stdout;
    rec = {
      rows: c.n,
      seconds: Number(m[1]),
      cpu_seconds: Number(m[2]) + Number(m[3]),
      peak_rss_mb: Number(m[4]) / 1024,
      threshold: threshold || null,
      stdout_bytes: text.length,
      // The first lines of the text report (or the JSON's critical-value source), as evidence.
      head: c.json ? JSON.parse(text).critical_value_source : text.split("\n").slice(0, 3),
    };
    rmSync(tmp, { recursive: true, force: true });
  } else {
    const argv = [
      path.join(here, "scale.case.mjs"),
      c.kind,
      String(c.n),
      c.method,
      String(c.confidence),
      ...(c.regime ? [String(c.regime)] : []),
    ];
    rec = JSON.parse(execFileSync(process.execPath, argv, { encoding: "utf8", maxBuffer: 1 << 26 }));
  }
  rec = { ...c, ...rec, load_avg: load, date: new Date().toISOString() };
  results.cases[c.id] = rec;
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(
    `${rec.seconds.toFixed(1)} s, ${rec.cpu_seconds.toFixed(1)} s CPU, ${rec.peak_rss_mb.toFixed(0)} MB\n`,
  );
}

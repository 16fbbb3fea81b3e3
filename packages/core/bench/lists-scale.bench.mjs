// Benchmark: `nadir lists build` end to end on synthetic long tables of 250,000 and 1,000,000 points × 4
// workloads × 1 seed (1M and 4M rows, gzipped CSV), K = 5, run as a real CLI process under
// /usr/bin/time for wall time, CPU time and peak resident memory. The 250,000-point table, run in the same
// session, is the baseline: the ratios 1M/250k of time and of memory above an idle Node process show how
// the cost scales with the data (4× the rows). A second process reports where the time goes (reading vs
// building) from inside.
// Usage: pnpm -s build && node packages/core/bench/lists-scale.bench.mjs   (about 2–3 minutes on 2 cores)
// Writes packages/core/bench/results/lists-scale.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { writeLongCsv } from "./synthetic-tables.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, "../../cli/dist/bin.js");
const tmp = mkdtempSync(path.join(os.tmpdir(), "nadir-lists-scale-"));
const SIZES = (process.env.BENCH_POINTS ?? "250000,1000000").split(",").map(Number);
const W = 4;
const K = 5;
// Leave-one-out doubles the exact evaluations (E[best of k] over every row, per workload); off by default
// so that the 1M-point run stays within a few minutes on a shared 2-core machine (BENCH_LOO=1 turns it on).
const LOO = process.env.BENCH_LOO === "1";

/** Runs a command under /usr/bin/time; returns wall s, CPU s and max RSS (MiB) with its stdout. */
function timed(args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const last = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { wall_s: last[0], cpu_s: last[1] + last[2], max_rss_mib: last[3] / 1024, stdout: r.stdout };
}

const idle = timed([process.execPath, "-e", "0"]);
const phases = path.join(tmp, "phases.mjs");
writeFileSync(
  phases,
  `import { readFileSync } from "node:fs";
import { buildList, readTrialsTable } from ${JSON.stringify(path.resolve(here, "../dist/index.js"))};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now();
const bytes = readFileSync(process.argv[2]);
const t1 = performance.now();
const c1 = cpu();
const read = readTrialsTable(bytes, { source: process.argv[2], direction: "maximize" });
const t2 = performance.now();
const c2 = cpu();
const r = buildList(read.table, { size: ${K}, leaveOneOut: ${LOO} });
const t3 = performance.now();
const c3 = cpu();
process.stdout.write(JSON.stringify({ file_ms: t1 - t0, parse_ms: t2 - t1, build_ms: t3 - t2,
  parse_cpu_ms: c2 - c1, build_cpu_ms: c3 - c2,
  rows: read.rows, points: read.table.points.length, list: r.ids,
  max_rss_mib: process.resourceUsage().maxRSS / 1024 }));
`,
);

const runs = [];
for (const P of SIZES) {
  const file = path.join(tmp, `synthetic-${P}.csv.gz`);
  const chunks = [];
  const g0 = performance.now();
  writeLongCsv((s) => chunks.push(s), { points: P, workloads: W, seeds: 1, seed: 0 });
  const csv = Buffer.from(chunks.join(""));
  writeFileSync(file, gzipSync(csv, { level: 1 }));
  const genMs = performance.now() - g0;
  const e2e = timed([
    process.execPath,
    cli,
    "lists",
    "build",
    "--trials",
    file,
    "--size",
    String(K),
    "--direction",
    "maximize",
    ...(LOO ? ["--leave-one-out"] : []),
    "--json",
  ]);
  const doc = JSON.parse(e2e.stdout);
  const ph = JSON.parse(timed([process.execPath, phases, file]).stdout);
  runs.push({
    points: P,
    workloads: W,
    seeds: 1,
    rows: P * W,
    csv_mib: csv.length / 2 ** 20,
    gzip_mib: statSync(file).size / 2 ** 20,
    generate_ms: Math.round(genMs),
    cli: { wall_s: e2e.wall_s, cpu_s: e2e.cpu_s, max_rss_mib: Math.round(e2e.max_rss_mib) },
    phases: {
      read_file_ms: Math.round(ph.file_ms),
      gunzip_parse_table_ms: Math.round(ph.parse_ms),
      build_and_evaluate_ms: Math.round(ph.build_ms),
      gunzip_parse_table_cpu_ms: Math.round(ph.parse_cpu_ms),
      build_and_evaluate_cpu_ms: Math.round(ph.build_cpu_ms),
      max_rss_mib: Math.round(ph.max_rss_mib),
    },
    list: doc.list,
    same_list_in_both_processes: JSON.stringify(doc.list) === JSON.stringify(ph.list),
  });
  console.log(JSON.stringify(runs.at(-1)));
}
rmSync(tmp, { recursive: true, force: true });

const [a, b] = runs;
const ratio = (f) => (a && b ? Number((f(b) / f(a)).toFixed(2)) : null);
const result = {
  bench: `nadir lists build --size ${K}${LOO ? " --leave-one-out" : ""} on synthetic tables (points × ${W} workloads × 1 seed, gzipped CSV)`,
  leave_one_out: LOO,
  command: "pnpm -s build && node packages/core/bench/lists-scale.bench.mjs",
  date: new Date().toISOString().slice(0, 10),
  machine: {
    cpus: os.cpus().length,
    node: process.version,
    loadavg_1m_end: Number(os.loadavg()[0].toFixed(2)),
  },
  idle_node_max_rss_mib: Math.round(idle.max_rss_mib),
  runs,
  scaling_1m_over_250k: {
    rows: ratio((r) => r.rows),
    cli_cpu_s: ratio((r) => r.cli.cpu_s),
    cli_wall_s: ratio((r) => r.cli.wall_s),
    cli_rss_above_idle_mib: ratio((r) => r.cli.max_rss_mib - idle.max_rss_mib),
  },
  bytes_per_row_above_idle: b
    ? Math.round(((b.cli.max_rss_mib - idle.max_rss_mib) * 2 ** 20) / b.rows)
    : null,
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results/lists-scale.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.scaling_1m_over_250k), "bytes/row", result.bytes_per_row_above_idle);

#!/usr/bin/env node
// The study stopper's simulation in words and a figure: reads bench/results/stopper.json (written by
// stopper.bench.mjs) and prints the README's tables (every fixed budget 16 … 256 against the stopper at
// each gain threshold: stopped share, median trials, median regret, the promise's realised coverage next
// to its nominal confidence, the fixed budget with the same median regret and the trials that saves), and
// writes docs/stopper-simulation.svg: per workload, the median regret of fixed budgets (line) and of the
// stopper at each threshold (points, at its median trials), rendered with @nadir/report's vega-lite path.
//
// Usage: pnpm -s build && node packages/analysis/bench/stopper-report.mjs [--svg docs/stopper-simulation.svg]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const plots = await import(path.join(repo, "packages/report/dist/plots.js"));
const args = process.argv.slice(2);
const svgOut = path.resolve(repo, args[args.indexOf("--svg") + 1] ?? "docs/stopper-simulation.svg");

const r = JSON.parse(readFileSync(path.join(here, "results/stopper.json"), "utf8"));
const { gains, budgets } = r.settings;
const f = (x) => (x === null || x === undefined ? "-" : Number(x.toPrecision(2)).toString());
const pct = (x) => (x === null || x === undefined ? "-" : `${Math.round(x * 100)}%`);

const lines = [];
lines.push(
  `Settings: ${r.settings.reps} searches per workload, cap ${r.settings.cap} trials, refit every ${r.settings.every}, θ = ${r.settings.threshold}, c bounded by ${r.settings.maxC}, promise about the next ${r.settings.inTrials} trials at ${r.settings.confidence}; ${Math.round(r.seconds)} s on ${r.machine.cpus} cores (load ${r.machine.loadavgStart[0].toFixed(1)} → ${r.machine.loadavgEnd[0].toFixed(1)}).`,
  "",
  `| workload | fixed ${budgets.join(" / ")}: median regret | ${gains.map((g) => `g = ${g}`).join(" | ")} |`,
  `|---|---|${gains.map(() => "---").join("|")}|`,
);
for (const w of r.workloads) {
  const cells = gains.map((g) => {
    const s = w.stopper[g];
    const saved =
      s.budgetSaved === null || s.budgetSaved === undefined
        ? ""
        : `, ${s.budgetSaved >= 0 ? "saves" : "costs"} ${Math.abs(s.budgetSaved)}`;
    const held = s.stops ? `, held ${pct(s.promiseHeld)} of ${s.stops}` : "";
    return `${pct(s.stoppedShare)} stop, ${s.medianTrials} trials, regret ${f(s.medianRegret)}${held}; fixed ${s.fixedBudgetAtEqualRegret ?? ">cap"}${saved}`;
  });
  lines.push(
    `| ${w.workload} | ${budgets.map((b) => f(w.fixed[b].medianRegret)).join(" / ")} | ${cells.join(" | ")} |`,
  );
}
lines.push(
  "",
  "| gain g | searches stopped | promise held (realised gain of the next trials <= g) | nominal | median trials used (over workloads) |",
  "|---|---|---|---|---|",
);
for (const g of gains) {
  const a = r.aggregate[g];
  lines.push(
    `| ${g} | ${a.stops} of ${a.searches} | ${a.promiseHeld === null ? "-" : `${(a.promiseHeld * 100).toFixed(1)}%`} | ${pct(a.nominal)} | ${a.medianTrials} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);

// The figure: one small panel per workload (regret on a log axis: the workloads differ by decades).
const rows = [];
for (const w of r.workloads) {
  const floor = 1e-4;
  for (const b of budgets)
    rows.push({
      workload: w.workload,
      series: "fixed budget",
      trials: b,
      regret: Math.max(floor, w.fixed[b].medianRegret),
    });
  for (const g of gains)
    rows.push({
      workload: w.workload,
      series: `stopper g = ${g}`,
      trials: w.stopper[g].medianTrials,
      regret: Math.max(floor, w.stopper[g].medianRegret),
    });
}
const series = [
  ["fixed budget", "#52606d"],
  ...gains.map((g, i) => [`stopper g = ${g}`, ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"][i]]),
];
const spec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  data: { values: rows },
  facet: { field: "workload", type: "nominal", title: null, header: { labelFontSize: 12 } },
  columns: 5,
  spec: {
    width: 150,
    height: 120,
    layer: [
      {
        transform: [{ filter: "datum.series === 'fixed budget'" }],
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "trials",
            type: "quantitative",
            scale: { type: "log", base: 2 },
            axis: { values: budgets },
            title: "trials",
          },
          y: {
            field: "regret",
            type: "quantitative",
            scale: { type: "log" },
            title: "median regret",
            axis: { format: "~g" },
          },
          color: {
            field: "series",
            type: "nominal",
            scale: { domain: series.map(([s]) => s), range: series.map(([, c]) => c) },
            title: null,
          },
        },
      },
      {
        transform: [{ filter: "datum.series !== 'fixed budget'" }],
        mark: { type: "point", filled: true, size: 70, opacity: 0.8 },
        encoding: {
          x: { field: "trials", type: "quantitative" },
          y: { field: "regret", type: "quantitative" },
          color: { field: "series", type: "nominal" },
          shape: { field: "series", type: "nominal", legend: null },
        },
      },
    ],
  },
  config: {
    font: "DejaVu Sans",
    axis: { labelFontSize: 11, titleFontSize: 11 },
    legend: { orient: "bottom", labelFontSize: 12 },
  },
};
const svg = await plots.renderSvg("stopper simulation", spec, "stopper-sim");
writeFileSync(svgOut, svg);
process.stderr.write(`wrote ${path.relative(repo, svgOut)} (${Math.round(svg.length / 1024)} KiB)\n`);

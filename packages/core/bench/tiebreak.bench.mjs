// Old vs new greedy tie-break, leave-one-workload-out: table order (the earlier rule) against the
// stand-alone cost (each tied candidate's own cost on the training workloads). For every held-out workload
// it records both lists, their exact expected best and their equivalent random-search budgets.
// Tables: the HPOBench MLP grid (8 datasets × 30,000 configurations × 5 seeds) and NAS-Bench-201-like
// synthetic tables (15,625 cells × 3 datasets × 3 seeds, generator seeds 0–9; see synthetic-tables.mjs).
// Usage: pnpm exec tsc -b packages/core && node packages/core/bench/tiebreak.bench.mjs
// Writes packages/core/bench/results/tiebreak.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadHpobench } from "../dist/hpobench.js";
import { budgetToJson, buildList } from "../dist/list-building.js";
import { asTrialsTable, nb201LikeTable } from "./synthetic-tables.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const K = 5;
const kOf = (b) => ("k" in b ? b.k : Number.POSITIVE_INFINITY);

function compare(name, table) {
  const run = (tieBreak) => buildList(table, { size: K, leaveOneOut: true, tieBreak }).leaveOneOut;
  const old = run("table-order");
  const neu = run("standalone");
  return {
    table: name,
    held_out: old.map((o, h) => {
      const n = neu[h];
      return {
        workload: o.heldOut,
        table_order: {
          list: o.list,
          best: o.expected,
          equivalent_random_budget: budgetToJson(o.equivalentRandomBudget),
        },
        standalone: {
          list: n.list,
          best: n.expected,
          equivalent_random_budget: budgetToJson(n.equivalentRandomBudget),
        },
        change: Math.sign(kOf(n.equivalentRandomBudget) - kOf(o.equivalentRandomBudget)),
      };
    }),
  };
}

const results = [];
results.push(
  compare("hpobench", loadHpobench(path.resolve(here, "../../../../shared/data/tabular/hpobench")).table),
);
for (let seed = 0; seed < 10; seed++)
  results.push(compare(`nb201-like seed ${seed}`, asTrialsTable(nb201LikeTable(seed))));

const all = results.flatMap((r) => r.held_out);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const nb = results.filter((r) => r.table !== "hpobench").flatMap((r) => r.held_out);
const budgets = (xs, rule) => xs.map((e) => kOf({ k: e[rule].equivalent_random_budget }));
const doc = {
  bench: "greedy tie-break: table order vs stand-alone cost, leave-one-workload-out, K = 5",
  command: "pnpm exec tsc -b packages/core && node packages/core/bench/tiebreak.bench.mjs",
  date: new Date().toISOString().slice(0, 10),
  summary: {
    held_out_evaluations: all.length,
    lowered: all.filter((e) => e.change < 0).length,
    raised: all.filter((e) => e.change > 0).length,
    unchanged: all.filter((e) => e.change === 0).length,
    nb201_like_median_budget: {
      table_order: median(budgets(nb, "table_order")),
      standalone: median(budgets(nb, "standalone")),
    },
  },
  results,
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results/tiebreak.json"), `${JSON.stringify(doc, null, 2)}\n`);
console.log(JSON.stringify(doc.summary));
for (const r of results)
  console.log(
    r.table,
    r.held_out
      .map(
        (e) =>
          `${e.workload}: ${e.table_order.equivalent_random_budget} → ${e.standalone.equivalent_random_budget}`,
      )
      .join(", "),
  );

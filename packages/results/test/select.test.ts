/**
 * One test per selection rule, on small hand-made tables (rows as a CSV/JSON Lines reader gives them), and
 * property tests over random tables: every trial lands in exactly one place, and the row order does not
 * change the sample.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ResultsError,
  type SelectIidOptions,
  selectIid,
  type TrialsFileRow,
  tableFromOptuna,
  tableFromRows,
} from "../src/index.js";

const MIN: SelectIidOptions = { metric: "loss", direction: "minimize" };

/** A row of `nadir export` (trial ids from 1, 100-step budget, full budget unless `steps` says otherwise). */
function rows(
  spec: [state: string, source: string, loss: string | number, extra?: Record<string, unknown>][],
) {
  return spec.map(([state, source, loss, extra], i) => ({
    study: "s",
    trial: String(i + 1),
    attempt: "1",
    replicate: "0",
    state,
    source,
    list_index: "",
    loss: String(loss),
    steps: "100",
    ...extra,
  }));
}
const table = (r: TrialsFileRow[], stepBudget = 100) => tableFromRows(r, { metrics: ["loss"], stepBudget });
const group = (sel: ReturnType<typeof selectIid>, name: string) =>
  sel.summary.groups.find((g) => g.group === name);
const codes = (m: { code: string }[]) => m.map((x) => x.code);

describe("selectIid: who proposed the trial", () => {
  it("takes random and Halton search (also a list's Halton fallback) and keeps list, grid and adaptive trials apart", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["COMPLETED", "halton", 0.2],
          ["COMPLETED", "list:medapati-nadamw-5>halton", 0.25],
          ["COMPLETED", "list:medapati-nadamw-5", 0.1, { list_index: "0" }],
          ["COMPLETED", "list:medapati-nadamw-5", 0.4, { list_index: "1" }],
          ["COMPLETED", "grid", 0.05],
          ["COMPLETED", "external:optuna.TPESampler", 0.01],
          ["COMPLETED", "my-bayesopt-plugin", 0.02],
        ]),
      ),
      MIN,
    );
    expect(sel.scores).toEqual([0.3, 0.2, 0.25]);
    expect(sel.sampleTrials.map((t) => t.trial)).toEqual([1, 2, 3]);
    expect(group(sel, "list")).toMatchObject({ count: 2, in_sample: false, trials: [4, 5] });
    expect(group(sel, "list")?.points).toEqual([
      { index: 1, trial: 4, state: "COMPLETED", score: 0.1 },
      { index: 2, trial: 5, state: "COMPLETED", score: 0.4 },
    ]);
    expect(sel.listPoints).toEqual([
      { index: 1, score: 0.1 },
      { index: 2, score: 0.4 },
    ]);
    expect(group(sel, "grid")).toMatchObject({ count: 1, trials: [6] });
    expect(group(sel, "grid")?.reason).toMatch(/not independent draws/);
    expect(group(sel, "adaptive")).toMatchObject({ count: 2, trials: [7, 8] });
    expect(sel.summary.sample_count).toBe(3);
    expect(sel.summary.warnings).toEqual([]);
    expect(sel.summary.notes).toEqual([]);
  });

  it("lists: include takes list points as draws and says so", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["COMPLETED", "list:x", 0.1, { list_index: "0" }],
        ]),
      ),
      { ...MIN, lists: "include" },
    );
    expect(sel.scores).toEqual([0.3, 0.1]);
    expect(group(sel, "list")).toBeUndefined();
    expect(codes(sel.summary.notes)).toEqual(["lists_included"]);
  });

  it("uses the first seed of each point; further replicates are counted apart", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["COMPLETED", "random", 0.31, { replicate: "1" }],
          ["COMPLETED", "random", 0.5],
          ["COMPLETED", "random", 0.52, { replicate: "1" }],
        ]),
      ),
      MIN,
    );
    expect(sel.scores).toEqual([0.3, 0.5]);
    expect(group(sel, "replicate")).toMatchObject({ count: 2, trials: [2, 4] });
  });
});

describe("selectIid: the trial's state", () => {
  it("pruned search trials are censored and apart; the survivors are flagged as a selected subset", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["PRUNED", "random", 0.9, { steps: "20" }],
          ["PRUNED", "halton", 0.8, { steps: "40" }],
          ["COMPLETED", "halton", 0.2],
          ["PRUNED", "list:x", 0.7, { list_index: "0", steps: "20" }],
        ]),
      ),
      MIN,
    );
    expect(sel.scores).toEqual([0.3, 0.2]);
    expect(group(sel, "pruned")).toMatchObject({ count: 2, in_sample: false, trials: [2, 3] });
    // The pruned list point stays with the list, without a score.
    expect(group(sel, "list")?.points).toEqual([{ index: 1, trial: 5, state: "PRUNED", score: null }]);
    expect(sel.listPoints).toEqual([]);
    const w = sel.summary.warnings.find((x) => x.code === "stopper_selected");
    expect(w?.count).toBe(2);
    expect(w?.message).toMatch(/pruned 2 of 4 search trials: the 2 that ran to the full budget/);
  });

  it("diverged and failed search trials count at the worst bound: the upper one when minimizing", () => {
    const r = rows([
      ["COMPLETED", "random", 0.3],
      ["DIVERGED", "random", "NaN"],
      ["FAILED", "halton", ""],
      ["COMPLETED", "random", 0.2],
    ]);
    const sel = selectIid(table(r), { ...MIN, lower: 0, upper: 1 });
    expect(sel.scores).toEqual([0.3, 1, 1, 0.2]);
    expect(group(sel, "diverged")).toMatchObject({ count: 1, in_sample: true, counted_at: 1, trials: [2] });
    expect(group(sel, "failed")).toMatchObject({ count: 1, in_sample: true, counted_at: 1, trials: [3] });
    expect(sel.summary.warnings).toEqual([]);
    expect(sel.summary.sample_count).toBe(4);
    // Maximizing (an accuracy in [0, 1]): the worst score is the lower bound.
    const acc = selectIid(table(r), { metric: "loss", direction: "maximize", lower: 0, upper: 1 });
    expect(acc.scores).toEqual([0.3, 0, 0, 0.2]);
    // Only the worst bound matters: minimizing with a lower bound alone cannot count them.
    const lowOnly = selectIid(table(r), { ...MIN, lower: 0 });
    expect(lowOnly.scores).toEqual([0.3, 0.2]);
  });

  it("without the worst bound, diverged and failed trials are left out with a warning that the curve is optimistic", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["DIVERGED", "random", "NaN"],
          ["DIVERGED", "random", "Infinity"],
          ["FAILED", "random", ""],
        ]),
      ),
      MIN,
    );
    expect(sel.scores).toEqual([0.3]);
    expect(group(sel, "diverged")).toMatchObject({ count: 2, in_sample: false });
    expect(group(sel, "diverged")?.counted_at).toBeUndefined();
    const w = sel.summary.warnings;
    expect(w.map((x) => [x.code, x.count])).toEqual([
      ["diverged_left_out", 2],
      ["failed_left_out", 1],
    ]);
    expect(w[0]?.message).toMatch(/2 diverged search trial\(s\) left out: .*optimistic/);
  });

  it("infeasible, unfinished and short (completed before the step budget) trials are apart", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["INFEASIBLE", "random", ""],
          ["RUNNING", "random", ""],
          ["QUEUED", "random", ""],
          ["PREEMPTED", "random", 0.5, { steps: "30" }],
          ["COMPLETED", "random", 0.1, { steps: "60" }],
        ]),
      ),
      { ...MIN, lower: 0, upper: 1 },
    );
    expect(sel.scores).toEqual([0.3]);
    expect(group(sel, "infeasible")).toMatchObject({ count: 1, trials: [2] });
    expect(group(sel, "unfinished")).toMatchObject({ count: 3, trials: [3, 4, 5] });
    expect(group(sel, "short")).toMatchObject({ count: 1, trials: [6] });
  });

  it("a completed trial without a usable score is counted apart (empty, NaN, text)", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "random", 0.3],
          ["COMPLETED", "random", ""],
          ["COMPLETED", "random", "nan"],
          ["COMPLETED", "random", "n/a"],
        ]),
      ),
      MIN,
    );
    expect(sel.scores).toEqual([0.3]);
    expect(group(sel, "missing_score")).toMatchObject({ count: 3, trials: [2, 3, 4] });
  });
});

describe("selectIid: what the input does not say", () => {
  it("an old file without state or source columns: every scored row is assumed an i.i.d. full-budget draw", () => {
    const t = tableFromRows([{ loss: "0.3" }, { loss: "0.2" }, { loss: "NaN" }], { metrics: ["loss"] });
    const sel = selectIid(t, MIN);
    expect(sel.scores).toEqual([0.3, 0.2]);
    expect(group(sel, "missing_score")?.trials).toEqual([3]);
    expect(codes(sel.summary.notes)).toEqual(["assumed_iid"]);
    expect(sel.summary.notes[0]?.message).toMatch(/i\.i\.d\. random-search draw run to the full step budget/);
  });

  it("a list_index column alone still holds list points apart (the export before sources were recorded)", () => {
    const t = tableFromRows(
      [
        { loss: "0.3", list_index: "" },
        { loss: "0.1", list_index: "0" },
      ],
      { metrics: ["loss"] },
    );
    const sel = selectIid(t, MIN);
    expect(sel.scores).toEqual([0.3]);
    expect(sel.listPoints).toEqual([{ index: 1, score: 0.1 }]);
    expect(codes(sel.summary.notes)).toEqual(["assumed_iid"]);
  });

  it("states but neither a step budget nor steps: completed trials are assumed full-budget, and a note says so", () => {
    const r = rows([["COMPLETED", "random", 0.3]]).map(({ steps: _, ...rest }) => rest);
    const sel = selectIid(tableFromRows(r, { metrics: ["loss"] }), MIN);
    expect(sel.scores).toEqual([0.3]);
    expect(codes(sel.summary.notes)).toEqual(["budget_unknown"]);
  });

  it("steps but no step budget: the budget is the largest final step of the completed trials (noted)", () => {
    const t = tableFromRows(
      rows([
        ["COMPLETED", "random", 0.3],
        ["COMPLETED", "random", 0.1, { steps: "60" }],
        ["PRUNED", "random", 0.9, { steps: "400" }],
      ]),
      { metrics: ["loss"] },
    );
    expect([t.stepBudget, t.stepBudgetFrom]).toEqual([100, "inferred"]);
    const sel = selectIid(t, MIN);
    expect(sel.scores).toEqual([0.3]);
    expect(group(sel, "short")?.trials).toEqual([2]);
    expect(sel.summary.notes.map((n) => [n.code, n.count])).toEqual([["budget_inferred", 100]]);
    // A budget given by the study wins over the inference.
    const given = tableFromRows(rows([["COMPLETED", "random", 0.1, { steps: "60" }]]), {
      metrics: ["loss"],
      stepBudget: 50,
    });
    expect([given.stepBudget, given.stepBudgetFrom, given.trials[0]?.fullBudget]).toEqual([
      50,
      "study",
      true,
    ]);
  });

  it("a full_budget column decides per trial: no budget is inferred, and it wins over a given budget", () => {
    const t = tableFromRows(
      rows([
        ["COMPLETED", "random", 0.3, { steps: "40", full_budget: "true" }],
        ["COMPLETED", "random", 0.1, { steps: "400", full_budget: "FALSE" }],
        ["COMPLETED", "random", 0.2, { steps: "60", full_budget: "" }],
      ]),
      { metrics: ["loss"] },
    );
    // A replay's runs of their own lengths: the short first run is a full-budget draw, the long one is not.
    expect([t.stepBudget, t.stepBudgetFrom]).toEqual([null, "column"]);
    expect(t.trials.map((x) => x.fullBudget)).toEqual([true, false, null]);
    const sel = selectIid(t, MIN);
    expect(sel.scores).toEqual([0.3, 0.2]);
    expect(group(sel, "short")?.trials).toEqual([2]);
    expect(codes(sel.summary.notes)).toEqual([]);
    // JSON Lines booleans; a given budget decides only the empty cells.
    const given = tableFromRows(
      [
        { state: "COMPLETED", source: "random", loss: 0.1, steps: 10, full_budget: true },
        { state: "COMPLETED", source: "random", loss: 0.2, steps: 10, full_budget: null },
      ],
      { metrics: ["loss"], stepBudget: 50 },
    );
    expect(given.trials.map((x) => x.fullBudget)).toEqual([true, false]);
    expect(() =>
      tableFromRows([{ state: "COMPLETED", loss: 0.1, full_budget: "yes" }], { metrics: ["loss"] }),
    ).toThrow(/row 1: full_budget must be true or false, got "yes"/);
  });

  it("a source column with empty cells: those trials are assumed random and counted in a note", () => {
    const sel = selectIid(
      table(
        rows([
          ["COMPLETED", "", 0.3],
          ["COMPLETED", "random", 0.2],
        ]),
      ),
      MIN,
    );
    expect(sel.scores).toEqual([0.3, 0.2]);
    expect(sel.summary.notes.map((n) => [n.code, n.count])).toEqual([["source_unknown", 1]]);
  });
});

describe("selectIid: imported studies", () => {
  const VAL: SelectIidOptions = { metric: "value", direction: "minimize" };
  const optuna = (n: number, source = "optuna") =>
    Array.from({ length: n }, (_, i) => ({
      source,
      study: "o",
      trial: i,
      state: i === 2 ? "PRUNED" : "COMPLETED",
      source_state: i === 2 ? "PRUNED" : "COMPLETE",
      value: i === 2 ? null : i / 10,
      list_index: null,
      params: {},
      intermediate: [],
    }));

  it("an Optuna import with an unknown sampler is analysed with a warning (Optuna's default is TPE)", () => {
    const sel = selectIid(tableFromOptuna(optuna(4)), VAL);
    expect(sel.scores).toEqual([0, 0.1, 0.3]);
    expect(codes(sel.summary.warnings)).toEqual(["stopper_selected", "imported_sampler_unknown"]);
    expect(sel.summary.warnings[1]?.message).toMatch(/4 imported trial\(s\) from optuna.*TPE/);
    expect(sel.summary.notes).toEqual([]);
  });

  it("an imported TPE or CMA-ES study warns that its trials are not i.i.d. draws", () => {
    for (const sampler of ["TPESampler", "tpe", "optuna.samplers.CmaEsSampler"]) {
      const sel = selectIid(tableFromOptuna(optuna(2), { sampler }), VAL);
      expect(sel.scores).toEqual([0, 0.1]);
      const w = sel.summary.warnings.find((x) => x.code === "imported_not_random");
      expect(w?.count).toBe(2);
      expect(w?.message).toMatch(/non-random sampler: (tpe|cmaes) \(2\)/);
    }
  });

  it("an import from a random or QMC sampler has no sampler warning; `imported:grid` goes to the grid group", () => {
    for (const sampler of ["RandomSampler", "QMCSampler"]) {
      const sel = selectIid(tableFromOptuna(optuna(2), { sampler }), VAL);
      expect(sel.summary.warnings).toEqual([]);
    }
    const grid = selectIid(tableFromOptuna(optuna(2, "imported:GridSampler")), VAL);
    expect(grid.scores).toEqual([]);
    expect(group(grid, "grid")?.count).toBe(2);
  });
});

describe("errors", () => {
  it("bad rows and options are ResultsErrors that name the row or option", () => {
    const bad = (f: () => unknown, code: string, re: RegExp) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ResultsError);
        expect((e as ResultsError).code).toBe(code);
        expect((e as Error).message).toMatch(re);
        return;
      }
      throw new Error("did not throw");
    };
    bad(
      () => table(rows([["DONE", "random", 1]])),
      "invalid_table",
      /^row 1: state "DONE" is not a trial state/,
    );
    bad(
      () => table(rows([["COMPLETED", "random", 1, { list_index: "-1" }]])),
      "invalid_table",
      /^row 1: list_index must be a non-negative integer, got "-1"/,
    );
    bad(
      () => tableFromRows([{ steps: "1.5" }], { metrics: ["loss"], firstRow: 7 }),
      "invalid_table",
      /^row 7: steps/,
    );
    bad(() => tableFromRows([], { metrics: [] }), "invalid_argument", /metric/);
    const t = table(rows([["COMPLETED", "random", 1]]));
    bad(
      () => selectIid(t, { ...MIN, lower: 1, upper: 0 }),
      "invalid_argument",
      /lower bound \(1\) must be below/,
    );
    bad(() => selectIid(t, { ...MIN, upper: Number.NaN }), "invalid_argument", /^upper: /);
    bad(
      () => selectIid(t, { metric: "loss", direction: "up" as "minimize" }),
      "invalid_argument",
      /^direction: must be "minimize" or "maximize"/,
    );
  });
});

describe("properties", () => {
  const STATES = ["COMPLETED", "PRUNED", "FAILED", "DIVERGED", "INFEASIBLE", "RUNNING", "PREEMPTED", ""];
  const SOURCES = ["random", "halton", "grid", "list:l", "list:l>halton", "external:tpe", "", "imported:tpe"];
  const row = fc.record({
    state: fc.constantFrom(...STATES),
    source: fc.constantFrom(...SOURCES),
    loss: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }).map(String), fc.constantFrom("", "NaN", "x")),
    steps: fc.constantFrom("100", "50", ""),
    replicate: fc.constantFrom("0", "0", "1"),
    list: fc.boolean(),
  });
  const toRows = (rs: fc.TypeOf<typeof row>[]) =>
    rs.map((r, i) => ({
      trial: String(i + 1),
      state: r.state,
      source: r.source,
      loss: r.loss,
      steps: r.steps,
      replicate: r.replicate,
      list_index: r.list && r.source.startsWith("list:l") && !r.source.includes(">") ? String(i) : "",
    }));

  it("every trial is in the sample or in exactly one group apart; diverged/failed in both only when counted", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.boolean(), (rs, bounded) => {
        const t = table(toRows(rs));
        const sel = selectIid(t, bounded ? { ...MIN, lower: 0, upper: 1 } : MIN);
        const apart = sel.summary.groups.filter((g) => !g.in_sample).reduce((a, g) => a + g.count, 0);
        expect(apart + sel.scores.length).toBe(t.trials.length);
        const ids = sel.summary.groups.flatMap((g) => g.trials);
        expect(new Set(ids).size).toBe(ids.length);
        for (const g of sel.summary.groups) expect(g.trials.length).toBe(g.count);
        expect(sel.scores.every((s) => Number.isFinite(s))).toBe(true);
      }),
    );
  });

  it("the sample does not depend on the row order", () => {
    fc.assert(
      fc.property(
        fc
          .array(row, { maxLength: 40 })
          .chain((rs) =>
            fc.tuple(fc.constant(rs), fc.shuffledSubarray(toRows(rs), { minLength: rs.length })),
          ),
        ([rs, shuffled]) => {
          const a = selectIid(table(toRows(rs)), MIN);
          const b = selectIid(table(shuffled), MIN);
          const key = (s: typeof a) => s.sampleTrials.map((t) => t.trial).sort((x, y) => x - y);
          expect(key(b)).toEqual(key(a));
          expect(b.summary.warnings.map((w) => [w.code, w.count])).toEqual(
            a.summary.warnings.map((w) => [w.code, w.count]),
          );
        },
      ),
    );
  });
});

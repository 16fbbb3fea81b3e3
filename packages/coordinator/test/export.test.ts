/**
 * The export's `state`, `source` and `full_budget` columns (unit test of trialRows on hand-made records):
 * `source` says who proposed each trial, as the journal recorded it, and `unknown` when it did not;
 * `full_budget` is what an analysis of the journal decides, so an analysis of the export selects the same.
 */

import { parseCsvText } from "@nadir/core";
import { nadir } from "@nadir/protocol";
import { tableFromRows } from "@nadir/results";
import { describe, expect, it } from "vitest";
import { formatStudyExport, trialRows } from "../src/export.js";

const S = nadir.v1.TrialState;

describe("trialRows", () => {
  it("writes state and source next to the existing suggester column, source 'unknown' when not journaled", () => {
    const spec = nadir.v1.StudySpec.create({ studyId: "s", stepBudget: 10 });
    const rec = (id: number, state: number, suggester: string, listIndex?: number) => ({
      trial: { studyId: "s", trialId: id, attempt: 1 },
      state,
      suggester,
      ...(listIndex === undefined ? {} : { listIndex }),
      final: { step: 10, metrics: { loss: id / 10 } },
      replicate: 0,
    });
    const { columns, rows } = trialRows(spec, [
      rec(1, S.TRIAL_STATE_COMPLETED, "list:medapati-nadamw-5", 0),
      rec(2, S.TRIAL_STATE_PRUNED, "list:medapati-nadamw-5>halton"),
      rec(3, S.TRIAL_STATE_DIVERGED, "external:optuna.TPESampler"),
      rec(4, S.TRIAL_STATE_INFEASIBLE, ""),
    ]);
    expect(columns.slice(0, 8)).toEqual([
      "study",
      "trial",
      "attempt",
      "replicate",
      "state",
      "suggester",
      "source",
      "list_index",
    ]);
    expect(rows.map((r) => [r.state, r.source, r.suggester, r.list_index])).toEqual([
      ["COMPLETED", "list:medapati-nadamw-5", "list:medapati-nadamw-5", 0],
      ["PRUNED", "list:medapati-nadamw-5>halton", "list:medapati-nadamw-5>halton", null],
      ["DIVERGED", "external:optuna.TPESampler", "external:optuna.TPESampler", null],
      ["INFEASIBLE", "unknown", "", null],
    ]);
  });

  it("writes full_budget as the journal's analysis decides it, and reading the export back gives the same", () => {
    const rec = (id: number, state: number, step: number) => ({
      trial: { studyId: "s", trialId: id, attempt: 1 },
      state,
      suggester: "halton",
      final: { step, metrics: { loss: id / 10 } },
      replicate: 0,
    });
    const trials = [
      rec(1, S.TRIAL_STATE_COMPLETED, 10),
      rec(2, S.TRIAL_STATE_COMPLETED, 4),
      rec(3, S.TRIAL_STATE_PRUNED, 4),
      {
        trial: { studyId: "s", trialId: 4, attempt: 0 },
        state: S.TRIAL_STATE_QUEUED,
        suggester: "halton",
        replicate: 0,
      },
    ];
    const spec = (labels: Record<string, string>) =>
      nadir.v1.StudySpec.create({ studyId: "s", stepBudget: 10, labels });
    const full = (labels: Record<string, string>) =>
      trialRows(spec(labels), trials).rows.map((r) => r.full_budget);
    expect(trialRows(spec({}), trials).columns).toContain("full_budget");
    expect(full({})).toEqual([true, false, false, null]);
    // A replay's completed runs trained to their own lengths: full-budget draws.
    expect(full({ "nadir.replay": "x" })).toEqual([true, true, false, null]);
    for (const format of ["csv", "jsonl"] as const) {
      const text = formatStudyExport("s", { spec: spec({ "nadir.replay": "x" }), trials }, format);
      let records: Record<string, unknown>[];
      if (format === "jsonl")
        records = text
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
      else {
        const [header, ...cells] = parseCsvText(text);
        records = cells.map((c) => Object.fromEntries((header as string[]).map((h, i) => [h, c[i]])));
      }
      const back = tableFromRows(records, { metrics: ["loss"] });
      expect(back.trials.map((t) => t.fullBudget)).toEqual([true, true, false, null]);
      expect(back.stepBudgetFrom).toBe("column");
    }
  });
});

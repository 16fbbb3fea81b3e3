/**
 * The export's `state` and `source` columns (unit test of trialRows on hand-made records): `source` says
 * who proposed each trial, as the journal recorded it, and `unknown` when it did not.
 */
import { nadir } from "@nadir/protocol";
import { describe, expect, it } from "vitest";
import { trialRows } from "../src/export.js";

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
});

/** tableFromStudy on hand-made coordinator records: every field of a row, and the budget rule. */
import { nadir } from "@nadir/protocol";
import { describe, expect, it } from "vitest";
import { selectIid, tableFromStudy } from "../src/index.js";

const S = nadir.v1.TrialState;

describe("tableFromStudy", () => {
  it("reads state, source, replicate, list index, budget, failure kind and curve from the records", () => {
    const spec = nadir.v1.StudySpec.fromObject({
      studyId: "j",
      stepBudget: 100,
      labels: { "nadir.metric_upper": "1" },
    });
    const rec = (id: number, state: number, suggester: string, step: number | null, extra: object = {}) => ({
      trial: { studyId: "j", trialId: id, attempt: 1 },
      state,
      suggester,
      ...(step === null ? {} : { final: { step, metrics: { err: id / 100 } } }),
      measurements: [{ step: 50, metrics: { err: 0.5 } }],
      replicate: 0,
      ...extra,
    });
    const table = tableFromStudy(
      spec,
      [
        rec(1, S.TRIAL_STATE_COMPLETED, "list:algoperf-nadamw-5", 100, { listIndex: 0 }),
        rec(2, S.TRIAL_STATE_COMPLETED, "list:algoperf-nadamw-5>halton", 100),
        rec(3, S.TRIAL_STATE_COMPLETED, "list:algoperf-nadamw-5>halton", 100, { replicate: 1 }),
        rec(4, S.TRIAL_STATE_DIVERGED, "random", 30, {
          failureKind: nadir.v1.FailureKind.FAILURE_KIND_DIVERGED,
        }),
        rec(5, S.TRIAL_STATE_COMPLETED, "random", 60),
        rec(6, S.TRIAL_STATE_FAILED, "", null, {
          failureKind: nadir.v1.FailureKind.FAILURE_KIND_ENVIRONMENT,
        }),
      ],
      { curves: true },
    );
    expect(table.stepBudget).toBe(100);
    expect(
      table.trials.map((t) => [
        t.trial,
        t.state,
        t.origin.kind,
        t.listIndex,
        t.replicate,
        t.fullBudget,
        t.failureKind,
      ]),
    ).toEqual([
      [1, "COMPLETED", "list", 0, 0, true, undefined],
      [2, "COMPLETED", "halton", null, 0, true, undefined],
      [3, "COMPLETED", "halton", null, 1, true, undefined],
      [4, "DIVERGED", "random", null, 0, false, "DIVERGED"],
      [5, "COMPLETED", "random", null, 0, false, undefined],
      [6, "FAILED", "unknown", null, 0, null, "ENVIRONMENT"],
    ]);
    expect(table.trials[0]?.curve).toEqual([{ step: 50, metrics: { err: 0.5 } }]);
    const sel = selectIid(table, { metric: "err", direction: "minimize", upper: 1 });
    // Halton fallback trial 2 and diverged 4 (at the upper bound); 5 stopped short of the budget; 6 failed
    // for an environment reason, which says nothing about its point.
    expect(sel.sampleTrials.map((t) => t.trial)).toEqual([2, 4]);
    expect(sel.scores).toEqual([0.02, 1]);
    expect(sel.summary.groups.map((g) => [g.group, g.trials])).toEqual([
      ["list", [1]],
      ["diverged", [4]],
      ["environment", [6]],
      ["short", [5]],
      ["replicate", [3]],
    ]);
  });

  it("a replay study's completed runs are full-budget draws whatever their final step", () => {
    const rec = (id: number, state: number, step: number) => ({
      trial: { trialId: id },
      state,
      suggester: "list:replay",
      listIndex: id - 1,
      final: { step, metrics: { err: 0.1 * id } },
    });
    const trials = [
      rec(1, S.TRIAL_STATE_COMPLETED, 30),
      rec(2, S.TRIAL_STATE_PRUNED, 30),
      rec(3, S.TRIAL_STATE_COMPLETED, 100),
    ];
    const spec = (labels: Record<string, string>) =>
      nadir.v1.StudySpec.fromObject({ studyId: "rp", stepBudget: 100, labels });
    expect(
      tableFromStudy(spec({ "nadir.replay": "deberta-v3-base" }), trials).trials.map((t) => t.fullBudget),
    ).toEqual([true, false, true]);
    // The same records in a study that is not a replay: the first run stopped short of the budget.
    expect(tableFromStudy(spec({}), trials).trials.map((t) => t.fullBudget)).toEqual([false, false, true]);
  });

  it("a study without a step budget leaves fullBudget unknown and the selection says what it assumed", () => {
    const spec = nadir.v1.StudySpec.fromObject({ studyId: "nb" });
    const table = tableFromStudy(spec, [
      {
        trial: { trialId: 1 },
        state: S.TRIAL_STATE_COMPLETED,
        suggester: "random",
        final: { step: 7, metrics: { err: 0.2 } },
      },
    ]);
    expect(table.stepBudget).toBeNull();
    expect(table.trials[0]?.fullBudget).toBeNull();
    const sel = selectIid(table, { metric: "err", direction: "minimize" });
    expect(sel.scores).toEqual([0.2]);
    expect(sel.summary.notes.map((n) => n.code)).toEqual(["budget_unknown"]);
  });
});

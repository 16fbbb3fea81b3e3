import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curvesFromExport, curvesFromResults, ReportInputError, renderReport } from "../src/index.js";
import { analyzeLike, derivedScores, opdaDir } from "./fixtures.js";

describe("curvesFromResults", () => {
  it("reads opda DeBERTaV3 matched curves ([step, accuracy] pairs) and their best equals derived_scores", () => {
    const text = fs.readFileSync(path.join(opdaDir, "deberta/deberta-v3-base_tuning.results.jsonl"), "utf8");
    const c = curvesFromResults(text, { field: "learning_curves.matched", transform: (v) => 1 - v });
    const expected = derivedScores("deberta-v3-base_error_rate");
    expect(c.trials).toHaveLength(expected.length);
    c.trials.forEach((t, i) => {
      // derived_scores: min over the matched curve of (1 − accuracy), in file order.
      expect(Math.min(...t.points.map((p) => p.value))).toBeCloseTo(expected[i] as number, 12);
    });
  });

  it("reads object curves with step/value keys (opda AlexNet: epoch, top_1)", () => {
    const text = fs.readFileSync(path.join(opdaDir, "alexnet/alexnet_tuning.results.jsonl"), "utf8");
    const c = curvesFromResults(text, { field: "learning_curve", stepKey: "epoch", valueKey: "top_1" });
    const expected = derivedScores("alexnet_top1_accuracy");
    expect(c.x_label).toBe("epoch");
    c.trials.forEach((t, i) => {
      // Empty curves (NaN loss at once) score 0 in derived_scores.
      const best = t.points.length ? Math.max(...t.points.map((p) => p.value)) : 0;
      expect(best).toBeCloseTo(expected[i] as number, 12);
    });
  });

  it("names the line and field of a malformed curve", () => {
    expect(() => curvesFromResults('{"c": [[1, 0.5]]}\n{"c": 3}\n', { field: "c" })).toThrow(
      /results line 2: c: must be a list/,
    );
    expect(() => curvesFromResults('{"c": [{"step": 1, "v": 2}]}\n', { field: "c" })).toThrow(
      /--curve-value/,
    );
    expect(() => curvesFromResults('{"x": 1}\n', { field: "c" })).toThrow(ReportInputError);
    expect(() => curvesFromResults("{oops\n", { field: "c" })).toThrow(/results line 1: not valid JSON/);
  });
});

describe("curvesFromExport", () => {
  it("groups reports by trial, keeps the last attempt, sorts by step and skips other metrics", () => {
    const lines = [
      { study: "s", trial: "t1", attempt: 0, step: 20, elapsed_seconds: 1, loss: 0.5 },
      { study: "s", trial: "t1", attempt: 0, step: 10, elapsed_seconds: 1, loss: 0.9 },
      { study: "s", trial: "t2", attempt: 0, step: 10, elapsed_seconds: 1, loss: 0.8 },
      { study: "s", trial: "t2", attempt: 1, step: 10, elapsed_seconds: 1, loss: 0.7 },
      { study: "s", trial: "t2", attempt: 1, step: 20, elapsed_seconds: 1, loss: "NaN" },
      { study: "s", trial: "t3", attempt: 0, step: 10, elapsed_seconds: 1, accuracy: 0.1 },
    ];
    const c = curvesFromExport(lines.map((l) => JSON.stringify(l)).join("\n"), "loss");
    expect(c.trials).toEqual([
      {
        trial: "t1",
        points: [
          { step: 10, value: 0.9 },
          { step: 20, value: 0.5 },
        ],
      },
      { trial: "t2", points: [{ step: 10, value: 0.7 }] },
    ]);
    expect(() => curvesFromExport(lines.map((l) => JSON.stringify(l)).join("\n"), "bleu")).toThrow(
      /no line has the metric "bleu"/,
    );
  });
});

describe("list section, per-workload form (nadir lists build --json)", () => {
  it("draws the equivalent-budget chart and the table, and validates the budget", async () => {
    const analysis = analyzeLike(derivedScores("deberta-v3-base_error_rate").slice(0, 200), true, 0.11);
    const doc = {
      mode: "final-metric",
      direction: "maximize" as const,
      list: ["p3", "p9"],
      per_workload: [
        {
          workload: "adult",
          best_metric: 0.8,
          random_best_of_k: 0.78,
          equivalent_random_budget: 7,
          rows: 100,
        },
        {
          workload: "higgs",
          best_metric: 0.7,
          random_best_of_k: 0.71,
          equivalent_random_budget: ">100",
          rows: 100,
        },
      ],
    };
    const html = await renderReport({ analysis, list_vs_random: doc });
    const sec = html.match(/<section id="list-vs-random"[\s\S]*?<\/section>/)?.[0] ?? "";
    expect(sec).toContain("<svg");
    expect(sec).toContain("K = 2 (list length)");
    expect(sec).toMatch(/<td>higgs<\/td><td>0\.7<\/td><td>0\.71<\/td><td>&gt;100<\/td>/);
    await expect(
      renderReport({
        analysis,
        list_vs_random: { ...doc, per_workload: [{ workload: "x", equivalent_random_budget: "lots" }] },
      }),
    ).rejects.toThrow(/per_workload\[0\]\.equivalent_random_budget/);
  });
});

// analyzeScores with known score bounds: the interval for the best reachable score and the extrapolated
// medians are intersected with [lower, upper] (coverage is kept: the true values lie inside the bounds),
// and nothing else changes. Data: the 15 Halton error rates of a real `nadir run` quickstart (digits MLP),
// a tiny sample whose unbounded interval reaches far below 0.
import { describe, expect, it } from "vitest";
import { analyzeScores } from "../src/summary.js";

const scores = [
  0.01388889, 0.02777778, 0.02222222, 0.01944444, 0.00555556, 0.01388889, 0.13055556, 0.00833333, 0.01666667,
  0.025, 0.01388889, 0.01111111, 0.02777778, 0.02222222, 0.02222222,
];
const base = { metric: "error_rate", direction: "minimize" as const, confidence: 0.8, threshold: 0.0194444 };

describe("analyzeScores with score bounds", () => {
  const free = analyzeScores(scores, base);
  const bounded = analyzeScores(scores, { ...base, lower: 0, upper: 1 });
  const clip = (v: number) => Math.min(1, Math.max(0, v));

  it("the unbounded interval leaves [0, 1] here (so the check below can fail)", () => {
    expect(free.best_score_interval!.lower).toBeLessThan(0);
  });

  it("clips the best-score interval and extrapolations to [lower, upper], and only those", () => {
    const b = bounded.best_score_interval!;
    expect(b.lower).toBeGreaterThanOrEqual(0);
    expect(b.upper).toBeLessThanOrEqual(1);
    expect(b.lower).toBeLessThanOrEqual(bounded.fit!.a);
    expect(b.upper).toBeGreaterThanOrEqual(bounded.fit!.a);
    for (const e of bounded.extrapolation) {
      expect(e.lower).toBeGreaterThanOrEqual(0);
      expect(e.lower).toBeLessThanOrEqual(e.upper);
    }
    // A gain cannot exceed the largest accepted median at n minus the bound.
    const atN = bounded.extrapolation.find((e) => e.k === scores.length)!;
    expect(free.gain.some((g) => g.upper > atN.upper)).toBe(true);
    for (const g of bounded.gain) {
      expect(g.upper).toBeLessThanOrEqual(atN.upper - 0);
      expect(g.lower).toBeLessThanOrEqual(g.upper);
    }
    // Without an upper bound nothing else changes: the upper bound 1 lies far above every value here.
    const half = analyzeScores(scores, { ...base, lower: 0 });
    expect(half.effective_dimension).toEqual(bounded.effective_dimension);
    expect(bounded.best_score_interval).toMatchObject({
      lower: clip(half.best_score_interval!.lower),
      upper: clip(half.best_score_interval!.upper),
    });
    // The accepted set reached below 0, so the clipped interval starts exactly at the bound.
    expect(b.lower).toBe(0);
  });
});

describe("analyzeScores: effective-dimension bound and uninformative intervals", () => {
  it("reports the c bound that applied, and maxC = 1 accepts at most c = 1", () => {
    const def = analyzeScores(scores, { ...base, lower: 0, upper: 1 });
    expect(def.effective_dimension).toMatchObject({ max_c: 10, max_c_source: "default" });
    const one = analyzeScores(scores, { ...base, lower: 0, upper: 1, maxC: 1 });
    expect(one.effective_dimension.max_c).toBe(1);
    expect(one.effective_dimension.max_c_source).toBe("given");
    expect(one.effective_dimension.accepted.every((c) => c === 1)).toBe(true);
    if (one.fit) expect(one.fit.c).toBe(1);
    // A subset of c can only narrow the interval (the accepted set is a union over c).
    expect(one.best_score_interval!.lower).toBeGreaterThanOrEqual(def.best_score_interval!.lower);
    expect(one.best_score_interval!.upper).toBeLessThanOrEqual(def.best_score_interval!.upper);
    expect(() => analyzeScores(scores, { ...base, maxC: 11 })).toThrow(
      /maxC must be an integer from 1 to 10/,
    );
  });

  it("flags an interval wider than the scores' range as uninformative, with a warning", () => {
    const r = analyzeScores(scores, base); // no bounds: the interval runs far below 0
    const b = r.best_score_interval!;
    const range = Math.max(...scores) - Math.min(...scores);
    expect(b.upper - b.lower).toBeGreaterThanOrEqual(range);
    expect(b.informative).toBe(false);
    expect(r.warnings.join("\n")).toMatch(/uninformative/);
  });

  it("names the bound in its error when a bound excludes a score", () => {
    expect(() => analyzeScores(scores, { ...base, lower: 0.01 })).toThrow(
      /lower bound of the score \(0.01\) is above the lowest score/,
    );
    expect(() => analyzeScores(scores, { ...base, upper: 0.1 })).toThrow(
      /upper bound of the score \(0.1\) is below the highest score/,
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  equivalentRandomBudget,
  expectedBestOfGroups,
  expectedBestOfK,
  expectedMaxOfK,
  RandomSearchReference,
  sortedForMax,
} from "../src/expectation.js";

/** Brute force: average of max over all n^k ordered draws (exact enumeration). */
function bruteMaxOfK(ys: number[], k: number): number {
  const n = ys.length;
  let total = 0;
  let count = 0;
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    total += Math.max(...idx.map((i) => ys[i]!));
    count++;
    let j = k - 1;
    while (j >= 0 && idx[j] === n - 1) idx[j--] = 0;
    if (j < 0) break;
    idx[j]!++;
  }
  return total / count;
}

/** Brute force over the product of per-point seed rows. */
function bruteGroups(groups: number[][], best: (a: number, b: number) => number): number {
  let total = 0;
  let count = 0;
  const rec = (g: number, acc: number) => {
    if (g === groups.length) {
      total += acc;
      count++;
      return;
    }
    for (const v of groups[g]!) rec(g + 1, g === 0 ? v : best(acc, v));
  };
  rec(0, Number.NaN);
  return total / count;
}

const ys = [0.3, 0.9, 0.5, 0.5, 0.1, 0.7, 0.9];

describe("expected best of k (mean tuning curve)", () => {
  it.each([1, 2, 3, 4])("closed form equals enumeration of all n^k draws, k = %i", (k) => {
    expect(expectedMaxOfK(sortedForMax(ys, "maximize"), k)).toBeCloseTo(bruteMaxOfK(ys, k), 13);
    expect(expectedBestOfK(ys, k, "minimize")).toBeCloseTo(
      -bruteMaxOfK(
        ys.map((y) => -y),
        k,
      ),
      13,
    );
  });
  it("the tie-compressed reference agrees with the plain closed form", () => {
    const ref = new RandomSearchReference(ys, "maximize");
    for (const k of [1, 2, 5, 17, 100]) {
      expect(ref.expectedBest(k)).toBeCloseTo(expectedMaxOfK(sortedForMax(ys, "maximize"), k), 14);
    }
    expect(ref.n).toBe(7);
    expect(new RandomSearchReference(ys, "minimize").expectedBest(1)).toBeCloseTo(
      ys.reduce((a, b) => a + b) / 7,
      14,
    );
  });
});

describe("expected best over list points with random seeds", () => {
  const groups = [
    [0.2, 0.6, 0.4],
    [0.5, 0.1],
    [0.45, 0.45, 0.7, 0.3],
  ];
  it("equals enumeration of every seed combination", () => {
    expect(expectedBestOfGroups(groups, "maximize")).toBeCloseTo(bruteGroups(groups, Math.max), 14);
    expect(expectedBestOfGroups(groups, "minimize")).toBeCloseTo(bruteGroups(groups, Math.min), 14);
  });
  it("one point = its mean; identical points = best of k of that point", () => {
    expect(expectedBestOfGroups([[1, 2, 6]], "maximize")).toBeCloseTo(3, 14);
    expect(expectedBestOfGroups([ys, ys, ys], "maximize")).toBeCloseTo(bruteMaxOfK(ys, 3), 13);
  });
  it("∞ is the expectation when a miss is possible for every point (minimize)", () => {
    expect(
      expectedBestOfGroups([[0.5, Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY]], "minimize"),
    ).toBe(Number.POSITIVE_INFINITY);
    expect(expectedBestOfGroups([[0.5, Number.POSITIVE_INFINITY], [0.7]], "minimize")).toBeCloseTo(0.6, 14);
  });
});

describe("equivalent random budget", () => {
  it("is the smallest k whose expected best reaches the score (checked against a linear scan)", () => {
    const vals = Array.from({ length: 200 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    const ref = new RandomSearchReference(vals, "maximize");
    for (const score of [-0.5, 0, 0.5, 0.9, 0.95, 0.99]) {
      let k = 1;
      while (k <= 200 && ref.expectedBest(k) < score - 1e-12 * Math.max(1, Math.abs(score))) k++;
      const got = equivalentRandomBudget(vals, score, "maximize");
      expect(got).toEqual(k <= 200 ? { k } : { overflow: 200 });
    }
  });
  it("reports overflow above the best value and k = 1 at or below the mean", () => {
    expect(equivalentRandomBudget([1, 2, 3], 3.5, "maximize")).toEqual({ overflow: 3 });
    expect(equivalentRandomBudget([1, 2, 3], 2, "maximize")).toEqual({ k: 1 });
    expect(equivalentRandomBudget([1, 2, 3], 2, "minimize")).toEqual({ k: 1 });
    expect(equivalentRandomBudget([1, 2, 3], 0.5, "minimize")).toEqual({ overflow: 3 });
  });
});

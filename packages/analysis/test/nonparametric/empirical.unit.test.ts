/**
 * Semantics and validation of EmpiricalDistribution, confidenceBands and tuningCurveBands that the
 * opda reference files do not exercise: weights, argument errors, the overflow-free U-statistic
 * (against its closed form), band edge cases (confidence 0/1, n = 1), and the band-swapping rule.
 */
import { describe, expect, it } from "vitest";
import {
  bandCumulativeWeights,
  confidenceBands,
  dkwEpsilon,
  ldCriticalValue,
} from "../../src/nonparametric/bands.js";
import { EmpiricalDistribution } from "../../src/nonparametric/empirical.js";
import { tuningCurveBands } from "../../src/nonparametric/tuning-curve-bands.js";
import { InvalidArgumentError } from "../../src/special/errors.js";

describe("EmpiricalDistribution", () => {
  it("merges ties, and cdf/ppf/pmf follow opda's definitions", () => {
    const d = new EmpiricalDistribution([3, 1, 2, 2], { a: 0, b: 5 });
    expect(d.pmf(2)).toBe(0.5);
    expect(d.pmf(2.5)).toBe(0);
    expect(d.cdf(1.999)).toBe(0.25);
    expect(d.cdf(2)).toBe(0.75);
    expect(d.ppf(0)).toBe(0); // Q(0) = a
    expect(d.ppf(0.25)).toBe(1);
    expect(d.ppf(0.2500001)).toBe(2);
    expect(d.ppf(1)).toBe(3);
    expect(d.ppf(1 + 5e-11)).toBe(3); // tolerated round-off
    expect(d.mean).toBe(2);
    expect(d.variance).toBe(0.5);
    expect(new EmpiricalDistribution([1, 2]).ppf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(d.steps().map((s) => s.value)).toEqual([
      Number.NEGATIVE_INFINITY,
      0,
      1,
      2,
      3,
      5,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it("weighted: sums weights of equal values; equal weights normalise to null", () => {
    const d = new EmpiricalDistribution([1, 2, 2], { weights: [0.5, 0.25, 0.25] });
    expect(d.pmf(2)).toBe(0.5);
    expect(d.mean).toBe(1.5);
    expect(d.variance).toBe(0.25);
    expect(d.averageTuningCurve([2])[0]).toBeCloseTo(1 * 0.25 + 2 * 0.75, 15);
    expect(new EmpiricalDistribution([1, 2, 3, 4], { weights: [0.25, 0.25, 0.25, 0.25] }).weights).toBeNull();
    expect(() => d.uTuningCurve([1])).toThrow(/unweighted/);
  });

  it("validates its arguments with precise errors", () => {
    expect(() => new EmpiricalDistribution([])).toThrow(InvalidArgumentError);
    expect(() => new EmpiricalDistribution([1, Number.NaN])).toThrow(/ys\[1\]/);
    expect(() => new EmpiricalDistribution([1, 2], { a: 1.5 })).toThrow(/a \(1.5\) cannot be greater/);
    expect(() => new EmpiricalDistribution([1, 2], { b: 1.5 })).toThrow(/b \(1.5\) cannot be less/);
    expect(() => new EmpiricalDistribution([1, 2], { weights: [0.5, 0.6] })).toThrow(/sum to 1/);
    expect(() => new EmpiricalDistribution([1, 2], { weights: [1] })).toThrow(/same length/);
    expect(() => new EmpiricalDistribution([1, 2], { weights: [1.5, -0.5] })).toThrow(/weights\[1\]/);
    const d = new EmpiricalDistribution([1, 2, 3]);
    expect(() => d.ppf(1.1)).toThrow(/p must be in/);
    expect(() => d.quantileTuningCurve([0])).toThrow(/ks\[0\]/);
    expect(() => d.quantileTuningCurve([1], { q: 2 })).toThrow(/q must be/);
    expect(() => d.averageTuningCurve([1], { minimize: "yes" as any })).toThrow(/boolean/);
    expect(() => d.vTuningCurve([1.5])).toThrow(/integer/);
    expect(() => d.naiveTuningCurve([0])).toThrow(/> 0/);
  });

  it("U-statistic stays finite where C(n, k) overflows and equals its closed form", () => {
    // For ys = 1..n (divided by n): E[max of k without replacement] = k(n+1)/((k+1)n).
    const n = 1100;
    const d = new EmpiricalDistribution(Array.from({ length: n }, (_, i) => (i + 1) / n));
    for (const k of [1, 2, 550, 1099, 1100, 5000]) {
      const kk = Math.min(k, n);
      const want = (kk * (n + 1)) / ((kk + 1) * n);
      expect(Math.abs(d.uTuningCurve([k])[0]! - want), `k=${k}`).toBeLessThan(1e-13);
    }
    // Minimize: for ys = i/n the expected min of k draws without replacement is (n+1)/((k+1)n).
    expect(Math.abs(d.uTuningCurve([550], { minimize: true })[0]! - (n + 1) / (551 * n))).toBeLessThan(1e-13);
    // The V-statistic agrees with the general average curve.
    expect(d.vTuningCurve([7])[0]).toBeCloseTo(d.averageTuningCurve([7])[0]!, 13);
  });

  it("non-integer k interpolates between integer k for the average curve", () => {
    const d = new EmpiricalDistribution([0.1, 0.5, 0.7, 0.9]);
    const [a1, a15, a2] = d.averageTuningCurve([1, 1.5, 2]);
    expect(a1).toBeLessThan(a15!);
    expect(a15).toBeLessThan(a2!);
  });
});

describe("confidenceBands", () => {
  const ys = [0.3, 0.1, 0.7, 0.5, 0.9, 0.2];
  it("validates confidence, method and bounds", () => {
    expect(() => confidenceBands(ys, 1.2, { method: "dkw" })).toThrow(/confidence/);
    expect(() => confidenceBands(ys, 0.9, { method: "bogus" as any })).toThrow(/method/);
    expect(() => confidenceBands(ys, 0.9, { a: 0.2 })).toThrow(/a \(0.2\)/);
    expect(() => confidenceBands([0.5], 0.9, { method: "ld_highest_density" })).toThrow(/n ≥ 2/);
  });
  it("confidence 1 gives vacuous bands and 0 gives the ECDF (KS: ε = 1/(2n))", () => {
    const dkw = bandCumulativeWeights(6, 1, "dkw");
    expect([...dkw.lower].every((v) => v === 0)).toBe(true);
    expect([...dkw.upper].every((v) => v === 1)).toBe(true);
    expect(ldCriticalValue(6, 1, "equal_tailed")).toBe(1);
    expect(bandCumulativeWeights(6, 0, "ks").criticalValue).toBe(1 / 12);
    expect(ldCriticalValue(1, 0.9, "equal_tailed")).toBe(0.9);
  });
  it("upper CDF band → lower tuning curve; infinite bounds make the mean bands infinite", () => {
    const bands = confidenceBands(ys, 0.8, { method: "dkw" });
    expect(bands.criticalValue).toBe(dkwEpsilon(6, 0.8));
    const med = tuningCurveBands(bands, [1, 2, 4]);
    for (let i = 0; i < 3; i++) {
      expect(med.lower[i]).toBeLessThanOrEqual(med.point[i]!);
      expect(med.point[i]).toBeLessThanOrEqual(med.upper[i]!);
    }
    const mean = tuningCurveBands(bands, [1, 2], { curve: "mean" });
    expect(mean.upper).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(mean.lower).toEqual([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const minMean = tuningCurveBands(confidenceBands(ys, 0.8, { method: "dkw", a: 0, b: 1 }), [3], {
      curve: "mean",
      minimize: true,
    });
    expect(minMean.lower[0]).toBeLessThanOrEqual(minMean.point[0]!);
    expect(minMean.point[0]).toBeLessThanOrEqual(minMean.upper[0]!);
    expect(() => tuningCurveBands(bands, [1], { curve: "median", q: 0.3 })).toThrow(/quantile/);
  });
  it("a vacuous small-n band puts the upper median curve on b (n = 3, DKW 80 %: L_n = 0.38 < 0.5)", () => {
    const b = confidenceBands([0.2, 0.4, 0.6], 0.8, { method: "dkw", a: 0, b: 1 });
    expect(b.lower.cdf(0.6)).toBeCloseTo(1 - dkwEpsilon(3, 0.8), 15);
    expect(tuningCurveBands(b, [1, 5]).upper).toEqual([1, 1]);
  });
});

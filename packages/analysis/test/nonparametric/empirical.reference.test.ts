/**
 * The empirical distribution and the point tuning curves against opda v0.8.0's outputs
 * (shared/reference/opda/nonparametric_{n16,n16_ties,n128}.json, every field).
 *
 * Tolerances:
 * - cdf, pmf, ppf, quantile (median, q = 0.2) and naive curves: exact (bit-for-bit). We build the
 *   cumulative weights in opda's order (counts/n, sequential cumsum, divide by the last) and evaluate
 *   the level q^{1/k} with the same expression, so the step functions must agree exactly.
 * - mean/variance and the mean-type curves (average, V, U): relative 1e-13. They are sums of n terms
 *   whose order differs from numpy's pairwise summation, so the last bits differ (~n·eps ≈ 3e-14 at
 *   n = 128); 1e-13 still fails on any wrong term (each term is ≥ 1e-6 of the total here).
 */
import { describe, expect, it } from "vitest";
import { EmpiricalDistribution } from "../../src/nonparametric/empirical.js";
import { expectClose, nums, readRef } from "./helpers.js";

const FILES = ["nonparametric_n16.json", "nonparametric_n16_ties.json", "nonparametric_n128.json"];
const SUM_REL = 1e-13;

describe.each(FILES)("%s: point estimates", (file) => {
  const ref = readRef(file);
  const ys = nums(ref.sample.ys);
  const ks = nums(ref.ks);
  const extra = nums(ref.extra_ns);
  const pt = new EmpiricalDistribution(ys);

  it("has the sample size and ties of the reference", () => {
    expect(pt.n).toBe(ref.sample.n);
    expect(ref.point.ecdf_at_unique_sorted_ys.y.length).toBe(new Set(ys).size);
  });

  it("cdf and pmf at the distinct values are exact", () => {
    const u = nums(ref.point.ecdf_at_unique_sorted_ys.y);
    expectClose(
      u.map((y) => pt.cdf(y)),
      nums(ref.point.ecdf_at_unique_sorted_ys.F),
      {},
      "cdf",
    );
    expectClose(
      u.map((y) => pt.pmf(y)),
      nums(ref.point.pmf_at_unique_sorted_ys),
      {},
      "pmf",
    );
  });

  it("mean and variance", () => {
    expectClose(
      [pt.mean, pt.variance],
      [num1(ref.point.mean), num1(ref.point.variance)],
      { rel: SUM_REL },
      "mean/var",
    );
  });

  it("ppf for every bound setting is exact", () => {
    const qs = nums(ref.point.ppf.q);
    expect(ref.point.ppf.by_bounds.length).toBe(3);
    ref.bounds_settings.forEach((ab: unknown[], j: number) => {
      const [a, b] = nums(ab);
      const d = new EmpiricalDistribution(ys, { a, b });
      expectClose(
        qs.map((q) => d.ppf(q)),
        nums(ref.point.ppf.by_bounds[j]),
        {},
        `ppf a=${a} b=${b}`,
      );
    });
  });

  for (const dir of ["maximize", "minimize"] as const) {
    describe(dir, () => {
      const tc = ref.point.tuning_curves[dir];
      const minimize = dir === "minimize";
      it("median and q = 0.2 quantile curves (integer and non-integer k) are exact", () => {
        expectClose(pt.quantileTuningCurve(ks, { minimize }), nums(tc.median), {}, "median");
        expectClose(pt.quantileTuningCurve(ks, { q: 0.2, minimize }), nums(tc["quantile_q0.2"]), {}, "q0.2");
        expectClose(
          pt.quantileTuningCurve(extra, { minimize }),
          nums(tc.median_extra_ns),
          {},
          "median extra",
        );
      });
      it("mean (V-statistic generalised), V- and U-statistic curves", () => {
        expectClose(pt.averageTuningCurve(ks, { minimize }), nums(tc.mean), { rel: SUM_REL }, "mean");
        expectClose(
          pt.averageTuningCurve(extra, { minimize }),
          nums(tc.mean_extra_ns),
          { rel: SUM_REL },
          "mean extra",
        );
        expectClose(pt.vTuningCurve(ks, { minimize }), nums(tc.mean_v_statistic), { rel: SUM_REL }, "v");
        expectClose(pt.uTuningCurve(ks, { minimize }), nums(tc.mean_u_statistic), { rel: SUM_REL }, "u");
      });
      it("naive curve is exact", () => {
        expectClose(pt.naiveTuningCurve(ks, { minimize }), nums(tc.naive), {}, "naive");
      });
    });
  }

  it("point curves do not depend on the bounds (as asserted by the reference)", () => {
    const d = new EmpiricalDistribution(ys, { a: 0, b: 1 });
    expect(d.quantileTuningCurve(ks)).toEqual(pt.quantileTuningCurve(ks));
    expect(d.averageTuningCurve(extra)).toEqual(pt.averageTuningCurve(extra));
  });
});

function num1(v: unknown): number {
  return nums([v])[0]!;
}

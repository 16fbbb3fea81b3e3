/**
 * CDF confidence bands and the tuning-curve bands derived from them, against opda v0.8.0
 * (shared/reference/opda/nonparametric_{n16,n16_ties,n128}.json): every method (dkw, ks,
 * ld_equal_tailed, ld_highest_density), both confidences (0.80, 0.95), the three bound settings
 * ((0,1), (0,∞), (−∞,∞)), both directions, median and mean curves at integer and non-integer k.
 *
 * Tolerances and why:
 * - dkw/ks band values: 1e-14 absolute. The band is `clip(i/n ± ε)`, rebuilt from its increments
 *   and renormalised exactly like opda; only the summation of the increments differs (few ulps).
 *   The KS ε is our exact value, which equals scipy's `kstwo.ppf` to ~1e-15 for n ≤ 140 (scipy's
 *   exact regime; see critical-values.test.ts).
 * - LD with opda's own Monte-Carlo δ* (`critical_value_opda_mc`) plugged in: equal-tailed band
 *   values 1e-13 absolute (both sides invert the Beta CDF to ~1e-15; observed ≤ 3e-15),
 *   highest-density 2e-10 (opda's HD ends come from a binary search stopped at 1e-10, ours from a
 *   Newton solve to ~1e-15; observed ≤ 5.4e-11), i.e. the resolution of the reference itself.
 * - LD with our exact δ*: δ* equals the reference's deterministic `critical_value_exact` to 1e-9
 *   (observed ≤ 3e-12; the reference used opda's 1e-10 HD intervals); opda's MC δ* must be within
 *   its own documented precision (|1 − δ| relative error ≤ 10 % for 100 000 trials) of ours, and the
 *   exact coverage of opda's band (`exact_coverage_of_opda_band`) is reproduced to 1e-10
 *   (observed ≤ 2.2e-11; again limited by opda's 1e-10 HD intervals).
 * - Tuning-curve bands: median (step function) values exact; mean values relative 1e-13 for dkw/ks
 *   and 1e-9 for LD (they inherit the 2e-10 band resolution, scaled by the score range ≤ 1).
 *
 * The n16_ties file has no MC δ* of its own: its LD bands were drawn with the same generator
 * seeds (180, 195, 280, 295) and n = 16 as nonparametric_n16.json, so opda produced identical band
 * weights (checked below), and we plug in that file's δ*.
 */
import { describe, expect, it } from "vitest";
import {
  type BandMethod,
  confidenceBands,
  dkwEpsilon,
  ksEpsilon,
  ldCoverage,
  ldCriticalValue,
} from "../../src/nonparametric/bands.js";
import { tuningCurveBands } from "../../src/nonparametric/tuning-curve-bands.js";
import { expectClose, maxAbsDiff, nums, readRef } from "./helpers.js";

const FILES = ["nonparametric_n16.json", "nonparametric_n16_ties.json", "nonparametric_n128.json"];
const n16 = readRef("nonparametric_n16.json");

function opdaMcDelta(ref: any, band: any): number {
  if (band.critical_value_opda_mc !== undefined) return band.critical_value_opda_mc;
  const twin = n16.bands.find((b: any) => b.method === band.method && b.confidence === band.confidence);
  expect(ref.sample.n).toBe(16);
  expect(twin.generator_seed).toBe(band.generator_seed);
  return twin.critical_value_opda_mc;
}

function bandCdfs(
  ys: number[],
  res: ReturnType<typeof confidenceBands>,
  a: number,
): { lo: number[]; hi: number[] } {
  const sorted = [...ys].sort((x, y) => x - y);
  return {
    lo: [res.lower.cdf(a), ...sorted.map((y) => res.lower.cdf(y))],
    hi: [res.upper.cdf(a), ...sorted.map((y) => res.upper.cdf(y))],
  };
}

describe.each(FILES)("%s: confidence bands", (file) => {
  const ref = readRef(file);
  const ys = nums(ref.sample.ys);
  const n = ys.length;
  const ks = nums(ref.ks);
  const extra = nums(ref.extra_ns);

  it("covers every method × confidence", () => {
    const combos = ref.bands.map((b: any) => `${b.method}@${b.confidence}`).sort();
    expect(combos).toEqual(
      ["dkw", "ks", "ld_equal_tailed", "ld_highest_density"].flatMap((m) => [`${m}@0.8`, `${m}@0.95`]).sort(),
    );
  });

  for (const band of ref.bands) {
    const method = band.method as BandMethod;
    const conf = band.confidence as number;
    const isLd = method.startsWith("ld_");
    const kind = method === "ld_equal_tailed" ? "equal_tailed" : "highest_density";
    describe(`${method} @ ${conf}`, () => {
      const delta = isLd ? opdaMcDelta(ref, band) : undefined;
      const bandTol = method === "ld_highest_density" ? 2e-10 : method === "ld_equal_tailed" ? 1e-13 : 1e-14;
      const meanRel = isLd ? 1e-9 : 1e-13;

      it("critical value", () => {
        if (method === "dkw") expectClose([dkwEpsilon(n, conf)], [band.epsilon], { rel: 1e-15 }, "dkw ε");
        else if (method === "ks") expectClose([ksEpsilon(n, conf)], [band.epsilon], { abs: 1e-13 }, "ks ε");
        else {
          const exact = ldCriticalValue(n, conf, kind);
          if (band.critical_value_exact !== undefined) {
            expectClose([exact], [band.critical_value_exact], { abs: 1e-9 }, "exact δ*");
            expectClose(
              [ldCoverage(n, delta!, kind)],
              [band.exact_coverage_of_opda_band],
              { abs: 1e-10 },
              "coverage of opda's band",
            );
          }
          // opda's Monte-Carlo δ* is within its documented precision of the exact one.
          expect(Math.abs((1 - delta!) / (1 - exact) - 1)).toBeLessThan(0.1);
          // And our exact δ* really achieves the confidence.
          expectClose([ldCoverage(n, exact, kind)], [conf], { abs: 1e-12 }, "coverage at exact δ*");
        }
      });

      it("CDF band values at a and at the order statistics", () => {
        const res = confidenceBands(ys, conf, { a: 0, b: 1, method, criticalValue: delta });
        const { lo, hi } = bandCdfs(ys, res, 0);
        expectClose(lo, nums(band.cdf_lower_band_at_a_then_order_stats), { abs: bandTol }, "lower band");
        expectClose(hi, nums(band.cdf_upper_band_at_a_then_order_stats), { abs: bandTol }, "upper band");
        expect(res.point.ys).toEqual(ys);
      });

      if (isLd) {
        it("with our exact δ* the band differs from opda's only at Monte-Carlo noise level", () => {
          const res = confidenceBands(ys, conf, { a: 0, b: 1, method });
          const { lo, hi } = bandCdfs(ys, res, 0);
          const d = Math.max(
            maxAbsDiff(lo, nums(band.cdf_lower_band_at_a_then_order_stats)),
            maxAbsDiff(hi, nums(band.cdf_upper_band_at_a_then_order_stats)),
          );
          // Band ends move by ~(dℓ/dδ)·|Δδ| with |Δδ| ≲ 3e-4 here (observed ≤ 7.3e-4); the band
          // itself is ≥ 0.1 wide in the middle, so 2e-3 is "the same band up to MC noise".
          expect(d).toBeLessThan(2e-3);
          expect(d).toBeGreaterThan(0); // a different δ* must actually move the band
        });
      }

      for (const bb of band.by_bounds) {
        const a = nums([bb.a])[0]!;
        const b = nums([bb.b])[0]!;
        it(`tuning-curve bands, a=${a}, b=${b}`, () => {
          const res = confidenceBands(ys, conf, { a, b, method, criticalValue: delta });
          for (const dir of ["maximize", "minimize"] as const) {
            const minimize = dir === "minimize";
            const want = bb[dir];
            for (const [curve, key, pts] of [
              ["median", "median", ks],
              ["median", "median_extra_ns", extra],
              ["mean", "mean", ks],
              ["mean", "mean_extra_ns", extra],
            ] as const) {
              const got = tuningCurveBands(res, pts, { curve, minimize });
              if (curve === "median") {
                expectClose(got.lower, nums(want.lower_band[key]), {}, `${dir} lower ${key}`);
                expectClose(got.upper, nums(want.upper_band[key]), {}, `${dir} upper ${key}`);
                continue;
              }
              // W^k and (1 − W)^k amplify a relative error of W (or 1 − W) k-fold, so the
              // mean's tolerance scales with k (k = 1000 in extra_ns).
              pts.forEach((k, i) => {
                const tol = { rel: meanRel * Math.max(1, k) };
                expectClose(
                  [got.lower[i]!],
                  [nums(want.lower_band[key])[i]!],
                  tol,
                  `${dir} lower ${key} k=${k}`,
                );
                expectClose(
                  [got.upper[i]!],
                  [nums(want.upper_band[key])[i]!],
                  tol,
                  `${dir} upper ${key} k=${k}`,
                );
              });
            }
          }
        });
      }
    });
  }
});

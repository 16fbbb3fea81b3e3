/**
 * The fast paths that let a million scores analyse in seconds: the mean tuning curve's truncated,
 * run-stepped evaluation and the tuning-curve k grid, checked against the plain definitions
 * E[T_k] = Σ_j y_j (W_j^k − W_{j−1}^k) (max) / Σ_j y_j ((1 − W_{j−1})^k − (1 − W_j)^k) (min),
 * summed over every support point with Math.pow.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { confidenceBands } from "../../src/nonparametric/bands.js";
import { EmpiricalDistribution } from "../../src/nonparametric/empirical.js";
import { EXACT_K, MAX_K, tuningCurveKs } from "../../src/summary.js";

/** The definition, term by term, over the support points (zero-weight terms skipped like opda). */
function meanByDefinition(d: EmpiricalDistribution, k: number, minimize: boolean): number {
  const steps = d.steps();
  let s = 0;
  let prevCum = 0;
  for (const { value, cdf } of steps) {
    const w = minimize ? (1 - prevCum) ** k - (1 - cdf) ** k : cdf ** k - prevCum ** k;
    if (w !== 0) s += w * value;
    prevCum = cdf;
  }
  return s;
}

function expectRel(got: number, want: number, rel: number, label: string): void {
  if (!Number.isFinite(want)) {
    expect(got, label).toBe(want);
    return;
  }
  expect(Math.abs(got - want), `${label}: got ${got}, want ${want}`).toBeLessThanOrEqual(
    rel * Math.max(Math.abs(want), 1e-300),
  );
}

describe("averageTuningCurve fast path", () => {
  it("equals the definition for consecutive and scattered k, both directions, with ±∞ band mass", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        fc.constantFrom(-Infinity, -10),
        (ys, minimize, a) => {
          const bands = confidenceBands(ys, 0.8, { method: "dkw", a, b: 10 });
          const ks = [...Array.from({ length: 70 }, (_, i) => i + 1), 0.5, 2.5, 100, 1000, 5000];
          for (const d of [bands.point, bands.lower, bands.upper]) {
            const got = d.averageTuningCurve(ks, { minimize });
            ks.forEach((k, i) => {
              const want = meanByDefinition(d, k, minimize);
              // Run stepping adds ≤ 32 ulp, exp(k ln P) ≤ ~45 ulp per power; both relative to the
              // scores' range (10 here), so compare with an absolute floor at that scale.
              const tol = 1e-12 * Math.max(Math.abs(want), 10);
              if (!Number.isFinite(want)) expect(got[i], `k=${k}`).toBe(want);
              else expect(Math.abs(got[i]! - want), `k=${k}: ${got[i]} vs ${want}`).toBeLessThanOrEqual(tol);
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps full relative accuracy when the mean is tiny against the scores (cut-off fallback)", () => {
    // Almost all mass at 0, a little at 1: E[min of k] = P(all k draws are 1) = 0.001^k.
    const ys = [...Array.from({ length: 999 }, () => 0), 1];
    const d = new EmpiricalDistribution(ys);
    for (const k of [1, 2, 3, 5])
      expectRel(d.averageTuningCurve([k], { minimize: true })[0]!, 0.001 ** k, 1e-12, `k=${k}`);
  });

  it("matches the definition at n = 20 000 for every k ≤ 1024 and on the log grid", () => {
    const n = 20_000;
    const ys = Array.from(
      { length: n },
      (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453),
    );
    const d = new EmpiricalDistribution(ys, { a: 0, b: 1 });
    const ks = tuningCurveKs(10 * n, n);
    for (const minimize of [false, true]) {
      const got = d.averageTuningCurve(ks, { minimize });
      for (const i of [0, 1, 31, 32, 33, 500, 1023, 1024, ks.length - 1]) {
        const k = ks[i]!;
        expectRel(got[i]!, meanByDefinition(d, k, minimize), 1e-12, `k=${k} minimize=${minimize}`);
      }
    }
  });
});

describe("tuningCurveKs", () => {
  it("lists every k up to 1024, then 16 per doubling, with n and maxK", () => {
    expect(tuningCurveKs(64)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    const ks = tuningCurveKs(1_000_000, 123_457);
    expect(ks.slice(0, EXACT_K)).toEqual(Array.from({ length: EXACT_K }, (_, i) => i + 1));
    expect(ks).toContain(123_457);
    expect(ks.at(-1)).toBe(1_000_000);
    for (let i = 1; i < ks.length; i++) expect(ks[i]!).toBeGreaterThan(ks[i - 1]!);
    // Beyond 1024 consecutive grid points are ≤ 2^(1/16) apart (plus rounding).
    for (let i = EXACT_K; i < ks.length; i++)
      expect(ks[i]! / ks[i - 1]!).toBeLessThanOrEqual(2 ** (1 / 16) + 1e-3);
    expect(tuningCurveKs(MAX_K).length).toBeLessThanOrEqual(1_345);
  });

  it("rejects maxK outside 1..MAX_K with the limit in the message", () => {
    expect(() => tuningCurveKs(0)).toThrow(/from 1 to/);
    expect(() => tuningCurveKs(MAX_K + 1)).toThrow(/from 1 to/);
    expect(() => tuningCurveKs(2.5)).toThrow(/integer/);
  });
});

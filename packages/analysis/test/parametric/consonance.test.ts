/**
 * Consonance confidence sets: checked against a direct, brute-force implementation of the
 * paper's acceptance rule (evaluate the noisy-quadratic CDF at the regime's jump points and
 * compare with the band), on the synthetic noisy-quadratic sample of fits.json (true a = 1,
 * b = 3, c = 3, o = 0.05, convex) with a DKW band computed here from its closed form.
 */
import { describe, expect, it } from "vitest";
import {
  type CdfBand,
  consonanceSet,
  extrapolateMedian,
  medianGain,
} from "../../src/parametric/consonance.js";
import { fitNoisyQuadratic } from "../../src/parametric/fit.js";
import { NoisyQuadraticDistribution } from "../../src/parametric/noisy.js";
import { derivedScores, dkwBand, nums, readJson } from "./helpers.js";

const fits = readJson("reference/opda/fits.json");
const ys256 = nums((fits.cases as any[]).find((c) => c.id === "synthetic_noisy_quadratic_n256").ys);

/** The acceptance rule written directly (minimize): F(t_j) ≥ L(t_j), F(t_j) ≤ U(t_{j−1}), t₀ = −∞, t_{m+1} = θ. */
function acceptsDirect(
  band: CdfBand,
  theta: number,
  p: { a: number; b: number; c: number; o: number },
  slack = 0,
): boolean {
  const sorted = [...band.ys].sort((x, y) => x - y);
  const count = (t: number) => sorted.filter((y) => y <= t).length;
  const ts = [...new Set(sorted.filter((y) => y <= theta))];
  if (ts[ts.length - 1] !== theta) ts.push(theta);
  const d = new NoisyQuadraticDistribution(p.a, p.b, p.c, p.o, true);
  let prevU = band.upper[0] as number;
  for (const t of ts) {
    const F = d.cdf(t);
    if (F < (band.lower[count(t)] as number) - slack) return false;
    if (F > prevU + slack) return false;
    prevU = band.upper[count(t)] as number;
  }
  return true;
}

describe("consonanceSet", () => {
  const band = dkwBand(ys256, 0.8);
  const theta = 2.0;
  const sGrid = [0, 0.01, 0.025, 0.05, 0.1];
  const set = consonanceSet(band, { threshold: theta, minimize: true, cs: [1, 2, 3, 4, 5], sGrid });

  it("accepts the true parameters' c and covers the true best score", () => {
    expect(acceptsDirect(band, theta, { a: 1, b: 3, c: 3, o: 0.05 })).toBe(true);
    expect(set.acceptedC).toContain(3);
    expect(set.bestScore.lower).toBeLessThanOrEqual(1);
    expect(set.bestScore.upper).toBeGreaterThanOrEqual(1);
  });

  it("its witnesses pass the direct acceptance rule (they sit on the boundary: slack 1e-9)", () => {
    for (const pc of set.perC) {
      if (!pc.accepted) continue;
      for (const w of [pc.witnessLower, pc.witnessUpper]) {
        expect(w).not.toBeNull();
        if (!w) continue;
        expect(acceptsDirect(band, theta, w, 1e-9), JSON.stringify(w)).toBe(true);
      }
      expect(pc.witnessLower?.a).toBeCloseTo(pc.bestLower, 12);
      expect(pc.witnessUpper?.a).toBeCloseTo(pc.bestUpper, 12);
    }
  });

  it("contains every point a brute-force grid accepts", () => {
    for (const pc of set.perC) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      // Only grid s values (ours is exact on them; between them it refines further, so the
      // grid is still a subset).
      for (const s of sGrid) {
        for (let i = 0; i <= 60; i++) {
          const a = 0.5 + (i / 60) * 1.0;
          for (let j = 0; j <= 60; j++) {
            const r = 1 + (j / 60) * 4;
            if (acceptsDirect(band, theta, { a, b: a + r, c: pc.c, o: s * r })) {
              lo = Math.min(lo, a);
              hi = Math.max(hi, a);
            }
          }
        }
      }
      if (!Number.isFinite(lo)) continue; // the coarse grid found nothing: no constraint on ours
      expect(pc.accepted, `c=${pc.c} accepted by brute force`).toBe(true);
      expect(lo).toBeGreaterThanOrEqual(pc.bestLower - 1e-9);
      expect(hi).toBeLessThanOrEqual(pc.bestUpper + 1e-9);
      // Tightness is shown by the witness test above: our endpoints are attained by accepted
      // parameters (the coarse grid cannot reach the thin polygon's vertices).
    }
  });

  it("reports the regime share with the band's bounds", () => {
    const count = ys256.filter((y) => y <= theta).length;
    expect(set.regime.count).toBe(count);
    expect(set.regime.fraction).toBe(count / 256);
    expect(set.regime.bandLower).toBeLessThanOrEqual(set.regime.fraction);
    expect(set.regime.bandUpper).toBeGreaterThanOrEqual(set.regime.fraction);
  });

  it("extrapolation: point inside the interval and intervals nested in k-monotone order", () => {
    const fit = fitNoisyQuadratic(ys256, {
      limits: [Number.NEGATIVE_INFINITY, theta],
      constraints: { c: [1, 5], convex: true },
    });
    const ex = extrapolateMedian(set, [256, 512, 1024, 4096], fit.distribution);
    for (const e of ex) {
      expect(e.lower).toBeLessThanOrEqual(e.median);
      expect(e.upper).toBeGreaterThanOrEqual(e.median);
    }
    for (let i = 1; i < ex.length; i++) expect((ex[i] as any).median).toBeLessThan((ex[i - 1] as any).median);
    const gain = medianGain(set, 256, 256, fit.distribution);
    expect(gain.gain).toBeCloseTo(
      fit.distribution.quantileTuningCurve(256) - fit.distribution.quantileTuningCurve(512),
      14,
    );
    expect(gain.lower).toBeLessThanOrEqual(gain.gain);
    expect(gain.upper).toBeGreaterThanOrEqual(gain.gain);
  });
});

describe("consonanceSet direction handling", () => {
  it("maximizing accuracy mirrors minimizing the error rate (DeBERTaV3: accuracy = 1 − error)", () => {
    const err = derivedScores("deberta-v3-base_error_rate");
    const acc = derivedScores("deberta-v3-base_accuracy");
    // The two score lists are exact complements (checked, not assumed).
    expect(Math.max(...err.map((e, i) => Math.abs(e + (acc[i] as number) - 1)))).toBeLessThan(1e-15);
    const a = consonanceSet(dkwBand(err, 0.8), {
      threshold: 0.11,
      minimize: true,
      scoreBound: 0,
      cs: [1, 2, 3],
    });
    const b = consonanceSet(dkwBand(acc, 0.8), {
      threshold: 0.89,
      minimize: false,
      scoreBound: 1,
      cs: [1, 2, 3],
    });
    expect(b.acceptedC).toEqual(a.acceptedC);
    expect(b.bestScore.lower).toBeCloseTo(1 - a.bestScore.upper, 9);
    expect(b.bestScore.upper).toBeCloseTo(1 - a.bestScore.lower, 9);
    expect(b.regime.count).toBe(a.regime.count);
    // The fitted best score (opda: a = 0.0947) lies inside the 80 % interval.
    expect(a.bestScore.lower).toBeLessThan(0.0947);
    expect(a.bestScore.upper).toBeGreaterThan(0.0947);
  });
});

describe("consonanceSet normal limit (s → ∞)", () => {
  // First 48 DeBERTaV3 error rates, θ = 0.11, DKW 80 %: the s grid used to stop at 10 and cut the
  // accepted set (upper end too low, "touches the edge" nearly always). The limit member is the
  // normal tail a = b = μ, o = σ, checked here with the direct acceptance rule.
  const err48 = derivedScores("deberta-v3-base_error_rate").slice(0, 48);
  const band = dkwBand(err48, 0.8);
  const theta = 0.11;
  const set = consonanceSet(band, { threshold: theta, minimize: true });
  const finiteOnly = consonanceSet(band, {
    threshold: theta,
    minimize: true,
    sGrid: [0, ...Array.from({ length: 33 }, (_, i) => 10 ** (-5 + (6 * i) / 32))],
  });

  it("reaches further than the finite grid and no longer touches the s edge", () => {
    expect(set.bestScore.upper).toBeGreaterThan(finiteOnly.bestScore.upper);
    expect(set.bestScore.lower).toBe(finiteOnly.bestScore.lower);
    expect(finiteOnly.touchesEdge).toBe(true);
    expect(set.touchesEdge).toBe(false);
  });

  it("its upper end is the largest μ of an accepted normal tail (direct rule, brute force over σ)", () => {
    const best = set.perC.reduce((m, pc) => (pc.accepted && pc.bestUpper > m.bestUpper ? pc : m));
    const w = best.witnessUpper;
    expect(w).not.toBeNull();
    if (!w) return;
    expect(w.a).toBe(w.b); // the normal member
    expect(acceptsDirect(band, theta, w, 1e-9), JSON.stringify(w)).toBe(true);
    // No normal tail with μ above the reported end is accepted, for any σ on a fine grid, and no
    // finite-s member with a above it either (s on the default grid, r on a grid).
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = 1; j <= 400; j++) {
      const sigma = (j / 400) * 0.03;
      for (let i = 0; i <= 400; i++) {
        const mu = 0.1 + (i / 400) * 0.04;
        if (acceptsDirect(band, theta, { a: mu, b: mu, c: 1, o: sigma })) hi = Math.max(hi, mu);
      }
    }
    expect(hi).toBeLessThanOrEqual(set.bestScore.upper + 1e-12);
    // The grid gets within one μ step (1e-4) of the supremum.
    expect(hi).toBeGreaterThan(set.bestScore.upper - 1.5e-4);
  });
});

/**
 * The stopper's gain bound and decisions.
 *
 * The bound Ĝ = max(0, y* − min_{F accepted} Q_F(1 − q^{1/k})) is checked against a brute-force scan of
 * the acceptance rule written directly (noiseless convex quadratic tails, where F(y) = ((y − a)/r)^{c/2}
 * and Q(p) = a + r·p^{2/c} in closed form), on samples drawn here from a known quadratic (a = 1, r = 2,
 * c = 2) with a DKW band from its closed form. Decisions are checked on samples with known answers.
 */
import { describe, expect, it } from "vitest";
import { type CdfBand, consonanceSet } from "../../src/parametric/consonance.js";
import {
  continuationGainBound,
  decideStopping,
  type StoppingEvidence,
  stoppingEvidence,
} from "../../src/parametric/stopping.js";
import { analyzeScores } from "../../src/summary.js";
import { dkwBand } from "./helpers.js";

/** mulberry32: a small seeded uniform generator, independent of the package's own. */
function uniforms(seed: number, n: number): number[] {
  let t = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    out.push(((x ^ (x >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** n draws of the convex quadratic Y = a + r·U^{2/c} (CDF ((y − a)/r)^{c/2} on [a, a + r]). */
function quadraticSample(seed: number, n: number, a: number, r: number, c: number): number[] {
  return uniforms(seed, n).map((u) => a + r * u ** (2 / c));
}

/**
 * The acceptance rule, directly, for noiseless convex quadratic tails: F(t_j) ≥ L(t_j), F(t_j) ≤ U(t_{j−1})
 * at the distinct scores t_j ≤ θ and at θ (t₀ = −∞). Returns a predicate of (a, r, c).
 */
function quadraticAcceptance(
  band: CdfBand,
  theta: number,
): { accepts: (a: number, r: number, c: number) => boolean; ts: number[]; lo: number[]; upPrev: number[] } {
  const sorted = [...band.ys].sort((x, y) => x - y);
  const ts: number[] = [];
  const lo: number[] = [];
  const upPrev: number[] = [];
  let prevU = band.upper[0] as number;
  let count = 0;
  for (const t of [...new Set(sorted.filter((y) => y <= theta)), theta]) {
    if (ts[ts.length - 1] === t) continue;
    while (count < sorted.length && (sorted[count] as number) <= t) count++;
    ts.push(t);
    lo.push(band.lower[count] as number);
    upPrev.push(prevU);
    prevU = band.upper[count] as number;
  }
  const accepts = (a: number, r: number, c: number): boolean => {
    for (let j = 0; j < ts.length; j++) {
      const t = ts[j] as number;
      const f = t <= a ? 0 : t >= a + r ? 1 : ((t - a) / r) ** (c / 2);
      if (f < (lo[j] as number) - 1e-12 || f > (upPrev[j] as number) + 1e-12) return false;
    }
    return true;
  };
  return { accepts, ts, lo, upPrev };
}

describe("continuationGainBound", () => {
  const ys = quadraticSample(7, 200, 1, 2, 2);
  const band = dkwBand(ys, 0.8);
  const theta = 1.6;
  const set = consonanceSet(band, { threshold: theta, minimize: true, cs: [1, 2, 3, 4], sGrid: [0] });
  const best = Math.min(...ys);
  const bounds = quadraticAcceptance(band, theta);
  const accepts = bounds.accepts;

  it("equals the largest gain over a brute-force scan of the accepted tails (closed-form quantiles)", () => {
    for (const k of [1, 10, 100]) {
      const q = 0.8;
      const b = continuationGainBound(set, best, k, q);
      const p = 1 - q ** (1 / k);
      expect(b.level).toBeCloseTo(p, 15);
      // For fixed (c, r) each condition is a bound on a: F(t) ≥ L ⇔ a ≤ t − r·L^{2/c} and F(t) ≤ U ⇔
      // a ≥ t − r·U^{2/c} (U < 1). Q = a + r·p^{2/c} is least at the lower end a_lo(r), which the direct
      // predicate must accept (checked); r runs over a fine geometric grid.
      let accepted = 0;
      let scanMax = 0;
      for (const c of [1, 2, 3, 4])
        for (let j = 0; j <= 20000; j++) {
          const r = 0.3 * 100 ** (j / 20000);
          let aLo = Number.NEGATIVE_INFINITY;
          let aHi = Number.POSITIVE_INFINITY;
          for (let m = 0; m < bounds.ts.length; m++) {
            const t = bounds.ts[m] as number;
            aHi = Math.min(aHi, t - r * (bounds.lo[m] as number) ** (2 / c));
            const u = bounds.upPrev[m] as number;
            if (u < 1) aLo = Math.max(aLo, t - r * u ** (2 / c));
          }
          if (!(aLo + 1e-9 <= aHi - 1e-9)) continue;
          if (j % 100 === 0) {
            expect(accepts(aLo + 1e-9, r, c)).toBe(true);
            expect(accepts(aLo - 1e-6, r, c)).toBe(false);
          }
          accepted++;
          scanMax = Math.max(scanMax, best - (aLo + r * p ** (2 / c)));
        }
      expect(accepted).toBeGreaterThan(50);
      // The exact optimum over the continuous set ≥ every scanned boundary point, and the fine scan comes
      // within 1e-4 of it.
      expect(b.gain).toBeGreaterThanOrEqual(scanMax - 1e-8);
      expect(b.gain - scanMax).toBeLessThan(1e-4);
    }
  });

  it("covers the true tail's gain, grows with k, and respects the score bound", () => {
    const truth = (k: number, q: number) => Math.max(0, best - (1 + 2 * (1 - q ** (1 / k)) ** (2 / 2)));
    expect(accepts(1, 2, 2)).toBe(true);
    let prev = 0;
    for (const k of [1, 4, 16, 64, 256]) {
      const g = continuationGainBound(set, best, k, 0.8).gain;
      expect(g).toBeGreaterThanOrEqual(truth(k, 0.8) - 1e-12);
      expect(g).toBeGreaterThanOrEqual(prev);
      prev = g;
      expect(continuationGainBound(set, best, k, 0.8, best - 1e-3).gain).toBeLessThanOrEqual(1e-3 + 1e-15);
    }
  });

  it("rejects arguments in the caller's words", () => {
    expect(() => continuationGainBound(set, best, 0, 0.8)).toThrow(/further trials must be an integer >= 1/);
    expect(() => continuationGainBound(set, best, 3, 1)).toThrow(/probability must be in \(0, 1\)/);
    expect(() => continuationGainBound(set, Number.NaN, 3, 0.8)).toThrow(/best observed score/);
  });
});

describe("decideStopping", () => {
  const rule = { gain: 0.01, inTrials: 20 };
  const evidence = (over: Partial<StoppingEvidence>): StoppingEvidence => ({
    n: 100,
    confidence: 0.8,
    direction: "minimize",
    fitted: true,
    acceptedC: [2],
    touchesEdge: false,
    tailPoints: 30,
    bestObserved: 0.1,
    bestScoreInterval: { lower: 0.09, upper: 0.1 },
    continuation: { inTrials: 20, probability: 0.8, level: 0.011, gain: 0.004, bestObserved: 0.1 },
    ...over,
  });

  it("stops when the gain bound is below the threshold, and says so with the numbers", () => {
    const d = decideStopping(evidence({}), rule);
    expect(d.stop).toBe(true);
    expect(d.reason).toBe("gain-below-threshold");
    expect(d.message).toBe("stop after 100 trials: 20 more would gain at most 0.004 at 80% (threshold 0.01)");
  });

  it("continues, with the reason, whenever the fit cannot be relied on", () => {
    const cases: [Partial<StoppingEvidence>, string][] = [
      [{ n: 10 }, "too-few-trials"],
      [{ fitted: false }, "no-fit"],
      [{ tailPoints: 3 }, "too-few-tail-points"],
      [{ acceptedC: [], continuation: null }, "no-consistent-tail"],
      [{ touchesEdge: true }, "set-touches-edge"],
      [
        { continuation: { inTrials: 20, probability: 0.8, level: 0.011, gain: 0.05, bestObserved: 0.1 } },
        "gain-above-threshold",
      ],
    ];
    for (const [over, reason] of cases) {
      const d = decideStopping(evidence(over), rule);
      expect(d.stop, reason).toBe(false);
      expect(d.reason).toBe(reason);
      expect(d.message.startsWith("continue: ")).toBe(true);
    }
  });

  it("stops on a narrow best-score interval when asked to", () => {
    const wide = {
      continuation: { inTrials: 20, probability: 0.8, level: 0.011, gain: 0.05, bestObserved: 0.1 },
    };
    expect(decideStopping(evidence(wide), { ...rule, maxIntervalWidth: 0.02 }).reason).toBe(
      "interval-narrow",
    );
    expect(decideStopping(evidence(wide), { ...rule, maxIntervalWidth: 0.005 }).stop).toBe(false);
  });

  it("validates the rule", () => {
    expect(() => decideStopping(evidence({}), { gain: 0, inTrials: 5 })).toThrow(/gain must be a number > 0/);
    expect(() => decideStopping(evidence({}), { gain: 1, inTrials: 2.5 })).toThrow(
      /inTrials must be an integer/,
    );
  });

  it("on real analyses: a large quadratic sample stops, a tiny one refuses to decide", () => {
    // 2,000 draws from a = 0, r = 1, c = 2: the 20 next trials gain about best − Q(1 − 0.8^{1/20}) ≈ 0.
    const big = quadraticSample(11, 2000, 0, 1, 2);
    const r = analyzeScores(big, {
      direction: "minimize",
      lower: 0,
      upper: 1,
      threshold: 0.1,
      maxK: 1,
      continuationTrials: 20,
    });
    expect(r.continuation).not.toBeNull();
    const e = stoppingEvidence(r);
    expect(e.bestObserved).toBe(Math.min(...big));
    expect(e.tailPoints).toBe(big.filter((y) => y <= 0.1).length);
    // The true tail's gain bound at q = 0.8: best − (1 − 0.8^{1/20}) clipped at 0; Ĝ covers it.
    const truth = Math.max(0, e.bestObserved - (1 - 0.8 ** (1 / 20)));
    expect(r.continuation?.gain).toBeGreaterThanOrEqual(truth - 1e-12);
    const stop = decideStopping(e, { gain: 0.02, inTrials: 20 });
    expect(stop.stop, stop.message).toBe(true);
    // 20 more trials beat the best of 2,000 with probability ≈ 1 % only, so the bound is 0 there; 20,000
    // more trials gain a clear margin, which a tiny threshold refuses.
    expect(r.continuation?.gain).toBe(0);
    const r2 = analyzeScores(big, {
      direction: "minimize",
      lower: 0,
      upper: 1,
      threshold: 0.1,
      maxK: 1,
      continuationTrials: 20000,
    });
    expect(r2.continuation?.gain).toBeGreaterThan(1e-4);
    const strict = decideStopping(stoppingEvidence(r2), { gain: 1e-5, inTrials: 20000 });
    expect(strict.stop).toBe(false);
    expect(strict.reason).toBe("gain-above-threshold");

    const small = quadraticSample(3, 12, 0, 1, 2);
    const rs = analyzeScores(small, {
      direction: "minimize",
      threshold: 0.3,
      maxK: 1,
      continuationTrials: 20,
    });
    const ds = decideStopping(stoppingEvidence(rs), { gain: 0.02, inTrials: 20 });
    expect(ds.stop).toBe(false);
    expect(ds.reason).toBe("too-few-trials");
  });
});

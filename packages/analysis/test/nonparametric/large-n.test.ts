/**
 * Critical values and LD intervals beyond the exact crossovers: the Pelz–Good KS quantile against
 * the exact quantile, the interpolated LD intervals against every exact Beta interval, and the
 * extrapolated δ* against the exact δ* at its anchor. The larger-n errors (δ* at n = 16 384 and
 * beyond) cost minutes and are measured by bench/critical-values.bench.mjs instead.
 */
import { describe, expect, it } from "vitest";
import {
  bandCumulativeWeights,
  KS_EXACT_MAX_N,
  LD_EXACT_INTERVALS_MAX_N,
  LD_EXACT_MAX_N,
} from "../../src/nonparametric/bands.js";
import {
  LD_ANCHOR_TABLE,
  ldCriticalValue,
  ldCriticalValueExtrapolated,
  ldIntervals,
  ldIntervalsInterpolated,
} from "../../src/nonparametric/ld.js";
import {
  kolmogorovSmirnovCdf,
  kolmogorovSmirnovCdfPelzGood,
  kolmogorovSmirnovPpf,
  kolmogorovSmirnovPpfPelzGood,
} from "../../src/special/kolmogorov.js";

describe("Kolmogorov–Smirnov at large n", () => {
  it("Pelz–Good quantile is within 1e-8 (relative) of the exact quantile at n = 1000 and the crossover", () => {
    for (const [n, c] of [
      [1000, 0.5],
      [1000, 0.95],
      [KS_EXACT_MAX_N, 0.8],
    ] as const) {
      const exact = kolmogorovSmirnovPpf(n, c);
      const approx = kolmogorovSmirnovPpfPelzGood(n, c);
      expect(Math.abs(approx - exact) / exact, `n=${n} c=${c}`).toBeLessThan(n >= 4096 ? 1e-8 : 1e-7);
    }
  });

  it("Pelz–Good CDF tracks the exact CDF across the range (n = 2000)", () => {
    const n = 2000;
    for (const z of [0.4, 0.6, 0.8, 1, 1.3, 1.7, 2.2]) {
      const x = z / Math.sqrt(n);
      expect(
        Math.abs(kolmogorovSmirnovCdfPelzGood(n, x) - kolmogorovSmirnovCdf(n, x)),
        `z=${z}`,
      ).toBeLessThan(1e-7);
    }
  });

  it("the band switches to Pelz–Good above the crossover and says so", () => {
    const small = bandCumulativeWeights(KS_EXACT_MAX_N, 0.8, "ks");
    expect(small.criticalValueSource.kind).toBe("exact");
    const big = bandCumulativeWeights(KS_EXACT_MAX_N + 1, 0.8, "ks");
    expect(big.criticalValueSource.kind).toBe("pelz_good");
    expect(big.criticalValueSource.note).toMatch(/Pelz–Good/);
    expect(big.criticalValue).toBeCloseTo(kolmogorovSmirnovPpfPelzGood(KS_EXACT_MAX_N + 1, 0.8), 15);
  });
});

describe("LD bands at large n", () => {
  it("interpolated intervals equal the exact ones to 5e-13 (n = 10 000, both families)", () => {
    const n = 10_000;
    for (const kind of ["equal_tailed", "highest_density"] as const)
      for (const delta of [0.99, 0.999999]) {
        const e = ldIntervals(n, delta, kind);
        const a = ldIntervalsInterpolated(n, delta, kind);
        let worst = 0;
        for (let i = 0; i < n; i++)
          worst = Math.max(worst, Math.abs(a.lo[i]! - e.lo[i]!), Math.abs(a.hi[i]! - e.hi[i]!));
        expect(worst, `${kind} δ=${delta}`).toBeLessThan(5e-13);
      }
  });

  it("extrapolated δ* reproduces the exact δ* at its anchor n = 8192", () => {
    const exact = ldCriticalValue(LD_EXACT_MAX_N, 0.8, "equal_tailed");
    expect(ldCriticalValueExtrapolated(LD_EXACT_MAX_N, 0.8, "equal_tailed")).toBeCloseTo(exact, 13);
  }, 60_000);

  it("the tabulated anchors are the exact δ* (n = 2048, every confidence of the table)", () => {
    for (const kind of ["equal_tailed", "highest_density"] as const)
      for (const [c, v] of Object.entries(LD_ANCHOR_TABLE[kind]))
        expect(Math.abs(v[0] - ldCriticalValue(2048, Number(c), kind)), `${kind} ${c}`).toBeLessThan(1e-12);
  }, 120_000);

  it("the band names its critical-value source above the crossovers", () => {
    const n = LD_EXACT_INTERVALS_MAX_N + 1;
    const b = bandCumulativeWeights(n, 0.8, "ld_equal_tailed");
    expect(b.criticalValueSource.kind).toBe("extrapolated");
    expect(b.criticalValueSource.intervals).toBe("interpolated");
    expect(b.criticalValueSource.note).toMatch(/extrapolated/);
    // δ* grows with n: above the anchor at 8192.
    expect(b.criticalValue).toBeGreaterThan(ldCriticalValue(LD_EXACT_MAX_N, 0.8, "equal_tailed"));
  }, 60_000);
});

describe("confidenceBands with precomputed cumulative values", () => {
  it("gives the same band as computing them, and rejects a band of another n", async () => {
    const { confidenceBands } = await import("../../src/nonparametric/bands.js");
    const ys = Array.from({ length: 50 }, (_, i) => Math.sin(i) + i / 10);
    const cum = bandCumulativeWeights(50, 0.8, "ld_equal_tailed");
    const a = confidenceBands(ys, 0.8, { method: "ld_equal_tailed", cumulative: cum });
    const b = confidenceBands(ys, 0.8, { method: "ld_equal_tailed" });
    expect(a.lower.steps()).toEqual(b.lower.steps());
    expect(a.upper.steps()).toEqual(b.upper.steps());
    expect(a.criticalValueSource).toEqual(b.criticalValueSource);
    const other = bandCumulativeWeights(49, 0.8, "ld_equal_tailed");
    expect(() => confidenceBands(ys, 0.8, { method: "ld_equal_tailed", cumulative: other })).toThrow(
      /n \+ 1 = 51/,
    );
  });
});

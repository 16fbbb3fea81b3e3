import { describe, expect, it } from "vitest";
import {
  histogramQuantile,
  InvalidArgumentError,
  poolHistograms,
  suggestEpsilonRange,
} from "../src/index.js";

const edges = [-8, -7, -6, -5, -4, -3, -2, -1, 0];

describe("suggestEpsilonRange", () => {
  it("uniform counts: quantiles in closed form, rounded outward to decades", () => {
    // 8 bins x 10 entries = 80. Q(0.05): rank 4 in bin 0 -> -8 + 4/10 = -7.6; Q(0.95): rank 76 -> bin 7
    // with 6 of 10 -> -1 + 0.6 = -0.4; median rank 40 -> end of bin 3 = -4.
    const r = suggestEpsilonRange([{ binEdges: edges, counts: new Array(8).fill(10), totalCount: 80 }]);
    expect(r.log10QuantileLow).toBeCloseTo(-7.6, 12);
    expect(r.log10QuantileHigh).toBeCloseTo(-0.4, 12);
    expect(r.log10Median).toBeCloseTo(-4, 12);
    expect([r.log10Min, r.log10Max, r.min, r.max]).toEqual([-8, 0, 1e-8, 1]);
    expect(r.status).toBe("experimental");
  });

  it("pools histograms and excludes zeros and non-finite entries", () => {
    const a = {
      binEdges: edges,
      counts: [0, 0, 0, 20, 0, 0, 0, 0],
      zeroCount: 5,
      nonfiniteCount: 1,
      totalCount: 26,
    };
    const b = { binEdges: edges, counts: [0, 0, 0, 0, 20, 0, 0, 0], zeroCount: 3 };
    const r = suggestEpsilonRange([a, b]);
    // 40 entries in [-5,-4) and [-4,-3): Q(0.05) = -5 + 2/20 = -4.9, Q(0.95) = -4 + 18/20 = -3.1.
    expect(r.log10QuantileLow).toBeCloseTo(-4.9, 12);
    expect(r.log10QuantileHigh).toBeCloseTo(-3.1, 12);
    expect([r.min, r.max]).toEqual([1e-5, 1e-3]);
    expect([r.counted, r.excludedZeros, r.excludedNonfinite, r.histograms]).toEqual([40, 8, 1, 2]);
  });

  it("interpolated quantiles track the exact quantiles of the binned data within one bin width", () => {
    // Deterministic log10 values (a low-discrepancy sweep over a skewed shape), binned by the protocol rule.
    const fine = Array.from({ length: 81 }, (_, i) => -12 + i * 0.125);
    const xs = Array.from({ length: 5000 }, (_, i) => -9 + 6 * ((i * 0.6180339887498949) % 1) ** 2);
    const counts = new Array(fine.length - 1).fill(0);
    for (const x of xs) counts[Math.min(Math.floor((x - -12) / 0.125), counts.length - 1)] += 1;
    const sorted = [...xs].sort((p, q) => p - q);
    const pooled = poolHistograms([{ binEdges: fine, counts }]);
    for (const p of [0.05, 0.25, 0.5, 0.95]) {
      const exact = sorted[Math.ceil(p * sorted.length) - 1] as number;
      expect(Math.abs(histogramQuantile(pooled, p).log10 - exact)).toBeLessThanOrEqual(0.125);
    }
  });

  it("flags censoring when a quantile falls among underflow or overflow entries", () => {
    const r = suggestEpsilonRange([
      { binEdges: [-4, -3], counts: [2], underflowCount: 10, overflowCount: 10 },
    ]);
    expect(r.censoredLow).toBe(true);
    expect(r.censoredHigh).toBe(true);
    expect([r.log10QuantileLow, r.log10QuantileHigh]).toEqual([-4, -3]);
  });

  it("rounds quantiles inside one decade outward to that decade", () => {
    // 7 entries in [-3.5, -3.25): Q(0.05) = -3.5 + 0.25·0.35/7 = -3.4875, Q(0.95) = -3.5 + 0.25·6.65/7
    // = -3.2625, so floor/ceil give [-4, -3].
    const r = suggestEpsilonRange([{ binEdges: [-3.5, -3.25], counts: [7] }]);
    expect(r.log10QuantileLow).toBeCloseTo(-3.4875, 12);
    expect(r.log10QuantileHigh).toBeCloseTo(-3.2625, 12);
    expect([r.log10Min, r.log10Max]).toEqual([-4, -3]);
  });

  it("widens to one full decade when both quantiles round to the same power of ten", () => {
    // Everything underflows below -3: both quantiles are the (censored) edge -3, floor = ceil = -3.
    const r = suggestEpsilonRange([{ binEdges: [-3, -2], counts: [0], underflowCount: 5 }]);
    expect([r.log10QuantileLow, r.log10QuantileHigh]).toEqual([-3, -3]);
    expect([r.log10Min, r.log10Max, r.min, r.max]).toEqual([-3, -2, 1e-3, 1e-2]);
    expect([r.censoredLow, r.censoredHigh]).toEqual([true, true]);
  });

  it("quantile endpoints: p = 0 is the first occupied edge, p = 1 the last occupied edge", () => {
    const pooled = poolHistograms([{ binEdges: edges, counts: [0, 0, 3, 0, 0, 1, 0, 0] }]);
    expect(histogramQuantile(pooled, 0)).toEqual({ log10: -6, censored: false });
    expect(histogramQuantile(pooled, 1)).toEqual({ log10: -2, censored: false });
    // Rank 3 of 4 ends bin [-6, -5): Q(0.75) = -5 exactly.
    expect(histogramQuantile(pooled, 0.75).log10).toBe(-5);
  });

  it("rejects malformed input with precise messages", () => {
    expect(() => suggestEpsilonRange([])).toThrow(InvalidArgumentError);
    expect(() => suggestEpsilonRange([{ binEdges: [0, 0], counts: [1] }])).toThrow(/strictly increasing/);
    expect(() => suggestEpsilonRange([{ binEdges: [0, 1], counts: [1, 2] }])).toThrow(/counts has 2 entries/);
    expect(() => suggestEpsilonRange([{ binEdges: [0, 1], counts: [1], totalCount: 3 }])).toThrow(
      /totalCount 3 differs/,
    );
    expect(() => suggestEpsilonRange([{ binEdges: [0, 1], counts: [-1] }])).toThrow(/non-negative integer/);
    expect(() =>
      suggestEpsilonRange([
        { binEdges: [0, 1], counts: [1] },
        { binEdges: [0, 2], counts: [1] },
      ]),
    ).toThrow(/different binEdges/);
    expect(() => suggestEpsilonRange([{ binEdges: [0, 1], counts: [0], zeroCount: 4 }])).toThrow(
      /no positive finite/,
    );
    expect(() =>
      suggestEpsilonRange([{ binEdges: [0, 1], counts: [1] }], { lowQuantile: 0.9, highQuantile: 0.1 }),
    ).toThrow(/lowQuantile < highQuantile/);
  });
});

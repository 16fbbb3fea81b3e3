import { describe, expect, it } from "vitest";
import { RandomState } from "../src/rng.js";
import { haltonBases, haltonScramble, haltonSequence, oddPrimesBelow, sample } from "../src/samplers.js";
import { parseSpaceDocument, pointFromUnit } from "../src/space.js";

// Test vectors: AlgoPerf halton.py (mlcommons/algorithmic-efficiency), unshuffled, d = 7, n = 5.
const ARCHIVED_NADAMW = {
  learning_rate: { min: 1e-4, max: 1e-2, scaling: "log" },
  one_minus_beta1: { min: 4e-3, max: 0.1, scaling: "log" },
  beta2: { feasible_points: [0.999] },
  warmup_factor: { feasible_points: [0.05] },
  weight_decay: { min: 5e-3, max: 1.0, scaling: "log" },
  label_smoothing: { feasible_points: [0.1, 0.2] },
  dropout_rate: { feasible_points: [0.0, 0.1] },
};

describe("AlgoPerf scrambled Halton (spec §4.2)", () => {
  it("picks the bases just below the largest odd prime", () => {
    expect(haltonBases(7)).toEqual([947, 953, 967, 971, 977, 983, 991]);
    expect(oddPrimesBelow(30)).toEqual([3, 5, 7, 11, 13, 17, 19, 23, 29]);
    // 167 odd primes below 1000: d = 166 still fits a = 1, d = 167 needs a = 2 (largest < 2000 is 1999).
    expect(haltonBases(166).at(-1)).toBe(991);
    expect(haltonBases(167).at(-1)).toBe(1997);
  });

  it("reproduces the digit permutations and shifts of bases 991 and 983", () => {
    const s991 = haltonScramble(991);
    expect(s991.permutation.slice(0, 8)).toEqual([0, 219, 782, 672, 547, 29, 857, 746]);
    expect(s991.shift).toBe(0.6867297263251911);
    const s983 = haltonScramble(983);
    expect(s983.permutation.slice(0, 8)).toEqual([0, 487, 96, 821, 711, 86, 425, 388]);
    expect(s983.shift).toBe(0.490658058831969);
    // A permutation of 0..b-1 with π(0) = 0.
    expect([...s991.permutation].sort((a, b) => a - b)).toEqual(Array.from({ length: 991 }, (_, i) => i));
  });

  it("reproduces the first two unit points to the 12 digits given", () => {
    const rows = haltonSequence(5, 7, { shuffleSeed: null });
    const p1 = [
      0.648493533118, 0.756572292322, 0.364141525912, 0.691447593355, 0.137146069645, 0.273974437265,
      0.286124277284,
    ];
    const p2 = [
      0.187036299749, 0.20253241824, 0.44273511433, 0.922137603653, 0.806542180187, 0.991166705831,
      0.830019332783,
    ];
    p1.forEach((v, j) => {
      expect(Math.abs((rows[0] as Float64Array)[j]! - v)).toBeLessThan(5e-13);
    });
    p2.forEach((v, j) => {
      expect(Math.abs((rows[1] as Float64Array)[j]! - v)).toBeLessThan(5e-13);
    });
  });

  it("maps the 5 points through the archived NAdamW space bit for bit", () => {
    const doc = parseSpaceDocument(ARCHIVED_NADAMW);
    if (doc.kind !== "space") throw new Error("expected a space");
    const pts = haltonSequence(5, 7, { shuffleSeed: null }).map((u) => pointFromUnit(doc.space, u));
    const expected = [
      [0.0019814680146414726, 0.045677535963609565, 0.999, 0.05, 0.010340635370188849, 0.1, 0.0],
      [0.0002366315233112939, 0.007676940273940445, 0.999, 0.05, 0.358796133013872, 0.2, 0.1],
      [0.0009554263254837416, 0.05281759963218209, 0.999, 0.05, 0.01950318659958426, 0.1, 0.0],
      [0.00010054778177688589, 0.005702987383013654, 0.999, 0.05, 0.012638327613865154, 0.1, 0.0],
      [0.00019766560226064676, 0.040447795913733486, 0.999, 0.05, 0.012300240728935494, 0.1, 0.1],
    ];
    const keys = Object.keys(ARCHIVED_NADAMW);
    pts.forEach((p, i) => {
      expect(keys.map((k) => p[k])).toEqual(expected[i]);
    });
  });

  it("shuffles reproducibly by seed and keeps the same point set", () => {
    const a = haltonSequence(20, 3, { shuffleSeed: 7 });
    const b = haltonSequence(20, 3, { shuffleSeed: 7 });
    const c = haltonSequence(20, 3, { shuffleSeed: null });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const key = (r: Float64Array) => Array.from(r).join(",");
    expect(a.map(key).sort()).toEqual(c.map(key).sort());
  });
});

describe("numpy legacy RandomState", () => {
  it("matches the MT19937 reference output for init_genrand(5489)", () => {
    // First outputs of the reference mt19937ar.c with the default seed 5489 (widely published).
    const rs = new RandomState(5489);
    expect([rs.nextU32(), rs.nextU32(), rs.nextU32()]).toEqual([3499211612, 581869302, 3890346734]);
  });
  it("interval stays in range and random_sample in [0, 1)", () => {
    const rs = new RandomState(1);
    for (let i = 0; i < 1000; i++) {
      const v = rs.interval(6);
      expect(v >= 0 && v <= 6 && Number.isInteger(v)).toBe(true);
      const u = rs.randomSample();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});

describe("sample()", () => {
  it("random sampling is reproducible per seed and differs across seeds", () => {
    const doc = parseSpaceDocument(ARCHIVED_NADAMW);
    if (doc.kind !== "space") throw new Error();
    const a = sample(doc.space, "random", 10, { seed: 3 });
    expect(sample(doc.space, "random", 10, { seed: 3 })).toEqual(a);
    expect(sample(doc.space, "random", 10, { seed: 4 })).not.toEqual(a);
    for (const p of a) {
      expect(p.learning_rate as number).toBeGreaterThanOrEqual(1e-4);
      expect(p.learning_rate as number).toBeLessThanOrEqual(1e-2);
      expect([0.1, 0.2]).toContain(p.label_smoothing);
    }
  });
  it("every sampler accepts an AlgoPerf space with repeated feasible points; a repeat is a weight", () => {
    const doc = parseSpaceDocument({
      lr: { min: 1e-4, max: 1e-2, scaling: "log" },
      warmup: { feasible_points: [0.05, 0.05, 0.1] },
    });
    if (doc.kind !== "space") throw new Error();
    for (const kind of ["random", "halton"] as const) {
      const pts = sample(doc.space, kind, 3000, { seed: 5 });
      const share = pts.filter((p) => p.warmup === 0.05).length / pts.length;
      // Halton's second coordinate is equidistributed; random is within 4 standard errors of 2/3.
      expect(Math.abs(share - 2 / 3)).toBeLessThan(kind === "halton" ? 0.01 : 4 * Math.sqrt(2 / 9 / 3000));
    }
    // The grid treats a repeated value as one level: 2 warmup levels × 3 lr levels ≤ 6 points.
    const grid = sample(doc.space, "grid", 6, { seed: 0 });
    expect(grid.map((p) => p.warmup)).toEqual([0.05, 0.1, 0.05, 0.1, 0.05, 0.1]); // last parameter fastest
    expect(grid).toHaveLength(6);
    // Nadir's native format still refuses repeats (there they are a typo, not a weight).
    expect(() =>
      parseSpaceDocument({ parameters: [{ name: "w", type: "discrete", values: [1, 1] }] }),
    ).toThrow(/expected unique items/);
  });
});

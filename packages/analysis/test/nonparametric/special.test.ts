/**
 * Special functions against independent references: exact rational arithmetic (BigInt) for the
 * binomial pmf, the incomplete beta function with integer parameters and log-factorials, closed
 * forms, and Monte Carlo for the order-statistic box probability.
 */
import { describe, expect, it } from "vitest";
import { ldCriticalValue, ldIntervals } from "../../src/nonparametric/ld.js";
import {
  betaCdf,
  betaEqualTailedInterval,
  betaHighestDensityInterval,
  betaIsf,
  betaPpf,
  betaSf,
} from "../../src/special/beta.js";
import { binomialPmf, poissonPmf } from "../../src/special/binomial.js";
import { InvalidArgumentError } from "../../src/special/errors.js";
import { logBeta, logBinomialCoefficient, logGamma } from "../../src/special/gamma.js";
import { kolmogorovSmirnovCdf, kolmogorovSmirnovPpf } from "../../src/special/kolmogorov.js";
import { orderStatisticsBoxProbability } from "../../src/special/order-statistics.js";
import { brentRoot } from "../../src/special/roots.js";
import { boxProbabilityBinomial } from "./box-binomial.js";

// ---- exact rational helpers -------------------------------------------------------------------
function bitLength(x: bigint): number {
  return x.toString(2).length;
}
/** num/den (positive BigInts) as the nearest-ish double (64 significant bits before rounding). */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const s = 64 - (bitLength(num) - bitLength(den));
  const q = s >= 0 ? (num << BigInt(s)) / den : num / (den << BigInt(-s));
  return Number(q) * 2 ** -s;
}
/** ln of a positive BigInt, to ~1 ulp of the result (ln 2 carried in two parts). */
function logBig(x: bigint): number {
  const b = bitLength(x);
  if (b <= 60) return Math.log(Number(x));
  const sh = b - 60;
  return Math.log(Number(x >> BigInt(sh))) + sh * 2.3190468138462996e-17 + sh * Math.LN2;
}
/** Tolerance for a computed logarithm L: a few ulps of |L| (no double result can do better) + 1e-14. */
const logTol = (want: number): number => 8 * 2.220446049250313e-16 * Math.abs(want) + 1e-14;
function factorial(n: number): bigint {
  let f = 1n;
  for (let i = 2n; i <= BigInt(n); i++) f *= i;
  return f;
}
function binom(n: number, k: number): bigint {
  let c = 1n;
  for (let i = 0; i < k; i++) c = (c * BigInt(n - i)) / BigInt(i + 1);
  return c;
}
/** I_x(a, b) for integers a, b and x = u/d: P(Binomial(a+b−1, x) ≥ a), exactly. */
function exactIncBeta(a: number, b: number, u: number, d: number): { p: number; q: number } {
  const N = a + b - 1;
  let lower = 0n;
  let upper = 0n;
  const U = BigInt(u);
  const V = BigInt(d - u);
  const powV: bigint[] = [1n];
  for (let j = 1; j <= N; j++) powV.push(powV[j - 1]! * V);
  let c = 1n; // C(N, j)
  let powU = 1n; // u^j
  for (let j = 0; j <= N; j++) {
    if (j > 0) {
      c = (c * BigInt(N - j + 1)) / BigInt(j);
      powU *= U;
    }
    const t = c * powU * powV[N - j]!;
    if (j >= a) upper += t;
    else lower += t;
  }
  const den = BigInt(d) ** BigInt(N);
  return { p: ratio(upper, den), q: ratio(lower, den) };
}
const relErr = (a: number, e: number): number => Math.abs(a - e) / Math.abs(e);

describe("log-gamma family", () => {
  it("logGamma matches ln((n−1)!) from exact factorials, and ln Γ(½) = ½ ln π", () => {
    for (const n of [1, 2, 3, 5, 10, 11, 20, 50, 171, 1000, 5000]) {
      const want = logBig(factorial(n - 1));
      expect(Math.abs(logGamma(n) - want), `logGamma(${n})`).toBeLessThanOrEqual(logTol(want));
    }
    expect(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(4e-15);
    // ln Γ(x) = −ln x − γx + O(x²) for small x.
    expect(Math.abs(logGamma(1e-8) - (-Math.log(1e-8) - 0.5772156649015329 * 1e-8))).toBeLessThan(4e-15);
  });
  it("logBeta has absolute accuracy for large arguments (no lgamma cancellation)", () => {
    for (const [a, b] of [
      [3, 4],
      [2, 4095],
      [20, 30],
      [2048, 2049],
      [1, 7000],
      [4000, 96],
    ] as const) {
      // 1/B(a, b) = (a+b−1)!/((a−1)!(b−1)!) = (a+b−1)·C(a+b−2, a−1), one exact integer.
      const want = -logBig(BigInt(a + b - 1) * binom(a + b - 2, a - 1));
      expect(Math.abs(logBeta(a, b) - want), `logBeta(${a}, ${b})`).toBeLessThan(logTol(want));
    }
    const lc = logBig(binom(1100, 550));
    expect(Math.abs(logBinomialCoefficient(1100, 550) - lc)).toBeLessThan(logTol(lc));
  });
  it("rejects non-positive arguments", () => {
    expect(() => logGamma(0)).toThrow(InvalidArgumentError);
    expect(() => logBeta(-1, 2)).toThrow(InvalidArgumentError);
  });
});

describe("binomialPmf (Loader) vs exact rationals", () => {
  // exp(L) has relative error = the absolute error of L, which is ≥ ~ulp(|L|) for any double
  // evaluation (pmf(2; 1000, 3/8) ≈ e^{−463}), so the tolerance scales with |ln pmf|.
  it("has relative accuracy of a few ulps of |ln pmf| in the body and the far tails", () => {
    for (const [r, u, d] of [
      [10, 1, 3],
      [1000, 3, 8],
      [4096, 1, 8192],
      [4000, 7, 8],
    ] as const) {
      const den = BigInt(d) ** BigInt(r);
      for (const j of [0, 1, 2, Math.floor((r * u) / d), Math.floor(r / 2), r - 1, r]) {
        const exact = ratio(binom(r, j) * BigInt(u) ** BigInt(j) * BigInt(d - u) ** BigInt(r - j), den);
        const got = binomialPmf(j, r, u / d);
        if (exact === 0 || exact < 1e-290) continue;
        expect(relErr(got, exact), `pmf(${j}; ${r}, ${u}/${d})`).toBeLessThan(logTol(Math.log(exact)));
      }
    }
  });
});

describe("poissonPmf (Loader) vs exact rationals", () => {
  it("matches e^{−λ}·λ^j/j! with λ^j/j! taken exactly in BigInt", () => {
    // λ = u/d: ln pmf = ln(u^j) − ln(d^j·j!) − λ with both logs of exact integers. Those logs are
    // ~1 ulp each, so the reference's own error is a few ulps of the larger term: that sets the bar.
    for (const [u, d] of [
      [1, 2],
      [7, 2],
      [50, 1],
      [4096, 1],
      [1, 8192],
    ] as const) {
      const lambda = u / d;
      for (const j of [0, 1, 2, 5, Math.floor(lambda), Math.floor(lambda) + 3, 2 * Math.ceil(lambda) + 10]) {
        const a = logBig(BigInt(u) ** BigInt(j));
        const b = logBig(BigInt(d) ** BigInt(j) * factorial(j));
        const want = a - b - lambda;
        const tol = 8 * 2.220446049250313e-16 * (Math.abs(a) + Math.abs(b) + lambda) + 1e-14;
        const got = poissonPmf(j, lambda);
        if (want < -700) {
          // Below the double range (e^{−4096} at j = 0): must underflow to 0, not to garbage.
          expect(got).toBeLessThan(1e-300);
          continue;
        }
        expect(Math.abs(Math.log(got) - want), `pmf(${j}; ${lambda})`).toBeLessThan(tol);
      }
    }
    expect(poissonPmf(0, 0)).toBe(1);
    expect(poissonPmf(3, 0)).toBe(0);
    expect(poissonPmf(-1, 2)).toBe(0);
    expect(poissonPmf(1.5, 2)).toBe(0);
    expect(() => poissonPmf(1, -1)).toThrow(InvalidArgumentError);
    expect(() => poissonPmf(1, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
  });
});

describe("Beta distribution", () => {
  const cases = [
    [1, 1],
    [2, 5],
    [10, 10],
    [50, 30],
    [1, 1024],
    [500, 700],
    [2000, 2000],
  ] as const;
  it("betaCdf / betaSf match the exact binomial-sum identity, including tiny tails", () => {
    for (const [a, b] of cases) {
      for (const [u, d] of [
        [1, 8],
        [3, 8],
        [1, 2],
        [5, 8],
        [15, 16],
      ] as const) {
        const e = exactIncBeta(a, b, u, d);
        const x = u / d;
        if (e.p > 1e-300) expect(relErr(betaCdf(x, a, b), e.p), `I_${x}(${a},${b})`).toBeLessThan(2e-13);
        if (e.q > 1e-300) expect(relErr(betaSf(x, a, b), e.q), `1−I_${x}(${a},${b})`).toBeLessThan(2e-13);
      }
    }
  });
  it("betaPpf / betaIsf invert the CDF to ~1e-12 relative in probability, tails included", () => {
    for (const [a, b] of cases) {
      for (const p of [1e-12, 1e-5, 0.025, 0.3, 0.5]) {
        const x = betaPpf(p, a, b);
        expect(relErr(betaCdf(x, a, b), p), `ppf(${p}; ${a},${b})`).toBeLessThan(1e-12);
        // The upper quantile is near 1, where x itself carries only absolute precision, so check
        // it through the mirror identity 1 − I_x(a, b) = I_{1−x}(b, a).
        expect(Math.abs(betaIsf(p, a, b) - (1 - betaPpf(p, b, a))), `isf(${p}; ${a},${b})`).toBeLessThan(
          3e-16,
        );
      }
    }
    expect(betaPpf(0, 2, 3)).toBe(0);
    expect(betaPpf(1, 2, 3)).toBe(1);
  });
  it("equal-tailed interval puts (1−δ)/2 in each tail", () => {
    const { lo, hi } = betaEqualTailedInterval(7, 20, 0.9);
    expect(relErr(betaCdf(lo, 7, 20), 0.05)).toBeLessThan(1e-13);
    expect(relErr(betaSf(hi, 7, 20), 0.05)).toBeLessThan(1e-13);
  });
  it("highest-density interval: mass δ, equal density at both ends, shorter than equal-tailed", () => {
    for (const [a, b] of [
      [2, 15],
      [5, 12],
      [30, 30],
      [3, 4094],
      [1500, 2597],
    ] as const) {
      for (const delta of [0.3, 0.9, 0.999, 0.99999]) {
        const { lo, hi } = betaHighestDensityInterval(a, b, delta);
        const mass = 1 - betaCdf(lo, a, b) - betaSf(hi, a, b);
        expect(Math.abs(mass - delta), `mass (${a},${b},${delta})`).toBeLessThan(1e-13);
        const logf = (x: number) => (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x);
        expect(Math.abs(logf(lo) - logf(hi)), `density (${a},${b},${delta})`).toBeLessThan(1e-9);
        const et = betaEqualTailedInterval(a, b, delta);
        expect(hi - lo).toBeLessThanOrEqual(et.hi - et.lo + 1e-15);
      }
    }
    // Monotone densities give one-sided intervals.
    expect(betaHighestDensityInterval(1, 9, 0.8)).toEqual({ lo: 0, hi: betaPpf(0.8, 1, 9) });
    expect(betaHighestDensityInterval(9, 1, 0.8).hi).toBe(1);
    expect(() => betaHighestDensityInterval(1, 1, 0.5)).toThrow(InvalidArgumentError);
  });
});

describe("order-statistic box probability", () => {
  it("n = 1 is the box length; n = 2 matches the closed form 2·area", () => {
    expect(orderStatisticsBoxProbability([0.2], [0.7])).toBeCloseTo(0.5, 15);
    // P(U(1) ≤ 0.5, U(2) ≥ 0.25): complement events U(1) > 0.5 (prob 0.25), U(2) < 0.25 (0.0625), disjoint.
    expect(orderStatisticsBoxProbability([0, 0.25], [0.5, 1])).toBeCloseTo(1 - 0.25 - 0.0625, 15);
    expect(orderStatisticsBoxProbability([0.5, 0.5], [0.4, 1])).toBe(0);
  });
  it("the Poisson-process form equals the binomial-transition oracle on LD, KS and random boxes", () => {
    // Two derivations of the same probability (see test/nonparametric/box-binomial.ts): agreement
    // to 1e-12 absolute shows neither has a modelling slip; the measured gap is ≤ ~1e-13 at n = 4096.
    const boxes: { name: string; lo: ArrayLike<number>; hi: ArrayLike<number> }[] = [];
    for (const n of [2, 3, 10, 100, 1024]) {
      for (const kind of ["equal_tailed", "highest_density"] as const) {
        for (const delta of [0.5, 0.99, 0.9995])
          boxes.push({ name: `${kind} n=${n} δ=${delta}`, ...ldIntervals(n, delta, kind) });
      }
      // KS box for ε = 1.2/√n: i/n − ε ≤ U_(i) ≤ (i−1)/n + ε.
      const eps = 1.2 / Math.sqrt(n);
      const lo = Array.from({ length: n }, (_, i) => Math.max(0, (i + 1) / n - eps));
      const hi = Array.from({ length: n }, (_, i) => Math.min(1, i / n + eps));
      boxes.push({ name: `ks n=${n}`, lo, hi });
    }
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let b = 0; b < 20; b++) {
      const n = 1 + Math.floor(rand() * 60);
      const u = Array.from({ length: n }, rand).sort((x, y) => x - y);
      const w = 0.05 + 0.3 * rand();
      // Boxes around a sorted sample, some bounds touching 0 or 1 or each other.
      boxes.push({
        name: `random #${b} n=${n}`,
        lo: u.map((x) => (rand() < 0.1 ? 0 : Math.max(0, x - w * rand()))),
        hi: u.map((x) => (rand() < 0.1 ? 1 : Math.min(1, x + w * rand()))),
      });
    }
    for (const { name, lo, hi } of boxes) {
      const want = boxProbabilityBinomial(lo, hi);
      const got = orderStatisticsBoxProbability(lo, hi);
      expect(Math.abs(got - want), name).toBeLessThan(1e-12);
    }
  });
  it("agrees with a Monte Carlo estimate for an LD band (n = 16, exact δ*)", () => {
    const n = 16;
    const delta = ldCriticalValue(n, 0.8, "highest_density");
    const { lo, hi } = ldIntervals(n, delta, "highest_density");
    expect(Math.abs(orderStatisticsBoxProbability(lo, hi) - 0.8)).toBeLessThan(1e-12);
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const trials = 40000;
    let inside = 0;
    const u = new Float64Array(n);
    for (let t = 0; t < trials; t++) {
      for (let i = 0; i < n; i++) u[i] = rand();
      u.sort();
      let ok = true;
      for (let i = 0; i < n && ok; i++) ok = u[i]! >= lo[i]! && u[i]! <= hi[i]!;
      if (ok) inside++;
    }
    const se = Math.sqrt((0.8 * 0.2) / trials);
    expect(Math.abs(inside / trials - 0.8)).toBeLessThan(4 * se);
  });
});

describe("Kolmogorov–Smirnov distribution", () => {
  it("n = 1 closed form P(D_1 ≤ d) = 2d − 1 and support limits", () => {
    expect(kolmogorovSmirnovCdf(1, 0.8)).toBeCloseTo(0.6, 15);
    expect(kolmogorovSmirnovCdf(5, 0.1)).toBe(0);
    expect(kolmogorovSmirnovCdf(5, 1)).toBe(1);
    // Just above 1/(2n): P = n!(2d − 1/n)^n (all points in their own slots).
    const n = 4;
    const d = 1 / 8 + 1e-3;
    expect(relErr(kolmogorovSmirnovCdf(n, d), 24 * (2 * d - 1 / n) ** n)).toBeLessThan(1e-12);
    expect(kolmogorovSmirnovPpf(1, 0.5)).toBeCloseTo(0.75, 15);
  });
});

describe("brentRoot", () => {
  it("solves cos x = x to machine precision and refuses a non-bracket", () => {
    const r = brentRoot((x) => Math.cos(x) - x, 0, 1);
    expect(Math.abs(r - 0.7390851332151607)).toBeLessThan(2e-16);
    expect(() => brentRoot((x) => x * x + 1, -1, 1)).toThrow(InvalidArgumentError);
  });
});

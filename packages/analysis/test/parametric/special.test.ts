/**
 * Special functions owned by the parametric half: erf/erfc/Φ/Φ⁻¹ (normal.ts), quadrature rules
 * (quadrature.ts), partial normal moments (moments.ts), optimizers (optimize.ts), the PRNG.
 * Reference values: mpmath 1.3 at 30–50 digits (printed to 20 digits below), closed forms, and
 * independent quadrature computed in the test.
 */
import { describe, expect, it } from "vitest";
import { integerPartialMoment, partialMoment } from "../../src/parametric/moments.js";
import { NoisyQuadraticDistribution } from "../../src/parametric/noisy.js";
import { QuadraticDistribution } from "../../src/parametric/quadratic.js";
import { createRng } from "../../src/parametric/random.js";
import { erf, erfc, normalCdf, normalPdf, normalPpf, normalSf } from "../../src/special/normal.js";
import { goldenSection, nelderMead } from "../../src/special/optimize.js";
import {
  gaussLegendre,
  integrateAdaptive,
  integrateGL,
  integrateTanhSinh,
} from "../../src/special/quadrature.js";

const ERFC: [number, number][] = [
  [0.1, 0.8875370839817152],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [1.5, 0.033894853524689274],
  [2, 0.004677734981047266],
  [3.7, 1.671510579091462e-7],
  [5, 1.537459794428035e-12],
  [8.5, 2.7623240713337716e-33],
  [10, 2.088487583762545e-45],
  [15, 7.212994172451207e-100],
  [26, 5.663192408856143e-296],
];

describe("normal functions", () => {
  it("erfc matches mpmath to 5e-15 relative over [0.1, 26]", () => {
    for (const [x, want] of ERFC) expect(Math.abs(erfc(x) / want - 1), `erfc(${x})`).toBeLessThan(5e-15);
  });
  it("erf/erfc symmetry and complement", () => {
    for (const x of [-3, -0.7, -0.2, 0, 0.3, 1.1, 4]) {
      expect(erf(-x) + erf(x)).toBe(0);
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(3e-16);
      expect(Math.abs(erfc(-x) - (2 - erfc(x)))).toBeLessThan(4e-16);
    }
  });
  it("Φ, 1 − Φ and φ", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(Math.abs(normalCdf(-1.959963984540054) - 0.025)).toBeLessThan(1e-16);
    expect(Math.abs(normalSf(8) / normalCdf(-8) - 1)).toBeLessThan(1e-15);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });
  it("Φ⁻¹ matches mpmath and round-trips", () => {
    const cases: [number, number][] = [
      [1e-300, -37.0470962993612],
      [1e-10, -6.361340902404057],
      [0.001, -3.0902323061678136],
      [0.3, -0.5244005127080408],
      [0.975, 1.9599639845400543],
    ];
    for (const [p, want] of cases)
      expect(Math.abs(normalPpf(p) - want), `ppf(${p})`).toBeLessThan(2e-15 * Math.max(1, Math.abs(want)));
    expect(normalPpf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalPpf(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalPpf(1.5)).toThrow(/\[0, 1\]/);
  });
});

describe("quadrature", () => {
  it("n-point Gauss–Legendre integrates x^j exactly for j ≤ 2n − 1 and not beyond", () => {
    for (const n of [1, 2, 5, 12, 20]) {
      for (let j = 0; j <= 2 * n - 1; j++) {
        const exact = j % 2 === 1 ? 0 : 2 / (j + 1);
        expect(Math.abs(integrateGL((x) => x ** j, -1, 1, n) - exact), `n=${n}, j=${j}`).toBeLessThan(1e-14);
      }
      const j = 2 * n;
      expect(Math.abs(integrateGL((x) => x ** j, -1, 1, n) - 2 / (j + 1))).toBeGreaterThan(1e-13);
    }
    const { weights } = gaussLegendre(12);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 14);
  });
  it("adaptive GL and tanh-sinh agree with closed forms, incl. an endpoint singularity", () => {
    expect(Math.abs(integrateAdaptive(Math.exp, 0, 3) - Math.expm1(3))).toBeLessThan(1e-12);
    expect(Math.abs(integrateTanhSinh((x) => 1 / Math.sqrt(x), 0, 1) - 2)).toBeLessThan(1e-12);
    expect(Math.abs(integrateTanhSinh((x) => Math.log(x), 0, 1) + 1)).toBeLessThan(1e-12);
  });
});

describe("partial normal moments", () => {
  /** Independent: tanh-sinh in x on [0, 1] split at μ ± jσ (x^k singular at 0 for k < 0 is fine for tanh-sinh). */
  function reference(k: number, mu: number, s: number): number {
    const cuts = [0, 1, ...[-8, -4, -2, -1, 0, 1, 2, 4, 8].map((j) => mu + j * s)]
      .filter((x) => x >= 0 && x <= 1)
      .sort((a, b) => a - b);
    let total = 0;
    for (let i = 1; i < cuts.length; i++) {
      const lo = cuts[i - 1] as number;
      const hi = cuts[i] as number;
      if (hi > lo) total += integrateTanhSinh((x) => x ** k * (normalPdf((x - mu) / s) / s), lo, hi, 1e-13);
    }
    return total;
  }
  it("agree with independent tanh-sinh quadrature (k = −½ … 5, σ from 1e-4 to 3)", () => {
    let worst = 0;
    for (const k of [-0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3.5, 4.5, 5]) {
      for (const s of [1e-4, 3e-3, 0.02, 0.1, 0.5, 3]) {
        for (const mu of [-2 * s, 0, 0.01, 0.275, 0.5, 0.9, 1, 1 + 2 * s]) {
          const got = partialMoment(k, mu, s);
          const want = reference(k, mu, s);
          worst = Math.max(worst, Math.abs(got - want) / Math.max(1, Math.abs(want)));
        }
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });
  it("integer recursion: M₀ is a normal probability, M₁ a truncated mean", () => {
    expect(Math.abs(integerPartialMoment(0, 0.3, 0.2) - (normalCdf(3.5) - normalCdf(-1.5)))).toBeLessThan(
      3e-16,
    );
    expect(partialMoment(2, Number.POSITIVE_INFINITY, 0.1)).toBe(0);
  });
});

describe("optimizers", () => {
  it("Nelder–Mead finds the Rosenbrock minimum", () => {
    const r = nelderMead(
      (x) => 100 * ((x[1] as number) - (x[0] as number) ** 2) ** 2 + (1 - (x[0] as number)) ** 2,
      [-1.2, 1],
      { maxEval: 2000, xatol: 1e-10, fatol: 1e-16 },
    );
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
  });
  it("golden section finds the minimum of a convex piecewise-linear function", () => {
    const r = goldenSection((x) => Math.max(2 - x, 0.5 * x - 1), 0, 10, 1e-12);
    expect(r.x).toBeCloseTo(2, 10);
  });
});

describe("random numbers and sampling", () => {
  it("xoshiro128** stream is deterministic per seed and differs between seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xa);
    for (const x of xa) expect(x >= 0 && x < 1).toBe(true);
  });
  it("samples follow their distributions (Kolmogorov–Smirnov distance below the 99.9 % critical value)", () => {
    const n = 4000;
    const crit = 1.95 / Math.sqrt(n); // asymptotic KS 0.999 quantile
    const ks = (xs: Float64Array, cdf: (y: number) => number) => {
      const s = [...xs].sort((x, y) => x - y);
      let d = 0;
      s.forEach((y, i) => {
        const F = cdf(y);
        d = Math.max(d, Math.abs(F - i / n), Math.abs(F - (i + 1) / n));
      });
      return d;
    };
    const q = new QuadraticDistribution(0.2, 0.9, 3, false);
    expect(ks(q.sample(n, 1), (y) => q.cdf(y))).toBeLessThan(crit);
    const nq = new NoisyQuadraticDistribution(1, 3, 3, 0.05, true);
    expect(ks(nq.sample(n, 2), (y) => nq.cdf(y))).toBeLessThan(crit);
    expect(nq.sample(3, 7)).toEqual(nq.sample(3, 7));
  });
});

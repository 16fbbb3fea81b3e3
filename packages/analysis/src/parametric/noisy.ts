/**
 * The noisy quadratic distribution Y = Q + E, Q ~ QuadraticDistribution(a, b, c, convex),
 * E ~ N(0, o²) independent (Lourie, He & Cho 2025, §3.2; opda `NoisyQuadraticDistribution`).
 *
 * With r = b − a, s = o/r and the partial normal moments M_k (moments.ts):
 *   μ = (y − a)/r (convex) or (b − y)/r (concave)
 *   f(y) = c/(2r) · M_{c/2 − 1}(μ, s)
 *   F(y) = Φ((y − b)/o) + M_{c/2}(μ, s)   (convex)
 *   F(y) = Φ((y − a)/o) − M_{c/2}(μ, s)   (concave)
 * (F by integrating Φ((y − q)/o) against the quadratic density by parts.)
 *
 * Regimes, replicated from opda so that values match it: a = b and o = 0 → point mass;
 * o < 1e-6·r → the quadratic's closed forms ("noiseless"); o ≥ 10·r (includes a = b, o > 0) →
 * N(mean, variance) ("normal"); otherwise the formulas above. Unlike opda, M_k for odd c is
 * computed by Gauss–Legendre quadrature (abs. error ~1e-13) instead of minimax polynomials
 * (abs. error up to ~8e-6 in F and a few % in f near the edge for c = 1).
 */
import { normalCdf, normalPdf, normalPpf } from "../special/normal.js";
import { IntegrationError, integrateAdaptive } from "../special/quadrature.js";
import {
  checkBool,
  checkC,
  checkFinite,
  checkK,
  checkProbability,
  InvalidArgumentError,
  tuningLevel,
} from "./common.js";
import { partialMoment } from "./moments.js";
import { QuadraticDistribution } from "./quadratic.js";
import { type RngLike, toRng } from "./random.js";

/** Which formulas a NoisyQuadraticDistribution uses (opda's `_approximate_with`). */
export type NoisyRegime = "point" | "noiseless" | "normal" | "exact";

/**
 * Quadratic plus independent N(0, o²) noise: F, f and the tuning curves by the partial-moment
 * formulas of the module comment (Lourie, He & Cho 2025, §3.2; opda `NoisyQuadraticDistribution`).
 */
export class NoisyQuadraticDistribution {
  /** Lower end of the quadratic part's support. */
  readonly a: number;
  /** Upper end of the quadratic part's support. */
  readonly b: number;
  /** Effective dimension (integer 1..10). */
  readonly c: number;
  /** Standard deviation of the additive normal noise. */
  readonly o: number;
  /** true: minimization (the best possible score is a); false: maximization (b). */
  readonly convex: boolean;
  /** Mean of the quadratic part (the noise has mean 0). */
  readonly mean: number;
  /** o² + the quadratic part's variance. */
  readonly variance: number;
  /** Which formulas apply (see {@link NoisyRegime} and the module comment). */
  readonly regime: NoisyRegime;
  private readonly quadratic: QuadraticDistribution;
  private readonly r: number;
  private readonly s: number;
  private readonly sd: number;

  /**
   * @param a lower end of the quadratic part's support (a ≤ b)
   * @param b upper end of the quadratic part's support
   * @param c effective dimension, integer 1..10
   * @param o standard deviation of the additive normal noise (finite, ≥ 0)
   * @param convex true: minimization (the best possible score is a); false: maximization (b)
   */
  constructor(a: number, b: number, c: number, o: number, convex = false) {
    checkFinite("a", a);
    checkFinite("b", b);
    checkFinite("o", o);
    if (a > b) throw new InvalidArgumentError(`a must be <= b, got a=${a}, b=${b}`, { path: "a" });
    if (o < 0) throw new InvalidArgumentError(`o must be >= 0, got ${o}`, { path: "o" });
    checkC(c);
    checkBool("convex", convex);
    this.a = a;
    this.b = b;
    this.c = c;
    this.o = o;
    this.convex = convex;
    this.quadratic = new QuadraticDistribution(a, b, c, convex);
    this.r = b - a;
    this.s = this.r > 0 ? o / this.r : Number.POSITIVE_INFINITY;
    this.mean = this.quadratic.mean;
    this.variance = o * o + this.quadratic.variance;
    this.sd = Math.sqrt(this.variance);
    if (a === b && o === 0) this.regime = "point";
    else if (o < 1e-6 * this.r) this.regime = "noiseless";
    else if (o >= 10 * this.r) this.regime = "normal";
    else this.regime = "exact";
  }

  private mu(y: number): number {
    return this.convex ? (y - this.a) / this.r : (this.b - y) / this.r;
  }

  /** Density f(y) = c/(2r)·M_{c/2−1}(μ, s) (regime switches as described above). */
  pdf(y: number): number {
    if (Number.isNaN(y)) return Number.NaN;
    switch (this.regime) {
      case "point":
      case "noiseless":
        return this.quadratic.pdf(y);
      case "normal":
        return normalPdf((y - this.mean) / this.sd) / this.sd;
      default:
        return Math.max(0, (this.c / (2 * this.r)) * partialMoment(this.c / 2 - 1, this.mu(y), this.s));
    }
  }

  /** CDF F(y) = Φ((y−b)/o) + M_{c/2}(μ, s) (convex) or Φ((y−a)/o) − M_{c/2}(μ, s) (concave), clipped to [0, 1]. */
  cdf(y: number): number {
    if (Number.isNaN(y)) return Number.NaN;
    switch (this.regime) {
      case "point":
      case "noiseless":
        return this.quadratic.cdf(y);
      case "normal":
        return normalCdf((y - this.mean) / this.sd);
      default: {
        const m = partialMoment(this.c / 2, this.mu(y), this.s);
        const v = this.convex ? normalCdf((y - this.b) / this.o) + m : normalCdf((y - this.a) / this.o) - m;
        return Math.min(1, Math.max(0, v));
      }
    }
  }

  /**
   * Quantile Q(q) = inf{y : F(y) ≥ q}: closed form in the point/noiseless regimes, μ + σΦ⁻¹(q) in
   * the normal regime, otherwise bisection on F to full double precision (bracket grown from
   * [a − 10o, b + 10o] until it contains the root). Q(0) = −∞ and Q(1) = +∞ in the noisy regimes.
   */
  ppf(q: number): number {
    const qq = checkProbability("q", q);
    switch (this.regime) {
      case "point":
      case "noiseless":
        return this.quadratic.ppf(qq);
      case "normal":
        return this.mean + this.sd * normalPpf(qq);
      default:
        break;
    }
    if (qq === 0) return Number.NEGATIVE_INFINITY;
    if (qq === 1) return Number.POSITIVE_INFINITY;
    let lo = this.a - 10 * this.o;
    let hi = this.b + 10 * this.o;
    let step = 10 * this.o;
    while (this.cdf(lo) >= qq) {
      step *= 2;
      lo = this.a - step;
      if (!Number.isFinite(lo)) return Number.NEGATIVE_INFINITY;
    }
    step = 10 * this.o;
    while (this.cdf(hi) < qq) {
      step *= 2;
      hi = this.b + step;
      if (!Number.isFinite(hi)) return Number.POSITIVE_INFINITY;
    }
    // Invariant: F(lo) < q ≤ F(hi).
    for (let i = 0; i < 200; i++) {
      const mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      if (this.cdf(mid) < qq) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Draw `size` values: quadratic inverse-transform sample plus o·Φ⁻¹(U′) noise (seeded xoshiro128**). */
  sample(size: number, generator: RngLike): Float64Array {
    if (!Number.isInteger(size) || size < 0)
      throw new InvalidArgumentError(`size must be a non-negative integer, got ${size}`, { path: "size" });
    const rng = toRng(generator);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const q = this.quadratic.ppf(rng.next());
      let u = rng.next();
      while (u === 0) u = rng.next();
      out[i] = q + this.o * normalPpf(u);
    }
    return out;
  }

  /** q-quantile of the best of k iterations: Q(q^{1/k}) (maximize) or Q(1 − (1 − q)^{1/k}) (minimize); minimize defaults to convex. */
  quantileTuningCurve(k: number, q = 0.5, minimize?: boolean): number {
    checkK(k);
    const qq = checkProbability("q", q);
    const m = minimize ?? this.convex;
    checkBool("minimize", m);
    return this.ppf(tuningLevel(qq, k, m));
  }

  /**
   * Expected best of k iterations, E[T_k] = lo + ∫_lo^hi (1 − F_{T_k}(y)) dy with
   * F_{T_k} = F^k (maximize) or 1 − (1 − F)^k (minimize), on opda's truncation
   * [lo, hi] = [a − 6o, b + 6o]. Adaptive Gauss–Legendre to `atol` (default 1e-10·(hi − lo)); the
   * noiseless regime uses the quadratic's closed forms. Throws IntegrationError on failure.
   */
  averageTuningCurve(k: number, minimize?: boolean, atol?: number): number {
    checkK(k);
    const m = minimize ?? this.convex;
    checkBool("minimize", m);
    if (this.regime === "point") return this.a;
    if (this.regime === "noiseless") return this.quadratic.averageTuningCurve(k, m);
    const lo = this.a - 6 * this.o;
    const hi = this.b + 6 * this.o;
    const tol = atol ?? 1e-10 * (hi - lo);
    const survival = m
      ? (y: number) => (1 - this.cdf(y)) ** k // P(T > y) for the minimum
      : (y: number) => -Math.expm1(k * Math.log(this.cdf(y))); // 1 − F^k without cancellation
    // Split at a and b where the integrand bends most.
    const cuts = [lo, this.a, this.b, hi].filter((v, i, arr) => i === 0 || v > (arr[i - 1] as number));
    let total = 0;
    try {
      for (let i = 1; i < cuts.length; i++)
        total += integrateAdaptive(survival, cuts[i - 1] as number, cuts[i] as number, {
          atol: tol / 3,
          rtol: 1e-13,
        });
    } catch (e) {
      if (e instanceof IntegrationError)
        throw new IntegrationError(`averageTuningCurve(k=${k}): ${e.message}`);
      throw e;
    }
    return lo + total;
  }
}

/**
 * The quadratic distribution (Lourie, He & Cho 2025, "Hyperparameter Loss Surfaces Are Simple
 * Near their Optima", §3; opda `QuadraticDistribution`): the law of y* ± ½(x−x*)ᵀH(x−x*) when x is
 * drawn with a density near the optimum, on the support [a, b] with c = number of non-zero Hessian
 * eigenvalues (effective number of hyperparameters).
 *
 * With r = b − a:
 *   convex  (minimize): F(y) = ((y − a)/r)^{c/2},      f(y) = c/(2r)·((y − a)/r)^{c/2 − 1}
 *   concave (maximize): F(y) = 1 − ((b − y)/r)^{c/2},  f(y) = c/(2r)·((b − y)/r)^{c/2 − 1}
 *   mean = a + r·c/(c+2) (convex) or a + r·2/(c+2) (concave); variance = r²·4c/((c+2)²(c+4)).
 */
import {
  checkBool,
  checkC,
  checkFinite,
  checkK,
  checkProbability,
  InvalidArgumentError,
  quadraticGap,
  tuningLevel,
} from "./common.js";
import { type RngLike, toRng } from "./random.js";

/**
 * The quadratic distribution on [a, b] with effective dimension c: F, f, Q, mean and variance in
 * the closed forms of the module comment (Lourie, He & Cho 2025, §3; opda `QuadraticDistribution`).
 */
export class QuadraticDistribution {
  /** Lower end of the support. */
  readonly a: number;
  /** Upper end of the support. */
  readonly b: number;
  /** Effective dimension (integer 1..10). */
  readonly c: number;
  /** true: mass concentrates near a (minimization); false: near b (maximization). */
  readonly convex: boolean;
  /** a + r·c/(c+2) (convex) or a + r·2/(c+2) (concave), r = b − a. */
  readonly mean: number;
  /** r²·4c/((c+2)²(c+4)). */
  readonly variance: number;

  /**
   * @param a lower end of the support (the best possible score when convex)
   * @param b upper end of the support (the best possible score when concave); requires a ≤ b
   * @param c effective dimension, integer in 1..10
   * @param convex true: minimization (mass concentrates near a); false: maximization
   */
  constructor(a: number, b: number, c: number, convex = false) {
    checkFinite("a", a);
    checkFinite("b", b);
    if (a > b) throw new InvalidArgumentError(`a must be <= b, got a=${a}, b=${b}`, { path: "a" });
    checkC(c);
    checkBool("convex", convex);
    this.a = a;
    this.b = b;
    this.c = c;
    this.convex = convex;
    const r = b - a;
    this.mean = convex ? a + (r * c) / (c + 2) : a + (r * 2) / (c + 2);
    this.variance = (r * r * 4 * c) / ((c + 2) * (c + 2) * (c + 4));
  }

  /** Density f(y) (0 outside [a, b]; +∞ at the mode when c = 1; point mass: +∞ at a). */
  pdf(y: number): number {
    const { a, b, c, convex } = this;
    if (Number.isNaN(y)) return Number.NaN;
    if (a === b) return y === a ? Number.POSITIVE_INFINITY : 0;
    if (y < a || y > b) return 0;
    const r = b - a;
    const u = convex ? (y - a) / r : (b - y) / r;
    return (c / (2 * r)) * u ** (c / 2 - 1);
  }

  /** CDF F(y) = P(Y ≤ y) (y clipped to [a, b]). */
  cdf(y: number): number {
    const { a, b, c, convex } = this;
    if (Number.isNaN(y)) return Number.NaN;
    if (a === b) return y < a ? 0 : 1;
    const yc = Math.min(b, Math.max(a, y));
    const r = b - a;
    return convex ? ((yc - a) / r) ** (c / 2) : 1 - ((b - yc) / r) ** (c / 2);
  }

  /** Quantile Q(q) = a + r·q^{2/c} (convex) or b − r·(1 − q)^{2/c} (concave); Q(0) = a, Q(1) = b. */
  ppf(q: number): number {
    const qq = checkProbability("q", q);
    const { a, b, c, convex } = this;
    if (a === b) return a;
    const r = b - a;
    return convex ? a + r * qq ** (2 / c) : b - r * (1 - qq) ** (2 / c);
  }

  /**
   * Draw `size` values by inverse transform, Y = Q(U) with U ~ Uniform[0, 1) from the seeded
   * xoshiro128** generator (see random.ts).
   */
  sample(size: number, generator: RngLike): Float64Array {
    if (!Number.isInteger(size) || size < 0)
      throw new InvalidArgumentError(`size must be a non-negative integer, got ${size}`, { path: "size" });
    const rng = toRng(generator);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.ppf(rng.next());
    return out;
  }

  /**
   * q-quantile of the best score after k random-search iterations (k > 0 real):
   * Q(q^{1/k}) when maximizing, Q(1 − (1 − q)^{1/k}) when minimizing; closed forms
   * b − r(1 − q^{1/k})^{2/c} (concave, maximize) and a + r(1 − (1−q)^{1/k})^{2/c} (convex, minimize).
   * `minimize` defaults to `convex`.
   */
  quantileTuningCurve(k: number, q = 0.5, minimize?: boolean): number {
    checkK(k);
    const qq = checkProbability("q", q);
    const m = minimize ?? this.convex;
    checkBool("minimize", m);
    return this.ppf(tuningLevel(qq, k, m));
  }

  /**
   * Expected best score after k iterations (closed forms, opda §2.2; G(k) = Γ(k+1)Γ(1+2/c)/Γ(k+1+2/c)):
   * convex+minimize a + rG(k); concave+maximize b − rG(k); convex+maximize a + r·k/(k + 2/c);
   * concave+minimize b − r·k/(k + 2/c). `minimize` defaults to `convex`.
   */
  averageTuningCurve(k: number, minimize?: boolean): number {
    checkK(k);
    const m = minimize ?? this.convex;
    checkBool("minimize", m);
    const { a, b, c, convex } = this;
    if (a === b) return a;
    const r = b - a;
    if (convex === m) return convex ? a + r * quadraticGap(k, c) : b - r * quadraticGap(k, c);
    const frac = k / (k + 2 / c);
    return convex ? a + r * frac : b - r * frac;
  }
}

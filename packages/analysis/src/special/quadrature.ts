/**
 * Numerical integration: Gauss–Legendre rules (nodes computed, not tabulated), an adaptive
 * Gauss–Legendre integrator and tanh-sinh (double-exponential) quadrature.
 *
 * References: Newton iteration on Legendre polynomials for the nodes (Press et al., Numerical
 * Recipes 3rd ed., §4.6.1); Takahasi & Mori (1974) and Bailey, Jeyabalan & Li (2005) for tanh-sinh.
 */
import { InvalidArgumentError, NumericalError } from "./errors.js";

/** A quadrature rule on [−1, 1]. */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const GL_CACHE = new Map<number, QuadratureRule>();

/** Legendre Pₙ(x) and Pₙ₋₁(x) by (k+1)P_{k+1} = (2k+1)xP_k − kP_{k−1}. */
function legendrePair(n: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let k = 1; k < n; k++) {
    const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
    p0 = p1;
    p1 = p2;
  }
  return [p1, p0];
}

/**
 * n-point Gauss–Legendre rule on [−1, 1]: nodes are the roots of Pₙ, weights
 * wᵢ = 2 / ((1 − xᵢ²) Pₙ'(xᵢ)²) with Pₙ'(x) = n(xPₙ − Pₙ₋₁)/(x² − 1). Roots by Newton iteration
 * from cos(π(i + ¾)/(n + ½)). Exact for polynomials of degree ≤ 2n − 1. Cached per n.
 */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InvalidArgumentError(`gaussLegendre: n must be an integer in [1, 1000], got ${n}`);
  const cached = GL_CACHE.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  if (n === 1) {
    weights[0] = 2;
  } else {
    const m = Math.floor((n + 1) / 2);
    for (let i = 0; i < m; i++) {
      let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
      for (let iter = 0; iter < 100; iter++) {
        const [pn, pm] = legendrePair(n, x);
        const dp = (n * (x * pn - pm)) / (x * x - 1);
        const dx = pn / dp;
        x -= dx;
        if (Math.abs(dx) < 1e-16) break;
      }
      const [pn, pm] = legendrePair(n, x);
      const dp = (n * (x * pn - pm)) / (x * x - 1);
      const w = 2 / ((1 - x * x) * dp * dp);
      nodes[i] = -x;
      nodes[n - 1 - i] = x;
      weights[i] = w;
      weights[n - 1 - i] = w;
    }
    if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  }
  const rule = { nodes, weights };
  GL_CACHE.set(n, rule);
  return rule;
}

/** ∫_a^b f(x) dx by one n-point Gauss–Legendre rule (no error estimate). */
export function integrateGL(f: (x: number) => number, a: number, b: number, n: number): number {
  const { nodes, weights } = gaussLegendre(n);
  const h = (b - a) / 2;
  const c = (a + b) / 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += (weights[i] as number) * f(c + h * (nodes[i] as number));
  return s * h;
}

/** Options for adaptive integration. */
export interface AdaptiveOptions {
  /** Absolute tolerance for the whole integral (default 1e-12). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-12). */
  readonly rtol?: number;
  /** Maximum bisection depth (default 40). */
  readonly maxDepth?: number;
}

/** Raised when an integral does not reach its tolerance. */
export class IntegrationError extends NumericalError {
  /** @param message which integral missed which tolerance */
  constructor(message: string) {
    super(message, undefined, "integration");
  }
}

/**
 * Adaptive Gauss–Legendre on finite [a, b]: on each interval compare the 10- and 20-point rules;
 * accept when |I₂₀ − I₁₀| ≤ max(atol·width/(b − a), rtol·|I₂₀|), otherwise bisect. Throws
 * IntegrationError when the depth limit is hit without meeting the tolerance.
 */
export function integrateAdaptive(
  f: (x: number) => number,
  a: number,
  b: number,
  options: AdaptiveOptions = {},
): number {
  if (!(Number.isFinite(a) && Number.isFinite(b)))
    throw new InvalidArgumentError(`integrateAdaptive: limits must be finite, got [${a}, ${b}]`);
  if (a === b) return 0;
  if (a > b) return -integrateAdaptive(f, b, a, options);
  const atol = options.atol ?? 1e-12;
  const rtol = options.rtol ?? 1e-12;
  const maxDepth = options.maxDepth ?? 40;
  const total = b - a;
  const rec = (lo: number, hi: number, coarse: number, depth: number): number => {
    const fine = integrateGL(f, lo, hi, 20);
    const err = Math.abs(fine - coarse);
    if (err <= Math.max((atol * (hi - lo)) / total, rtol * Math.abs(fine))) return fine;
    if (depth >= maxDepth)
      throw new IntegrationError(
        `integrateAdaptive: no convergence on [${lo}, ${hi}] (error estimate ${err})`,
      );
    const mid = (lo + hi) / 2;
    return (
      rec(lo, mid, integrateGL(f, lo, mid, 10), depth + 1) +
      rec(mid, hi, integrateGL(f, mid, hi, 10), depth + 1)
    );
  };
  return rec(a, b, integrateGL(f, a, b, 10), 0);
}

/**
 * Tanh-sinh quadrature of ∫_a^b f(x) dx (finite a < b): x = c + h·tanh(π/2·sinh t),
 * w = h·(π/2)·cosh t / cosh²(π/2·sinh t); trapezoid in t with the step halved until two levels
 * agree to `tol` (relative, with absolute floor tol·1e-3). f is never evaluated at a or b, so
 * integrable endpoint singularities are fine. Independent of the Gauss rules (used as a cross-check).
 */
export function integrateTanhSinh(f: (x: number) => number, a: number, b: number, tol = 1e-13): number {
  if (!(Number.isFinite(a) && Number.isFinite(b)))
    throw new InvalidArgumentError(`integrateTanhSinh: limits must be finite, got [${a}, ${b}]`);
  if (a === b) return 0;
  const h = (b - a) / 2;
  const tMax = 4; // π/2·sinh(4) ≈ 42.9, where 1 − tanh is far below double precision
  const term = (t: number): number => {
    const u = (Math.PI / 2) * Math.sinh(t);
    // distance to the nearer endpoint without cancellation: 1 − tanh|u| = 2/(e^{2|u|} + 1)
    const d = 2 / (Math.exp(2 * Math.abs(u)) + 1);
    if (d === 0) return 0;
    const x = u >= 0 ? b - h * d : a + h * d;
    if (x <= a || x >= b) return 0;
    const ch = Math.cosh(u);
    const w = ((Math.PI / 2) * Math.cosh(t)) / (ch * ch);
    if (!Number.isFinite(w) || w === 0) return 0;
    return w * f(x);
  };
  let step = 0.5;
  let sum = term(0);
  for (let t = step; t <= tMax; t += step) sum += term(t) + term(-t);
  let prev = sum * step * h;
  for (let level = 0; level < 12; level++) {
    step /= 2;
    for (let t = step; t <= tMax; t += 2 * step) sum += term(t) + term(-t);
    const cur = sum * step * h;
    if (Math.abs(cur - prev) <= Math.max(tol * Math.abs(cur), tol * 1e-3)) return cur;
    prev = cur;
  }
  throw new IntegrationError(`integrateTanhSinh: no convergence on [${a}, ${b}]`);
}

/**
 * Partial normal moments on [0, 1]:
 *   M_k(μ, σ) = E[X^k · 1{0 ≤ X ≤ 1}] = ∫₀¹ x^k φ((x − μ)/σ)/σ dx,   X ~ N(μ, σ²),
 * for integer k ≥ 0 and half-integer k ≥ −½ (the noisy quadratic needs k = c/2 for the CDF and
 * k = c/2 − 1 for the density, c ∈ 1..10).
 *
 * Numerics (our decision; opda instead uses piecewise minimax polynomials for x^k):
 * - integer k: the exact recursion of Winkler, Roodman & Britney (1972),
 *     M₀ = Φ((1−μ)/σ) − Φ(−μ/σ),  M₁ = μM₀ + σ(φ(−μ/σ) − φ((1−μ)/σ)),
 *     M_j = μM_{j−1} + (j−1)σ²M_{j−2} − σφ((1−μ)/σ)  (j ≥ 2)   — machine precision.
 * - half-integer k: substitute x = t², so M_k = ∫ 2 t^{2k+1} φ((t² − μ)/σ)/σ dt where 2k + 1 is a
 *   non-negative integer: the integrand is smooth (no x^{1/2} kink, no x^{−1/2} singularity). The
 *   Gaussian factor is negligible (< φ(9) ≈ 1e-18 relative) outside x ∈ [μ − 9σ, μ + 9σ], so we
 *   integrate over that window (clipped to [0, 1]) split into panels at μ, μ ± 3σ, μ ± 6σ, each with a
 *   fixed 12-point Gauss–Legendre rule (6 points beyond μ ± 6σ). When the window lies at least its own width away from 0
 *   we integrate in x directly instead (x^k is then smooth, and x − μ loses no digits). Measured error against mpmath ≤ 1e-10 relative
 *   (max(|M|, 1) scale) over k ∈ {−½ … 4½}, σ ∈ [1e-6, 9] and μ across and beyond [0, 1] (see
 *   test/parametric/special.test.ts); opda's polynomial path is off by up to ~8e-6 (CDF).
 */
import { normalCdf, normalPdf } from "../special/normal.js";
import { gaussLegendre } from "../special/quadrature.js";

const WINDOW = 9;
const PANEL_CUTS = [-6, -3, 0, 3, 6];
/** GL nodes for panels within μ ± 6σ and for the two outer tail panels. */
const NODES_CORE = 12;
const NODES_TAIL = 6;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** M_k(μ, σ) for integer k ≥ 0 by the Winkler et al. (1972) recursion (σ > 0). */
export function integerPartialMoment(k: number, mu: number, sigma: number): number {
  if (mu === Number.POSITIVE_INFINITY || mu === Number.NEGATIVE_INFINITY) return 0;
  const z0 = -mu / sigma;
  const z1 = (1 - mu) / sigma;
  // Φ(z1) − Φ(z0) computed on the side where both are small to avoid cancellation.
  const m0 = z0 > 0 ? normalCdf(-z0) - normalCdf(-z1) : normalCdf(z1) - normalCdf(z0);
  if (k === 0) return m0;
  const phi1 = normalPdf(z1);
  let mPrev = m0;
  let mCur = mu * m0 + sigma * (normalPdf(z0) - phi1);
  for (let j = 2; j <= k; j++) {
    const next = mu * mCur + (j - 1) * sigma * sigma * mPrev - sigma * phi1;
    mPrev = mCur;
    mCur = next;
  }
  return mCur;
}

/** x^k for half-integer k ≥ −½ without Math.pow: x^{k−½}·√x with an integer power. */
function halfPow(x: number, k: number): number {
  const m = k - 0.5; // integer ≥ −1
  let v = Math.sqrt(x);
  if (m < 0) return 1 / v;
  for (let e = 0; e < m; e++) v *= x;
  return v;
}

/**
 * One panel of M_k. In t = √x (when `useT`): ∫ 2 t^{2k+1} φ((t² − μ)/σ)/σ dt; in x otherwise:
 * ∫ x^k φ((x − μ)/σ)/σ dx. n-point Gauss–Legendre.
 */
function panel(
  k: number,
  mu: number,
  sigma: number,
  xLo: number,
  xHi: number,
  useT: boolean,
  n: number,
): number {
  if (xHi <= xLo) return 0;
  const { nodes, weights } = gaussLegendre(n);
  const inv = 1 / sigma;
  let s = 0;
  if (useT) {
    const tLo = Math.sqrt(xLo);
    const tHi = Math.sqrt(xHi);
    const h = (tHi - tLo) / 2;
    const c = (tHi + tLo) / 2;
    const p = Math.round(2 * k + 1); // non-negative integer
    for (let i = 0; i < n; i++) {
      const t = c + h * (nodes[i] as number);
      const z = (t * t - mu) * inv;
      let tp = 1;
      for (let e = 0; e < p; e++) tp *= t;
      s += (weights[i] as number) * tp * Math.exp(-0.5 * z * z);
    }
    return 2 * s * h * inv * INV_SQRT_2PI;
  }
  const h = (xHi - xLo) / 2;
  const c = (xHi + xLo) / 2;
  const cm = (c - mu) * inv;
  const hs = h * inv;
  for (let i = 0; i < n; i++) {
    const nd = nodes[i] as number;
    const z = cm + hs * nd;
    s += (weights[i] as number) * halfPow(c + h * nd, k) * Math.exp(-0.5 * z * z);
  }
  return s * h * inv * INV_SQRT_2PI;
}

/** M_k(μ, σ) for half-integer k ≥ −½ by windowed, panelled Gauss–Legendre (σ > 0). */
export function halfIntegerPartialMoment(k: number, mu: number, sigma: number): number {
  if (!Number.isFinite(mu)) return 0;
  const lo = Math.max(0, mu - WINDOW * sigma);
  const hi = Math.min(1, mu + WINDOW * sigma);
  if (hi <= lo) return 0;
  // x is used directly when the window is at least its own width away from 0 (x^k analytic there).
  const useT = lo < hi - lo;
  let total = 0;
  let prev = lo;
  let prevJ = -WINDOW;
  for (let i = 0; i <= PANEL_CUTS.length; i++) {
    const j = i < PANEL_CUTS.length ? (PANEL_CUTS[i] as number) : WINDOW;
    const x = i < PANEL_CUTS.length ? mu + j * sigma : hi;
    const cut = Math.min(hi, Math.max(lo, x));
    if (cut > prev) {
      const tail = j <= -6 || prevJ >= 6;
      total += panel(k, mu, sigma, prev, cut, useT, tail ? NODES_TAIL : NODES_CORE);
      prev = cut;
    }
    prevJ = j;
  }
  return total;
}

/** M_k(μ, σ) for k ∈ {−½, 0, ½, 1, …}; σ must be > 0. Returns 0 for μ = ±∞. */
export function partialMoment(k: number, mu: number, sigma: number): number {
  if (Number.isInteger(k)) return integerPartialMoment(k, mu, sigma);
  return halfIntegerPartialMoment(k, mu, sigma);
}

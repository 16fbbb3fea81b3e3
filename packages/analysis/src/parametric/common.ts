/** Shared validation and helpers for the parametric distributions. */
import { InvalidArgumentError } from "../special/errors.js";

/** Smallest and largest allowed effective dimension c (number of "effective hyperparameters"). */
export const C_MIN = 1;
export const C_MAX = 10;

/** Invalid arguments (bad parameters, probabilities outside [0, 1], k ≤ 0, …) raise the package-wide InvalidArgumentError. */
export { InvalidArgumentError } from "../special/errors.js";

export function checkFinite(name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InvalidArgumentError(`${name} must be a finite number, got ${v}`);
}

export function checkC(c: number): void {
  if (!Number.isInteger(c) || c < C_MIN || c > C_MAX) throw new InvalidArgumentError(`c must be an integer in [${C_MIN}, ${C_MAX}], got ${c}`);
}

export function checkBool(name: string, v: unknown): void {
  if (typeof v !== "boolean") throw new InvalidArgumentError(`${name} must be a boolean, got ${String(v)}`);
}

/** Validate a probability, tolerating ±1e-10 round-off like opda (then clipping). */
export function checkProbability(name: string, q: number): number {
  if (typeof q !== "number" || Number.isNaN(q) || q < -1e-10 || q > 1 + 1e-10) throw new InvalidArgumentError(`${name} must be in [0, 1], got ${q}`);
  return Math.min(1, Math.max(0, q));
}

export function checkK(k: number): void {
  if (typeof k !== "number" || !(k > 0) || !Number.isFinite(k)) throw new InvalidArgumentError(`k (number of search iterations) must be a finite number > 0, got ${k}`);
}

/**
 * The CDF level whose quantile is the q-quantile of the best of k draws:
 * maximize → q^{1/k}; minimize → 1 − (1 − q)^{1/k}, computed as −expm1(log1p(−q)/k) so that
 * small levels keep full relative precision.
 */
export function tuningLevel(q: number, k: number, minimize: boolean): number {
  if (minimize) return q === 1 ? 1 : -Math.expm1(Math.log1p(-q) / k);
  return q === 0 ? 0 : Math.exp(Math.log(q) / k);
}

/**
 * ln Γ(x) for x > 0: shift x up to ≥ 15 with Γ(x) = Γ(x + m)/(x(x+1)…(x+m−1)), then the Stirling
 * series (x − ½)ln x − x + ½ln(2π) + 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷)
 * (DLMF 5.11.1); truncation error < 1e-16 for x ≥ 15.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new InvalidArgumentError(`logGamma: x must be > 0, got ${x}`);
  let prod = 1;
  let shift = 0;
  while (x < 15) {
    prod *= x;
    x += 1;
    shift++;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - (shift > 0 ? Math.log(prod) : 0);
}

/**
 * G(k) = Γ(k+1)Γ(1+2/c)/Γ(k+1+2/c) = E[min of k draws of U^{2/c}], the expected normalized gap of
 * the best of k draws from the standard convex quadratic (Lourie, He & Cho 2025, asymptotic law
 * of random search: G(k) ~ Γ(1+2/c)·k^{−2/c}).
 */
export function quadraticGap(k: number, c: number): number {
  const e = 2 / c;
  return Math.exp(logGamma(k + 1) + logGamma(1 + e) - logGamma(k + 1 + e));
}

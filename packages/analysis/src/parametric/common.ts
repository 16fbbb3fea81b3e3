/** Shared validation and helpers for the parametric distributions. */
import { InvalidArgumentError } from "../special/errors.js";
import { logBeta } from "../special/gamma.js";

/** Smallest and largest allowed effective dimension c (number of "effective hyperparameters"). */
export const C_MIN = 1;
/** Largest allowed effective dimension c. */
export const C_MAX = 10;

/** Invalid arguments (bad parameters, probabilities outside [0, 1], k ≤ 0, …) raise the package-wide InvalidArgumentError. */
export { InvalidArgumentError } from "../special/errors.js";

/** Throw InvalidArgumentError unless v is a finite number. */
export function checkFinite(name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new InvalidArgumentError(`${name} must be a finite number, got ${v}`);
}

/** Throw unless c is an integer in [C_MIN, C_MAX] (the effective dimension of the quadratic). */
export function checkC(c: number): void {
  if (!Number.isInteger(c) || c < C_MIN || c > C_MAX)
    throw new InvalidArgumentError(`c must be an integer in [${C_MIN}, ${C_MAX}], got ${c}`, { path: "c" });
}

/** Throw unless v is a boolean (opda raises TypeError for non-bool `convex`/`minimize`). */
export function checkBool(name: string, v: unknown): void {
  if (typeof v !== "boolean") throw new InvalidArgumentError(`${name} must be a boolean, got ${String(v)}`);
}

/** Validate a probability, tolerating ±1e-10 round-off like opda (then clipping). */
export function checkProbability(name: string, q: number): number {
  if (typeof q !== "number" || Number.isNaN(q) || q < -1e-10 || q > 1 + 1e-10)
    throw new InvalidArgumentError(`${name} must be in [0, 1], got ${q}`);
  return Math.min(1, Math.max(0, q));
}

/** Throw unless k (number of random-search iterations, any positive real) is finite and > 0. */
export function checkK(k: number): void {
  if (typeof k !== "number" || !(k > 0) || !Number.isFinite(k))
    throw new InvalidArgumentError(`k (number of search iterations) must be a finite number > 0, got ${k}`);
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
 * G(k) = Γ(k+1)Γ(1+2/c)/Γ(k+1+2/c) = E[min of k draws of U^{2/c}], the expected normalized gap of
 * the best of k draws from the standard convex quadratic (Lourie, He & Cho 2025, asymptotic law
 * of random search: G(k) ~ Γ(1+2/c)·k^{−2/c}).
 */
export function quadraticGap(k: number, c: number): number {
  // Γ(k+1)Γ(1+2/c)/Γ(k+1+2/c) = (2/c)·B(k+1, 2/c); logBeta avoids the cancellation of three lnΓ.
  const e = 2 / c;
  return e * Math.exp(logBeta(k + 1, e));
}

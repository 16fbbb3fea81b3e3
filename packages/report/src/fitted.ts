/**
 * The fitted noisy quadratic, evaluated on grids for the overlays. Only the tail beyond the
 * threshold θ is modelled (Lourie, He & Cho 2025, §4: the fit censors everything on the far side
 * of θ), so overlays are drawn on the tail side only: CDF for y ≥ θ (maximize) / y ≤ θ (minimize),
 * tuning curve for the k whose median best score lies in the tail.
 */
import { NoisyQuadraticDistribution } from "@nadir/analysis";
import { ReportError } from "./errors.js";
import { toNumber } from "./numbers.js";
import type { FitSummary } from "./types.js";

/** The part of the distribution's API the overlays use. */
export interface TailDistribution {
  /** P(Y ≤ y) under the fitted distribution. */
  cdf(y: number): number;
  /**
   * The q-quantile of the best of k draws: F⁻¹(q^(1/k)) when maximising, F⁻¹(1 − (1 − q)^(1/k)) when
   * minimising (minimize defaults to the fit being convex; Lourie, He & Cho 2025); q = 0.5 gives the
   * median tuning curve.
   */
  quantileTuningCurve(k: number, q?: number, minimize?: boolean): number;
}

/** The fitted distribution NoisyQuadraticDistribution(a, b, c, o, convex) of an analyze `fit`. */
export function fittedDistribution(fit: FitSummary): TailDistribution {
  return new NoisyQuadraticDistribution(fit.a, fit.b, fit.c, fit.o, fit.convex);
}

/** `count` points log-spaced on [lo, hi] (lo, hi > 0), ends included. */
export function logGrid(lo: number, hi: number, count: number): number[] {
  if (!(lo > 0) || !(hi >= lo) || !(count >= 2))
    throw new ReportError(
      "invalid_argument",
      !(lo > 0) ? "lo" : !(hi >= lo) ? "hi" : "count",
      `logGrid needs 0 < lo <= hi and count >= 2, got lo=${lo}, hi=${hi}, count=${count}`,
    );
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: count }, (_, i) => Math.exp(a + ((b - a) * i) / (count - 1)));
}

function onTailSide(y: number, threshold: number, minimize: boolean): boolean {
  if (!Number.isFinite(threshold)) return true;
  return minimize ? y <= threshold : y >= threshold;
}

/** No bounds: (−∞, ∞). */
const UNBOUNDED: [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/**
 * The fitted median tuning curve τ(k) = Q(½^{1/k}) (maximize) or Q(1 − ½^{1/k}) (minimize) on a
 * log grid of k in [1, kMax], keeping only the k where τ(k) is on the tail side of θ. Values are
 * clipped to the score's `bounds`: the noisy quadratic's Gaussian noise gives quantiles below an
 * error rate's 0 once k is large, and a median best score cannot lie where no score can.
 */
export function fittedTuningCurve(
  dist: TailDistribution,
  fit: FitSummary,
  minimize: boolean,
  kMax: number,
  count = 96,
  bounds: [number, number] = UNBOUNDED,
): Array<{ k: number; value: number }> {
  const th = toNumber(fit.threshold);
  return logGrid(1, Math.max(kMax, 2), count)
    .map((k) => ({ k, value: dist.quantileTuningCurve(k, 0.5, minimize) }))
    .filter((r) => Number.isFinite(r.value) && onTailSide(r.value, th, minimize))
    .map((r) => ({ k: r.k, value: Math.min(bounds[1], Math.max(bounds[0], r.value)) }));
}

/**
 * The fitted CDF on `count` evenly spaced scores from θ to the far end of the tail: the largest
 * observed score or b + 3σ (maximize), the smallest or a − 3σ (minimize), never past the score's
 * `bounds` (a − 3σ is below 0 for an error rate whose optimum is near 0).
 */
export function fittedCdf(
  dist: TailDistribution,
  fit: FitSummary,
  minimize: boolean,
  observed: number[],
  count = 160,
  bounds: [number, number] = UNBOUNDED,
): Array<{ y: number; value: number }> {
  const finite = observed.filter((y) => Number.isFinite(y));
  const th = toNumber(fit.threshold);
  const lo0 = minimize
    ? Math.min(fit.a - 3 * fit.o, ...finite)
    : Number.isFinite(th)
      ? th
      : Math.min(...finite);
  const hi0 = minimize
    ? Number.isFinite(th)
      ? th
      : Math.max(...finite)
    : Math.max(fit.b + 3 * fit.o, ...finite);
  const lo = Math.max(lo0, bounds[0]);
  const hi = Math.min(hi0, bounds[1]);
  if (!(hi > lo)) return [];
  return Array.from({ length: count }, (_, i) => {
    const y = lo + ((hi - lo) * i) / (count - 1);
    return { y, value: dist.cdf(y) };
  });
}

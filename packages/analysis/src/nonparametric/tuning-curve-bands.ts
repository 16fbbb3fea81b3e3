/**
 * Simultaneous confidence bands for tuning curves, derived from simultaneous CDF bands
 * (Lourie, Cho & He 2024, §3).
 */
import { InvalidArgumentError } from "../special/errors.js";
import type { EmpiricalDistribution } from "./empirical.js";

/** Which tuning curve to bound. */
export type TuningCurveKind = "median" | "quantile" | "mean";

/** Options of {@link tuningCurveBands}. */
export interface TuningCurveBandOptions {
  /** Default `"median"` (the curve the authors recommend: it needs bounds only at its ends). */
  curve?: TuningCurveKind;
  /** Quantile for `curve: "quantile"` (default 0.5). */
  q?: number;
  /** `true` when lower scores are better; default `false`. */
  minimize?: boolean;
}

/** Lower band, point estimate and upper band of a tuning curve at each k. */
export interface TuningCurveBand {
  lower: number[];
  point: number[];
  upper: number[];
}

/**
 * Tuning-curve bands from CDF bands `L ≤ F ≤ U` (e.g. from `confidenceBands`). The maps
 * `F ↦ F^k` (maximize) and `F ↦ 1 − (1 − F)^k` (minimize) are increasing in F, and a larger CDF
 * means a stochastically smaller best-of-k score, so — in both directions —
 * **the upper CDF band gives the lower tuning-curve band and the lower CDF band the upper one**:
 * `lower = U.curve(k)`, `point = F_n.curve(k)`, `upper = L.curve(k)`, simultaneously for all k
 * with the CDF band's confidence.
 *
 * Bounds matter: the lower CDF band leaves mass `1 − L_n` on b, so with b = +∞ the upper *mean*
 * band is +∞ (maximize) and the upper median band becomes b once `q^{1/k} > L_n`; likewise the
 * upper CDF band's mass `U_0` on a makes the lower mean band −∞ when a = −∞.
 */
export function tuningCurveBands(
  bands: { lower: EmpiricalDistribution; point: EmpiricalDistribution; upper: EmpiricalDistribution },
  ks: ArrayLike<number>,
  opts: TuningCurveBandOptions = {},
): TuningCurveBand {
  const curve = opts.curve ?? "median";
  const minimize = opts.minimize ?? false;
  if (curve !== "median" && curve !== "quantile" && curve !== "mean") {
    throw new InvalidArgumentError(`curve must be "median", "quantile" or "mean", got ${String(curve)}`, {
      path: "curve",
    });
  }
  if (curve !== "quantile" && opts.q !== undefined)
    throw new InvalidArgumentError(`q is only used with curve "quantile"`, { path: "q" });
  const q = curve === "median" ? 0.5 : (opts.q ?? 0.5);
  const f = (d: EmpiricalDistribution): number[] =>
    curve === "mean" ? d.averageTuningCurve(ks, { minimize }) : d.quantileTuningCurve(ks, { q, minimize });
  return { lower: f(bands.upper), point: f(bands.point), upper: f(bands.lower) };
}

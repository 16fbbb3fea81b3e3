/**
 * The finite-n distribution of the two-sided one-sample Kolmogorov–Smirnov statistic
 * `D_n = sup_y |F_n(y) − F(y)|` for continuous F (scipy's `kstwo`).
 */

import { InvalidArgumentError } from "./errors.js";
import { orderStatisticsBoxProbability } from "./order-statistics.js";
import { brentRoot } from "./roots.js";
import { checkFiniteN } from "./validate.js";

/**
 * `P(D_n ≤ ε)`, exactly: for uniform data `D_n = max_i max(i/n − U_(i), U_(i) − (i−1)/n)`, so
 * `D_n ≤ ε ⇔ i/n − ε ≤ U_(i) ≤ (i−1)/n + ε` for all i, a box probability computed by
 * {@link orderStatisticsBoxProbability} (absolute error ~1e-15). Equals 0 for ε ≤ 1/(2n) and 1 for
 * ε ≥ 1. Agrees with the exact Durbin-matrix / Pomeranz values of Simard & L'Ecuyer,
 * "Computing the two-sided Kolmogorov–Smirnov distribution", J. Stat. Softw. 39(11) (2011).
 */
export function kolmogorovSmirnovCdf(n: number, eps: number): number {
  checkFiniteN(n);
  if (typeof eps !== "number" || Number.isNaN(eps))
    throw new InvalidArgumentError(`eps must be a number, got ${eps}`);
  if (eps <= 1 / (2 * n)) return 0;
  if (eps >= 1) return 1;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let i = 1; i <= n; i++) {
    lo[i - 1] = Math.max(0, i / n - eps);
    hi[i - 1] = Math.min(1, (i - 1) / n + eps);
  }
  return orderStatisticsBoxProbability(lo, hi);
}

/**
 * Quantile of `D_n`: the ε with `P(D_n ≤ ε) = p` (scipy `kstwo(n).ppf(p)`), by Brent's method on
 * {@link kolmogorovSmirnovCdf} over [1/(2n), 1] to 1e-15. `p = 0 → 1/(2n)`, `p = 1 → 1`.
 */
export function kolmogorovSmirnovPpf(n: number, p: number): number {
  checkFiniteN(n);
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new InvalidArgumentError(`p must be in [0, 1], got ${p}`);
  if (p === 0) return 1 / (2 * n);
  if (p === 1) return 1;
  return brentRoot((e) => kolmogorovSmirnovCdf(n, e) - p, 1 / (2 * n), 1, {
    xtol: 1e-16,
    fLo: -p,
    fHi: 1 - p,
  });
}

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
    throw new InvalidArgumentError(`eps must be a number, got ${eps}`, { path: "eps" });
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
 * {@link kolmogorovSmirnovCdf} to 1e-15. `p = 0 → 1/(2n)`, `p = 1 → 1`.
 *
 * The bracket is [1/(2n), ε_DKW] with the Dvoretzky–Kiefer–Wolfowitz–Massart bound
 * ε_DKW = sqrt(ln(2/(1 − p))/(2n)) (P(D_n > ε) ≤ 2e^{−2nε²}, Massart 1990, so the CDF is ≥ p
 * there): the box probability costs O(n · nε) per evaluation, and the old upper end ε = 1 made
 * that O(n²) (at n = 100 000 the search did not finish). With this bracket the cost is O(n^1.5)
 * per evaluation.
 */
export function kolmogorovSmirnovPpf(n: number, p: number): number {
  checkFiniteN(n);
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new InvalidArgumentError(`p must be in [0, 1], got ${p}`, { path: "p" });
  if (p === 0) return 1 / (2 * n);
  if (p === 1) return 1;
  const lo = 1 / (2 * n);
  const hi = Math.min(1, Math.sqrt(Math.log(2 / (1 - p)) / (2 * n)));
  if (hi <= lo) return lo;
  const fHi = kolmogorovSmirnovCdf(n, hi) - p;
  if (fHi <= 0) return hi;
  return brentRoot((e) => kolmogorovSmirnovCdf(n, e) - p, lo, hi, { xtol: 1e-16, fLo: -p, fHi });
}

/**
 * The Pelz–Good (1976) asymptotic expansion of `P(D_n ≤ x)`: with z = x√n,
 * `K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^{3/2}`, the Li-Chien (1956)/Korolyuk (1960) expansion
 * rewritten through Jacobi's theta-function identity into sums that converge fast for every z.
 * With m = 2k − 1, e_k = exp(−π²m²/(8z²)) and f_k = exp(−π²k²/(2z²)), k = 1, 2, …:
 * - K0 = √(2π)/z · Σ e_k (Kolmogorov's limit),
 * - K1 = √(2π)/(6z⁴) · Σ (π²m²/4 − z²) e_k,
 * - K2 = √(2π)/(72z⁷) · Σ (6z⁶ + 2z⁴ + (2z⁴ − 5z²)π²m²/4 + (1 − 2z²)π⁴m⁴/16) e_k
 *        − π²√(2π)/(36z³) · Σ k² f_k,
 * - K3 = √(2π)/(6480z¹⁰) · Σ (−30z⁶ − 90z⁸ + (135z⁴ − 96z⁶)π²m²/4 + (212z⁴ − 60z²)π⁴m⁴/16
 *        + (5 − 30z²)π⁶m⁶/64) e_k + π²√(2π)/(216z⁶) · Σ (3z² − π²k²) k² f_k.
 * (W. Pelz & I. J. Good, "Approximating the lower tail-areas of the Kolmogorov–Smirnov one-sample
 * statistic", J. R. Stat. Soc. B 38 (1976) 152–156; as stated in Simard & L'Ecuyer, J. Stat.
 * Softw. 39(11) (2011), who use it for n > 140.) Its error against the exact CDF is measured in
 * the tests and the package README (≤ 1e-8 in the quantile for n ≥ 1000).
 */
export function kolmogorovSmirnovCdfPelzGood(n: number, x: number): number {
  checkFiniteN(n);
  if (typeof x !== "number" || Number.isNaN(x))
    throw new InvalidArgumentError(`x must be a number, got ${x}`, { path: "x" });
  if (x <= 1 / (2 * n)) return 0;
  if (x >= 1) return 1;
  const z = x * Math.sqrt(n);
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const z8 = z4 * z4;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t2 = 0;
  let t3 = 0;
  // Terms decay like exp(−π²k²/(2z²)); 40 + 5z terms reach far below 1e-300 for any z < √n.
  const terms = Math.ceil(40 + 5 * z);
  for (let k = terms; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const e = Math.exp((-pi2 * m2) / (8 * z2));
    s0 += e;
    s1 += ((pi2 * m2) / 4 - z2) * e;
    s2 += (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * pi2 * m2) / 4 + ((1 - 2 * z2) * pi4 * m2 * m2) / 16) * e;
    s3 +=
      (-30 * z6 -
        90 * z8 +
        ((135 * z4 - 96 * z6) * pi2 * m2) / 4 +
        ((212 * z4 - 60 * z2) * pi4 * m2 * m2) / 16 +
        ((5 - 30 * z2) * pi6 * m2 * m2 * m2) / 64) *
      e;
    const f = Math.exp((-pi2 * k * k) / (2 * z2));
    t2 += k * k * f;
    t3 += (3 * z2 - pi2 * k * k) * k * k * f;
  }
  const r2pi = Math.sqrt(2 * Math.PI);
  const K0 = (r2pi / z) * s0;
  const K1 = (r2pi / (6 * z4)) * s1;
  const K2 = (r2pi / (72 * z6 * z)) * s2 - ((pi2 * r2pi) / (36 * z2 * z)) * t2;
  const K3 = (r2pi / (6480 * z8 * z2)) * s3 + ((pi2 * r2pi) / (216 * z6)) * t3;
  const sn = Math.sqrt(n);
  const v = K0 + K1 / sn + K2 / n + K3 / (n * sn);
  return Math.min(1, Math.max(0, v));
}

/**
 * Quantile of the {@link kolmogorovSmirnovCdfPelzGood} approximation: Brent's method on
 * [1/(2n), ε_DKW] to 1e-15 (O(√n) per evaluation instead of the exact O(n^1.5)).
 */
export function kolmogorovSmirnovPpfPelzGood(n: number, p: number): number {
  checkFiniteN(n);
  if (typeof p !== "number" || !(p > 0 && p < 1))
    throw new InvalidArgumentError(`p must be in (0, 1), got ${p}`, { path: "p" });
  const lo = 1 / (2 * n);
  const hi = Math.min(1, Math.sqrt(Math.log(2 / (1 - p)) / (2 * n)));
  const fHi = kolmogorovSmirnovCdfPelzGood(n, hi) - p;
  if (fHi <= 0) return hi;
  return brentRoot((e) => kolmogorovSmirnovCdfPelzGood(n, e) - p, lo, hi, { xtol: 1e-16, fLo: -p, fHi });
}

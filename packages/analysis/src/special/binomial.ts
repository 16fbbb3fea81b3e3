/**
 * Binomial probabilities with full relative accuracy (Loader 2000), used by the exact
 * order-statistic coverage recursion.
 */
import { InvalidArgumentError } from "./errors.js";
import { stirlingRemainder } from "./gamma.js";

const LOG_2PI = Math.log(2 * Math.PI);

// δ(k) = ln k! − [(k + ½) ln k − k + ½ ln 2π] for k = 1..9, from exact factorials (k! < 2^53);
// the absolute error of each entry is a few 1e-16 (only the final subtraction rounds).
const STIRLERR_SMALL: number[] = [0];
{
  let f = 1;
  for (let k = 1; k < 10; k++) {
    f *= k;
    STIRLERR_SMALL.push(Math.log(f) - ((k + 0.5) * Math.log(k) - k + 0.5 * LOG_2PI));
  }
}

/** Stirling error `ln k! − [(k + ½) ln k − k + ½ ln 2π]` for integer k ≥ 1 (δ(k+1) + ln-shift identity). */
function stirlerr(k: number): number {
  if (k < 10) return STIRLERR_SMALL[k]!;
  // ln k! = ln Γ(k + 1) and the Stirling remainder of Γ(k) equals that of k! in this form.
  return stirlingRemainder(k);
}

/**
 * Deviance term `bd0(x, m) = x ln(x/m) + m − x`, with the series
 * `(x − m)²/(x + m) · Σ v^{2j}/(2j + 1)`, `v = (x − m)/(x + m)`, when x ≈ m (Loader 2000).
 */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    const v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    const v2 = v * v;
    for (let j = 1; j < 1000; j++) {
      ej *= v2;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * Binomial pmf `C(r, j) p^j q^{r−j}` with `q = 1 − p` given separately (so tiny q keeps its
 * precision), by Loader's saddle-point form
 * `exp(δ(r) − δ(j) − δ(r−j) − bd0(j, rp) − bd0(r−j, rq)) · sqrt(r / (2π j (r−j)))`,
 * relative error ~1e-15 for all r (no lgamma cancellation).
 * Reference: C. Loader, "Fast and Accurate Computation of Binomial Probabilities" (2000).
 */
export function binomialPmf(j: number, r: number, p: number, q: number = 1 - p): number {
  if (!Number.isInteger(r) || r < 0)
    throw new InvalidArgumentError(`binomialPmf: r must be an integer ≥ 0, got ${r}`);
  if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError(`binomialPmf: p must be in [0, 1], got ${p}`);
  if (!Number.isInteger(j) || j < 0 || j > r) return 0;
  if (p === 0) return j === 0 ? 1 : 0;
  if (q === 0) return j === r ? 1 : 0;
  if (j === 0) return Math.exp(r * (q < 0.5 ? Math.log(q) : Math.log1p(-p)));
  if (j === r) return Math.exp(r * (p < 0.5 ? Math.log(p) : Math.log1p(-q)));
  const lc = stirlerr(r) - stirlerr(j) - stirlerr(r - j) - bd0(j, r * p) - bd0(r - j, r * q);
  const lf = LOG_2PI + Math.log(j) + Math.log1p(-j / r);
  return Math.exp(lc - 0.5 * lf);
}

/**
 * Poisson pmf `e^{−λ} λ^j / j!` by Loader's saddle-point form
 * `exp(−δ(j) − bd0(j, λ)) / sqrt(2π j)` (j ≥ 1; `e^{−λ}` at j = 0), relative error ~1e-15 for all
 * j and λ (no lgamma cancellation). Reference: C. Loader, "Fast and Accurate Computation of
 * Binomial Probabilities" (2000), `dpois_raw`.
 */
export function poissonPmf(j: number, lambda: number): number {
  if (!(lambda >= 0 && lambda < Number.POSITIVE_INFINITY))
    throw new InvalidArgumentError(`poissonPmf: λ must be finite and ≥ 0, got ${lambda}`);
  if (!Number.isInteger(j) || j < 0) return 0;
  if (lambda === 0) return j === 0 ? 1 : 0;
  if (j === 0) return Math.exp(-lambda);
  return Math.exp(-stirlerr(j) - bd0(j, lambda)) / Math.sqrt(2 * Math.PI * j);
}

/**
 * Log-gamma, log-beta and log-binomial functions, written to keep *absolute* accuracy in the
 * logarithm (= relative accuracy of the function) for large arguments, where the naive
 * `lgamma(a) + lgamma(b) − lgamma(a + b)` cancels thousands of units.
 */
import { InvalidArgumentError } from "./errors.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Stirling-series remainder `δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π]` for x ≥ 10:
 * `Σ B_{2m} / (2m (2m − 1) x^{2m−1})` = 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹)
 * − 691/(360360x¹¹) + 1/(156x¹³) (DLMF 5.11.1); the first omitted term is < 3e-17 for x ≥ 10.
 */
export function stirlingRemainder(x: number): number {
  if (!(x >= 10)) throw new InvalidArgumentError(`stirlingRemainder: x must be ≥ 10, got ${x}`);
  const r = 1 / x;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))))
  );
}

/**
 * `ln Γ(x)` for x > 0. For x ≥ 10 the Stirling series with its remainder term (`stirlingRemainder`); below, the
 * recurrence `Γ(x) = Γ(x + m) / (x (x+1) ⋯ (x+m−1))` shifts x to ≥ 10. Absolute error ≲ 1e-15·max(1, |ln Γ(x)|).
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new InvalidArgumentError(`logGamma: x must be > 0, got ${x}`);
  if (x === Number.POSITIVE_INFINITY) return x;
  let prod = 1;
  let logShift = 0;
  while (x < 10) {
    prod *= x;
    x += 1;
    // Keep the running product in range for tiny x (x < 1e-300 would otherwise underflow).
    if (prod < 1e-280) {
      logShift += Math.log(prod);
      prod = 1;
    }
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingRemainder(x) - Math.log(prod) - logShift;
}

/**
 * `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)` for a, b > 0. With a ≤ b:
 * - a, b ≥ 10: `½ ln 2π − ½ ln(a+b) + (a − ½) ln(a/(a+b)) − (b − ½) log1p(a/b) + δ(a) + δ(b) − δ(a+b)`;
 * - b ≥ 10 > a: `ln Γ(a) − (b − ½) log1p(a/b) − a ln(a+b) + a + δ(b) − δ(a+b)`
 *   (the large Γ(b)/Γ(a+b) ratio without cancellation, as in TOMS 708's `algdiv`);
 * - otherwise directly.
 */
export function logBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0))
    throw new InvalidArgumentError(`logBeta: a and b must be > 0, got a=${a}, b=${b}`);
  if (a > b) [a, b] = [b, a];
  if (a >= 10) {
    const s = a + b;
    return (
      HALF_LOG_2PI -
      0.5 * Math.log(s) +
      (a - 0.5) * Math.log(a / s) -
      (b - 0.5) * Math.log1p(a / b) +
      stirlingRemainder(a) +
      stirlingRemainder(b) -
      stirlingRemainder(s)
    );
  }
  if (b >= 10) {
    const s = a + b;
    return (
      logGamma(a) -
      (b - 0.5) * Math.log1p(a / b) -
      a * Math.log(s) +
      a +
      stirlingRemainder(b) -
      stirlingRemainder(s)
    );
  }
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** `ln C(n, k) = −ln(n + 1) − ln B(k + 1, n − k + 1)` for real 0 ≤ k ≤ n. */
export function logBinomialCoefficient(n: number, k: number): number {
  if (!(n >= 0) || !(k >= 0) || k > n)
    throw new InvalidArgumentError(`logBinomialCoefficient: need 0 ≤ k ≤ n, got n=${n}, k=${k}`);
  if (k === 0 || k === n) return 0;
  return -Math.log(n + 1) - logBeta(k + 1, n - k + 1);
}

/** Bracketed scalar root finding. */
import { InvalidArgumentError, NumericalError } from "./errors.js";

/** Options of {@link brentRoot}. */
export interface BrentOptions {
  /** Absolute x tolerance (default 1e-15); the relative part 4·eps·|x| is always added. */
  xtol?: number;
  /** Iteration cap (default 200); exceeding it throws NumericalError. */
  maxIter?: number;
  /**
   * Also stop as soon as |f(b)| ≤ ftol (default 0: off) — for an f whose own evaluation error is
   * known, steps below that level buy nothing.
   */
  ftol?: number;
  /** f(lo) and f(hi) if already known (saves two evaluations). */
  fLo?: number;
  fHi?: number;
}

/**
 * Brent's method (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 4,
 * `zeroin`): inverse quadratic interpolation / secant steps, falling back to bisection, for a
 * continuous f with a sign change on [lo, hi]. Converges superlinearly for smooth f and never
 * takes more than ~(log2((hi−lo)/xtol))² steps.
 */
export function brentRoot(f: (x: number) => number, lo: number, hi: number, opts: BrentOptions = {}): number {
  const xtol = opts.xtol ?? 1e-15;
  const maxIter = opts.maxIter ?? 200;
  const ftol = opts.ftol ?? 0;
  let a = lo;
  let b = hi;
  let fa = opts.fLo ?? f(a);
  let fb = opts.fHi ?? f(b);
  if (Number.isNaN(fa) || Number.isNaN(fb)) throw new NumericalError("brentRoot: f is NaN at a bracket end");
  if (Math.abs(fa) <= ftol && Math.abs(fa) <= Math.abs(fb)) return a;
  if (Math.abs(fb) <= ftol) return b;
  if (fa > 0 === fb > 0)
    throw new InvalidArgumentError(`brentRoot: f(${lo}) = ${fa} and f(${hi}) = ${fb} do not bracket a root`);
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let it = 0; it < maxIter; it++) {
    if (fb > 0 === fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * 2.220446049250313e-16 * Math.abs(b) + 0.5 * xtol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || Math.abs(fb) <= ftol) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    if (Number.isNaN(fb)) throw new NumericalError(`brentRoot: f(${b}) is NaN`);
  }
  throw new NumericalError(`brentRoot did not converge in ${maxIter} iterations`);
}

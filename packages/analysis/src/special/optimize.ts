/**
 * Deterministic optimizers: Nelder–Mead simplex search and golden-section search.
 *
 * References: Nelder & Mead (1965), with the standard coefficients (reflection 1, expansion 2,
 * contraction ½, shrink ½) and the ordering/tie rules of Lagarias, Reeds, Wright & Wright (1998);
 * Kiefer (1953) golden-section search.
 */
import { InvalidArgumentError } from "./errors.js";

/** Result of a minimization. */
export interface MinimizeResult {
  /** Best point found. */
  readonly x: number[];
  /** Objective value at x. */
  readonly fun: number;
  /** Number of objective evaluations. */
  readonly nfev: number;
  /** Whether the stopping tolerances were met before the evaluation budget ran out. */
  readonly converged: boolean;
}

/** Options for Nelder–Mead. */
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate (default 0.05·max(1, |x₀ᵢ|)). */
  readonly step?: readonly number[];
  /** Stop when max |fᵢ − f_best| ≤ fatol and the simplex diameter ≤ xatol (defaults 1e-10, 1e-8). */
  readonly fatol?: number;
  readonly xatol?: number;
  /** Evaluation budget (default 200·dimension). */
  readonly maxEval?: number;
}

/**
 * Minimize f: ℝᵈ → ℝ ∪ {+∞} by the Nelder–Mead simplex method from x0. Non-finite values are
 * treated as +∞ (so infeasible points are simply rejected). Fully deterministic.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): MinimizeResult {
  const d = x0.length;
  if (d === 0) throw new InvalidArgumentError("nelderMead: x0 must be non-empty");
  const fatol = options.fatol ?? 1e-10;
  const xatol = options.xatol ?? 1e-8;
  const maxEval = options.maxEval ?? 200 * d;
  let nfev = 0;
  const ev = (x: number[]): number => {
    nfev++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < d; i++) {
    const p = x0.slice();
    const s = options.step?.[i] ?? 0.05 * Math.max(1, Math.abs(x0[i] as number));
    p[i] = (p[i] as number) + s;
    pts.push(p);
  }
  const vals = pts.map(ev);
  const order = (): void => {
    const idx = pts.map((_, i) => i).sort((i, j) => (vals[i] as number) - (vals[j] as number) || i - j);
    const p2 = idx.map((i) => pts[i] as number[]);
    const v2 = idx.map((i) => vals[i] as number);
    for (let i = 0; i <= d; i++) {
      pts[i] = p2[i] as number[];
      vals[i] = v2[i] as number;
    }
  };
  const combine = (c: number[], w: number[], t: number): number[] =>
    c.map((ci, i) => ci + t * ((w[i] as number) - ci));
  let converged = false;
  while (nfev < maxEval) {
    order();
    const best = vals[0] as number;
    const worst = vals[d] as number;
    let diam = 0;
    for (let i = 1; i <= d; i++)
      for (let j = 0; j < d; j++)
        diam = Math.max(
          diam,
          Math.abs(((pts[i] as number[])[j] as number) - ((pts[0] as number[])[j] as number)),
        );
    if (Number.isFinite(worst) && worst - best <= fatol && diam <= xatol) {
      converged = true;
      break;
    }
    if (diam === 0) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        centroid[j] = (centroid[j] as number) + ((pts[i] as number[])[j] as number) / d;
    const xr = combine(centroid, pts[d] as number[], -1);
    const fr = ev(xr);
    if (fr < best) {
      const xe = combine(centroid, pts[d] as number[], -2);
      const fe = ev(xe);
      if (fe < fr) {
        pts[d] = xe;
        vals[d] = fe;
      } else {
        pts[d] = xr;
        vals[d] = fr;
      }
      continue;
    }
    if (fr < (vals[d - 1] as number)) {
      pts[d] = xr;
      vals[d] = fr;
      continue;
    }
    // Contraction: outside if the reflection improved on the worst, else inside.
    const outside = fr < worst;
    const xc = combine(centroid, outside ? xr : (pts[d] as number[]), 0.5);
    const fc = ev(xc);
    if (fc < (outside ? fr : worst)) {
      pts[d] = xc;
      vals[d] = fc;
      continue;
    }
    // Shrink toward the best vertex.
    for (let i = 1; i <= d; i++) {
      pts[i] = combine(pts[0] as number[], pts[i] as number[], 0.5);
      vals[i] = ev(pts[i] as number[]);
    }
  }
  order();
  return { x: (pts[0] as number[]).slice(), fun: vals[0] as number, nfev, converged };
}

/**
 * Golden-section search for the minimum of a unimodal f on [lo, hi] to absolute x-tolerance
 * `xtol` (default 1e-12·(hi − lo)). Returns the best evaluated point.
 */
export function goldenSection(
  f: (x: number) => number,
  lo: number,
  hi: number,
  xtol?: number,
): { x: number; fun: number; nfev: number } {
  if (!(lo <= hi)) throw new InvalidArgumentError(`goldenSection: need lo <= hi, got [${lo}, ${hi}]`);
  const tol = xtol ?? 1e-12 * (hi - lo);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  let nfev = 2;
  while (b - a > tol && nfev < 400) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
    nfev++;
  }
  return f1 <= f2 ? { x: x1, fun: f1, nfev } : { x: x2, fun: f2, nfev };
}

/**
 * Bisection for a sign change of a monotone predicate on [lo, hi]: given pred(lo) = false and
 * pred(hi) = true, returns the smallest representable boundary to `xtol` (default: full double
 * precision).
 */
export function bisectPredicate(pred: (x: number) => boolean, lo: number, hi: number, xtol = 0): number {
  let a = lo;
  let b = hi;
  for (let i = 0; i < 1100; i++) {
    const m = a + (b - a) / 2;
    if (m <= a || m >= b || b - a <= xtol) break;
    if (pred(m)) b = m;
    else a = m;
  }
  return b;
}

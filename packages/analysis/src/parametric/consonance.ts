/**
 * Consonance confidence sets for the noisy quadratic tail (Easterling 1976, "Goodness of fit and
 * parameter estimation"; used by Lourie, He & Cho 2025 for the best reachable score and for c).
 *
 * Given a simultaneous CDF band L ≤ F ≤ U at confidence 1 − α (e.g. from confidenceBands), a
 * parameter vector (a, b, c, o) is accepted iff its CDF lies inside the band on the asymptotic
 * regime. For minimization with threshold θ, lower score bound t₀, and t₁ < … < t_m the distinct
 * observations ≤ θ, t_{m+1} = θ, the band is a step function, so it suffices to require
 *     F(t_j) ≥ L(t_j)   and   F(t_j) ≤ U(t_{j−1})      (j = 1..m+1).
 * The accepted set covers the true parameters with probability ≥ 1 − α when the tail is exactly
 * noisy quadratic (the band covers the true F).
 *
 * Search (ours; the paper's notebooks brute-force a 4-D grid of c × 64 o × 128 a × 256 b):
 * writing r = b − a and s = o/r, F(y) = G_{c,s}((y − a)/r) with G_{c,s} the CDF of the standard
 * NoisyQuadraticDistribution(0, 1, c, s, convex). G is increasing, so each condition is linear in
 * (a, r):   a + r·G⁻¹(L(t_j)) ≤ t_j   and   a + r·G⁻¹(U(t_{j−1})) ≥ t_j.
 * For fixed (c, s) the accepted (a, r) form a convex polygon: a ∈ [A_lo(r), A_hi(r)] with
 * A_lo = max of lines (convex), A_hi = min of lines (concave). Any linear functional α·a + β·r
 * (a, b = a + r, a quantile a + r·g, a gain r·Δg) is optimized exactly over it by a 1-D convex
 * golden-section search in r over the feasible interval [r₁, r₂] (roots of the concave A_hi − A_lo).
 * Only s is gridded (0 and a log grid), with golden-section refinement of the extreme values
 * between grid points.
 * The normal limit s → ∞: for s ≥ 10 the noisy quadratic is N(a + r m_c, r²(s² + v_c)) (opda's
 * regime switch; m_c = c/(c+2), v_c its quadratic variance), so with μ = a + r m_c and
 * σ = r√(s² + v_c) the accepted (μ, σ) set is the same for every s ≥ 10, and a = μ − σ m_c/√(s² + v_c)
 * moves monotonically from its s = 10 value to μ as s → ∞. Quantiles a + r·G⁻¹(p) = μ + σΦ⁻¹(p)
 * do not depend on s. So the union over s ∈ [10, ∞) has its extremes at s = 10 (on the grid) and
 * at the limit, which is the cell s = ∞ with coordinates (a, r) := (μ, σ) and G⁻¹ = Φ⁻¹ — the
 * member a = b = μ, o = σ (a normal tail). With 0 and ∞ both on the grid the s range is never cut,
 * so \`touchesEdge\` only reports the r range. Maximization is handled by negating scores (Y ~ concave(a, b) ⇔
 * −Y ~ convex(−b, −a)).
 */
import { normalPpf } from "../special/normal.js";
import { goldenSection } from "../special/optimize.js";
import { C_MAX, C_MIN, checkFinite, InvalidArgumentError, tuningLevel } from "./common.js";
import { NoisyQuadraticDistribution } from "./noisy.js";

/** A simultaneous CDF band in opda's format: values at the lower support end, then after each order statistic. */
export interface CdfBand {
  /** The sample (any order). */
  readonly ys: readonly number[];
  /** Lower band CDF: index 0 = value at the support's lower end, index i = after the i-th order statistic (n + 1 values). */
  readonly lower: readonly number[];
  /** Upper band CDF, same layout. */
  readonly upper: readonly number[];
}

/** Options for consonanceSet. */
export interface ConsonanceOptions {
  /** Asymptotic-regime threshold θ: scores ≤ θ (minimize) or ≥ θ (maximize) are modelled. */
  readonly threshold: number;
  readonly minimize: boolean;
  /** Bound of the score on the tail's side, t₀ (minimize: lowest possible score, e.g. 0 for error rates; maximize: highest, e.g. 1 for accuracy). Default ∓∞. */
  readonly scoreBound?: number;
  /** Effective dimensions to test (default 1..10). */
  readonly cs?: readonly number[];
  /**
   * Grid of s = o/(b − a) (default 0, 33 log-spaced values in [1e-5, 10], and +∞ — the normal
   * limit, see {@link consonanceSet}).
   */
  readonly sGrid?: readonly number[];
}

/** The polygon of accepted (a, r) for one (c, s), in the minimize orientation. */
interface Cell {
  readonly c: number;
  readonly s: number;
  /** Lines a ≥ p − r·q (from F(t) ≤ U):  A_lo(r) = max(p − r q). */
  readonly loP: Float64Array;
  readonly loQ: Float64Array;
  /** Lines a ≤ p − r·q (from F(t) ≥ L):  A_hi(r) = min(p − r q). */
  readonly hiP: Float64Array;
  readonly hiQ: Float64Array;
  readonly aMin: number;
  readonly aMax: number;
  r1: number;
  r2: number;
}

/** Per-c summary. */
export interface ConsonanceC {
  readonly c: number;
  readonly accepted: boolean;
  /** Interval for the best reachable score among accepted (a, b, o) with this c (NaN when not accepted). */
  readonly bestLower: number;
  readonly bestUpper: number;
  /** Range of accepted s = o/(b − a) on the grid (NaN when none). */
  readonly sLower: number;
  readonly sUpper: number;
  /** Accepted parameters attaining bestLower and bestUpper (original orientation); null when not accepted. */
  readonly witnessLower: { a: number; b: number; c: number; o: number; convex: boolean } | null;
  readonly witnessUpper: { a: number; b: number; c: number; o: number; convex: boolean } | null;
}

/** Result of consonanceSet. */
export interface ConsonanceResult {
  readonly minimize: boolean;
  readonly threshold: number;
  /** Confidence interval for the best reachable score (a when minimizing, b when maximizing). */
  readonly bestScore: { readonly lower: number; readonly upper: number };
  /** Effective dimensions c with a non-empty accepted set. */
  readonly acceptedC: readonly number[];
  /** Range of the noise scale o over the accepted set. */
  readonly noise: { readonly lower: number; readonly upper: number };
  readonly perC: readonly ConsonanceC[];
  /** How much of the sample lies in the asymptotic regime: count, fraction and the band's bounds on P(regime). */
  readonly regime: {
    readonly count: number;
    readonly n: number;
    readonly fraction: number;
    readonly bandLower: number;
    readonly bandUpper: number;
  };
  /** True when an extreme touched the edge of the s grid or of the r search range (the true set may extend further). */
  readonly touchesEdge: boolean;
  /**
   * Accepted polygons (used by extrapolateMedian, medianGain and the stopper's gain bound).
   * @internal
   */
  readonly cells: readonly Cell[];
}

const DEFAULT_S_GRID: number[] = [
  0,
  ...Array.from({ length: 33 }, (_, i) => 10 ** (-5 + (6 * i) / 32)),
  Number.POSITIVE_INFINITY,
];

/**
 * Quantiles G⁻¹(levels) of the standard NoisyQuadraticDistribution(0, 1, c, s, convex = true) for
 * sorted levels in (0, 1): tabulate G on a grid, then Illinois (modified regula falsi) in each
 * bracket to |Δz| ≤ 1e-13; levels outside the table fall back to the distribution's bisection ppf.
 */
export function standardQuantiles(c: number, s: number, levels: readonly number[]): Float64Array {
  // s = ∞: the normal limit, in the coordinates (μ, σ) of the cell (see consonanceSet).
  if (s === Number.POSITIVE_INFINITY) return Float64Array.from(levels, (q) => normalPpf(q));
  const dist = new NoisyQuadraticDistribution(0, 1, c, s, true);
  const out = new Float64Array(levels.length);
  if (dist.regime === "noiseless" || dist.regime === "point") {
    for (const [i, q] of levels.entries()) out[i] = dist.ppf(q);
    return out;
  }
  const sd = Math.sqrt(dist.variance);
  const lo = dist.regime === "normal" ? dist.mean - 9 * sd : -9 * s;
  const hi = dist.regime === "normal" ? dist.mean + 9 * sd : 1 + 9 * s;
  const N = 96;
  const zs = new Float64Array(N + 1);
  const gs = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) {
    // Denser near the lower end, where the c = 1 density is steep.
    const u = i / N;
    zs[i] = lo + (hi - lo) * u * u;
    gs[i] = dist.cdf(zs[i] as number);
  }
  let j = 0;
  for (const [i, q] of levels.entries()) {
    if (!(q > gs[0]!) || !(q <= gs[N]!)) {
      out[i] = dist.ppf(q);
      continue;
    }
    while (j < N && (gs[j + 1] as number) < q) j++;
    while (j > 0 && (gs[j] as number) >= q) j--;
    let x0 = zs[j] as number;
    let f0 = (gs[j] as number) - q;
    let x1 = zs[j + 1] as number;
    let f1 = (gs[j + 1] as number) - q;
    let side = 0;
    let x = x1;
    for (let it = 0; it < 100 && x1 - x0 > 1e-13 * (1 + Math.abs(x1)); it++) {
      x = (x0 * f1 - x1 * f0) / (f1 - f0);
      if (!(x > x0 && x < x1)) x = (x0 + x1) / 2;
      const fx = dist.cdf(x) - q;
      if (fx < 0) {
        x0 = x;
        f0 = fx;
        if (side === -1) f1 /= 2;
        side = -1;
      } else {
        x1 = x;
        f1 = fx;
        if (side === 1) f0 /= 2;
        side = 1;
        if (fx === 0) break;
      }
    }
    out[i] = x1;
  }
  return out;
}

function envelopeLo(cell: Cell, r: number): number {
  let v = cell.aMin;
  const { loP, loQ } = cell;
  for (let i = 0; i < loP.length; i++) {
    const x = (loP[i] as number) - r * (loQ[i] as number);
    if (x > v) v = x;
  }
  return v;
}

function envelopeHi(cell: Cell, r: number): number {
  let v = cell.aMax;
  const { hiP, hiQ } = cell;
  for (let i = 0; i < hiP.length; i++) {
    const x = (hiP[i] as number) - r * (hiQ[i] as number);
    if (x < v) v = x;
  }
  return v;
}

/** min (sense = 1) or max (sense = −1) of α·a + β·r over the cell's polygon, with the optimal vertex (a, r). */
function optimizeLinearAt(
  cell: Cell,
  alpha: number,
  beta: number,
  sense: 1 | -1,
): { value: number; a: number; r: number } {
  // sense·(α a + β r) is minimized over a at a = A_lo (if sense·α > 0) or A_hi: a convex
  // piecewise-linear function of r, minimized by golden section on [r₁, r₂].
  const sa = sense * alpha;
  const aAt = (r: number): number =>
    sa > 0
      ? envelopeLo(cell, r)
      : sa < 0
        ? envelopeHi(cell, r)
        : (envelopeLo(cell, r) + envelopeHi(cell, r)) / 2;
  const phi = (r: number): number => sa * (sa === 0 ? 0 : aAt(r)) + sense * beta * r;
  const res = goldenSection(phi, cell.r1, cell.r2, 1e-13 * Math.max(cell.r2, 1e-300));
  let r = res.x;
  let v = res.fun;
  for (const re of [cell.r1, cell.r2]) {
    const pv = phi(re);
    if (pv < v) {
      v = pv;
      r = re;
    }
  }
  return { value: sense * v, a: aAt(r), r };
}

function optimizeLinear(cell: Cell, alpha: number, beta: number, sense: 1 | -1): number {
  return optimizeLinearAt(cell, alpha, beta, sense).value;
}

/**
 * Build the consonance confidence set (see module comment). Throws InvalidArgumentError on invalid
 * input (band layout, threshold outside the data, non-finite scores).
 */
export function consonanceSet(band: CdfBand, options: ConsonanceOptions): ConsonanceResult {
  const { minimize } = options;
  checkFinite("threshold", options.threshold);
  const n = band.ys.length;
  if (n < 1) throw new InvalidArgumentError("the sample is empty");
  if (band.lower.length !== n + 1 || band.upper.length !== n + 1)
    throw new InvalidArgumentError(`band.lower and band.upper must have n + 1 = ${n + 1} values`);
  for (const y of band.ys)
    if (!Number.isFinite(y))
      throw new InvalidArgumentError(`scores must be finite, got ${y}`, { path: "scores" });
  const cs = options.cs ?? Array.from({ length: C_MAX - C_MIN + 1 }, (_, i) => C_MIN + i);
  const sGrid = options.sGrid ?? DEFAULT_S_GRID;
  // Orientation: work with minimization. For maximization negate the scores and reflect the band:
  // F'(−t) = 1 − F(t⁻), so L' after −t is 1 − U before t and U' is 1 − L before t.
  const sorted = [...band.ys].sort((x, y) => x - y);
  const sign = minimize ? 1 : -1;
  const theta = sign * options.threshold;
  const t0 = options.scoreBound === undefined ? Number.NEGATIVE_INFINITY : sign * options.scoreBound;
  // Distinct values (oriented) with band values after each, and the band value before the first.
  const ysO = sorted.map((y) => sign * y).sort((x, y) => x - y);
  const distinct: number[] = [];
  const Lafter: number[] = [];
  const Uafter: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ysO[i] as number;
    if (i + 1 < n && ysO[i + 1] === v) continue; // take the value after the last tie
    distinct.push(v);
    if (minimize) {
      Lafter.push(band.lower[i + 1] as number);
      Uafter.push(band.upper[i + 1] as number);
    } else {
      // −v is the (n − i)-th … order statistic of the original: count of original ys < −v is n − (i + 1).
      const before = n - (i + 1);
      Lafter.push(1 - (band.upper[before] as number));
      Uafter.push(1 - (band.lower[before] as number));
    }
  }
  const U0 = minimize ? (band.upper[0] as number) : 1 - (band.lower[n] as number);
  const valueAfter = (arr: number[], first: number, t: number): number => {
    // band value at t: after the last distinct value ≤ t (or the value at the lower end).
    let lo = 0;
    let hi = distinct.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((distinct[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? first : (arr[lo - 1] as number);
  };
  // Regime points t_1..t_m (distinct observations ≤ θ, above t₀) and t_{m+1} = θ.
  const ts = distinct.filter((v) => v <= theta && v > t0);
  const regimeCount = ysO.filter((v) => v <= theta).length;
  if (ts.length === 0)
    throw new InvalidArgumentError(`no score lies in the asymptotic regime (threshold ${options.threshold})`);
  const points = ts[ts.length - 1] === theta ? ts : [...ts, theta];
  const lowers: number[] = []; // L(t_j)
  const uppers: number[] = []; // U(t_{j−1})
  let prevT = t0;
  for (const t of points) {
    lowers.push(valueAfter(Lafter, 0, t));
    uppers.push(prevT === Number.NEGATIVE_INFINITY ? U0 : valueAfter(Uafter, U0, prevT));
    prevT = t;
  }
  const span = Math.max(
    (points[points.length - 1] as number) - (points[0] as number),
    1e-12 * Math.max(1, Math.abs(theta)),
  );
  const rMax = 1e4 * span;
  let touchesEdge = false;

  const cells: Cell[] = [];
  const perC: ConsonanceC[] = [];
  for (const c of cs) {
    if (!Number.isInteger(c) || c < C_MIN || c > C_MAX)
      throw new InvalidArgumentError(`cs must hold integers in [${C_MIN}, ${C_MAX}], got ${c}`, {
        path: "cs",
      });
    const cellsC: Cell[] = [];
    const makeCellFrom = (s: number, keep: (i: number) => boolean): Cell | null => {
      // Quantile levels: L(t_j) > 0 and U(t_{j−1}) < 1 (others are vacuous).
      const lvLo = lowers.map((v, i) => ({ v, i })).filter((x) => x.v > 0 && x.v < 1 && keep(x.i));
      const lvHi = uppers.map((v, i) => ({ v, i })).filter((x) => x.v < 1 && x.v > 0 && keep(x.i));
      const infeasibleUpper = uppers.some((v) => v <= 0); // F(t) ≤ 0: only a noiseless F with a ≥ t
      const all = [...lvLo.map((x) => x.v), ...lvHi.map((x) => x.v)];
      const order = all.map((_, i) => i).sort((x, y) => (all[x] as number) - (all[y] as number));
      const qs = standardQuantiles(
        c,
        s,
        order.map((i) => all[i] as number),
      );
      const g = new Float64Array(all.length);
      order.forEach((i, k) => {
        g[i] = qs[k] as number;
      });
      const hiP: number[] = [];
      const hiQ: number[] = [];
      for (const [k, x] of lvLo.entries()) {
        hiP.push(points[x.i] as number);
        hiQ.push(g[k] as number);
      }
      const loP: number[] = [];
      const loQ: number[] = [];
      for (const [k, x] of lvHi.entries()) {
        loP.push(points[x.i] as number);
        loQ.push(g[lvLo.length + k] as number);
      }
      if (infeasibleUpper) {
        // U = 0 below some t: F(t) must be exactly 0, possible only without noise and with a ≥ t.
        for (const [i, v] of uppers.entries()) {
          if (v > 0) continue;
          if (s > 0) return null;
          loP.push(points[i] as number);
          loQ.push(0);
        }
      }
      const cell: Cell = {
        c,
        s,
        loP: Float64Array.from(loP),
        loQ: Float64Array.from(loQ),
        hiP: Float64Array.from(hiP),
        hiQ: Float64Array.from(hiQ),
        aMin: Number.NEGATIVE_INFINITY,
        aMax: Number.POSITIVE_INFINITY,
        r1: 0,
        r2: 0,
      };
      const D = (r: number) => envelopeHi(cell, r) - envelopeLo(cell, r);
      const peak = goldenSection((r) => -D(r), 0, rMax, 1e-14 * rMax);
      if (!(-peak.fun >= 0) || !(peak.x > 0)) return null;
      const rStar = peak.x;
      // Roots of the concave D on each side of its peak by bisection.
      let a0 = 0;
      let b0 = rStar;
      if (D(0) >= 0) b0 = 0;
      else
        for (let i = 0; i < 200 && b0 - a0 > 1e-15 * rStar; i++) {
          const m = (a0 + b0) / 2;
          if (D(m) >= 0) b0 = m;
          else a0 = m;
        }
      let a1 = rStar;
      let b1 = rMax;
      if (D(rMax) >= 0) {
        a1 = rMax;
        touchesEdge = true;
      } else
        for (let i = 0; i < 200 && b1 - a1 > 1e-15 * b1; i++) {
          const m = (a1 + b1) / 2;
          if (D(m) >= 0) a1 = m;
          else b1 = m;
        }
      cell.r1 = Math.max(b0, 1e-300);
      cell.r2 = a1;
      return cell;
    };
    // Dropping constraints can only enlarge the set, so a cell that is empty under every
    // stride-th constraint (and the two ends) is empty: a cheap rejection before the full build.
    const stride = Math.max(1, Math.floor(points.length / 24));
    const makeCell = (s: number): Cell | null => {
      if (stride > 1 && !makeCellFrom(s, (i) => i % stride === 0 || i === points.length - 1)) return null;
      return makeCellFrom(s, () => true);
    };
    for (const s of sGrid) {
      const cell = makeCell(s);
      if (cell) cellsC.push(cell);
    }
    if (cellsC.length === 0) {
      perC.push({
        c,
        accepted: false,
        bestLower: Number.NaN,
        bestUpper: Number.NaN,
        sLower: Number.NaN,
        sUpper: Number.NaN,
        witnessLower: null,
        witnessUpper: null,
      });
      continue;
    }
    // Best score in the minimize frame is a (α = 1, β = 0). For maximization the original best
    // score is b = −a′, so its interval is [−max a′, −min a′].
    type Witness = { value: number; cell: Cell; a: number; r: number };
    const extreme = (sense: 1 | -1, list: Cell[]): Witness => {
      let best: Witness | null = null;
      for (const cl of list) {
        const o = optimizeLinearAt(cl, 1, 0, sense);
        if (!best || sense * o.value < sense * best.value)
          best = { value: o.value, cell: cl, a: o.a, r: o.r };
      }
      return best as Witness;
    };
    // Refine the extremes between grid points by golden section over log s around the best grid cell.
    const refine = (sense: 1 | -1): Witness => {
      let best = extreme(sense, cellsC);
      const iBest = sGrid.indexOf(best.cell.s);
      const lastS = sGrid[sGrid.length - 1] as number;
      if (iBest === sGrid.length - 1 && sGrid.length > 1 && lastS !== Number.POSITIVE_INFINITY)
        touchesEdge = true;
      const sL = sGrid[Math.max(0, iBest - 1)] as number;
      let sH = sGrid[Math.min(sGrid.length - 1, iBest + 1)] as number;
      // Between the largest finite s and ∞ the extremes sit at the ends (see the module comment).
      if (sH === Number.POSITIVE_INFINITY) sH = best.cell.s;
      if (iBest >= 0 && sL > 0 && Number.isFinite(sH) && sH > sL) {
        goldenSection(
          (ls) => {
            const cl = makeCell(Math.exp(ls));
            if (!cl) return Number.POSITIVE_INFINITY;
            cellsC.push(cl);
            const o = optimizeLinearAt(cl, 1, 0, sense);
            if (sense * o.value < sense * best.value) best = { value: o.value, cell: cl, a: o.a, r: o.r };
            return sense * o.value;
          },
          Math.log(sL),
          Math.log(sH),
          1e-3,
        );
      }
      return best;
    };
    const wLo = refine(1);
    const wHi = refine(-1);
    const toOriginal = (w: Witness) => {
      // The s = ∞ cell holds (μ, σ): the normal member a = b = μ, o = σ.
      const inf = w.cell.s === Number.POSITIVE_INFINITY;
      const a = w.a;
      const b = inf ? w.a : w.a + w.r;
      const o = inf ? w.r : w.cell.s * w.r;
      return minimize ? { a, b, c, o, convex: true } : { a: -b, b: -a, c, o, convex: false };
    };
    const ss = cellsC.map((x) => x.s);
    cells.push(...cellsC);
    perC.push({
      c,
      accepted: true,
      bestLower: minimize ? wLo.value : -wHi.value,
      bestUpper: minimize ? wHi.value : -wLo.value,
      sLower: Math.min(...ss),
      sUpper: Math.max(...ss),
      witnessLower: toOriginal(minimize ? wLo : wHi),
      witnessUpper: toOriginal(minimize ? wHi : wLo),
    });
  }
  const acc = perC.filter((x) => x.accepted);
  let oLo = Number.NaN;
  let oHi = Number.NaN;
  if (cells.length > 0) {
    // o = s·r, and o = σ = r in the s = ∞ cell.
    const oFactor = (cl: Cell): number => (cl.s === Number.POSITIVE_INFINITY ? 1 : cl.s);
    oLo = Math.min(...cells.map((cl) => oFactor(cl) * optimizeLinear(cl, 0, 1, 1)));
    oHi = Math.max(...cells.map((cl) => oFactor(cl) * optimizeLinear(cl, 0, 1, -1)));
  }
  const thetaBandL = valueAfter(Lafter, 0, theta);
  const thetaBandU = valueAfter(Uafter, U0, theta);
  return {
    minimize,
    threshold: options.threshold,
    bestScore: acc.length
      ? { lower: Math.min(...acc.map((x) => x.bestLower)), upper: Math.max(...acc.map((x) => x.bestUpper)) }
      : { lower: Number.NaN, upper: Number.NaN },
    acceptedC: acc.map((x) => x.c),
    noise: { lower: oLo, upper: oHi },
    perC,
    regime: {
      count: regimeCount,
      n,
      fraction: regimeCount / n,
      bandLower: thetaBandL,
      bandUpper: thetaBandU,
    },
    touchesEdge,
    cells,
  };
}

/** One extrapolated point of the median tuning curve. */
export interface ExtrapolationPoint {
  readonly k: number;
  /** Point prediction (from `point`, e.g. the fitted distribution); NaN when none given. */
  readonly median: number;
  /** Simultaneous-band-consistent range over the accepted set. */
  readonly lower: number;
  readonly upper: number;
}

/**
 * Median tuning curve τ(k) = Q(1 − ½^{1/k}) (minimize) or Q(½^{1/k}) (maximize) beyond the data,
 * with the range of τ(k) over every accepted (a, b, c, o) — for each accepted (c, s) the quantile
 * a + r·G⁻¹(level) is linear in (a, r), so its range over the polygon is exact; s is taken on the
 * accepted grid. `point` supplies the point prediction (e.g. fit.distribution).
 */
export function extrapolateMedian(
  set: ConsonanceResult,
  ks: readonly number[],
  point?: { quantileTuningCurve(k: number, q?: number, minimize?: boolean): number },
): ExtrapolationPoint[] {
  const minimize = set.minimize;
  return ks.map((k) => {
    if (!(k > 0)) throw new InvalidArgumentError(`k must be > 0, got ${k}`, { path: "k" });
    // In the minimize orientation the level is 1 − ½^{1/k} for both directions (negation maps max to min).
    const level = tuningLevel(0.5, k, true);
    const lo = optimizeQuantileOverSet(set, level, "min");
    const hi = optimizeQuantileOverSet(set, level, "max");
    const median = point ? point.quantileTuningCurve(k, 0.5, minimize) : Number.NaN;
    return minimize ? { k, median, lower: lo, upper: hi } : { k, median, lower: -hi, upper: -lo };
  });
}

/**
 * The smallest or largest quantile Q_F(level) = a + r·G⁻¹_{c,s}(level) over every accepted tail, in the
 * minimize orientation (negate for maximize). Exact per accepted (c, s): the quantile is linear in (a, r)
 * and the accepted (a, r) form a convex polygon. NaN when the set is empty.
 */
export function optimizeQuantileOverSet(set: ConsonanceResult, level: number, which: "min" | "max"): number {
  if (!(level > 0 && level < 1))
    throw new InvalidArgumentError(`level must be in (0, 1), got ${level}`, { path: "level" });
  if (set.cells.length === 0) return Number.NaN;
  const sign = which === "min" ? 1 : -1;
  let best = which === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const cell of set.cells) {
    const g = standardQuantiles(cell.c, cell.s, [level])[0] as number;
    const v = optimizeLinear(cell, 1, g, sign);
    best = which === "min" ? Math.min(best, v) : Math.max(best, v);
  }
  return best;
}

/**
 * "k more trials gain about X": the predicted improvement of the median best score from n to
 * n + k trials, τ(n) − τ(n + k) (minimize) or τ(n + k) − τ(n) (maximize), from `point`, with its
 * range over the accepted set (r·(G⁻¹(ℓ_n) − G⁻¹(ℓ_{n+k})) is linear in r for each accepted (c, s)).
 */
export function medianGain(
  set: ConsonanceResult,
  n: number,
  k: number,
  point?: { quantileTuningCurve(k: number, q?: number, minimize?: boolean): number },
): { gain: number; lower: number; upper: number } {
  if (!(n > 0) || !(k > 0)) throw new InvalidArgumentError(`n and k must be > 0, got n=${n}, k=${k}`);
  const l0 = tuningLevel(0.5, n, true);
  const l1 = tuningLevel(0.5, n + k, true);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const cell of set.cells) {
    const [g1, g0] = standardQuantiles(cell.c, cell.s, [l1, l0]) as unknown as [number, number];
    const dg = g0 - g1; // ≥ 0
    lo = Math.min(lo, optimizeLinear(cell, 0, dg, 1));
    hi = Math.max(hi, optimizeLinear(cell, 0, dg, -1));
  }
  const sgn = set.minimize ? 1 : -1;
  const gain = point
    ? sgn *
      (point.quantileTuningCurve(n, 0.5, set.minimize) - point.quantileTuningCurve(n + k, 0.5, set.minimize))
    : Number.NaN;
  return set.cells.length ? { gain, lower: lo, upper: hi } : { gain, lower: Number.NaN, upper: Number.NaN };
}

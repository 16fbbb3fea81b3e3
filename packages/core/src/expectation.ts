/**
 * Exact expectations used to score lists against random search (issue definitions):
 * - a list's score on a workload = E[best over its points] when each point is run once with a seed drawn
 *   uniformly from its rows: with F_k the empirical CDF of point k, P(max ≤ y) = Π_k F_k(y), evaluated on
 *   the merged support;
 * - random search of budget k draws k rows uniformly with replacement from all n rows: its expected best
 *   is the mean tuning curve of the empirical distribution,
 *   E[max_k] = Σ_i y_(i)·((i/n)^k − ((i−1)/n)^k) (y ascending), cf. opda `EmpiricalDistribution` and
 *   Dodge et al. 2019 "Show your work" (expected validation performance).
 * Minimisation is handled by negation.
 */
import { EmpiricalDistribution } from "@nadir/analysis";
import { InvalidArgumentError, requireInt } from "./errors.js";
import type { Direction } from "./trials.js";

/** Ascending copy of the values, negated first when minimising (so "best" is always the maximum). */
export function sortedForMax(values: ArrayLike<number>, direction: Direction): Float64Array {
  const out = Float64Array.from(values);
  if (direction === "minimize") for (let i = 0; i < out.length; i++) out[i] = -(out[i] as number);
  out.sort();
  return out;
}

/**
 * E[max of k iid uniform draws with replacement] from `ascending` (already sorted ascending):
 * Σ_i y_(i)·((i/n)^k − ((i−1)/n)^k). O(n).
 */
export function expectedMaxOfK(ascending: Float64Array, k: number): number {
  const n = ascending.length;
  if (n === 0) throw new InvalidArgumentError("values", "expected at least one value");
  requireInt("k", k, 1);
  let prev = 0;
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    const cur = (i / n) ** k;
    sum += (ascending[i - 1] as number) * (cur - prev);
    prev = cur;
  }
  return sum;
}

/** Expected best of k random-search draws from `values` in the given direction (exact). */
export function expectedBestOfK(values: ArrayLike<number>, k: number, direction: Direction): number {
  const e = expectedMaxOfK(sortedForMax(values, direction), k);
  return direction === "minimize" ? -e : e;
}

/**
 * E[best over points] when each point contributes one value drawn uniformly from its own rows
 * (`groups[k]` = the rows of point k). Exact: with G(y) = Π_k F_k(y) on the merged sorted support
 * y_1 < … < y_m, E[max] = Σ_j y_j·(G(y_j) − G(y_{j−1})). Infinite values are allowed: when the best can be
 * infinitely bad with positive probability (e.g. every point may miss a target) the result is ±∞, as the
 * expectation is.
 */
export function expectedBestOfGroups(groups: readonly ArrayLike<number>[], direction: Direction): number {
  if (groups.length === 0) throw new InvalidArgumentError("groups", "expected at least one point");
  const sorted = groups.map((g, i) => {
    if (g.length === 0) throw new InvalidArgumentError(`groups[${i}]`, "a point needs at least one value");
    return sortedForMax(g, direction);
  });
  const all = new Float64Array(sorted.reduce((a, g) => a + g.length, 0));
  let o = 0;
  for (const g of sorted) {
    all.set(g, o);
    o += g.length;
  }
  all.sort();
  const ptr = new Int32Array(sorted.length);
  let prevG = 0;
  let sum = 0;
  for (let j = 0; j < all.length; j++) {
    const y = all[j] as number;
    if (j + 1 < all.length && all[j + 1] === y) continue; // advance to the last copy of y
    let G = 1;
    for (let k = 0; k < sorted.length; k++) {
      const g = sorted[k] as Float64Array;
      let p = ptr[k] as number;
      while (p < g.length && (g[p] as number) <= y) p++;
      ptr[k] = p;
      G *= p / g.length;
    }
    const dG = G - prevG;
    if (dG !== 0) sum += y * dG;
    prevG = G;
  }
  return direction === "minimize" ? -sum : sum;
}

/** Result of {@link equivalentRandomBudget}: the smallest k, or overflow when no k ≤ n qualifies. */
export type EquivalentBudget = { k: number } | { overflow: number };

/**
 * Random search over a fixed set of n rows (draws with replacement). The empirical distribution is built
 * once, so the mean tuning curve E[best of k] and the equivalent budget of a score can be asked for many
 * times. The curve comes from @nadir/analysis (`EmpiricalDistribution.averageTuningCurve`); the tests
 * cross-check it against {@link expectedMaxOfK} and against enumeration.
 */
export class RandomSearchReference {
  /** The empirical distribution of the rows (@nadir/analysis, a port of opda's EmpiricalDistribution). */
  private readonly dist: EmpiricalDistribution;
  private readonly rows: number;
  readonly direction: Direction;
  constructor(values: ArrayLike<number>, direction: Direction) {
    if (values.length === 0) throw new InvalidArgumentError("values", "expected at least one row");
    if (direction !== "minimize" && direction !== "maximize")
      throw new InvalidArgumentError("direction", `expected minimize or maximize, got ${String(direction)}`);
    // Ties are merged here (a typed-array sort) and passed as weights count/n: the same distribution, but
    // EmpiricalDistribution's own comparator sort of 150,000 rows would dominate the run time.
    const sorted = Float64Array.from(values).sort();
    const n = sorted.length;
    if (Number.isNaN(sorted[n - 1])) throw new InvalidArgumentError("values", "NaN is not a valid score");
    const ys: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = sorted[i] as number;
      if (i > 0 && y === sorted[i - 1]) counts[counts.length - 1] = (counts[counts.length - 1] as number) + 1;
      else {
        ys.push(y);
        counts.push(1);
      }
    }
    this.dist = new EmpiricalDistribution(ys, { weights: counts.map((c) => c / n) });
    this.rows = n;
    this.direction = direction;
  }
  /**
   * Mean tuning curve at k: `EmpiricalDistribution.averageTuningCurve` of @nadir/analysis,
   * Σ_j y_j (W_j^k − W_{j−1}^k) over the distinct values (maximize; the mirror image for minimize).
   */
  private curve(k: number): number {
    requireInt("k", k, 1);
    return this.dist.averageTuningCurve([k], { minimize: this.direction === "minimize" })[0] as number;
  }
  /** Number of rows n. */
  get n(): number {
    return this.rows;
  }
  /** Exact E[best of k draws] (in the original units and direction). */
  expectedBest(k: number): number {
    return this.curve(k);
  }
  /**
   * The smallest k in [1, n] whose expected best-of-k is at least as good as `score` (relative slack 1e-12
   * for rounding in the sums); overflow when even k = n falls short. The tuning curve is non-decreasing in
   * k, so an exponential search (1, 2, 4, …) followed by bisection finds k in O(n log k).
   */
  equivalentBudget(score: number): EquivalentBudget {
    const n = this.rows;
    const better = (x: number) => (this.direction === "minimize" ? -x : x);
    const target = better(score);
    if (Number.isNaN(target)) throw new InvalidArgumentError("score", "score is NaN");
    const slack = Number.isFinite(target) ? 1e-12 * Math.max(1, Math.abs(target)) : 0;
    const ok = (k: number) => better(this.curve(k)) >= target - slack;
    let hi = 1;
    while (hi < n && !ok(hi)) hi = Math.min(n, hi * 2);
    if (!ok(hi)) return { overflow: n };
    let lo = Math.floor(hi / 2) + 1;
    if (hi === 1) lo = 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (ok(mid)) hi = mid;
      else lo = mid + 1;
    }
    return { k: lo };
  }
}

/**
 * The smallest k in [1, n] whose expected best-of-k random search over `values` (exact,
 * {@link expectedMaxOfK}) is at least as good as `score`; overflow (">n") when none is.
 */
export function equivalentRandomBudget(
  values: ArrayLike<number>,
  score: number,
  direction: Direction,
): EquivalentBudget {
  return new RandomSearchReference(values, direction).equivalentBudget(score);
}

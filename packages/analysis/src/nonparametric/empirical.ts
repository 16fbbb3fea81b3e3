/**
 * The (weighted) empirical distribution and the tuning-curve estimators built on it.
 *
 * A port of `opda.nonparametric.EmpiricalDistribution` (opda v0.8.0; Lourie, Cho & He, "Show Your
 * Work with Confidence: Confidence Bands for Tuning Curves", NAACL 2024, arXiv:2311.09480), with the
 * same semantics for ties, bounds and the step-function quantile, and one deliberate difference: the
 * U-statistic tuning curve is computed with a ratio recurrence that stays finite for every n and k
 * (opda overflows to NaN once C(n, k) > 1e308).
 */
import { InvalidArgumentError } from "../special/errors.js";

/** Options of {@link EmpiricalDistribution}. */
export interface EmpiricalOptions {
  /**
   * Probability mass of each value of `ys` (same length, non-negative, summing to 1 within 1e-10).
   * Omit (or `null`) for equal weights 1/n.
   */
  weights?: ArrayLike<number> | null;
  /** Lower bound of the support (default −∞); must be ≤ min(ys). */
  a?: number;
  /** Upper bound of the support (default +∞); must be ≥ max(ys). */
  b?: number;
}

/** Options of the quantile tuning curve. */
export interface QuantileCurveOptions {
  /** The quantile of the best-of-k score (default 0.5: the median tuning curve). */
  q?: number;
  /** `true` when lower scores are better (loss, error rate); default `false` (maximize). */
  minimize?: boolean;
}

/** Options of the mean-type tuning curves. */
export interface DirectionOptions {
  /** `true` when lower scores are better (loss, error rate); default `false` (maximize). */
  minimize?: boolean;
}

/** One step of the distribution: a support point, its mass and the CDF there. */
export interface SupportPoint {
  value: number;
  mass: number;
  cdf: number;
}

function checkDirection(opts: DirectionOptions | undefined): boolean {
  const m = opts?.minimize ?? false;
  if (typeof m !== "boolean")
    throw new InvalidArgumentError(`minimize must be a boolean, got ${String(m)}`, { path: "minimize" });
  return m;
}

function checkKs(ks: ArrayLike<number>, integer: boolean): void {
  if (ks == null || typeof ks.length !== "number")
    throw new InvalidArgumentError("ks must be an array of numbers", { path: "ks" });
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i]!;
    if (typeof k !== "number" || !(k > 0)) {
      throw new InvalidArgumentError(`ks[${i}] must be a number > 0 (number of search iterations), got ${k}`);
    }
    if (integer && !Number.isInteger(k)) {
      throw new InvalidArgumentError(`ks[${i}] must be an integer for this estimator, got ${k}`);
    }
  }
}

/** Terms of the mean tuning curve with best-of-k probability below 2⁻⁶⁴ are skipped. */
const MEAN_CURVE_CUTOFF = 2 ** -64;
/** Longest run of consecutive k evaluated by repeated multiplication from one power. */
const RUN = 32;

/** First index j with arr[j] > x (arr sorted ascending), i.e. numpy searchsorted(side="right"). */
function upperBound(arr: Float64Array, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index j with arr[j] >= x (arr sorted ascending), i.e. numpy searchsorted(side="left"). */
function lowerBound(arr: Float64Array, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The empirical distribution of a sample `ys`, optionally weighted, on a support bounded by `[a, b]`.
 *
 * CDF `F(y) = Σ_{y_j ≤ y} w_j` (right-continuous); quantile `Q(p) = inf{y ∈ [a, b] : p ≤ F(y)}`
 * (so `Q(0) = a`). Equal values are merged (their weights summed). Internally the support is
 * extended with zero-mass points so that it runs from −∞ to +∞ and contains `a` and `b`, exactly as
 * opda does, so the cumulative weights are `cumsum(w) / Σw` in the same order and the step
 * positions of `ppf` agree bit for bit with opda for unweighted samples.
 *
 * Tuning curves (Lourie et al. 2024, §2): random search with k iterations returns
 * `T_k = max(Y_1..Y_k)` (or min when minimizing), whose CDF is `F^k` (resp. `1 − (1 − F)^k`).
 */
export class EmpiricalDistribution {
  /** The sample, in the order given. */
  readonly ys: readonly number[];
  /** The weights as given, or `null` for equal weights (also when the given weights were exactly 1/n each). */
  readonly weights: readonly number[] | null;
  /** Lower bound of the support. */
  readonly a: number;
  /** Upper bound of the support. */
  readonly b: number;
  /** Mean `Σ w_i y_i` (terms with zero weight skipped, so a zero-mass infinite sentinel is harmless). */
  readonly mean: number;
  /** Population variance `Σ w_i (y_i − mean)²` (ddof = 0). */
  readonly variance: number;

  /** Sorted distinct support points, from −∞ to +∞ (sentinels included). */
  private readonly sup: Float64Array;
  /** Mass of each support point. */
  private readonly mass: Float64Array;
  /** Cumulative mass W_j = cumsum(mass)_j / cumsum(mass)_last (last is exactly 1). */
  private readonly cum: Float64Array;
  /** W_{j−1}, with 0 before the first point. */
  private readonly cumPrev: Float64Array;
  private readonly sortedYs: Float64Array;

  /**
   * @param ys the sample: non-empty, no NaN (±∞ allowed, as in the bands' extended samples).
   * @param opts weights and support bounds; see {@link EmpiricalOptions}.
   * @throws InvalidArgumentError on empty input, NaN, bad weights, or bounds that exclude a sample value.
   */
  constructor(ys: ArrayLike<number>, opts: EmpiricalOptions = {}) {
    if (ys == null || typeof ys.length !== "number")
      throw new InvalidArgumentError("ys must be an array of numbers", { path: "ys" });
    const n = ys.length;
    if (n === 0) throw new InvalidArgumentError("ys must be non-empty", { path: "ys" });
    const values: number[] = new Array(n);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const y = ys[i]!;
      if (typeof y !== "number" || Number.isNaN(y))
        throw new InvalidArgumentError(`ys[${i}] must be a number, got ${y}`);
      values[i] = y;
      if (y < min) min = y;
      if (y > max) max = y;
    }
    const a = opts.a ?? Number.NEGATIVE_INFINITY;
    const b = opts.b ?? Number.POSITIVE_INFINITY;
    if (typeof a !== "number" || Number.isNaN(a))
      throw new InvalidArgumentError(`a must be a number, got ${a}`, { path: "a" });
    if (typeof b !== "number" || Number.isNaN(b))
      throw new InvalidArgumentError(`b must be a number, got ${b}`, { path: "b" });
    if (a > min) throw new InvalidArgumentError(`a (${a}) cannot be greater than the min of ys (${min})`);
    if (b < max) throw new InvalidArgumentError(`b (${b}) cannot be less than the max of ys (${max})`);

    let ws: number[] | null = null;
    if (opts.weights != null) {
      const w = opts.weights;
      if (w.length !== n)
        throw new InvalidArgumentError(`weights must have the same length as ys (${n}), got ${w.length}`, {
          path: "weights",
        });
      ws = new Array(n);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const wi = w[i]!;
        if (typeof wi !== "number" || !Number.isFinite(wi) || wi < 0) {
          throw new InvalidArgumentError(`weights[${i}] must be a finite number ≥ 0, got ${wi}`);
        }
        ws[i] = wi;
        total += wi;
      }
      if (Math.abs(total - 1) > 1e-10)
        throw new InvalidArgumentError(`weights must sum to 1 (within 1e-10), got ${total}`, {
          path: "weights",
        });
    }

    // Deduplicate: sorted distinct values with their counts (or summed weights), in typed arrays.
    // Unweighted samples sort a typed copy natively; weighted ones skip the index sort when already
    // sorted (the bands' extended samples are), so a million values build in a fraction of a second.
    const uniq = new Float64Array(n);
    const counts = new Float64Array(n);
    const wsum = new Float64Array(n);
    let u = 0;
    const push = (y: number, wi: number): void => {
      if (u > 0 && uniq[u - 1] === y) {
        counts[u - 1]! += 1;
        wsum[u - 1]! += wi;
      } else {
        uniq[u] = y;
        counts[u] = 1;
        wsum[u] = wi;
        u++;
      }
    };
    const sortedYs = Float64Array.from(values).sort();
    if (ws === null) {
      for (let i = 0; i < n; i++) push(sortedYs[i]!, 0);
    } else {
      let isSorted = true;
      for (let i = 1; i < n && isSorted; i++) if (values[i]! < values[i - 1]!) isSorted = false;
      if (isSorted) for (let i = 0; i < n; i++) push(values[i]!, ws[i]!);
      else {
        const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]! || i - j);
        for (const i of order) push(values[i]!, ws[i]!);
      }
    }
    // opda treats weights that are exactly the equal weights of the distinct values as "no weights".
    if (ws && u === n && ws.every((wi) => wi === 1 / n)) ws = null;

    const uniqMass = new Float64Array(u);
    if (ws === null) {
      for (let j = 0; j < u; j++) uniqMass[j] = counts[j]! / n;
    } else {
      let t = 0;
      for (let j = 0; j < u; j++) t += wsum[j]!;
      for (let j = 0; j < u; j++) uniqMass[j] = wsum[j]! / t;
    }

    // Sentinels: the support always starts at −∞ and ends at +∞ and contains a and b.
    const inUniq = (v: number): boolean => {
      let lo = 0;
      let hi = u;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (uniq[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      return lo < u && uniq[lo] === v;
    };
    const head: number[] = [];
    const tail: number[] = [];
    if (a !== Number.NEGATIVE_INFINITY) head.push(Number.NEGATIVE_INFINITY);
    if (!inUniq(a)) head.push(a);
    if (!inUniq(b)) tail.push(b);
    if (b !== Number.POSITIVE_INFINITY) tail.push(Number.POSITIVE_INFINITY);
    const sup = new Float64Array(head.length + u + tail.length);
    const mass = new Float64Array(sup.length);
    sup.set(head, 0);
    sup.set(uniq.subarray(0, u), head.length);
    mass.set(uniqMass, head.length);
    sup.set(tail, head.length + u);
    const m = sup.length;
    this.sup = sup;
    this.mass = mass;
    this.cum = new Float64Array(m);
    this.cumPrev = new Float64Array(m);
    let acc = 0;
    for (let j = 0; j < m; j++) {
      acc += mass[j]!;
      this.cum[j] = acc;
    }
    const last = this.cum[m - 1]!;
    for (let j = 0; j < m; j++) {
      this.cum[j] = this.cum[j]! / last;
      this.cumPrev[j] = j === 0 ? 0 : this.cum[j - 1]!;
    }

    // Not frozen: Object.freeze on a million-element array costs ~0.5 s; the type is readonly.
    this.ys = values;
    this.weights = ws === null ? null : ws;
    this.a = a;
    this.b = b;
    this.sortedYs = sortedYs;

    if (ws === null) {
      let s = 0;
      for (const y of values) s += y;
      const mean = s / n;
      let v = 0;
      for (const y of values) v += (y - mean) * (y - mean);
      this.mean = mean;
      this.variance = v / n;
    } else {
      let s = 0;
      for (let i = 0; i < n; i++) if (ws[i]! > 0) s += ws[i]! * values[i]!;
      let v = 0;
      for (let i = 0; i < n; i++) if (ws[i]! > 0) v += ws[i]! * (values[i]! - s) * (values[i]! - s);
      this.mean = s;
      this.variance = v;
    }
  }

  /** Number of sample values (with multiplicity). */
  get n(): number {
    return this.ys.length;
  }

  /**
   * The step function: every support point (−∞/+∞ and bound sentinels included, with mass 0) in
   * increasing order with its mass and the CDF value there.
   */
  steps(): SupportPoint[] {
    const out: SupportPoint[] = [];
    for (let j = 0; j < this.sup.length; j++)
      out.push({ value: this.sup[j]!, mass: this.mass[j]!, cdf: this.cum[j]! });
    return out;
  }

  /** Probability mass `P(Y = y)`: the weight of `y` if it is a support point, else 0. */
  pmf(y: number): number {
    if (typeof y !== "number" || Number.isNaN(y))
      throw new InvalidArgumentError(`y must be a number, got ${y}`, { path: "y" });
    const j = lowerBound(this.sup, y);
    return j < this.sup.length && this.sup[j] === y ? this.mass[j]! : 0;
  }

  /** CDF `F(y) = P(Y ≤ y)` (right-continuous step function). */
  cdf(y: number): number {
    if (typeof y !== "number" || Number.isNaN(y))
      throw new InvalidArgumentError(`y must be a number, got ${y}`, { path: "y" });
    return this.cum[upperBound(this.sup, y) - 1]!;
  }

  /**
   * Quantile `Q(p) = inf{y ∈ [a, b] : p ≤ F(y)}` (opda's definition: `Q(0) = a` rather than −∞).
   * `p` may exceed [0, 1] by at most 1e-10 (then it is clipped), like opda.
   */
  ppf(p: number): number {
    if (typeof p !== "number" || Number.isNaN(p) || p < -1e-10 || p > 1 + 1e-10) {
      throw new InvalidArgumentError(`p must be in [0, 1], got ${p}`, { path: "p" });
    }
    return this.ppfUnchecked(Math.min(1, Math.max(0, p)));
  }

  private ppfUnchecked(p: number): number {
    // First j with p <= W_j (exact floating-point comparison, like opda's argmax(q <= W)).
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p <= this.cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return Math.max(this.sup[lo]!, this.a);
  }

  /**
   * Quantile tuning curve: the q-quantile of the best score after k random-search iterations,
   * `τ_q(k) = Q(q^{1/k})` (maximize) or `Q(1 − (1 − q)^{1/k})` (minimize); `q = 0.5` gives the
   * median tuning curve recommended by Lourie et al. (2024). `k` may be any real > 0.
   */
  quantileTuningCurve(ks: ArrayLike<number>, opts: QuantileCurveOptions = {}): number[] {
    checkKs(ks, false);
    const q = opts.q ?? 0.5;
    if (typeof q !== "number" || !(q >= 0 && q <= 1))
      throw new InvalidArgumentError(`q must be in [0, 1], got ${q}`, { path: "q" });
    const minimize = checkDirection(opts);
    const out: number[] = new Array(ks.length);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i]!;
      // Same expression as opda so that levels landing on a step compare identically.
      const level = minimize ? 1 - (1 - q) ** (1 / k) : q ** (1 / k);
      out[i] = this.ppfUnchecked(Math.min(1, Math.max(0, level)));
    }
    return out;
  }

  /**
   * Expected (mean) tuning curve `E[T_k] = Σ_j y_j (W_j^k − W_{j−1}^k)` (maximize) or
   * `Σ_j y_j ((1 − W_{j−1})^k − (1 − W_j)^k)` (minimize), over the support points with non-zero
   * probability under the best-of-k distribution (so zero-mass ±∞ sentinels never give 0·∞ = NaN).
   * For an unweighted sample this is the V-statistic of Dodge et al. (2019) generalised to real k.
   *
   * Cost: the terms whose best-of-k probability is below `MEAN_CURVE_CUTOFF` (2⁻⁶⁴ ≈ 5.4e-20)
   * are skipped — their total weight is at most that, so the result moves by ≤ 5.4e-20·max|y|, far
   * below rounding — except infinite support points, which are always included (a positive weight
   * on ±∞ makes the mean ±∞, as in opda). For k > 44 only ≈ 44·n/k terms remain. Runs of
   * consecutive integer k share one `W^k0` per term and step `W^(k0+r) = W^k0·W^r` for r < 32,
   * which adds ≤ 32 ulp of relative error per power (≲ 4e-15·range(y) on the result).
   */
  averageTuningCurve(ks: ArrayLike<number>, opts: DirectionOptions = {}): number[] {
    checkKs(ks, false);
    const minimize = checkDirection(opts);
    const out: number[] = new Array(ks.length);
    const m = this.sup.length;
    // Write the terms with one increasing sequence P of probabilities: maximize P_j = W_j, term j =
    // y_j (P_j^k − P_{j−1}^k) (P_{−1} = 0); minimize P_j = 1 − W_{j−1}, term j = y_j (P_j^k − P_{j+1}^k)
    // (P_m = 0). Walking j towards larger P, the previous term's power is the next term's second
    // power, so each term needs one new power per k. Powers come from exp(k·ln P) (|k ln P| ≤ 44.4
    // on kept terms, so ≤ ~45 ulp) and are stepped by multiplication inside a run.
    const P = new Float64Array(m);
    for (let j = 0; j < m; j++) P[j] = minimize ? 1 - this.cumPrev[j]! : this.cum[j]!;
    const lnP = new Float64Array(m);
    for (let j = 0; j < m; j++) lnP[j] = Math.log(P[j]!);
    const infinite: number[] = [];
    let maxAbs = 0;
    for (let j = 0; j < m; j++) {
      const y = this.sup[j]!;
      if (Number.isFinite(y)) maxAbs = Math.max(maxAbs, Math.abs(y));
      else if (this.mass[j]! > 0) infinite.push(j);
    }
    const acc = new Float64Array(RUN);
    const prev = new Float64Array(RUN);
    let i = 0;
    while (i < ks.length) {
      // A run of consecutive integers k0, k0 + 1, …, k0 + len − 1 (len ≤ RUN).
      const k0 = ks[i]!;
      let len = 1;
      if (Number.isInteger(k0)) while (len < RUN && i + len < ks.length && ks[i + len] === k0 + len) len++;
      // Terms with P_j^k0 ≤ cutoff weigh ≤ cutoff for every k of the run (P ≤ 1): they are the j
      // below the cut (maximize) or above it (minimize). Their total weight is ≤ cutoff too, so
      // they move the sum by ≤ cutoff·max|y|; if that is not below 2⁻⁵²·|sum| (a mean near 0
      // relative to the scores' scale), the run is redone keeping every term with P > 0.
      let jLo = 0;
      let jHi = m;
      for (const cutoff of [MEAN_CURVE_CUTOFF, 0]) {
        const threshold = cutoff ** (1 / k0);
        let lo = 0;
        let hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (minimize ? P[mid]! > threshold : P[mid]! <= threshold) lo = mid + 1;
          else hi = mid;
        }
        // Kept range [jLo, jHi) and the walking order (increasing P).
        jLo = minimize ? 0 : lo;
        jHi = minimize ? lo : m;
        const step = minimize ? -1 : 1;
        const first = minimize ? jHi - 1 : jLo;
        const last = minimize ? jLo - 1 : jHi;
        acc.fill(0, 0, len);
        // Power of the neighbour before the first kept term (0 outside the support).
        const before = first - step;
        const pb = before >= 0 && before < m ? P[before]! : 0;
        let x = pb ** k0;
        for (let r = 0; r < len; r++) {
          prev[r] = x;
          x *= pb;
        }
        for (let j = first; j !== last; j += step) {
          const y = this.sup[j]!;
          const p = P[j]!;
          let xp = k0 === 1 ? p : Math.exp(k0 * lnP[j]!);
          for (let r = 0; r < len; r++) {
            const w = xp - prev[r]!;
            if (w !== 0) acc[r] = acc[r]! + w * y;
            prev[r] = xp;
            xp *= p;
          }
        }
        const dropped = (minimize ? jHi < m : jLo > 0) ? cutoff * maxAbs : 0;
        let ok = true;
        for (let r = 0; r < len && ok; r++) if (dropped > 2 ** -52 * Math.abs(acc[r]!)) ok = false;
        if (ok) break;
      }
      for (let r = 0; r < len; r++) {
        const k = k0 + r;
        let s = acc[r]!;
        for (const j of infinite) {
          if (j >= jLo && j < jHi) continue;
          const w = minimize
            ? (1 - this.cumPrev[j]!) ** k - (1 - this.cum[j]!) ** k
            : this.cum[j]! ** k - this.cumPrev[j]! ** k;
          if (w !== 0) s += w * this.sup[j]!;
        }
        out[i + r] = s;
      }
      i += len;
    }
    return out;
  }

  private requireUnweighted(what: string): void {
    if (this.weights !== null)
      throw new InvalidArgumentError(`${what} requires an unweighted sample (weights must be null)`);
  }

  /**
   * Naive tuning curve: the best score among the first `min(k, n)` samples, in the order given.
   * Integer k ≥ 1 only; unweighted samples only.
   */
  naiveTuningCurve(ks: ArrayLike<number>, opts: DirectionOptions = {}): number[] {
    this.requireUnweighted("naiveTuningCurve");
    checkKs(ks, true);
    const minimize = checkDirection(opts);
    const n = this.ys.length;
    const running: number[] = new Array(n);
    let best = this.ys[0]!;
    for (let i = 0; i < n; i++) {
      const y = this.ys[i]!;
      best = minimize ? Math.min(best, y) : Math.max(best, y);
      running[i] = best;
    }
    return Array.from(ks, (k) => running[Math.min(k, n) - 1]!);
  }

  /**
   * V-statistic tuning curve (Dodge et al. 2019; expectation of the best of k draws *with*
   * replacement): `Σ_{i=1..n} y_(i) [(i/n)^k − ((i−1)/n)^k]` (maximize; minimize uses the
   * reverse-sorted sample). Integer k ≥ 1 only; unweighted samples only.
   */
  vTuningCurve(ks: ArrayLike<number>, opts: DirectionOptions = {}): number[] {
    this.requireUnweighted("vTuningCurve");
    checkKs(ks, true);
    const minimize = checkDirection(opts);
    const n = this.ys.length;
    const ys = this.sortedYs;
    return Array.from(ks, (k) => {
      let s = 0;
      for (let i = 1; i <= n; i++) {
        const w = (i / n) ** k - ((i - 1) / n) ** k;
        if (w !== 0) s += w * (minimize ? ys[n - i]! : ys[i - 1]!);
      }
      return s;
    });
  }

  /**
   * U-statistic tuning curve (Tang et al. 2020; expectation of the best of k draws *without*
   * replacement, unbiased for k ≤ n): with `k ← min(k, n)`,
   * `Σ_i y_(i) [C(i, k) − C(i−1, k)] / C(n, k) = Σ_i y_(i) C(i−1, k−1) / C(n, k)`
   * (minimize uses the reverse-sorted sample). The weights `w_i = C(i−1, k−1)/C(n, k)` are computed
   * by the recurrence `w_n = k/n`, `w_{i−1} = w_i (i−k)/(i−1)`: every factor is ≤ 1, so nothing
   * overflows (opda's `comb` ratio is NaN once C(n, k) > 1e308, e.g. n = 1100, k = 550) and terms
   * that underflow are below 1e-308 of the total. Integer k ≥ 1 only; unweighted samples only.
   */
  uTuningCurve(ks: ArrayLike<number>, opts: DirectionOptions = {}): number[] {
    this.requireUnweighted("uTuningCurve");
    checkKs(ks, true);
    const minimize = checkDirection(opts);
    const n = this.ys.length;
    const ys = this.sortedYs;
    return Array.from(ks, (k0) => {
      const k = Math.min(k0, n);
      let s = 0;
      let w = k / n;
      for (let i = n; i >= k && w !== 0; i--) {
        s += w * (minimize ? ys[n - i]! : ys[i - 1]!);
        w *= (i - k) / (i - 1);
      }
      return s;
    });
  }
}

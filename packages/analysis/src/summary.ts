/**
 * One-call analysis of a list of scores: ECDF with a simultaneous band, median and mean tuning
 * curves with bands (nonparametric; Lourie, Cho & He 2024), and — when a threshold θ is given —
 * the noisy-quadratic fit of the tail, the consonance interval for the best reachable score, the
 * accepted effective dimensions and the extrapolated median tuning curve (Lourie, He & Cho 2025).
 *
 * Pure: numbers and options in, a plain object out (schema: schemas/analyze-output.schema.json,
 * after `toJsonSafe`). Used by `nadir analyze` and reusable by the report package.
 */
import { type BandMethod, bandCumulativeWeights, confidenceBands } from "./nonparametric/bands.js";
import { C_MAX, C_MIN } from "./parametric/common.js";
import { consonanceSet, extrapolateMedian, medianGain } from "./parametric/consonance.js";
import { fitNoisyQuadratic } from "./parametric/fit.js";
import { continuationGainBound } from "./parametric/stopping.js";
import { InvalidArgumentError } from "./special/errors.js";

/** Options of {@link analyzeScores}. */
export interface AnalyzeOptions {
  /** Name of the metric (reported back). */
  readonly metric?: string;
  readonly direction: "minimize" | "maximize";
  /** Simultaneous confidence of the band (default 0.8). */
  readonly confidence?: number;
  /** Band method (default "ld_highest_density", opda's default). */
  readonly bands?: BandMethod;
  /** Bounds of the score's support (e.g. 0 and 1 for accuracies; default ∓∞). */
  readonly lower?: number;
  readonly upper?: number;
  /**
   * Largest k of the tuning curve (default max(n, 64); at most {@link MAX_K}). Every k ≤ 1024 is
   * evaluated; beyond, the log-spaced grid of {@link tuningCurveKs}.
   */
  readonly maxK?: number;
  /** Asymptotic-regime threshold θ; without it no parametric fit is made. */
  readonly threshold?: number;
  /** Extrapolation points k (default n, 2n, 4n, 8n, 16n). */
  readonly extrapolationKs?: readonly number[];
  /** Seed of the fit's deterministic random starts (default 0). */
  readonly seed?: number;
  /**
   * Largest effective dimension c considered by the fit and the consonance set (integer 1..10).
   * Pass the number of searched (non-fixed) hyperparameters when known, as opda's analyses do
   * (c counts the Hessian's non-zero eigenvalues, at most that number). Default 10, opda's C_MAX.
   */
  readonly maxC?: number;
  /**
   * More trials k for the continuation bound: with probability ≥ `confidence`, k more trials gain at
   * most `continuation.gain` for every accepted tail (see continuationGainBound). Needs `threshold`.
   */
  readonly continuationTrials?: number;
}

/** One row of `tuning_curve`: the median and mean tuning curves at k with their band limits. */
export interface TuningCurvePoint {
  k: number;
  median: number;
  median_lower: number;
  median_upper: number;
  mean: number;
  mean_lower: number;
  mean_upper: number;
}

/** The result object (numbers may be ±∞/NaN; see toJsonSafe). */
export interface AnalyzeResult {
  metric: string | null;
  n: number;
  direction: "minimize" | "maximize";
  confidence: number;
  bands: BandMethod;
  bounds: { lower: number; upper: number };
  critical_value: number;
  /** How critical_value was obtained (exact, pelz_good, extrapolated, closed_form) and why. */
  critical_value_source: { kind: string; intervals: string | null; note: string };
  ecdf: { y: number[]; cdf: number[]; lower: number[]; upper: number[] };
  tuning_curve: TuningCurvePoint[];
  fit: {
    a: number;
    b: number;
    c: number;
    o: number;
    convex: boolean;
    objective: number;
    threshold: number;
    probability_of_regime: number;
    evaluations: number;
  } | null;
  /**
   * `informative` is false when the interval is no narrower than the observed scores' range (too
   * few scores in the regime, or no bound on the score's side): it then says nothing the data did not.
   */
  best_score_interval: { lower: number; upper: number; informative: boolean } | null;
  /** Accepted c, and the bound `max_c` that applied ("given" by the caller or the "default" 10). */
  effective_dimension: { accepted: number[]; max_c: number; max_c_source: "given" | "default" };
  noise_interval: { lower: number; upper: number } | null;
  regime: {
    threshold: number;
    count: number;
    fraction: number;
    band_lower: number;
    band_upper: number;
  } | null;
  extrapolation: { k: number; median: number; lower: number; upper: number }[];
  gain: { from_k: number; more_trials: number; gain: number; lower: number; upper: number }[];
  /**
   * Only with `continuationTrials`: the most that many more trials gain with probability ≥ confidence over
   * every accepted tail (the stopper's promise), measured from the best observed score.
   */
  continuation: {
    in_trials: number;
    probability: number;
    level: number;
    gain: number;
    best_observed: number;
  } | null;
  /** True when the consonance set is cut by its search range (the set may be larger than reported). */
  touches_edge: boolean;
  warnings: string[];
}

/** 4 significant digits, written out (no exponent) for magnitudes from 1e-6 to 1e21. */
const digits = (x: number): string => Number(x.toPrecision(4)).toString();

/** Largest k accepted for the tuning curve (the grid beyond 1024 has 16 points per doubling). */
export const MAX_K = 1_000_000_000;
/** Every k up to this value is on the tuning-curve grid. */
export const EXACT_K = 1024;
/** Grid points per doubling of k beyond {@link EXACT_K}. */
const K_PER_DOUBLING = 16;

/**
 * The k at which {@link analyzeScores} evaluates the tuning curves: every integer 1..min(maxK, 1024),
 * then ⌊1024·2^(i/16)⌉ for i = 1, 2, … (16 points per doubling, ratio ≈ 1.044) below maxK, then
 * maxK itself; `n` is added when 1024 < n ≤ maxK so the curve at the sample size is always present.
 * The curves are exact at every listed k (no interpolation); between grid points beyond 1024 the
 * median curve is a step function of k that changes by at most one order statistic per 4.4 % of k.
 * Grid size ≤ 1,024 + 16·log2(maxK/1024) + 2 (≤ 1,345 for maxK = 10⁹), whatever n.
 */
export function tuningCurveKs(maxK: number, n?: number): number[] {
  if (!Number.isInteger(maxK) || maxK < 1 || maxK > MAX_K)
    throw new InvalidArgumentError(`maxK must be an integer from 1 to ${MAX_K}, got ${maxK}`, {
      path: "maxK",
    });
  const ks: number[] = [];
  for (let k = 1; k <= Math.min(maxK, EXACT_K); k++) ks.push(k);
  if (maxK <= EXACT_K) return ks;
  const set = new Set<number>();
  for (let i = 1; ; i++) {
    const k = Math.round(EXACT_K * 2 ** (i / K_PER_DOUBLING));
    if (k >= maxK) break;
    set.add(k);
  }
  set.add(maxK);
  if (n !== undefined && n > EXACT_K && n <= maxK) set.add(n);
  return ks.concat([...set].sort((x, y) => x - y));
}

/**
 * Analyze one metric's scores from random search.
 *
 * Nonparametric part: `confidenceBands(scores, confidence, {a: lower, b: upper, method})`; ECDF and
 * band CDFs at the sorted unique scores; tuning curves at k = 1..1024 and a log grid up to maxK
 * ({@link tuningCurveKs}): median τ(k) = Q(½^{1/k})
 * (maximize) or Q(1 − ½^{1/k}) (minimize), mean E[T_k]; lower/upper from the upper/lower CDF band.
 * Parametric part (only with `threshold`): fitNoisyQuadratic on the tail (limits (−∞, θ] for
 * minimize, (θ, ∞) for maximize; c ∈ 1..maxC (default 10); convex = minimize; a or b kept within the bounds),
 * consonanceSet with the same band → best_score_interval, effective_dimension.accepted, regime
 * share; extrapolateMedian at k ∈ extrapolationKs; gain = τ(n) − τ(k) (improvement, ≥ 0 expected).
 * If the fit fails (e.g. too few scores in the regime) `fit` is null and a warning explains why.
 */
export function analyzeScores(scores: readonly number[], options: AnalyzeOptions): AnalyzeResult {
  if (!Array.isArray(scores) && !(scores instanceof Float64Array))
    throw new InvalidArgumentError("scores must be an array of numbers", { path: "scores" });
  const n = scores.length;
  if (n < 1) throw new InvalidArgumentError("scores is empty: nothing to analyze", { path: "scores" });
  for (const [i, y] of scores.entries())
    if (typeof y !== "number" || !Number.isFinite(y))
      throw new InvalidArgumentError(`scores[${i}] must be a finite number, got ${y}`);
  const { direction } = options;
  if (direction !== "minimize" && direction !== "maximize")
    throw new InvalidArgumentError(`direction must be "minimize" or "maximize", got ${String(direction)}`, {
      path: "direction",
    });
  const minimize = direction === "minimize";
  const confidence = options.confidence ?? 0.8;
  if (typeof confidence !== "number" || !(confidence > 0 && confidence < 1))
    throw new InvalidArgumentError(`confidence must be in (0, 1), got ${confidence}`, { path: "confidence" });
  const method = options.bands ?? "ld_highest_density";
  const lower = options.lower ?? Number.NEGATIVE_INFINITY;
  const upper = options.upper ?? Number.POSITIVE_INFINITY;
  if (Number.isNaN(lower) || Number.isNaN(upper) || !(lower < upper))
    throw new InvalidArgumentError(`bounds must satisfy lower < upper, got ${lower}, ${upper}`, {
      path: "bounds",
    });
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const y of scores) {
    if (y < min) min = y;
    if (y > max) max = y;
  }
  if (lower > min)
    throw new InvalidArgumentError(
      `the lower bound of the score (${lower}) is above the lowest score (${min}): the bounds must contain every score`,
    );
  if (upper < max)
    throw new InvalidArgumentError(
      `the upper bound of the score (${upper}) is below the highest score (${max}): the bounds must contain every score`,
    );
  const maxC = options.maxC ?? C_MAX;
  if (!Number.isInteger(maxC) || maxC < C_MIN || maxC > C_MAX)
    throw new InvalidArgumentError(`maxC must be an integer from ${C_MIN} to ${C_MAX}, got ${maxC}`, {
      path: "maxC",
    });
  const maxCSource = options.maxC === undefined ? "default" : "given";
  const maxK = options.maxK ?? Math.max(n, 64);
  if (!Number.isInteger(maxK) || maxK < 1 || maxK > MAX_K)
    throw new InvalidArgumentError(
      `maxK must be an integer from 1 to ${MAX_K.toLocaleString("en-US")}, got ${maxK}`,
    );
  const kMore = options.continuationTrials;
  if (kMore !== undefined && !(Number.isInteger(kMore) && kMore >= 1))
    throw new InvalidArgumentError(`the number of further trials must be an integer >= 1, got ${kMore}`);
  const warnings: string[] = [];

  // The band's cumulative values are built once and shared by the curves and the consonance set.
  const bandCum = bandCumulativeWeights(n, confidence, method);
  const bands = confidenceBands(scores, confidence, { a: lower, b: upper, method, cumulative: bandCum });
  const sortedScores = Float64Array.from(scores).sort();
  const unique: number[] = [];
  for (const y of sortedScores) if (unique.length === 0 || unique[unique.length - 1] !== y) unique.push(y);
  const ecdf = {
    y: unique,
    cdf: unique.map((y) => bands.point.cdf(y)),
    lower: unique.map((y) => bands.lower.cdf(y)),
    upper: unique.map((y) => bands.upper.cdf(y)),
  };
  const ks = tuningCurveKs(maxK, n);
  const q = { q: 0.5, minimize };
  const med = bands.point.quantileTuningCurve(ks, q);
  const medLo = bands.upper.quantileTuningCurve(ks, q);
  const medHi = bands.lower.quantileTuningCurve(ks, q);
  const mean = bands.point.averageTuningCurve(ks, { minimize });
  const meanLo = bands.upper.averageTuningCurve(ks, { minimize });
  const meanHi = bands.lower.averageTuningCurve(ks, { minimize });
  const tuning_curve: TuningCurvePoint[] = ks.map((k, i) => ({
    k,
    median: med[i] as number,
    median_lower: medLo[i] as number,
    median_upper: medHi[i] as number,
    mean: mean[i] as number,
    mean_lower: meanLo[i] as number,
    mean_upper: meanHi[i] as number,
  }));

  const result: AnalyzeResult = {
    metric: options.metric ?? null,
    n,
    direction,
    confidence,
    bands: method,
    bounds: { lower, upper },
    critical_value: bands.criticalValue,
    critical_value_source: { ...bands.criticalValueSource },
    ecdf,
    tuning_curve,
    fit: null,
    best_score_interval: null,
    effective_dimension: { accepted: [], max_c: maxC, max_c_source: maxCSource },
    noise_interval: null,
    regime: null,
    extrapolation: [],
    gain: [],
    continuation: null,
    touches_edge: false,
    warnings,
  };
  const theta = options.threshold;
  if (theta === undefined) return result;
  if (typeof theta !== "number" || !Number.isFinite(theta))
    throw new InvalidArgumentError(`threshold must be a finite number, got ${theta}`, { path: "threshold" });

  const inf = Number.POSITIVE_INFINITY;
  let fitted: ReturnType<typeof fitNoisyQuadratic> | null = null;
  try {
    const bound: [number, number] = [lower, upper];
    fitted = fitNoisyQuadratic(scores, {
      limits: minimize ? [-inf, theta] : [theta, inf],
      constraints: minimize
        ? { a: bound, c: [C_MIN, maxC], convex: true }
        : { b: bound, c: [C_MIN, maxC], convex: false },
      seed: options.seed ?? 0,
    });
    warnings.push(...fitted.warnings);
    const pRegime = minimize ? fitted.distribution.cdf(theta) : 1 - fitted.distribution.cdf(theta);
    result.fit = {
      a: fitted.a,
      b: fitted.b,
      c: fitted.c,
      o: fitted.o,
      convex: fitted.convex,
      objective: fitted.objective,
      threshold: theta,
      probability_of_regime: pRegime,
      evaluations: fitted.nEvaluations,
    };
  } catch (e) {
    warnings.push(`no parametric fit: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const set = consonanceSet(
      { ys: scores, lower: [...bandCum.lower], upper: [...bandCum.upper] },
      {
        threshold: theta,
        minimize,
        cs: Array.from({ length: maxC - C_MIN + 1 }, (_, i) => C_MIN + i),
        scoreBound: minimize
          ? Number.isFinite(lower)
            ? lower
            : undefined
          : Number.isFinite(upper)
            ? upper
            : undefined,
      },
    );
    // The score's known bounds are part of the parameter space: intersecting a confidence set with it
    // keeps its coverage (the true value lies inside them), and an error rate's interval cannot go below 0.
    const clip = (v: number): number => Math.min(upper, Math.max(lower, v));
    const bsLo = clip(set.bestScore.lower);
    const bsHi = clip(set.bestScore.upper);
    const informative = Number.isFinite(bsLo) && Number.isFinite(bsHi) && bsHi - bsLo < max - min;
    result.best_score_interval = { lower: bsLo, upper: bsHi, informative };
    if (set.acceptedC.length > 0 && !informative)
      warnings.push(
        `the best-score interval [${digits(bsLo)}, ${digits(bsHi)}] is no narrower than the observed scores' range [${digits(min)}, ${digits(max)}], so it is uninformative: too few scores in the asymptotic regime${(minimize ? Number.isFinite(lower) : Number.isFinite(upper)) ? "" : ", and no bound on the best possible score (give the score's bounds)"}`,
      );
    result.effective_dimension = { accepted: [...set.acceptedC], max_c: maxC, max_c_source: maxCSource };
    result.noise_interval = { lower: set.noise.lower, upper: set.noise.upper };
    result.regime = {
      threshold: theta,
      count: set.regime.count,
      fraction: set.regime.fraction,
      band_lower: set.regime.bandLower,
      band_upper: set.regime.bandUpper,
    };
    if (set.acceptedC.length === 0)
      warnings.push(
        "no noisy-quadratic tail is consistent with the band: the asymptotic regime may not have been reached below the threshold",
      );
    result.touches_edge = set.touchesEdge;
    if (set.touchesEdge)
      warnings.push(
        "the accepted set touches the edge of the search range; the interval may be wider than reported",
      );
    const exKs = options.extrapolationKs ?? [n, 2 * n, 4 * n, 8 * n, 16 * n];
    const point = fitted?.distribution;
    result.extrapolation = extrapolateMedian(set, exKs, point).map((e) => ({
      k: e.k,
      median: clip(e.median),
      lower: clip(e.lower),
      upper: clip(e.upper),
    }));
    // Every accepted tail's median after k trials stays within the bounds, so its gain from n trials is
    // at most (its median at n) − bound ≤ (largest accepted median at n) − bound.
    const atN = extrapolateMedian(set, [n], point)[0];
    const cap = atN
      ? minimize
        ? clip(atN.upper) - lower
        : upper - clip(atN.lower)
      : Number.POSITIVE_INFINITY;
    result.gain = exKs
      .filter((k) => k > n)
      .map((k) => {
        const g = medianGain(set, n, k - n, point);
        return {
          from_k: n,
          more_trials: k - n,
          gain: Math.min(g.gain, cap),
          lower: Math.min(g.lower, cap),
          upper: Math.min(g.upper, cap),
        };
      });
    if (kMore !== undefined) {
      let best = scores[0] as number;
      for (const y of scores) best = minimize ? Math.min(best, y) : Math.max(best, y);
      const cb = continuationGainBound(set, best, kMore, confidence, minimize ? lower : upper);
      result.continuation = {
        in_trials: cb.inTrials,
        probability: cb.probability,
        level: cb.level,
        gain: cb.gain,
        best_observed: cb.bestObserved,
      };
    }
  } catch (e) {
    warnings.push(`no consonance set: ${e instanceof Error ? e.message : String(e)}`);
  }
  return result;
}

/**
 * Deep-copy a value replacing non-finite numbers by the strings "inf", "-inf", "nan" (JSON has no
 * representation for them; the same convention as the opda reference files).
 */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (value === Number.POSITIVE_INFINITY) return "inf";
    if (value === Number.NEGATIVE_INFINITY) return "-inf";
    return value;
  }
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value instanceof Float64Array) return Array.from(value, (v) => toJsonSafe(v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}

/**
 * Adam epsilon search range from gradient-magnitude histograms (EXPERIMENTAL / UNVALIDATED).
 *
 * Reference: G. Silva, P. Rodriguez, "Gradient histograms for Adam-type optimizers: choosing the epsilon
 * safeguard" (arXiv 2311.11532; v1 "Optimal Hyperparameter ε for Adaptive Stochastic Optimizers through
 * Gradient Histograms"; Neural Computing & Applications 2024, doi 10.1007/s00521-024-10302-2). Only the
 * abstract was verified: the paper estimates a reduced ε search space from histograms
 * of |∂L/∂θ| and claims a worst case 2× narrower than trial and error. Its Algorithm 1, binning and
 * training window were NOT available, so the rule below is our own working hypothesis, not the paper's.
 *
 * Rationale. Adam's update is m̂ / (sqrt(v̂) + ε) and sqrt(v̂) tracks |g| per entry. Entries with
 * |g| ≫ ε are fully adaptive (ε irrelevant); entries with |g| ≪ ε see plain momentum SGD with step lr/ε.
 * Moving ε below nearly all gradient magnitudes, or above nearly all of them, therefore changes the
 * optimizer little (the first is Adam without ε; the second is SGD with a rescaled learning rate). The
 * interesting ε lie where the magnitudes are.
 *
 * Rule. Pool the log10|g| histograms (identical edges required). Over the positive finite entries,
 * take the quantiles Q(p_lo) and Q(p_hi) (defaults 0.05 and 0.95), interpolating linearly in log10
 * within a bin (entries assumed uniform in log10 inside their bin), and round outward to whole decades:
 *
 *     ε_min = 10^floor(Q(p_lo)),   ε_max = 10^ceil(Q(p_hi)),   searched on a log scale.
 *
 * Underflow entries sit below the first edge and overflow above the last: a quantile that falls among
 * them is reported as the edge itself with `censoredLow`/`censoredHigh` set (widen the histogram's
 * edges). Exact zeros and non-finite entries are excluded and counted.
 *
 * Limits (honest): (1) the rule is a hypothesis until checked against the paper's algorithm and real
 * tuning outcomes; (2) Adam compares ε with sqrt(v̂), an EMA of g², which is smoother and usually larger
 * than single-step |g| (histograms of HISTOGRAM_QUANTITY_SQRT_V_HAT are closer to the mechanism and can
 * be fed here unchanged); (3) early steps (the usual window) over-represent the initial regime; (4) one
 * pooled histogram ignores per-layer scales, where different layers may want different ε; (5) the range
 * is only as wide as p_lo..p_hi chooses: it proposes where to search, not an optimum.
 */
import { InvalidArgumentError } from "./special/errors.js";

/** One log10 histogram (the fields of protocol `nadir.v1.GradientHistogram` that matter here). */
export interface Log10Histogram {
  /** Strictly increasing log10 edges, length counts.length + 1. */
  binEdges: readonly number[];
  counts: readonly number[];
  underflowCount?: number;
  overflowCount?: number;
  zeroCount?: number;
  nonfiniteCount?: number;
  /** If given, must equal the sum of all counts (checked). */
  totalCount?: number;
}

/** Quantile levels of the rule (see the module documentation). */
export interface EpsilonRangeOptions {
  /** Lower quantile of log10|g| (default 0.05). */
  lowQuantile?: number;
  /** Upper quantile of log10|g| (default 0.95). */
  highQuantile?: number;
}

/** The suggested range with the quantities it came from (experimental; see the module documentation). */
export interface EpsilonRange {
  /** Suggested lower bound 10^floor(Q(p_lo)). */
  min: number;
  /** Suggested upper bound 10^ceil(Q(p_hi)). */
  max: number;
  log10Min: number;
  log10Max: number;
  /** Interpolated log10 quantiles before rounding. */
  log10QuantileLow: number;
  log10QuantileHigh: number;
  log10Median: number;
  /** Positive finite entries used (including under/overflow). */
  counted: number;
  excludedZeros: number;
  excludedNonfinite: number;
  /** The low (high) quantile fell among underflow (overflow) entries: the bound is the edge itself. */
  censoredLow: boolean;
  censoredHigh: boolean;
  histograms: number;
  /** Always "experimental": see the module documentation. */
  status: "experimental";
}

function nonNegInt(name: string, v: number | undefined): number {
  const x = v ?? 0;
  if (!Number.isInteger(x) || x < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${String(v)}`);
  return x;
}

/**
 * Pools histograms with identical edges into one (counts summed). Throws InvalidArgumentError on empty
 * input, mismatched or non-increasing edges, negative or fractional counts, or a totalCount that differs
 * from the sum of the counts.
 */
export function poolHistograms(histograms: readonly Log10Histogram[]): Required<Log10Histogram> {
  if (histograms.length === 0) throw new InvalidArgumentError("poolHistograms: need at least one histogram");
  const first = histograms[0] as Log10Histogram;
  const edges = [...first.binEdges];
  if (edges.length < 2)
    throw new InvalidArgumentError("binEdges must have at least 2 entries", { path: "binEdges" });
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as number;
    if (!Number.isFinite(e)) throw new InvalidArgumentError(`binEdges[${i}] is not finite`);
    if (i > 0 && !(e > (edges[i - 1] as number)))
      throw new InvalidArgumentError(`binEdges must be strictly increasing (index ${i})`, {
        path: "binEdges",
      });
  }
  const counts = new Array<number>(edges.length - 1).fill(0);
  let under = 0;
  let over = 0;
  let zeros = 0;
  let nonfinite = 0;
  histograms.forEach((h, k) => {
    if (h.binEdges.length !== edges.length || h.binEdges.some((e, i) => e !== edges[i])) {
      throw new InvalidArgumentError(
        `histogram ${k} has different binEdges from histogram 0; pool only histograms with identical edges`,
      );
    }
    if (h.counts.length !== counts.length) {
      throw new InvalidArgumentError(
        `histogram ${k}: counts has ${h.counts.length} entries, binEdges implies ${counts.length}`,
      );
    }
    let sum = 0;
    h.counts.forEach((c, i) => {
      const n = nonNegInt(`histogram ${k} counts[${i}]`, c);
      counts[i] = (counts[i] as number) + n;
      sum += n;
    });
    const u = nonNegInt(`histogram ${k} underflowCount`, h.underflowCount);
    const o = nonNegInt(`histogram ${k} overflowCount`, h.overflowCount);
    const z = nonNegInt(`histogram ${k} zeroCount`, h.zeroCount);
    const nf = nonNegInt(`histogram ${k} nonfiniteCount`, h.nonfiniteCount);
    sum += u + o + z + nf;
    if (h.totalCount !== undefined && h.totalCount !== sum) {
      throw new InvalidArgumentError(
        `histogram ${k}: totalCount ${h.totalCount} differs from the sum of its counts ${sum}`,
      );
    }
    under += u;
    over += o;
    zeros += z;
    nonfinite += nf;
  });
  const total = counts.reduce((a, b) => a + b, 0) + under + over + zeros + nonfinite;
  return {
    binEdges: edges,
    counts,
    underflowCount: under,
    overflowCount: over,
    zeroCount: zeros,
    nonfiniteCount: nonfinite,
    totalCount: total,
  };
}

/**
 * The p-quantile of log10 x over the positive finite entries of a pooled histogram, linear within a bin:
 * with N = under + Σcounts + over entries and target rank r = p·N, walk the bins; inside bin i holding
 * c_i entries from cumulative count C, Q = e_i + (e_{i+1} − e_i)·(r − C)/c_i. Returns the edge and a
 * censored flag when r falls among underflow (first edge) or overflow (last edge) entries.
 */
export function histogramQuantile(
  h: Required<Log10Histogram>,
  p: number,
): { log10: number; censored: boolean } {
  if (!(p >= 0 && p <= 1))
    throw new InvalidArgumentError(`quantile must be in [0, 1], got ${p}`, { path: "quantile" });
  const inside = h.counts.reduce((a, b) => a + b, 0);
  const n = h.underflowCount + inside + h.overflowCount;
  if (n === 0)
    throw new InvalidArgumentError("histogram has no positive finite entries", { path: "histogram" });
  const edges = h.binEdges;
  const r = p * n;
  if (r < h.underflowCount || (r === h.underflowCount && h.underflowCount > 0 && inside === 0)) {
    return { log10: edges[0] as number, censored: true };
  }
  let cum = h.underflowCount;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i] as number;
    if (c > 0 && r <= cum + c) {
      const lo = edges[i] as number;
      const hi = edges[i + 1] as number;
      return { log10: lo + ((hi - lo) * (r - cum)) / c, censored: false };
    }
    cum += c;
  }
  return { log10: edges[edges.length - 1] as number, censored: h.overflowCount > 0 };
}

/**
 * Suggested log-scale search range for Adam's ε from log10|g| histograms (module documentation: rule,
 * reference, limits). `min = 10^floor(Q(p_lo))`, `max = 10^ceil(Q(p_hi))`; if both round to the same
 * decade the range is widened to one full decade above it.
 */
export function suggestEpsilonRange(
  histograms: readonly Log10Histogram[],
  options: EpsilonRangeOptions = {},
): EpsilonRange {
  const pLo = options.lowQuantile ?? 0.05;
  const pHi = options.highQuantile ?? 0.95;
  if (!(pLo >= 0 && pLo < pHi && pHi <= 1)) {
    throw new InvalidArgumentError(`need 0 <= lowQuantile < highQuantile <= 1, got ${pLo} and ${pHi}`);
  }
  const pooled = poolHistograms(histograms);
  const lo = histogramQuantile(pooled, pLo);
  const hi = histogramQuantile(pooled, pHi);
  const med = histogramQuantile(pooled, 0.5);
  // `+ 0` turns Math.ceil(-0.4) === -0 into 0 so the JSON and equality checks see a plain zero.
  const log10Min = Math.floor(lo.log10) + 0;
  let log10Max = Math.ceil(hi.log10) + 0;
  if (log10Max <= log10Min) log10Max = log10Min + 1;
  return {
    // Number("1e-5") is the double nearest 10^-5; 10 ** -5 can be one ulp off in V8.
    min: Number(`1e${log10Min}`),
    max: Number(`1e${log10Max}`),
    log10Min,
    log10Max,
    log10QuantileLow: lo.log10,
    log10QuantileHigh: hi.log10,
    log10Median: med.log10,
    counted: pooled.underflowCount + pooled.counts.reduce((a, b) => a + b, 0) + pooled.overflowCount,
    excludedZeros: pooled.zeroCount,
    excludedNonfinite: pooled.nonfiniteCount,
    censoredLow: lo.censored,
    censoredHigh: hi.censored,
    histograms: histograms.length,
    status: "experimental",
  };
}

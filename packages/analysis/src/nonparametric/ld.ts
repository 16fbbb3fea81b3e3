/**
 * Learned-Miller–DeStefano (2008) order-statistic bands: pointwise Beta intervals per order
 * statistic, widened to a coverage δ* at which they hold simultaneously — with δ* computed exactly
 * (opda estimates it by a 100 000-trial Monte Carlo simulation).
 */
import { betaEqualTailedInterval, betaHighestDensityInterval, betaPpfLowerFrom } from "../special/beta.js";
import { InvalidArgumentError, NumericalError } from "../special/errors.js";
import { orderStatisticsBoxProbability } from "../special/order-statistics.js";
import { brentRoot } from "../special/roots.js";
import { checkFiniteN } from "../special/validate.js";

/** The family of pointwise Beta intervals. */
export type LdKind = "equal_tailed" | "highest_density";

/** Pointwise intervals `[lo[i−1], hi[i−1]]` for the order statistics i = 1..n. */
export interface OrderStatisticIntervals {
  lo: Float64Array;
  hi: Float64Array;
}

function checkKind(kind: LdKind): void {
  if (kind !== "equal_tailed" && kind !== "highest_density") {
    throw new InvalidArgumentError(`kind must be "equal_tailed" or "highest_density", got ${String(kind)}`, {
      path: "kind",
    });
  }
}

function checkDelta(delta: number): void {
  if (typeof delta !== "number" || !(delta >= 0 && delta <= 1))
    throw new InvalidArgumentError(`coverage δ must be in [0, 1], got ${delta}`);
}

/**
 * The δ-coverage interval of `F(Y_(i)) ~ Beta(i, n + 1 − i)` for every i = 1..n: equal-tailed
 * `[B_i⁻¹((1−δ)/2), B_i⁻¹((1+δ)/2)]` or highest-density (shortest). `warm` (optional, length 2n)
 * holds the ends found at a nearby δ to start the solvers; it is updated in place.
 * Highest-density needs n ≥ 2 (Beta(1, 1) has no unique mode).
 */
export function ldIntervals(
  n: number,
  delta: number,
  kind: LdKind,
  warm?: Float64Array,
): OrderStatisticIntervals {
  checkFiniteN(n);
  checkDelta(delta);
  checkKind(kind);
  if (kind === "highest_density" && n === 1) {
    throw new InvalidArgumentError(
      "ld_highest_density needs n ≥ 2 (Beta(1, 1) has no highest-density interval)",
    );
  }
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  if (warm !== undefined && warm.length !== 2 * n)
    throw new InvalidArgumentError(`warm must have length 2n = ${2 * n}`, { path: "warm" });
  if (kind === "equal_tailed") {
    // Beta(i, n+1−i) and Beta(n+1−i, i) mirror each other: h_i = 1 − ℓ_{n+1−i}.
    const tail = (1 - delta) / 2;
    for (let i = 1; i <= n; i++) {
      const j = n + 1 - i;
      if (j < i) {
        lo[i - 1] = 1 - hi[j - 1]!;
        hi[i - 1] = 1 - lo[j - 1]!;
        continue;
      }
      if (warm && warm[i - 1]! > 0 && tail > 0 && tail <= 0.5) {
        // The upper end of Beta(i, j) is 1 − (lower end of Beta(j, i)) at the same tail mass.
        lo[i - 1] = betaPpfLowerFrom(tail, i, j, warm[i - 1]!);
        hi[i - 1] = 1 - betaPpfLowerFrom(tail, j, i, warm[n + i - 1]!);
      } else {
        const iv = betaEqualTailedInterval(i, j, delta);
        lo[i - 1] = iv.lo;
        hi[i - 1] = iv.hi;
      }
      if (warm) {
        warm[i - 1] = lo[i - 1]!;
        warm[n + i - 1] = 1 - hi[i - 1]!;
      }
    }
  } else {
    for (let i = 1; i <= n; i++) {
      const j = n + 1 - i;
      if (j < i) {
        lo[i - 1] = 1 - hi[j - 1]!;
        hi[i - 1] = 1 - lo[j - 1]!;
        continue;
      }
      const g = warm?.[i - 1];
      const iv = betaHighestDensityInterval(i, j, delta, g !== undefined && g > 0 ? g : undefined);
      lo[i - 1] = iv.lo;
      hi[i - 1] = iv.hi;
      if (warm) warm[i - 1] = iv.lo;
    }
  }
  return { lo, hi };
}

/** Above this n the LD intervals are interpolated ({@link ldIntervalsInterpolated}). */
export const LD_EXACT_INTERVALS_MAX_N = 65_536;
/** Order statistics i ≤ this (and their mirrors) get exact intervals in the interpolated form. */
const INTERP_EXACT_HEAD = 2_000;
/** Exact nodes, log-spaced in i, between the head and the middle. */
const INTERP_NODES = 600;

/**
 * The intervals of {@link ldIntervals} for large n, from exact Beta quantiles at a subset of the
 * order statistics: every i ≤ 2000 and its mirror n + 1 − i exactly, and in between 600 nodes
 * log-spaced in i up to the middle, where each end is interpolated in the standardized coordinate
 * z_i = (x_i − μ_i)/σ_i (μ_i = i/(n+1), σ_i² = μ_i(1 − μ_i)/(n + 2): the mean and variance of
 * Beta(i, n + 1 − i)), by a cubic Lagrange polynomial in ln i through the 4 nearest nodes. z_i is
 * a smooth, slowly varying function of i (it tends to the normal quantile ±z_{(1+δ)/2} with a
 * skewness term ∝ 1/√i), so the interpolation error is far below the band's width; it is measured
 * against the exact intervals in the tests and the README (n = 100 000). The mirror relation
 * `[ℓ, h]_{n+1−i} = [1 − h_i, 1 − ℓ_i]` is exact for both families, as in {@link ldIntervals}.
 * Cost: ~2,600 Beta interval solves instead of n (at n = 10⁶, 0.1 s instead of ~20 s).
 */
export function ldIntervalsInterpolated(n: number, delta: number, kind: LdKind): OrderStatisticIntervals {
  checkFiniteN(n);
  checkDelta(delta);
  checkKind(kind);
  const half = Math.floor((n + 1) / 2); // i ≤ half have j = n + 1 − i ≥ i
  if (half <= INTERP_EXACT_HEAD + 4 * INTERP_NODES) return ldIntervals(n, delta, kind);
  const solve = (i: number): { lo: number; hi: number } => {
    const j = n + 1 - i;
    return kind === "equal_tailed"
      ? betaEqualTailedInterval(i, j, delta)
      : betaHighestDensityInterval(i, j, delta);
  };
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const mu = (i: number): number => i / (n + 1);
  const sd = (i: number): number => Math.sqrt((mu(i) * (1 - mu(i))) / (n + 2));
  for (let i = 1; i <= INTERP_EXACT_HEAD; i++) {
    const iv = solve(i);
    lo[i - 1] = iv.lo;
    hi[i - 1] = iv.hi;
  }
  // Nodes: the last 3 head points, then log-spaced to `half` (deduplicated integers).
  const nodes: number[] = [INTERP_EXACT_HEAD - 2, INTERP_EXACT_HEAD - 1, INTERP_EXACT_HEAD];
  const ratio = (half / INTERP_EXACT_HEAD) ** (1 / INTERP_NODES);
  for (let t = 1; t <= INTERP_NODES; t++) {
    const i = t === INTERP_NODES ? half : Math.round(INTERP_EXACT_HEAD * ratio ** t);
    if (i > nodes[nodes.length - 1]!) nodes.push(i);
  }
  const zl = new Float64Array(nodes.length);
  const zh = new Float64Array(nodes.length);
  const x = new Float64Array(nodes.length);
  for (let t = 0; t < nodes.length; t++) {
    const i = nodes[t]!;
    const iv = i <= INTERP_EXACT_HEAD ? { lo: lo[i - 1]!, hi: hi[i - 1]! } : solve(i);
    zl[t] = (iv.lo - mu(i)) / sd(i);
    zh[t] = (iv.hi - mu(i)) / sd(i);
    x[t] = Math.log(i);
  }
  let t = 0;
  for (let i = INTERP_EXACT_HEAD + 1; i <= half; i++) {
    while (t + 1 < nodes.length && nodes[t + 1]! < i) t++;
    // 4 nodes around i: t0..t0+3 with nodes[t] < i ≤ nodes[t+1].
    const t0 = Math.max(0, Math.min(nodes.length - 4, t - 1));
    const xi = Math.log(i);
    let vl = 0;
    let vh = 0;
    for (let a = t0; a < t0 + 4; a++) {
      let w = 1;
      for (let b = t0; b < t0 + 4; b++) if (b !== a) w *= (xi - x[b]!) / (x[a]! - x[b]!);
      vl += w * zl[a]!;
      vh += w * zh[a]!;
    }
    const m = mu(i);
    const s = sd(i);
    lo[i - 1] = Math.min(1, Math.max(0, m + s * vl));
    hi[i - 1] = Math.min(1, Math.max(0, m + s * vh));
  }
  for (let i = half + 1; i <= n; i++) {
    const j = n + 1 - i;
    lo[i - 1] = 1 - hi[j - 1]!;
    hi[i - 1] = 1 - lo[j - 1]!;
  }
  return { lo, hi };
}

/**
 * Exact simultaneous coverage `P(∀i: ℓ_i(δ) ≤ U_(i) ≤ h_i(δ))` of the pointwise δ-intervals for
 * n uniform order statistics — the true confidence of an LD band built with pointwise coverage δ
 * (for any continuous F).
 */
export function ldCoverage(n: number, delta: number, kind: LdKind): number {
  const { lo, hi } = ldIntervals(n, delta, kind);
  return orderStatisticsBoxProbability(lo, hi);
}

const cache = new Map<string, number>();

/** The δ* search stops once |coverage − confidence| ≤ COVERAGE_TOL (see ldCriticalValue). */
const COVERAGE_TOL = 1e-13;

/**
 * Exact critical value δ* of the LD band: the pointwise coverage with
 * `P(∀i: ℓ_i(δ*) ≤ U_(i) ≤ h_i(δ*)) = confidence` (Learned-Miller & DeStefano 2008; the
 * quantity opda estimates by simulation in `_ld_band_weights`).
 *
 * The coverage is computed exactly by {@link orderStatisticsBoxProbability}; it increases with δ,
 * lies below `confidence` at δ = confidence and (Bonferroni) above it at δ = 1 − (1 − confidence)/(2n).
 * Brent's method runs on `s = ln(1 − δ)` against `g(s) = ln(1 − coverage) − ln(1 − confidence)`,
 * which are nearly linear in each other (slope 0.7–1.3), and stops at |Δs| ≤ 1e-12 or as soon
 * as |coverage − confidence| ≤ 1e-13 (|g| ≤ 1e-13/(1 − confidence)), the accuracy of the coverage
 * computation itself — so |Δδ| ≲ 1.5e-13 — after ~5–7 coverage evaluations.
 * Results are memoized per (n, confidence, kind). confidence = 0 → 0, confidence = 1 → 1 (the
 * exact limits); n = 1 equal-tailed → confidence. Highest-density needs n ≥ 2.
 */
export function ldCriticalValue(n: number, confidence: number, kind: LdKind): number {
  checkFiniteN(n);
  checkKind(kind);
  if (typeof confidence !== "number" || !(confidence >= 0 && confidence <= 1)) {
    throw new InvalidArgumentError(`confidence must be in [0, 1], got ${confidence}`, { path: "confidence" });
  }
  if (kind === "highest_density" && n === 1) {
    throw new InvalidArgumentError(
      "ld_highest_density needs n ≥ 2 (Beta(1, 1) has no highest-density interval)",
    );
  }
  if (confidence === 0 || confidence === 1) return confidence;
  if (n === 1) return confidence;
  const key = `${kind}:${n}:${confidence}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const warm = new Float64Array(2 * n);
  const target = Math.log1p(-confidence);
  // |g| ≈ |coverage − confidence| / (1 − confidence) near the root.
  const FTOL = COVERAGE_TOL / (1 - confidence);
  const g = (s: number): number => {
    const delta = -Math.expm1(s);
    const { lo, hi } = ldIntervals(n, delta, kind, warm);
    const cov = orderStatisticsBoxProbability(lo, hi);
    return Math.log1p(-cov) - target;
  };
  const sLo = Math.log1p(-confidence);
  // Bonferroni: at δ = 1 − (1 − confidence)/(2n) the coverage is ≥ 1 − (1 − confidence)/2 > confidence.
  const sHi = Math.log((1 - confidence) / (2 * n));
  // g is increasing in s with slope ≈ 0.7–1. Start from a rough guess of the distance
  // ln(1 − confidence) − ln(1 − δ*) ≈ 0.5 + 1.6 ln ln n (a fit of the exact values' growth; only
  // a starting point), take secant-like steps until the root is bracketed, then Brent.
  // This needs ~5–7 coverage evaluations instead of ~13 from the Bonferroni bracket.
  const SLOPE = 0.9;
  const clamp = (s: number): number => Math.min(sLo, Math.max(sHi, s));
  let s0 = clamp(sLo - (0.5 + 1.6 * Math.log(Math.log(Math.max(n, 3)))));
  let g0 = g(s0);
  let s1 = s0;
  let g1 = g0;
  for (let it = 0; it < 60 && Math.abs(g0) > FTOL; it++) {
    s1 = clamp(s0 - (g0 / SLOPE) * (it === 0 ? 1.05 : 2));
    g1 = s1 === sLo ? Math.max(0, g(s1)) : g(s1);
    if (Math.abs(g1) <= FTOL || g1 > 0 !== g0 > 0) break;
    s0 = s1;
    g0 = g1;
  }
  let s: number;
  if (Math.abs(g0) <= FTOL) s = s0;
  else if (Math.abs(g1) <= FTOL) s = s1;
  else if (g1 > 0 === g0 > 0) {
    // The secant phase assumes g ≈ 0.9·Δs, which fails at low confidence (there ln(1 − coverage)
    // and ln(1 − confidence) are both ≈ 0 and g is tiny). Fall back to the guaranteed bracket:
    // coverage ≤ confidence at δ = confidence (the joint event is inside each pointwise one) and
    // ≥ 1 − (1 − confidence)/2 at the Bonferroni end, and solve coverage = confidence by Brent.
    const h = (t: number): number => {
      const delta = -Math.expm1(t);
      const { lo, hi } = ldIntervals(n, delta, kind, warm);
      return orderStatisticsBoxProbability(lo, hi) - confidence;
    };
    const hLo = h(sLo);
    if (hLo >= -COVERAGE_TOL) s = sLo;
    else {
      const hHi = h(sHi);
      if (!(hHi > 0))
        throw new NumericalError(`ldCriticalValue: could not bracket δ* (n=${n}, confidence=${confidence})`);
      s = brentRoot(h, sHi, sLo, { xtol: 1e-13, ftol: COVERAGE_TOL, fLo: hHi, fHi: hLo });
    }
  } else {
    const [a, fa, b, fb] = s0 < s1 ? [s0, g0, s1, g1] : [s1, g1, s0, g0];
    s = brentRoot(g, a, b, { xtol: 1e-12, ftol: FTOL, fLo: fa, fHi: fb });
  }
  const delta = -Math.expm1(s);
  cache.set(key, delta);
  return delta;
}

/** Above this n the LD critical value is extrapolated ({@link ldCriticalValueExtrapolated}). */
export const LD_EXACT_MAX_N = 8_192;
/** Sample sizes whose exact δ* anchor the extrapolation. */
const LD_ANCHORS = [2_048, 4_096, 8_192] as const;

/**
 * Exact δ* at the anchors for the usual confidences, from {@link ldCriticalValue} (the test suite
 * recomputes entries of it), so that a large-n band at these confidences does not spend ~1.5 s of
 * CPU on the anchors; other confidences compute them (and cache them per process).
 */
export const LD_ANCHOR_TABLE: Readonly<
  Record<LdKind, Readonly<Record<string, readonly [number, number, number]>>>
> = {
  equal_tailed: {
    0.5: [0.9806604864764915, 0.9830487063512099, 0.9849642488898827],
    0.8: [0.9949433252739857, 0.9955942695465738, 0.9961102693540839],
    0.9: [0.9979070703315323, 0.9981805163763819, 0.9983961387336963],
    0.95: [0.9990917493559972, 0.999211678529417, 0.9993058564464512],
    0.99: [0.999856885946269, 0.9998761609272607, 0.9998911799549401],
  },
  highest_density: {
    0.5: [0.9796376253178515, 0.9822087536056598, 0.9842678582883483],
    0.8: [0.9946168467754187, 0.9953338974425364, 0.9958994951777096],
    0.9: [0.9977638164031728, 0.9980674847561967, 0.9983054263863623],
    0.95: [0.9990276045276835, 0.9991614200636485, 0.999265749451941],
    0.99: [0.9998464229570874, 0.9998680459996125, 0.9998847575703327],
  },
};

/**
 * The LD critical value for n > {@link LD_EXACT_MAX_N}, where the exact box probability costs
 * O(n^1.5) per evaluation (31 s at n = 100 000, minutes beyond): ln(1 − δ*) is extrapolated as a
 * quadratic in ln ln n through the exact values at n = 2048, 4096 and 8192 (same confidence and
 * family). ln(1 − δ*) is close to linear in ln ln n (the number of effectively independent
 * pointwise tests grows like ln n — Eicker 1979, Jaeschke 1979 for the related standardized
 * uniform empirical process); the quadratic term takes up the slow drift of its slope. The error
 * against the exact δ* is measured in the README at n = 16 384 … 65 536; for n ≤ 8192 use
 * {@link ldCriticalValue}. The anchors of confidence 0.5, 0.8, 0.9, 0.95, 0.99 are tabulated.
 */
export function ldCriticalValueExtrapolated(n: number, confidence: number, kind: LdKind): number {
  checkFiniteN(n);
  checkKind(kind);
  if (typeof confidence !== "number" || !(confidence > 0 && confidence < 1))
    throw new InvalidArgumentError(`confidence must be in (0, 1), got ${confidence}`, { path: "confidence" });
  const xs = LD_ANCHORS.map((m) => Math.log(Math.log(m)));
  const known = LD_ANCHOR_TABLE[kind][String(confidence)];
  const ys = LD_ANCHORS.map((m, i) =>
    Math.log1p(-(known ? known[i]! : ldCriticalValue(m, confidence, kind))),
  );
  const x = Math.log(Math.log(n));
  let y = 0;
  for (let a = 0; a < 3; a++) {
    let w = 1;
    for (let b = 0; b < 3; b++) if (b !== a) w *= (x - xs[b]!) / (xs[a]! - xs[b]!);
    y += w * ys[a]!;
  }
  return -Math.expm1(y);
}

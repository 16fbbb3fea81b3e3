/**
 * Fitting the (noisy) quadratic distribution to the tail of a score sample by grouped maximum
 * product of spacings (Cheng & Amin 1983; Ranneby 1984; grouped/tied form after Ekström 2008,
 * "M_T2"), with censoring outside `limits` — the estimator opda uses (spec §2.4).
 *
 * Data → buckets. Values ≤ lo are left-censored, values > hi right-censored (limits = (lo, hi]).
 * Breakpoints z₀ < z₁ < … < z_M are [lower end, lo (if left-censoring), the distinct observed
 * values, hi (if right-censoring), upper end] after rounding to
 * d = −trunc(log10(max ulp(y))) − 3 decimals (merging float-noise near-duplicates, like opda).
 * Bucket (z_{j−1}, z_j] holds N_j = #observations equal to z_j (plus n_lower for the bucket ending
 * at lo); the last bucket gets n_upper + 1 (the spacing estimator's extra point). Ends are ±∞ for
 * the noisy class and the search-box ends a_lo, b_hi for the noiseless one.
 *
 * Objective (minimized):  L(θ) = −1/(n+1) · Σ_{N_j>0} N_j · log((F(z_j;θ) − F(z_{j−1};θ))·(n+1)/N_j).
 *
 * Search box (opda's, data-driven): p = 10⁻⁹-quantile of Beta(J, n − J + 1), J = j_max − i_min
 * (rank span of the observed range), w = max_c 1/(F_c⁻¹(½ + p/2) − F_c⁻¹(½ − p/2)) for the standard
 * quadratic, v = 1/(Φ⁻¹(½ + p/2) − Φ⁻¹(½ − p/2)), R = y_max − y_min. Noisy: a, b ∈ [y_min − wR, y_max + wR],
 * o ∈ [0, vR]; quadratic: a ∈ [y_min − wR, y_min], b ∈ [y_max, y_max + wR]; intersected with the
 * user's constraints.
 *
 * Optimizer (ours; opda uses scipy's differential evolution, which is stochastic and
 * version-dependent): for each allowed (convex, c), a deterministic multi-start Nelder–Mead.
 * Starts: quantile matching (y_min, y_max at the standard distribution's quantiles i_min/(n+1),
 * j_max/(n+1)) for s = o/r ∈ {1e-6, 1e-4, 1e-2, 0.1, 0.3, 1, 10} (noisy) plus `randomStarts` points
 * drawn uniformly in the box from the seeded xoshiro128** stream (random.ts). The best
 * start of every (convex, c) is refined by a coarse Nelder–Mead in scaled coordinates
 * ((a − y_min)/R, (b − y_min)/R, log o); for the (convex, c) whose result is within 10 nats of the
 * best, the next `localStarts − 1` starts are refined too and the winner is polished by a restarted
 * fine Nelder–Mead. The best (convex, c) wins.
 */
import { betaPpf } from "../special/beta.js";
import { NumericalError } from "../special/errors.js";
import { normalPpf } from "../special/normal.js";
import { nelderMead } from "../special/optimize.js";
import { C_MAX, C_MIN, InvalidArgumentError } from "./common.js";
import { NoisyQuadraticDistribution } from "./noisy.js";
import { QuadraticDistribution } from "./quadratic.js";
import { createRng } from "./random.js";

/** Thrown when no finite objective can be reached (empty search box, degenerate data). */
export class OptimizationError extends NumericalError {
  /** @param message why no finite objective was reached */
  constructor(message: string) {
    super(message, undefined, "optimization");
  }
}

/** A fixed value or a closed interval [lo, hi]. */
export type Bound = number | readonly [number, number];

/** Parameter constraints (opda's `constraints` dict). */
export interface FitConstraints {
  readonly a?: Bound;
  readonly b?: Bound;
  /** Integer value or integer interval within 1..10. */
  readonly c?: Bound;
  /** Noise scale (noisy fit only); ≥ 0. */
  readonly o?: Bound;
  readonly convex?: boolean | readonly boolean[];
}

/** Options for the fits. */
export interface FitOptions {
  /** Censoring limits (lo, hi]: values ≤ lo are left-censored, values > hi right-censored. Default (−∞, ∞). */
  readonly limits?: readonly [number, number];
  readonly constraints?: FitConstraints;
  /** Seed of the deterministic random starts (default 0). */
  readonly seed?: number;
  /** Random starts per (convex, c) in addition to the quantile-matching starts (default 8). */
  readonly randomStarts?: number;
  /** Starts refined by Nelder–Mead per competitive (convex, c) (default 2). */
  readonly localStarts?: number;
}

/** Best parameters for one value of `convex`. */
export interface FitCandidate {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly o: number;
  readonly convex: boolean;
  readonly objective: number;
}

/** Result of a fit. */
export interface FitResult<D> extends FitCandidate {
  readonly distribution: D;
  /** Best candidate per allowed `convex` value (opda reports the same per-candidate losses). */
  readonly perConvex: readonly FitCandidate[];
  /** Best objective per (convex, c) tried. */
  readonly perC: readonly FitCandidate[];
  /** Objective evaluations spent. */
  readonly nEvaluations: number;
  readonly warnings: readonly string[];
}

/** The grouped data the spacing objective needs. */
export interface SpacingData {
  readonly n: number;
  /** Breakpoints z₀ … z_M (z₀, z_M are the ends). */
  readonly z: Float64Array;
  /** N_j for bucket (z_{j−1}, z_j], j = 1..M (index j − 1). */
  readonly counts: Float64Array;
  readonly yMin: number;
  readonly yMax: number;
  readonly iMin: number;
  readonly jMax: number;
  readonly nLower: number;
  readonly nUpper: number;
  readonly allEqual: boolean;
}

/** ulp of a finite double (numpy's `spacing` for positive values). */
function ulp(y: number): number {
  const ay = Math.abs(y);
  if (ay === 0) return Number.MIN_VALUE;
  let e = Math.floor(Math.log2(ay));
  if (2 ** e > ay) e -= 1;
  else if (2 ** (e + 1) <= ay) e += 1;
  return 2 ** Math.max(e - 52, -1074);
}

/** numpy.round(x, d): rint(x·10^d)/10^d with round-half-to-even (d ≥ 0) or x·10^−d scaling (d < 0). */
function roundDecimals(x: number, d: number): number {
  if (!Number.isFinite(x)) return x;
  const rint = (t: number): number => {
    const r = Math.round(t);
    return r - t === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  if (d >= 0) {
    const s = 10 ** d;
    return rint(x * s) / s;
  }
  const s = 10 ** -d;
  return rint(x / s) * s;
}

function checkSample(ys: readonly number[], limits: readonly [number, number]): void {
  if (!Array.isArray(ys) && !(ys instanceof Float64Array))
    throw new InvalidArgumentError("ys must be an array of numbers", { path: "ys" });
  const [lo, hi] = limits;
  if (typeof lo !== "number" || typeof hi !== "number" || Number.isNaN(lo) || Number.isNaN(hi) || !(lo < hi))
    throw new InvalidArgumentError(`limits must satisfy lo < hi, got (${lo}, ${hi})`, { path: "limits" });
  if (ys.length < 3) throw new InvalidArgumentError(`need at least 3 scores to fit, got ${ys.length}`);
  for (const [i, y] of ys.entries()) {
    if (typeof y !== "number" || Number.isNaN(y))
      throw new InvalidArgumentError(`ys[${i}] is not a number (${y})`);
    if (!Number.isFinite(y) && !(y <= lo || y > hi))
      throw new InvalidArgumentError(`ys[${i}] = ${y} is infinite but not censored by limits (${lo}, ${hi}]`);
  }
}

/** Group the sample into spacing buckets (see the module comment). `ends` = [lower end, upper end]. */
export function spacingData(
  ys: readonly number[],
  limits: readonly [number, number],
  ends: readonly [number, number],
): SpacingData {
  const [lo, hi] = limits;
  const n = ys.length;
  const observed = ys.filter((y) => y > lo && y <= hi);
  if (observed.length === 0) throw new InvalidArgumentError(`no score lies inside the limits (${lo}, ${hi}]`);
  const nLower = ys.filter((y) => y <= lo).length;
  const nUpper = ys.filter((y) => y > hi).length;
  let maxUlp = 0;
  for (const y of observed) maxUlp = Math.max(maxUlp, ulp(y));
  const decimals = -Math.trunc(Math.log10(maxUlp)) - 3;
  const rounded = observed.map((y) => roundDecimals(y, decimals));
  const loR = roundDecimals(lo, decimals);
  const hiR = roundDecimals(hi, decimals);
  const points = new Set<number>(rounded);
  if (nLower > 0) points.add(loR);
  if (nUpper > 0) points.add(hiR);
  const inner = [...points].sort((x, y) => x - y);
  const z = new Float64Array([ends[0], ...inner.filter((v) => v > ends[0] && v < ends[1]), ends[1]]);
  const counts = new Float64Array(z.length - 1);
  const index = new Map<number, number>();
  for (let j = 1; j < z.length; j++) index.set(z[j] as number, j - 1);
  for (const v of rounded) {
    const j = index.get(v);
    if (j === undefined)
      throw new InvalidArgumentError(`score ${v} lies outside the search range [${ends[0]}, ${ends[1]}]`);
    counts[j] = (counts[j] as number) + 1;
  }
  if (nLower > 0) {
    const j = index.get(loR);
    if (j === undefined) throw new InvalidArgumentError(`lower limit ${lo} lies outside the search range`);
    counts[j] = (counts[j] as number) + nLower;
  }
  counts[counts.length - 1] = (counts[counts.length - 1] as number) + nUpper + 1;
  const obsMin = Math.min(...observed);
  const obsMax = Math.max(...observed);
  return {
    n,
    z,
    counts,
    yMin: nLower > 0 ? lo : obsMin,
    yMax: nUpper > 0 ? hi : obsMax,
    iMin: nLower > 0 ? nLower : 1,
    jMax: nUpper > 0 ? n - nUpper + 1 : n,
    nLower,
    nUpper,
    allEqual: obsMin === obsMax && nLower === 0 && nUpper === 0,
  };
}

/**
 * The grouped maximum-spacing objective L(θ) for a CDF F (see module comment); +∞ when a
 * spacing with N_j > 0 is 0. `sortCdf` sorts F(z) first (needed only for non-monotone numerics).
 */
export function spacingObjective(data: SpacingData, cdf: (y: number) => number, sortCdf = false): number {
  const { z, counts, n } = data;
  const m = z.length;
  const F = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const v = z[j] as number;
    F[j] = v === Number.NEGATIVE_INFINITY ? 0 : v === Number.POSITIVE_INFINITY ? 1 : cdf(v);
  }
  if (sortCdf) F.sort();
  let total = 0;
  for (let j = 1; j < m; j++) {
    const nj = counts[j - 1] as number;
    if (nj === 0) continue;
    const d = (F[j] as number) - (F[j - 1] as number);
    if (!(d > 0)) return Number.POSITIVE_INFINITY;
    total += nj * Math.log((d * (n + 1)) / nj);
  }
  return -total / (n + 1);
}

function interval(b: Bound | undefined, name: string): [number, number] {
  if (b === undefined) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  if (typeof b === "number") {
    if (Number.isNaN(b)) throw new InvalidArgumentError(`constraint ${name} is NaN`);
    return [b, b];
  }
  if (!Array.isArray(b) || b.length !== 2 || Number.isNaN(b[0]) || Number.isNaN(b[1]) || b[0] > b[1])
    throw new InvalidArgumentError(
      `constraint ${name} must be a number or an interval [lo, hi] with lo <= hi`,
    );
  return [b[0], b[1]];
}

function allowedC(b: Bound | undefined): number[] {
  const [lo, hi] = b === undefined ? [C_MIN, C_MAX] : interval(b, "c");
  if ((Number.isFinite(lo) && !Number.isInteger(lo)) || (Number.isFinite(hi) && !Number.isInteger(hi)))
    throw new InvalidArgumentError(`constraint c must be integers, got ${JSON.stringify(b)}`);
  const out: number[] = [];
  for (let c = Math.max(C_MIN, lo); c <= Math.min(C_MAX, hi); c++) out.push(c);
  if (out.length === 0)
    throw new InvalidArgumentError(
      `constraint c allows no integer in [${C_MIN}, ${C_MAX}]: ${JSON.stringify(b)}`,
    );
  return out;
}

function allowedConvex(v: boolean | readonly boolean[] | undefined): boolean[] {
  if (v === undefined) return [false, true];
  const list = typeof v === "boolean" ? [v] : [...v];
  if (list.length === 0 || list.some((x) => typeof x !== "boolean"))
    throw new InvalidArgumentError("constraint convex must be a boolean or a non-empty list of booleans");
  return [...new Set(list)];
}

interface Box {
  a: [number, number];
  b: [number, number];
  o: [number, number];
}

function searchBox(data: SpacingData, cs: number[], noisy: boolean, constraints: FitConstraints): Box {
  const { n, yMin, yMax, iMin, jMax } = data;
  const J = jMax - iMin;
  const R = yMax - yMin;
  let w = 1;
  let v = 1;
  if (J > 0 && R > 0) {
    const p = betaPpf(1e-9, J, n - J + 1);
    w = 0;
    for (const c of cs) {
      const std = new QuadraticDistribution(0, 1, c, true);
      w = Math.max(w, 1 / (std.ppf(0.5 + p / 2) - std.ppf(0.5 - p / 2)));
    }
    v = 1 / (normalPpf(0.5 + p / 2) - normalPpf(0.5 - p / 2));
  }
  const span = R > 0 ? R : Math.max(Math.abs(yMin), 1) * 1e-3; // all-equal data: a nominal width
  const ca = interval(constraints.a, "a");
  const cb = interval(constraints.b, "b");
  const co = interval(constraints.o, "o");
  const inter = (x: [number, number], y: [number, number], name: string): [number, number] => {
    const r: [number, number] = [Math.max(x[0], y[0]), Math.min(x[1], y[1])];
    if (!(r[0] <= r[1]))
      throw new OptimizationError(
        `the search box for ${name} [${x[0]}, ${x[1]}] and its constraint [${y[0]}, ${y[1]}] do not intersect`,
      );
    return r;
  };
  if (noisy) {
    const ab: [number, number] = [yMin - w * span, yMax + w * span];
    return {
      a: inter(ab, ca, "a"),
      b: inter(ab, cb, "b"),
      o: inter([0, v * span], [Math.max(0, co[0]), co[1]], "o"),
    };
  }
  return {
    a: inter([yMin - w * span, yMin], ca, "a"),
    b: inter([yMax, yMax + w * span], cb, "b"),
    o: [0, 0],
  };
}

const S_GRID = [1e-6, 1e-4, 1e-2, 0.1, 0.3, 1, 10];

function fitGeneric(
  ys: readonly number[],
  options: FitOptions,
  noisy: boolean,
): FitResult<NoisyQuadraticDistribution | QuadraticDistribution> {
  const limits = options.limits ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  checkSample(ys, limits);
  const constraints = options.constraints ?? {};
  const cs = allowedC(constraints.c);
  const convexes = allowedConvex(constraints.convex);
  const seed = options.seed ?? 0;
  const randomStarts = options.randomStarts ?? 8;
  const localStarts = options.localStarts ?? 2;
  if (!Number.isInteger(randomStarts) || randomStarts < 0)
    throw new InvalidArgumentError(`randomStarts must be a non-negative integer, got ${randomStarts}`, {
      path: "randomStarts",
    });
  if (!Number.isInteger(localStarts) || localStarts < 1)
    throw new InvalidArgumentError(`localStarts must be a positive integer, got ${localStarts}`, {
      path: "localStarts",
    });

  // First pass with infinite ends just to learn y_min, y_max, ranks (the box needs them).
  const probe = spacingData(ys, limits, [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
  const box = searchBox(probe, cs, noisy, constraints);
  const data = noisy ? probe : spacingData(ys, limits, [box.a[0], box.b[1]]);
  const R = probe.yMax - probe.yMin > 0 ? probe.yMax - probe.yMin : Math.max(Math.abs(probe.yMin), 1) * 1e-3;
  const warnings: string[] = [];
  if (probe.allEqual) warnings.push("All scores are equal; the fit is degenerate.");

  let nEvaluations = 0;
  const objective = (a: number, b: number, c: number, o: number, convex: boolean): number => {
    nEvaluations++;
    if (!(a <= b)) return Number.POSITIVE_INFINITY;
    if (noisy) {
      const dist = new NoisyQuadraticDistribution(a, b, c, o, convex);
      return spacingObjective(data, (y) => dist.cdf(y), true);
    }
    const dist = new QuadraticDistribution(a, b, c, convex);
    return spacingObjective(data, (y) => dist.cdf(y));
  };

  const oFloor = Math.max(box.o[0], 1e-9 * R);
  const logOLo = Math.log(oFloor);
  const logOHi = box.o[1] > 0 ? Math.log(box.o[1]) : logOLo;
  const clamp = (v: number, [l, h]: [number, number]) => Math.min(h, Math.max(l, v));
  // Scaled coordinates u = ((a − y_min)/R, (b − y_min)/R[, log o]); the point is projected into the
  // box and penalized by its distance, so Nelder–Mead can move freely.
  const toParams = (u: number[]): { a: number; b: number; o: number; pen: number } => {
    const a0 = probe.yMin + (u[0] as number) * R;
    const b0 = probe.yMin + (u[1] as number) * R;
    const a = clamp(a0, box.a);
    const b = clamp(b0, box.b);
    let pen = Math.abs(a - a0) / R + Math.abs(b - b0) / R;
    let o = 0;
    if (noisy) {
      const l0 = u[2] as number;
      const l = clamp(l0, [logOLo, logOHi]);
      pen += Math.abs(l - l0);
      o = l <= logOLo && box.o[0] === 0 ? 0 : Math.exp(l);
    }
    return { a, b, o, pen };
  };
  const fromParams = (a: number, b: number, o: number): number[] => {
    const u = [(a - probe.yMin) / R, (b - probe.yMin) / R];
    if (noisy) u.push(Math.log(Math.max(o, oFloor)));
    return u;
  };

  const rng = createRng(seed);
  interface Job {
    convex: boolean;
    c: number;
    f: (u: number[]) => number;
    starts: { u: number[]; v: number }[];
    best: { x: number[]; fun: number };
  }
  const jobs: Job[] = [];
  const step = noisy ? [0.02, 0.02, 0.5] : [0.02, 0.02];
  const budget = noisy ? 500 : 250;
  // Phase 1: starts for every (convex, c).
  for (const convex of convexes) {
    for (const c of cs) {
      const f = (u: number[]): number => {
        const p = toParams(u);
        const v = objective(p.a, p.b, c, p.o, convex);
        return v + p.pen * (1 + Math.abs(Number.isFinite(v) ? v : 0));
      };
      const starts: { u: number[]; v: number }[] = [];
      const sGrid = noisy ? S_GRID : [0];
      const q1 = probe.iMin / (probe.n + 1);
      const q2 = probe.jMax / (probe.n + 1);
      for (const s of sGrid) {
        const std = noisy
          ? new NoisyQuadraticDistribution(0, 1, c, s, convex)
          : new QuadraticDistribution(0, 1, c, convex);
        const g1 = std.ppf(q1);
        const g2 = std.ppf(q2);
        if (!(g2 > g1)) continue;
        const r = R / (g2 - g1);
        const a = probe.yMin - r * g1;
        const u = fromParams(a, a + r, s * r);
        starts.push({ u, v: f(u) });
      }
      for (let i = 0; i < randomStarts; i++) {
        const a = box.a[0] + rng.next() * (box.a[1] - box.a[0]);
        const b = Math.max(a, box.b[0]) + rng.next() * (box.b[1] - Math.max(a, box.b[0]));
        const o = noisy ? Math.exp(logOLo + rng.next() * (logOHi - logOLo)) : 0;
        const u = fromParams(a, b, o);
        starts.push({ u, v: f(u) });
      }
      starts.sort((x, y) => x.v - y.v);
      const first = starts[0] ?? { u: fromParams(box.a[0], box.b[1], 0), v: Number.POSITIVE_INFINITY };
      jobs.push({ convex, c, f, starts, best: { x: first.u, fun: first.v } });
    }
  }
  const coarse = (job: Job, u: number[]): void => {
    const res = nelderMead(job.f, u, { step, fatol: 1e-7, xatol: 1e-5, maxEval: budget });
    if (res.fun < job.best.fun) job.best = { x: res.x, fun: res.fun };
  };
  const polish = (job: Job, u: number[]): void => {
    // A restart rebuilds a fresh, smaller simplex around the optimum (guards against a collapsed
    // simplex) and converges to fine tolerances.
    const res = nelderMead(job.f, u, {
      step: step.map((v) => v / 10),
      fatol: 1e-11,
      xatol: 1e-8,
      maxEval: budget,
    });
    if (res.fun < job.best.fun) job.best = { x: res.x, fun: res.fun };
  };
  // Phase 2: a coarse Nelder–Mead from the best start of every (convex, c).
  jobs.sort((x, y) => x.best.fun - y.best.fun);
  for (const job of jobs) if (Number.isFinite(job.best.fun)) coarse(job, job.best.x);
  // Phase 3: only (convex, c) within 10 nats (10/(n+1) in objective units) of the best are worth
  // more work — elsewhere the likelihood ratio already rules them out: further starts, then a
  // fine polish of the winner of each.
  const global = Math.min(...jobs.map((j) => j.best.fun));
  const margin = 10 / (probe.n + 1);
  for (const job of jobs) {
    if (!(job.best.fun <= global + margin)) continue;
    for (const st of job.starts.slice(1, localStarts)) if (Number.isFinite(st.v)) coarse(job, st.u);
    polish(job, job.best.x);
  }
  const perC: FitCandidate[] = [];
  for (const convex of convexes) {
    for (const c of cs) {
      const job = jobs.find((j) => j.convex === convex && j.c === c) as Job;
      const p = toParams(job.best.x);
      perC.push({ a: p.a, b: p.b, c, o: p.o, convex, objective: objective(p.a, p.b, c, p.o, convex) });
    }
  }
  const perConvex = convexes.map((convex) => {
    const list = perC.filter((x) => x.convex === convex);
    return list.reduce((x, y) => (y.objective < x.objective ? y : x));
  });
  const best = perConvex.reduce((x, y) => (y.objective < x.objective ? y : x));
  if (!Number.isFinite(best.objective))
    throw new OptimizationError("no parameters in the search box give a finite spacing objective");
  if (best.c === 2 && convexes.length === 2)
    warnings.push(
      "Parameters might be unidentifiable: the fit found c = 2, where both values of convex give the same distribution (uniform from a to b). Constrain convex if you know the direction.",
    );
  const distribution = noisy
    ? new NoisyQuadraticDistribution(best.a, best.b, best.c, best.o, best.convex)
    : new QuadraticDistribution(best.a, best.b, best.c, best.convex);
  return { ...best, distribution, perConvex, perC, nEvaluations, warnings };
}

/**
 * Fit NoisyQuadraticDistribution(a, b, c, o, convex) to `ys` by grouped maximum spacing with
 * censoring outside `limits` (see the module comment for the objective, box and optimizer).
 * To fit only the asymptotic regime beyond a threshold θ: minimize → limits (−∞, θ); maximize → (θ, ∞).
 */
export function fitNoisyQuadratic(
  ys: readonly number[],
  options: FitOptions = {},
): FitResult<NoisyQuadraticDistribution> {
  return fitGeneric(ys, options, true) as FitResult<NoisyQuadraticDistribution>;
}

/** Fit QuadraticDistribution(a, b, c, convex) (o = 0) by the same estimator; an `o` constraint is rejected. */
export function fitQuadratic(
  ys: readonly number[],
  options: FitOptions = {},
): FitResult<QuadraticDistribution> {
  if (options.constraints?.o !== undefined)
    throw new InvalidArgumentError("fitQuadratic: the quadratic distribution has no o parameter", {
      path: "constraints.o",
    });
  return fitGeneric(ys, options, false) as FitResult<QuadraticDistribution>;
}

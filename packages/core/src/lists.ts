/**
 * Building and validating ordered hyperparameter lists from trial data, after Medapati et al. 2025
 * (arXiv:2503.03986, Section 2, Algorithm 1).
 *
 * time-to-target mode (the paper's): per (point k, workload i) the step fraction t_ki/T_i, summarised over
 * seeds by the median (the paper ran each point 5 times and used the median step); a list's fraction on
 * workload i is t_i = min_k t_ki, and its cost C_τ(L) = Π_i min(t_i/T_i, τ)^(1/N) (geometric mean, τ = 2).
 *
 * final-metric mode (for data without learning curves, e.g. HPOBench): per (point, workload) the mean
 * metric over seeds, turned into a normalised regret r_ki = (best_i − m_ki)/(best_i − worst_i) ∈ [0, 1]
 * (best/worst over all points on workload i, in the table's direction); cost = mean_i min_k r_ki
 * (arithmetic, because a regret of 0 would zero a geometric mean). With per-workload targets the cost is
 * the fraction of workloads whose target no list point reaches, ties broken by the mean regret.
 *
 * Greedy (Algorithm 1): start empty; K times append the point that minimises the cost of L + p. O(P·N·K)
 * with typed arrays.
 *
 * Ties (`tieBreak`, default "standalone"). The marginal cost stops discriminating once every training
 * workload already has its best point in the list (then every candidate adds 0 and the paper's cost is flat),
 * and whenever several candidates improve it equally. The cost then carries no information, and the earlier
 * rule, table order, filled the remaining slots with whatever came first in the file (on NAS-Bench-201 three
 * of five slots, the first being a cell at chance accuracy). "standalone" breaks such ties by the candidate's
 * own cost, the cost of the one-point list [p] on the same workloads: its mean normalised regret in
 * final-metric mode (with targets, too), its geometric-mean capped step fraction Π_i min(t_pi, τ)^(1/N) in
 * time-to-target mode. That is the quantity the first list point minimises, i.e. the training data's best
 * estimate of how good p is on a workload it has not seen; it is what leave-one-out evaluates, so the extra
 * slots go to the points most likely to help on the held-out workload instead of to file order. It never
 * changes a choice the cost itself makes. Remaining exact ties go to the earlier point. "table-order" is the
 * earlier rule, kept for comparison.
 */
import { InvalidArgumentError, requireFinite, requireInt, TooLargeError } from "./errors.js";
import { type EquivalentBudget, expectedBestOfGroups, RandomSearchReference } from "./expectation.js";
import { cell, type TrialsTable } from "./trials.js";

/** How list construction scores candidates. */
export interface BuildOptions {
  /** Number of points K. */
  size: number;
  /** time-to-target: cap τ on step fractions (paper: 2). */
  tau?: number;
  /** final-metric: per-workload targets (metric reached when m ≥ target for maximize, ≤ for minimize). */
  targets?: Record<string, number>;
  /** Workloads (indices into table.workloads) used for construction; default all. */
  workloads?: number[];
  /** greedy (default) or exhaustive (all K-subsets, then ordered greedily; small P and K only). */
  method?: "greedy" | "exhaustive";
  /** exhaustive: refuse more than this many subsets (default 5e6). */
  maxSubsets?: number;
  /** How ties in the cost are broken (see the module doc); default "standalone". */
  tieBreak?: TieBreak;
}

/**
 * "standalone": by the candidate's own cost on the construction workloads (mean normalised regret, or
 * geometric-mean capped step fraction), then table order. "table-order": table order only (the earlier rule).
 */
export type TieBreak = "standalone" | "table-order";

/**
 * Each point's stand-alone cost on workloads `ws`, in raw units (a sum over ws of its per-workload cost:
 * ln min(t, τ), or normalised regret — with targets, the regret). All zeros for "table-order".
 */
export function standaloneCosts(
  m: CostMatrix,
  ws: readonly number[],
  tieBreak: TieBreak = "standalone",
): Float64Array {
  if (tieBreak !== "standalone" && tieBreak !== "table-order")
    throw new InvalidArgumentError("tieBreak", `expected standalone or table-order, got ${String(tieBreak)}`);
  const out = new Float64Array(m.P);
  if (tieBreak === "table-order") return out;
  const a = m.secondary ?? m.primary;
  for (let p = 0; p < m.P; p++) {
    let s = 0;
    for (const i of ws) s += a[p * m.N + i] as number;
    out[p] = s;
  }
  return out;
}

/** Per-(point, workload) construction costs derived once from a table. */
export interface CostMatrix {
  P: number;
  N: number;
  /** Primary per-cell cost, point-major: a[p·N + i]. For time-to-target ln(min(t, τ)); regret; or 0/1 missed. */
  primary: Float64Array;
  /** Tie-break cost (target mode: regret), or null. */
  secondary: Float64Array | null;
  /** Cost of a workload no point covers yet (empty list). */
  emptyPrimary: Float64Array;
  emptySecondary: Float64Array | null;
  /** Per-(point, workload) summary used for reports: median step fraction, or mean metric. */
  summary: Float64Array;
  kind: "log-step-fraction" | "regret" | "target";
}

function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * Derives the construction costs (see the module doc). time-to-target: summary = median step fraction over
 * seeds (numpy median: mean of the two middle values; ∞ counts), cost = ln(min(summary, τ)).
 * final-metric: summary = mean over seeds; regret as above (0 on a workload where all points tie);
 * with targets, primary = 0 if the summary reaches the target else 1, secondary = regret.
 */
export function costMatrix(
  table: TrialsTable,
  options: { tau?: number; targets?: Record<string, number> } = {},
): CostMatrix {
  const P = table.points.length;
  const N = table.workloads.length;
  const summary = new Float64Array(P * N);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < N; i++) {
      const v = cell(table, p, i);
      if (table.mode === "time-to-target") summary[p * N + i] = median(v);
      else {
        let s = 0;
        for (let j = 0; j < v.length; j++) s += v[j] as number;
        summary[p * N + i] = s / v.length;
      }
    }
  }
  if (table.mode === "time-to-target") {
    const tau = options.tau ?? 2;
    requireFinite("tau", tau);
    if (!(tau > 0)) throw new InvalidArgumentError("tau", `expected τ > 0, got ${tau}`);
    if (options.targets) throw new InvalidArgumentError("targets", "targets apply to final-metric mode only");
    const primary = new Float64Array(P * N);
    for (let c = 0; c < P * N; c++) primary[c] = Math.log(Math.min(summary[c] as number, tau));
    return {
      P,
      N,
      primary,
      secondary: null,
      emptyPrimary: new Float64Array(N).fill(Math.log(tau)),
      emptySecondary: null,
      summary,
      kind: "log-step-fraction",
    };
  }
  const sign = table.direction === "maximize" ? 1 : -1;
  const regret = new Float64Array(P * N);
  for (let i = 0; i < N; i++) {
    let best = Number.NEGATIVE_INFINITY;
    let worst = Number.POSITIVE_INFINITY;
    for (let p = 0; p < P; p++) {
      const s = sign * (summary[p * N + i] as number);
      if (s > best) best = s;
      if (s < worst) worst = s;
    }
    const range = best - worst;
    for (let p = 0; p < P; p++)
      regret[p * N + i] = range > 0 ? (best - sign * (summary[p * N + i] as number)) / range : 0;
  }
  if (!options.targets) {
    return {
      P,
      N,
      primary: regret,
      secondary: null,
      emptyPrimary: new Float64Array(N).fill(1),
      emptySecondary: null,
      summary,
      kind: "regret",
    };
  }
  const primary = new Float64Array(P * N);
  for (let i = 0; i < N; i++) {
    const w = table.workloads[i] as string;
    const target = options.targets[w];
    if (target === undefined)
      throw new InvalidArgumentError(`targets.${w}`, "missing target for this workload");
    requireFinite(`targets.${w}`, target);
    for (let p = 0; p < P; p++)
      primary[p * N + i] = sign * (summary[p * N + i] as number) >= sign * target ? 0 : 1;
  }
  return {
    P,
    N,
    primary,
    secondary: regret,
    emptyPrimary: new Float64Array(N).fill(1),
    emptySecondary: new Float64Array(N).fill(1),
    summary,
    kind: "target",
  };
}

/** Cost of a list on the given workloads, in the matrix's units (see {@link listCost}). */
function rawCost(m: CostMatrix, list: readonly number[], ws: readonly number[]): [number, number] {
  let s1 = 0;
  let s2 = 0;
  for (const i of ws) {
    let c1 = m.emptyPrimary[i] as number;
    let c2 = m.emptySecondary ? (m.emptySecondary[i] as number) : 0;
    for (const p of list) {
      c1 = Math.min(c1, m.primary[p * m.N + i] as number);
      if (m.secondary) c2 = Math.min(c2, m.secondary[p * m.N + i] as number);
    }
    s1 += c1;
    s2 += c2;
  }
  return [s1, s2];
}

/**
 * The list's cost as reported: time-to-target C_τ(L) = exp(mean_i ln min(t_i, τ)) = Π_i min(t_i, τ)^(1/N);
 * regret: mean_i min_k r_ki; target: fraction of workloads missed.
 */
export function listCost(m: CostMatrix, list: readonly number[], ws: readonly number[] = range(m.N)): number {
  if (ws.length === 0) throw new InvalidArgumentError("workloads", "expected at least one workload");
  const [s1] = rawCost(m, list, ws);
  return m.kind === "log-step-fraction" ? Math.exp(s1 / ws.length) : s1 / ws.length;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Greedy ordered selection (paper Algorithm 1) of `size` distinct points over workloads `ws`.
 * Per step: for each candidate p not in L, cost(L + p) = Σ_i min(cur_i, a_pi) (lexicographic with the
 * secondary sum in target mode); take the smallest; ties by `tieBreak` (module doc), then the lower index.
 * O(P·|ws|·K).
 */
export function greedyList(
  m: CostMatrix,
  size: number,
  ws: readonly number[] = range(m.N),
  tieBreak: TieBreak = "standalone",
): number[] {
  requireInt("size", size, 1, m.P);
  if (ws.length === 0) throw new InvalidArgumentError("workloads", "expected at least one workload");
  const own = standaloneCosts(m, ws, tieBreak);
  const nW = ws.length;
  const wIdx = Int32Array.from(ws);
  const cur1 = new Float64Array(nW);
  const cur2 = new Float64Array(nW);
  for (let j = 0; j < nW; j++) {
    cur1[j] = m.emptyPrimary[wIdx[j] as number] as number;
    cur2[j] = m.emptySecondary ? (m.emptySecondary[wIdx[j] as number] as number) : 0;
  }
  const chosen = new Uint8Array(m.P);
  const list: number[] = [];
  const a = m.primary;
  const b = m.secondary;
  const N = m.N;
  for (let step = 0; step < size; step++) {
    let bestP = -1;
    let best1 = Number.POSITIVE_INFINITY;
    let best2 = Number.POSITIVE_INFINITY;
    let best3 = Number.POSITIVE_INFINITY;
    for (let p = 0; p < m.P; p++) {
      if (chosen[p]) continue;
      const base = p * N;
      let s1 = 0;
      for (let j = 0; j < nW; j++) {
        const x = a[base + (wIdx[j] as number)] as number;
        const c = cur1[j] as number;
        s1 += Math.min(x, c);
      }
      if (s1 > best1) continue;
      let s2 = 0;
      if (b) {
        for (let j = 0; j < nW; j++) {
          const x = b[base + (wIdx[j] as number)] as number;
          const c = cur2[j] as number;
          s2 += Math.min(x, c);
        }
      }
      const s3 = own[p] as number;
      if (s1 < best1 || s2 < best2 || (s2 === best2 && s3 < best3)) {
        bestP = p;
        best1 = s1;
        best2 = s2;
        best3 = s3;
      }
    }
    if (bestP < 0) break;
    chosen[bestP] = 1;
    list.push(bestP);
    for (let j = 0; j < nW; j++) {
      const i = wIdx[j] as number;
      cur1[j] = Math.min(cur1[j] as number, a[bestP * N + i] as number);
      if (b) cur2[j] = Math.min(cur2[j] as number, b[bestP * N + i] as number);
    }
  }
  return list;
}

/** n choose k as a double (exact below 2^53). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Exhaustive selection: the K-subset with the lowest cost (ties by the sum of its points' stand-alone costs
 * under `tieBreak`, then to the lexicographically first subset),
 * then ordered greedily within the subset so that prefixes stay meaningful. The paper found it reaches a
 * lower training cost but generalises worse than greedy (Section 2). Refuses more than `maxSubsets`.
 */
export function exhaustiveList(
  m: CostMatrix,
  size: number,
  ws: readonly number[] = range(m.N),
  maxSubsets = 5e6,
  tieBreak: TieBreak = "standalone",
): number[] {
  requireInt("size", size, 1, m.P);
  const own = standaloneCosts(m, ws, tieBreak);
  const total = binomial(m.P, size);
  if (total > maxSubsets)
    throw new TooLargeError(
      "size",
      `C(${m.P}, ${size}) = ${total} subsets exceed the limit ${maxSubsets}; use greedy`,
    );
  const idx = range(size);
  let best: number[] = [];
  let b1 = Number.POSITIVE_INFINITY;
  let b2 = Number.POSITIVE_INFINITY;
  let b3 = Number.POSITIVE_INFINITY;
  for (;;) {
    const [s1, s2] = rawCost(m, idx, ws);
    let s3 = 0;
    for (const p of idx) s3 += own[p] as number;
    if (s1 < b1 || (s1 === b1 && (s2 < b2 || (s2 === b2 && s3 < b3)))) {
      best = [...idx];
      b1 = s1;
      b2 = s2;
      b3 = s3;
    }
    let j = size - 1;
    while (j >= 0 && idx[j] === m.P - size + j) j--;
    if (j < 0) break;
    idx[j] = (idx[j] as number) + 1;
    for (let q = j + 1; q < size; q++) idx[q] = (idx[q - 1] as number) + 1;
  }
  // Order the chosen subset greedily.
  const sub: CostMatrix = {
    ...m,
    P: best.length,
    primary: pick(m.primary, best, m.N),
    secondary: m.secondary ? pick(m.secondary, best, m.N) : null,
    summary: pick(m.summary, best, m.N),
  };
  return greedyList(sub, best.length, ws, tieBreak).map((q) => best[q] as number);
}

function pick(a: Float64Array, rows: number[], N: number): Float64Array {
  const out = new Float64Array(rows.length * N);
  rows.forEach((p, r) => {
    out.set(a.subarray(p * N, p * N + N), r * N);
  });
  return out;
}

/** How one list does on one workload (expected best at budget k and the equivalent budget: see expectation.ts). */
export interface WorkloadEvaluation {
  workload: string;
  /** Point ids of the list evaluated. */
  list: string[];
  /**
   * time-to-target: the list's step fraction from per-point medians (paper convention), ∞ if none reaches.
   * final-metric: the list's best per-point mean metric.
   */
  summary: number;
  /** time-to-target: summary < ∞; final-metric with targets: best mean reaches the target; else null. */
  reached: boolean | null;
  /**
   * Exact expected best when each point runs once with a uniformly drawn seed row. time-to-target uses the
   * capped fraction min(t/T, τ), so a miss counts τ (the paper's cost scale) instead of making the mean ∞.
   */
  expected: number;
  /** Exact expected best of random search with budget K = list length, over all rows of the workload. */
  randomBestOfK: number;
  /** Smallest k with expected best-of-k random search at least as good as `expected`. */
  equivalentRandomBudget: EquivalentBudget;
  /** Number of rows random search draws from. */
  rows: number;
}

/**
 * Evaluates list `list` (point indices) on workload index i: see {@link WorkloadEvaluation}.
 * Random search draws rows uniformly with replacement from all rows of the workload (every point, every
 * seed); its expected best is the exact mean tuning curve.
 */
export function evaluateOnWorkload(
  table: TrialsTable,
  m: CostMatrix,
  list: readonly number[],
  i: number,
  options: { tau?: number; targets?: Record<string, number> } = {},
  reference?: RandomSearchReference,
): WorkloadEvaluation {
  requireInt("workload", i, 0, table.workloads.length - 1);
  if (list.length === 0) throw new InvalidArgumentError("list", "expected at least one point");
  const N = table.workloads.length;
  const ttt = table.mode === "time-to-target";
  const tau = options.tau ?? 2;
  const cap = (v: Float64Array) => (ttt ? v.map((x) => Math.min(x, tau)) : v);
  const groups = list.map((p) => cap(cell(table, p, i)));
  const expected = expectedBestOfGroups(groups, table.direction);
  const ref = reference ?? randomSearchReference(table, i, tau);
  const sign = table.direction === "maximize" ? 1 : -1;
  let summary = sign > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of list) {
    const s = m.summary[p * N + i] as number;
    summary = sign > 0 ? Math.max(summary, s) : Math.min(summary, s);
  }
  const w = table.workloads[i] as string;
  let reached: boolean | null = null;
  if (ttt) reached = Number.isFinite(summary);
  else if (options.targets && options.targets[w] !== undefined)
    reached = sign * summary >= sign * (options.targets[w] as number);
  return {
    workload: w,
    list: list.map((p) => table.points[p] as string),
    summary,
    reached,
    expected,
    randomBestOfK: ref.expectedBest(list.length),
    equivalentRandomBudget: ref.equivalentBudget(expected),
    rows: ref.n,
  };
}

/**
 * Random search on workload i: all its rows (every point, every seed), capped at τ in time-to-target mode
 * (a miss counts τ, as in the paper's cost).
 */
export function randomSearchReference(table: TrialsTable, i: number, tau = 2): RandomSearchReference {
  requireInt("workload", i, 0, table.workloads.length - 1);
  const ttt = table.mode === "time-to-target";
  const W = table.workloads.length;
  const { offsets, values } = table;
  let n = 0;
  for (let p = 0; p < table.points.length; p++)
    n += (offsets[p * W + i + 1] as number) - (offsets[p * W + i] as number);
  const all = new Float64Array(n);
  let o = 0;
  for (let p = 0; p < table.points.length; p++) {
    const end = offsets[p * W + i + 1] as number;
    for (let j = offsets[p * W + i] as number; j < end; j++) {
      const v = values[j] as number;
      all[o++] = ttt && v > tau ? tau : v;
    }
  }
  return new RandomSearchReference(all, table.direction);
}

/** Result of {@link buildList}. */
export interface BuildResult {
  list: number[];
  ids: string[];
  /** {@link listCost} on all workloads. */
  cost: number;
  perWorkload: WorkloadEvaluation[];
  /** One entry per held-out workload when leave-one-out was requested. */
  leaveOneOut: (WorkloadEvaluation & { heldOut: string; trainCost: number })[] | null;
}

/**
 * Builds a K-point list on all workloads, evaluates it on each, and optionally runs leave-one-workload-out
 * cross validation: for each workload w, build on the others and evaluate on w (paper Section 3, Table 5).
 * final-metric regret is normalised per workload, so the held-out workload never influences construction.
 */
export function buildList(
  table: TrialsTable,
  options: BuildOptions & { leaveOneOut?: boolean },
): BuildResult {
  const N = table.workloads.length;
  const costOpts: { tau?: number; targets?: Record<string, number> } = {};
  if (options.tau !== undefined) costOpts.tau = options.tau;
  if (options.targets !== undefined) costOpts.targets = options.targets;
  const m = costMatrix(table, costOpts);
  requireInt("size", options.size, 1, table.points.length);
  const method = options.method ?? "greedy";
  if (method !== "greedy" && method !== "exhaustive")
    throw new InvalidArgumentError("method", `expected greedy or exhaustive, got ${String(method)}`);
  const ws = options.workloads ?? range(N);
  ws.forEach((i, j) => {
    requireInt(`workloads[${j}]`, i, 0, N - 1);
  });
  const tieBreak = options.tieBreak ?? "standalone";
  const select = (wset: readonly number[]) =>
    method === "greedy"
      ? greedyList(m, options.size, wset, tieBreak)
      : exhaustiveList(m, options.size, wset, options.maxSubsets, tieBreak);
  const list = select(ws);
  const refs = range(N).map((i) => randomSearchReference(table, i, options.tau ?? 2));
  const perWorkload = range(N).map((i) => evaluateOnWorkload(table, m, list, i, costOpts, refs[i]));
  let leaveOneOut: BuildResult["leaveOneOut"] = null;
  if (options.leaveOneOut) {
    if (N < 2) throw new InvalidArgumentError("leaveOneOut", "leave-one-out needs at least 2 workloads");
    leaveOneOut = range(N).map((h) => {
      const train = range(N).filter((i) => i !== h);
      const l = select(train);
      return {
        heldOut: table.workloads[h] as string,
        trainCost: listCost(m, l, train),
        ...evaluateOnWorkload(table, m, l, h, costOpts, refs[h]),
      };
    });
  }
  return {
    list,
    ids: list.map((p) => table.points[p] as string),
    cost: listCost(m, list, ws),
    perWorkload,
    leaveOneOut,
  };
}

/** JSON-safe number: ±∞ become the strings "inf" / "-inf". */
export function jsonNumber(x: number): number | string {
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return x;
}

/** `{k}` → k, `{overflow: n}` → ">n" (a budget beyond the n points evaluated, as `nadir lists build --json` prints it). */
export function budgetToJson(b: EquivalentBudget): number | string {
  return "k" in b ? b.k : `>${b.overflow}`;
}

/** The `nadir lists build --json` document: the list, its cost, per-workload evaluations and warnings. */
export function buildResultToJson(
  table: TrialsTable,
  r: BuildResult,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ttt = table.mode === "time-to-target";
  const ev = (e: WorkloadEvaluation) => ({
    reached: e.reached,
    ...(ttt
      ? { step_fraction: jsonNumber(e.summary), expected_capped_step_fraction: e.expected }
      : { best_metric: e.expected, best_mean_metric: e.summary }),
    random_best_of_k: e.randomBestOfK,
    equivalent_random_budget: budgetToJson(e.equivalentRandomBudget),
    rows: e.rows,
  });
  return {
    mode: table.mode,
    direction: table.direction,
    ...extra,
    list: r.ids,
    cost: r.cost,
    per_workload: r.perWorkload.map((e) => ({ workload: e.workload, ...ev(e) })),
    leave_one_out: r.leaveOneOut
      ? r.leaveOneOut.map((e) => ({ held_out: e.heldOut, list: e.list, train_cost: e.trainCost, ...ev(e) }))
      : [],
  };
}

const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? x.toPrecision(digits) : x > 0 ? "∞" : "−∞");

/**
 * A markdown table like the paper's Table 5: one column per held-out workload; rows: the leave-one-out
 * list's score (step fraction or expected best metric), the expected best-of-K random search, and the
 * equivalent random budget.
 */
export function looTable(table: TrialsTable, r: BuildResult, digits = 4): string {
  if (!r.leaveOneOut)
    throw new InvalidArgumentError("leaveOneOut", "the result has no leave-one-out evaluation");
  const loo = r.leaveOneOut;
  const K = loo[0]?.list.length ?? 0;
  const ttt = table.mode === "time-to-target";
  const head = `| method | ${loo.map((e) => e.heldOut).join(" | ")} |`;
  const sep = `|---|${loo.map(() => "---|").join("")}`;
  const rows = ttt
    ? [
        `| leave-one-out list (${K} points), step fraction of medians | ${loo.map((e) => fmt(e.summary, digits)).join(" | ")} |`,
        `| leave-one-out list, E[min(t/T, τ)] over seeds | ${loo.map((e) => fmt(e.expected, digits)).join(" | ")} |`,
        `| random search, budget ${K}, E[min(t/T, τ)] | ${loo.map((e) => fmt(e.randomBestOfK, digits)).join(" | ")} |`,
      ]
    : [
        `| leave-one-out list (${K} points), E[best] over seeds | ${loo.map((e) => fmt(e.expected, digits)).join(" | ")} |`,
        `| random search, budget ${K}, E[best] | ${loo.map((e) => fmt(e.randomBestOfK, digits)).join(" | ")} |`,
      ];
  rows.push(
    `| equivalent random-search budget | ${loo.map((e) => String(budgetToJson(e.equivalentRandomBudget))).join(" | ")} |`,
  );
  return [head, sep, ...rows].join("\n");
}

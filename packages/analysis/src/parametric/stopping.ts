/**
 * When to stop tuning: a bound on what k more random-search trials can gain, from the consonance
 * set of the noisy-quadratic tail (Lourie, He & Cho 2025, "Hyperparameter Loss Surfaces Are Simple
 * Near their Optima", arXiv:2510.02721: the asymptotic law of random search and its confidence sets).
 *
 * The promise. Minimize orientation (maximize negates scores), observed best y* of n i.i.d. draws, k
 * further draws Y₁…Y_k from the same F. The realised gain is Δ = max(0, y* − min Yᵢ), and
 *     P(Δ > g) = 1 − (1 − F(y* − g))^k.
 * Asking P(Δ > g) ≤ 1 − q for a probability q (we use the study's confidence) is asking
 *     F(y* − g) ≤ p,   p = 1 − q^{1/k},
 * i.e. y* − g ≤ Q_F(p): g ≥ y* − Q_F(p), the gap between the best so far and the p-quantile of F.
 * Over every tail F = (a, b, c, o) that the simultaneous band accepts, Q_F(p) = a + r·G⁻¹_{c,s}(p) is
 * linear in (a, r) for each accepted (c, s), so its minimum over the accepted polygons is exact:
 *     Ĝ = max(0, y* − min_{F accepted} Q_F(p)).
 * When the true tail is in the set (probability ≥ the band's confidence), k more trials gain more than
 * Ĝ with probability at most 1 − q. Ĝ is capped by the score's bound on the tail's side (nothing can
 * improve past an error rate of 0).
 *
 * The decision ({@link decideStopping}) never stops on a fit the analysis would flag: no fit, no tail
 * consistent with the band, an accepted set cut by the search range (the true set may be larger, so the
 * bound could be too small), or too few scores in the asymptotic regime. It then says why it continues.
 */
import { InvalidArgumentError } from "../special/errors.js";
import { tuningLevel } from "./common.js";
import { type ConsonanceResult, optimizeQuantileOverSet } from "./consonance.js";

/** The gain bound of {@link continuationGainBound}. */
export interface ContinuationBound {
  /** More trials k. */
  readonly inTrials: number;
  /** Probability q that k more trials gain at most `gain` (given the true tail is in the set). */
  readonly probability: number;
  /** The quantile level p = 1 − q^{1/k} of one draw that the bound is read at. */
  readonly level: number;
  /** Ĝ: the largest gain over every accepted tail (≥ 0, in score units; NaN when the set is empty). */
  readonly gain: number;
  /** The observed best score y* it is measured from (original orientation). */
  readonly bestObserved: number;
}

/**
 * Ĝ = max(0, y* − min_{F ∈ set} Q_F(1 − q^{1/k})) (minimize orientation; see the module comment):
 * with probability ≥ q, k more i.i.d. trials improve the best score `bestObserved` by at most Ĝ, for
 * every tail in the consonance set. `scoreBound` (the bound on the tail's side, e.g. 0 for an error
 * rate) caps Ĝ at |y* − bound|.
 */
export function continuationGainBound(
  set: ConsonanceResult,
  bestObserved: number,
  inTrials: number,
  probability: number,
  scoreBound?: number,
): ContinuationBound {
  if (!Number.isFinite(bestObserved))
    throw new InvalidArgumentError(`the best observed score must be a finite number, got ${bestObserved}`);
  if (!(Number.isInteger(inTrials) && inTrials >= 1))
    throw new InvalidArgumentError(`the number of further trials must be an integer >= 1, got ${inTrials}`);
  if (!(probability > 0 && probability < 1))
    throw new InvalidArgumentError(`the promise's probability must be in (0, 1), got ${probability}`);
  // Minimize orientation: P(min of k draws ≤ x) = 1 − (1 − F(x))^k; the (1 − q)-quantile of that minimum
  // is F⁻¹(1 − q^{1/k}), which is tuningLevel(1 − q, k, minimize = true).
  const level = tuningLevel(1 - probability, inTrials, true);
  const yStar = set.minimize ? bestObserved : -bestObserved;
  const lowest = optimizeQuantileOverSet(set, level, "min");
  let gain = Number.isNaN(lowest) ? Number.NaN : Math.max(0, yStar - lowest);
  if (scoreBound !== undefined && Number.isFinite(scoreBound) && !Number.isNaN(gain))
    gain = Math.min(gain, Math.abs(bestObserved - scoreBound));
  return { inTrials, probability, level, gain, bestObserved };
}

/** What the study asks of the stopper. */
export interface StoppingRule {
  /** Stop when k = `inTrials` more trials would gain at most this much (score units, > 0). */
  readonly gain: number;
  /** k: the further trials the promise is about (integer ≥ 1). */
  readonly inTrials: number;
  /** Also stop when the best-score interval is narrower than this (score units; optional). */
  readonly maxIntervalWidth?: number;
  /** Fewest i.i.d. trials before any decision (default 16). */
  readonly minTrials?: number;
  /** Fewest scores in the asymptotic regime for a fit the decision may rest on (default 8). */
  readonly minTailPoints?: number;
}

/** Why the decision came out as it did (a closed set, for scripts and the journal). */
export type StoppingReason =
  | "gain-below-threshold"
  | "interval-narrow"
  | "gain-above-threshold"
  | "too-few-trials"
  | "no-fit"
  | "no-consistent-tail"
  | "too-few-tail-points"
  | "set-touches-edge";

/** The facts a decision rests on: the relevant fields of an analysis (`analyzeScores`'s result). */
export interface StoppingEvidence {
  readonly n: number;
  readonly confidence: number;
  readonly direction: "minimize" | "maximize";
  readonly fitted: boolean;
  readonly acceptedC: readonly number[];
  readonly touchesEdge: boolean;
  readonly tailPoints: number;
  readonly bestObserved: number;
  readonly bestScoreInterval: { readonly lower: number; readonly upper: number } | null;
  /** Ĝ for the rule's inTrials at probability = confidence; null when no consonance set was built. */
  readonly continuation: ContinuationBound | null;
}

/** The stopper's answer. */
export interface StoppingDecision {
  readonly stop: boolean;
  readonly reason: StoppingReason;
  /** One sentence for people ("stopped after 64 trials: 64 more would gain at most 0.0012 at 80%"). */
  readonly message: string;
  readonly n: number;
  readonly confidence: number;
  readonly gainBound: number | null;
  readonly bestObserved: number;
  readonly bestScoreInterval: { readonly lower: number; readonly upper: number } | null;
}

const fmt = (x: number): string => {
  if (!Number.isFinite(x)) return String(x);
  const s = Number(x.toPrecision(4)).toString();
  return s.includes("e") ? x.toFixed(Math.min(20, Math.max(4, 3 - Math.floor(Math.log10(Math.abs(x)))))) : s;
};

/** Validate a rule up front, in the words of the study file / CLI flags. */
export function validateStoppingRule(rule: StoppingRule): void {
  if (!(typeof rule.gain === "number" && Number.isFinite(rule.gain) && rule.gain > 0))
    throw new InvalidArgumentError(`the stopper's gain must be a number > 0, got ${rule.gain}`);
  if (!(Number.isInteger(rule.inTrials) && rule.inTrials >= 1))
    throw new InvalidArgumentError(`the stopper's inTrials must be an integer >= 1, got ${rule.inTrials}`);
  const w = rule.maxIntervalWidth;
  if (w !== undefined && !(Number.isFinite(w) && w > 0))
    throw new InvalidArgumentError(`the stopper's maxIntervalWidth must be a number > 0, got ${w}`);
  for (const [name, v] of [
    ["minTrials", rule.minTrials],
    ["minTailPoints", rule.minTailPoints],
  ] as const)
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw new InvalidArgumentError(`the stopper's ${name} must be an integer >= 1, got ${v}`);
}

/**
 * Decide whether more random search is worth it (see the module comment for the promise). Stops when,
 * at the evidence's confidence, `rule.inTrials` more trials gain at most `rule.gain`, or when the
 * best-score interval is narrower than `rule.maxIntervalWidth`; otherwise continues, and always says why.
 */
export function decideStopping(e: StoppingEvidence, rule: StoppingRule): StoppingDecision {
  validateStoppingRule(rule);
  const pct = `${Math.round(e.confidence * 1000) / 10}%`;
  const base = {
    n: e.n,
    confidence: e.confidence,
    bestObserved: e.bestObserved,
    bestScoreInterval: e.bestScoreInterval,
    gainBound: e.continuation && Number.isFinite(e.continuation.gain) ? e.continuation.gain : null,
  };
  const go = (reason: StoppingReason, message: string): StoppingDecision => ({
    ...base,
    stop: false,
    reason,
    message,
  });
  const minTrials = rule.minTrials ?? 16;
  const minTail = rule.minTailPoints ?? 8;
  if (e.n < minTrials)
    return go("too-few-trials", `continue: ${e.n} of the ${minTrials} search trials needed before deciding`);
  if (!e.fitted) return go("no-fit", "continue: the tail could not be fitted, so no gain can be promised");
  if (e.tailPoints < minTail)
    return go(
      "too-few-tail-points",
      `continue: only ${e.tailPoints} scores in the asymptotic regime (${minTail} needed to rely on the fit)`,
    );
  if (e.acceptedC.length === 0 || !e.continuation || Number.isNaN(e.continuation.gain))
    return go("no-consistent-tail", "continue: no noisy-quadratic tail is consistent with the scores yet");
  if (e.touchesEdge)
    return go(
      "set-touches-edge",
      "continue: the confidence set is cut by the search range, so the gain bound may be too small",
    );
  const g = e.continuation.gain;
  const k = rule.inTrials;
  if (g <= rule.gain)
    return {
      ...base,
      stop: true,
      reason: "gain-below-threshold",
      message: `stop after ${e.n} trials: ${k} more would gain at most ${fmt(g)} at ${pct} (threshold ${fmt(rule.gain)})`,
    };
  const iv = e.bestScoreInterval;
  if (rule.maxIntervalWidth !== undefined && iv && iv.upper - iv.lower <= rule.maxIntervalWidth)
    return {
      ...base,
      stop: true,
      reason: "interval-narrow",
      message: `stop after ${e.n} trials: the best reachable score is within [${fmt(iv.lower)}, ${fmt(iv.upper)}] at ${pct} (width ${fmt(iv.upper - iv.lower)} <= ${fmt(rule.maxIntervalWidth)})`,
    };
  return go(
    "gain-above-threshold",
    `continue: ${k} more trials could still gain up to ${fmt(g)} at ${pct} (threshold ${fmt(rule.gain)})`,
  );
}

/**
 * The evidence of one analysis (`analyzeScores` with `threshold` and `continuationTrials`), in the
 * stopper's terms. `bestObserved` is the best of the analysed scores.
 */
export function stoppingEvidence(r: {
  readonly n: number;
  readonly confidence: number;
  readonly direction: "minimize" | "maximize";
  readonly fit: unknown | null;
  readonly effective_dimension: { readonly accepted: readonly number[] };
  readonly touches_edge: boolean;
  readonly regime: { readonly count: number } | null;
  readonly best_score_interval: { readonly lower: number; readonly upper: number } | null;
  readonly ecdf: { readonly y: readonly number[] };
  readonly continuation: {
    readonly in_trials: number;
    readonly probability: number;
    readonly level: number;
    readonly gain: number;
    readonly best_observed: number;
  } | null;
}): StoppingEvidence {
  const ys = r.ecdf.y;
  const best = (r.direction === "minimize" ? ys[0] : ys[ys.length - 1]) as number;
  const c = r.continuation;
  return {
    n: r.n,
    confidence: r.confidence,
    direction: r.direction,
    fitted: r.fit !== null,
    acceptedC: r.effective_dimension.accepted,
    touchesEdge: r.touches_edge,
    tailPoints: r.regime?.count ?? 0,
    bestObserved: best,
    bestScoreInterval: r.best_score_interval,
    continuation: c
      ? {
          inTrials: c.in_trials,
          probability: c.probability,
          level: c.level,
          gain: c.gain,
          bestObserved: c.best_observed,
        }
      : null,
  };
}

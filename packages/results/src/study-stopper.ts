/**
 * One evaluation of a study's asymptotic stopper (StudySpec.study_stopper): the study's records → the
 * trial table → the i.i.d. search sample (selectIid) → the noisy-quadratic tail fit with its consonance
 * set (analyzeScores with `continuationTrials`) → decideStopping → a StopperDecision for the journal.
 *
 * The promise (Lourie, Cho & He 2024, "Show Your Work with Confidence"; Lourie, He & Cho 2025 for the
 * noisy quadratic law): with probability ≥ q (the confidence), k more i.i.d. search trials improve the best
 * score y* by at most Ĝ = max(0, y* − min over the accepted tails F of F⁻¹(1 − q^{1/k})) (minimize
 * orientation), provided the true tail is in the consonance set. The coordinator runs this off its event
 * loop (a worker thread) and journals every answer; `nadir analyze --should-continue` gives the same advice
 * for studies run elsewhere.
 */
import {
  type AnalyzeResult,
  analyzeScores,
  decideStopping,
  type StoppingDecision,
  type StoppingRule,
  stoppingEvidence,
} from "@nadir/analysis";
import type { nadir } from "@nadir/protocol";
import { ResultsError } from "./errors.js";
import { type StudyTrialRecord, tableFromStudy } from "./from-journal.js";
import { selectIid } from "./select.js";
import { searchedDimensions, studySelectOptions } from "./space.js";

/** The stopper's settings with every default filled in (AsymptoticStopperSpec's zeros mean "default"). */
export interface StudyStopperRule extends StoppingRule {
  readonly minTrials: number;
  readonly minTailPoints: number;
  /** Re-evaluate after every this many further i.i.d. search trials. */
  readonly every: number;
  readonly confidence: number;
  /** Asymptotic-regime threshold θ; undefined = the median search score at each evaluation. */
  readonly threshold: number | undefined;
}

/** Defaults of AsymptoticStopperSpec's zero fields. */
export const STUDY_STOPPER_DEFAULTS = { minTrials: 16, every: 8, confidence: 0.8, minTailPoints: 8 } as const;

/**
 * The study's stopper rule (defaults filled in), or undefined when the study has none. Throws
 * ResultsError("invalid_argument") for a rule decideStopping would refuse (gain ≤ 0, in_trials < 1).
 */
export function studyStopperRule(spec: nadir.v1.StudySpec.$Properties): StudyStopperRule | undefined {
  const a = spec.studyStopper?.asymptotic;
  if (!a) return undefined;
  const gain = Number(a.gain ?? 0);
  const inTrials = Number(a.inTrials ?? 0);
  if (!(gain > 0 && Number.isFinite(gain)))
    throw new ResultsError("invalid_argument", "studyStopper.gain", `must be a number > 0, got ${gain}`);
  if (!(Number.isInteger(inTrials) && inTrials >= 1))
    throw new ResultsError(
      "invalid_argument",
      "studyStopper.inTrials",
      `must be an integer >= 1, got ${inTrials}`,
    );
  const w = Number(a.maxIntervalWidth ?? 0);
  const t = a.threshold;
  return {
    gain,
    inTrials,
    minTrials: Number(a.minTrials || STUDY_STOPPER_DEFAULTS.minTrials),
    every: Number(a.every || STUDY_STOPPER_DEFAULTS.every),
    minTailPoints: Number(a.minTailPoints || STUDY_STOPPER_DEFAULTS.minTailPoints),
    confidence: Number(a.confidence || STUDY_STOPPER_DEFAULTS.confidence),
    ...(w > 0 ? { maxIntervalWidth: w } : {}),
    threshold: t === undefined || t === null ? undefined : Number(t),
  };
}

/** Options of {@link evaluateStudyStopper}. */
export interface EvaluateStudyStopperOptions {
  /** The decision's time stamp (Unix ms; default Date.now()). */
  now?: number;
  /**
   * Whether a completed trial counts as run to the full budget whatever its final step (default false;
   * a replay study's completed runs always do, see replay.ts).
   */
  everyCompletedIsFull?: boolean;
}

/** A StopperDecision and the analysis it came from (null when it was not run: too few trials). */
export interface StudyStopperEvaluation {
  decision: nadir.v1.StopperDecision.$Properties;
  analysis: AnalyzeResult | null;
}

/**
 * The lower median: the default asymptotic-regime threshold θ of both the study stopper and `nadir run`'s
 * analysis, so the two fit the same tail.
 */
export function lowerMedian(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/**
 * The i.i.d. search scores the stopper would fit on (random or Halton, first seed, full budget; list,
 * adaptive, pruned and unfinished trials apart; diverged/failed at the declared worst bound). A replay
 * study's list points are recorded random-search runs, so they are draws (replay.ts).
 */
export function stopperSample(
  spec: nadir.v1.StudySpec.$Properties,
  trials: readonly StudyTrialRecord[],
  everyCompletedIsFull = false,
): number[] {
  const table = tableFromStudy(spec, trials);
  if (everyCompletedIsFull)
    for (const t of table.trials) if (t.state === "COMPLETED" && t.steps !== null) t.fullBudget = true;
  return selectIid(table, studySelectOptions(spec)).scores;
}

/**
 * Evaluates the study's stopper on its records now: fits the law on the i.i.d. search sample and decides
 * (stop when, at the rule's confidence, `inTrials` more search trials gain at most `gain`, or the best
 * reachable score's interval is at most `maxIntervalWidth` wide; otherwise continue, always with the reason).
 * An analysis that throws gives a continue with reason "analysis-failed" (a stopper never ends a study on
 * an error). Throws ResultsError("invalid_argument") when the study has no stopper.
 */
export function evaluateStudyStopper(
  spec: nadir.v1.StudySpec.$Properties,
  trials: readonly StudyTrialRecord[],
  options: EvaluateStudyStopperOptions = {},
): StudyStopperEvaluation {
  const rule = studyStopperRule(spec);
  if (!rule) throw new ResultsError("invalid_argument", "studyStopper", "the study has no study stopper");
  const now = options.now ?? Date.now();
  const scores = stopperSample(spec, trials, options.everyCompletedIsFull);
  const sel = studySelectOptions(spec);
  const base = {
    studyId: spec.studyId ?? "",
    studyTrials: trials.length,
    confidence: rule.confidence,
    inTrials: rule.inTrials,
    gainThreshold: rule.gain,
    atUnixMs: now,
  };
  const n = scores.length;
  if (n < rule.minTrials || n === 0) {
    return {
      decision: {
        ...base,
        stop: false,
        reason: "too-few-trials",
        message: `continue: ${n} of the ${rule.minTrials} search trials needed before deciding`,
        searchTrials: n,
        bestObserved: n ? (sel.direction === "minimize" ? Math.min(...scores) : Math.max(...scores)) : 0,
        regimeThreshold: 0,
        tailPoints: 0,
        acceptedC: [],
      },
      analysis: null,
    };
  }
  const theta = rule.threshold ?? lowerMedian(scores);
  const dims = searchedDimensions(spec);
  let analysis: AnalyzeResult;
  let decided: StoppingDecision;
  try {
    analysis = analyzeScores(scores, {
      metric: sel.metric,
      direction: sel.direction,
      confidence: rule.confidence,
      ...(sel.lower !== undefined ? { lower: sel.lower } : {}),
      ...(sel.upper !== undefined ? { upper: sel.upper } : {}),
      threshold: theta,
      // Only the fit and its consonance set matter here; the tuning curve is the report's business.
      maxK: 1,
      extrapolationKs: [],
      ...(dims >= 1 ? { maxC: Math.min(dims, 10) } : {}),
      continuationTrials: rule.inTrials,
    });
    decided = decideStopping(stoppingEvidence(analysis), rule);
  } catch (err) {
    const best = sel.direction === "minimize" ? Math.min(...scores) : Math.max(...scores);
    return {
      decision: {
        ...base,
        stop: false,
        reason: "analysis-failed",
        message: `continue: the analysis failed (${(err as Error).message})`,
        searchTrials: n,
        bestObserved: best,
        regimeThreshold: theta,
        tailPoints: 0,
        acceptedC: [],
      },
      analysis: null,
    };
  }
  const iv = decided.bestScoreInterval;
  const finite = (x: number | undefined | null): x is number => typeof x === "number" && Number.isFinite(x);
  return {
    decision: {
      ...base,
      stop: decided.stop,
      reason: decided.reason,
      message: decided.message,
      searchTrials: n,
      ...(finite(decided.gainBound) ? { gainBound: decided.gainBound } : {}),
      bestObserved: decided.bestObserved,
      ...(iv && finite(iv.lower) ? { bestLower: iv.lower } : {}),
      ...(iv && finite(iv.upper) ? { bestUpper: iv.upper } : {}),
      regimeThreshold: theta,
      tailPoints:
        analysis.regime?.count ??
        scores.filter((y) => (sel.direction === "minimize" ? y <= theta : y >= theta)).length,
      acceptedC: [...analysis.effective_dimension.accepted],
    },
    analysis,
  };
}

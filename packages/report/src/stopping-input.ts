/**
 * Checks of the report's `stopping` section (the study stopper's story) before anything is rendered:
 * every number finite where it is printed, counts non-negative integers, reasons from the closed set and
 * consistent with the verdict, decisions in the order they were taken.
 */
import { ReportInputError } from "./errors.js";
import type { StoppingDecisionView, StoppingStory } from "./types.js";

/** The reasons a stopper decision stops the study. */
export const STOP_REASONS = ["gain-below-threshold", "interval-narrow"] as const;
/** The reasons a stopper decision lets the study continue. */
export const CONTINUE_REASONS = [
  "gain-above-threshold",
  "too-few-trials",
  "no-fit",
  "no-consistent-tail",
  "too-few-tail-points",
  "set-touches-edge",
  "analysis-failed",
] as const;

function need(cond: boolean, path: string, msg: string): asserts cond {
  if (!cond) throw new ReportInputError(path, msg);
}

const got = (v: unknown) => `got ${JSON.stringify(v)}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function finite(v: unknown, path: string): void {
  need(typeof v === "number" && Number.isFinite(v), path, `must be a finite number, ${got(v)}`);
}

function finiteOrNull(v: unknown, path: string): void {
  need(
    v === null || (typeof v === "number" && Number.isFinite(v)),
    path,
    `must be a finite number or null, ${got(v)}`,
  );
}

function count(v: unknown, path: string, min = 0): void {
  need(Number.isInteger(v) && (v as number) >= min, path, `must be an integer ≥ ${min}, ${got(v)}`);
}

function probability(v: unknown, path: string): void {
  need(typeof v === "number" && v > 0 && v < 1, path, `must be in (0, 1), ${got(v)}`);
}

function positive(v: unknown, path: string): void {
  need(
    typeof v === "number" && Number.isFinite(v) && v > 0,
    path,
    `must be a positive finite number, ${got(v)}`,
  );
}

function checkDecision(d: unknown, p: string): asserts d is StoppingDecisionView {
  need(isObject(d), p, "must be an object");
  count(d.search_trials, `${p}.search_trials`);
  count(d.study_trials, `${p}.study_trials`);
  need(
    (d.study_trials as number) >= (d.search_trials as number),
    `${p}.study_trials`,
    `must be at least search_trials (${d.search_trials}): the study's trials include its search trials, ${got(d.study_trials)}`,
  );
  need(typeof d.stop === "boolean", `${p}.stop`, `must be a boolean, ${got(d.stop)}`);
  const reasons: readonly string[] = d.stop ? STOP_REASONS : CONTINUE_REASONS;
  need(
    typeof d.reason === "string" && reasons.includes(d.reason),
    `${p}.reason`,
    `must be one of ${reasons.join(", ")} for a decision to ${d.stop ? "stop" : "continue"}, ${got(d.reason)}`,
  );
  need(typeof d.message === "string", `${p}.message`, `must be a string, ${got(d.message)}`);
  finiteOrNull(d.gain_bound, `${p}.gain_bound`);
  positive(d.gain_threshold, `${p}.gain_threshold`);
  count(d.in_trials, `${p}.in_trials`, 1);
  probability(d.confidence, `${p}.confidence`);
  finite(d.best_observed, `${p}.best_observed`);
  finiteOrNull(d.best_lower, `${p}.best_lower`);
  finiteOrNull(d.best_upper, `${p}.best_upper`);
  if (typeof d.best_lower === "number" && typeof d.best_upper === "number")
    need(
      d.best_lower <= d.best_upper,
      `${p}.best_upper`,
      `must be at least best_lower (${d.best_lower}), ${got(d.best_upper)}`,
    );
  need(Array.isArray(d.accepted_c), `${p}.accepted_c`, "must be an array of positive integers");
  for (const [i, c] of (d.accepted_c as unknown[]).entries()) count(c, `${p}.accepted_c[${i}]`, 1);
  finite(d.regime_threshold, `${p}.regime_threshold`);
  count(d.tail_points, `${p}.tail_points`);
  // A stop rests on its numbers: the bound below the threshold, or the interval it measured.
  if (d.reason === "gain-below-threshold")
    need(d.gain_bound !== null, `${p}.gain_bound`, "must be a number for a stop on gain-below-threshold");
  if (d.reason === "interval-narrow")
    need(
      d.best_lower !== null && d.best_upper !== null,
      `${p}.best_lower`,
      "must be numbers (best_lower and best_upper) for a stop on interval-narrow",
    );
}

/**
 * Validates the `stopping` section of the report input.
 * @throws ReportInputError naming the first offending field (e.g. `stopping.decisions[2].reason`)
 */
export function validateStopping(s: unknown): asserts s is StoppingStory {
  need(isObject(s), "stopping", "must be an object (the stopper's story) or { unavailable: <why> }");
  const r = s.rule;
  need(isObject(r), "stopping.rule", "must be an object");
  positive(r.gain, "stopping.rule.gain");
  count(r.in_trials, "stopping.rule.in_trials", 1);
  count(r.min_trials, "stopping.rule.min_trials", 1);
  count(r.every, "stopping.rule.every", 1);
  probability(r.confidence, "stopping.rule.confidence");
  need(
    r.max_interval_width === null ||
      (typeof r.max_interval_width === "number" &&
        Number.isFinite(r.max_interval_width) &&
        r.max_interval_width > 0),
    "stopping.rule.max_interval_width",
    `must be a positive finite number or null (no interval rule), ${got(r.max_interval_width)}`,
  );
  need(
    s.outcome === "stopped" || s.outcome === "budget-spent" || s.outcome === "running",
    "stopping.outcome",
    `must be "stopped", "budget-spent" or "running", ${got(s.outcome)}`,
  );
  count(s.max_trials, "stopping.max_trials", 1);
  count(s.final_trials, "stopping.final_trials");
  need(
    (s.final_trials as number) <= (s.max_trials as number),
    "stopping.final_trials",
    `must be at most max_trials (${s.max_trials}), ${got(s.final_trials)}`,
  );
  need(Array.isArray(s.decisions), "stopping.decisions", "must be an array (may be empty)");
  const ds = s.decisions as unknown[];
  let previous = 0;
  for (const [i, d] of ds.entries()) {
    const p = `stopping.decisions[${i}]`;
    checkDecision(d, p);
    need(
      d.search_trials >= previous,
      `${p}.search_trials`,
      `must not be below the previous decision's (${previous}): decisions are listed in the order taken, ${got(d.search_trials)}`,
    );
    need(
      d.study_trials <= (s.final_trials as number),
      `${p}.study_trials`,
      `must be at most final_trials (${s.final_trials}), ${got(d.study_trials)}`,
    );
    previous = d.search_trials;
  }
  if (s.outcome === "stopped") {
    const last = ds[ds.length - 1] as StoppingDecisionView | undefined;
    need(
      last?.stop === true,
      "stopping.outcome",
      'is "stopped", so the last decision must be a stop (stop: true)',
    );
  }
  if (s.list !== null) {
    const l = s.list;
    need(isObject(l), "stopping.list", "must be an object {name, trials, best} or null (no list)");
    need(typeof l.name === "string" && l.name !== "", "stopping.list.name", "must be a non-empty string");
    count(l.trials, "stopping.list.trials");
    finiteOrNull(l.best, "stopping.list.best");
  }
  if (s.search !== null) {
    const q = s.search;
    need(isObject(q), "stopping.search", "must be an object {trials, best} or null");
    count(q.trials, "stopping.search.trials");
    finiteOrNull(q.best, "stopping.search.best");
    need(
      (q.trials as number) >= previous,
      "stopping.search.trials",
      `must be at least the last decision's search_trials (${previous}), ${got(q.trials)}`,
    );
  }
}

/**
 * The report's input. The analysis part is the very object `nadir analyze --json` prints (the
 * CLI calls the same analysis function in-process and hands the object over unchanged), so every
 * number the report shows is a number of that JSON. The other sections are optional extras; a
 * section that is missing, or given as `{ unavailable: "<why>" }`, renders an explicit
 * "not available: <why>" note instead of vanishing.
 */
import { ReportInputError } from "./errors.js";
import { validateStopping } from "./stopping-input.js";

export { CONTINUE_REASONS, STOP_REASONS } from "./stopping-input.js";

/** A number as the analyze JSON writes it: non-finite values are the strings "inf", "-inf", "nan". */
export type JsonNumber = number | "inf" | "-inf" | "nan";

/** One row of the tuning curve: best score after k random-search trials, with simultaneous bands. */
export interface TuningCurveRow {
  k: number;
  median: JsonNumber;
  median_lower: JsonNumber;
  median_upper: JsonNumber;
  mean: JsonNumber;
  mean_lower: JsonNumber;
  mean_upper: JsonNumber;
}

/** The fitted noisy quadratic tail (opda's parameters; see packages/analysis/src/parametric/noisy.ts). */
export interface FitSummary {
  a: number;
  b: number;
  c: number;
  o: number;
  convex: boolean;
  objective: JsonNumber;
  threshold: JsonNumber;
  /** Fitted probability of the asymptotic regime (the tail beyond θ). */
  probability_of_regime?: number;
  evaluations?: number;
}

/** One extrapolated row: the median best score after k trials predicted by the fitted law, with its interval. */
export interface ExtrapolationRow {
  k: number;
  median: JsonNumber;
  lower: JsonNumber;
  upper: JsonNumber;
}

/** One gain row of the analyze output. */
export interface GainRow {
  from_k: number;
  more_trials: number;
  gain: JsonNumber;
  lower: JsonNumber;
  upper: JsonNumber;
}

/**
 * The fields of `nadir analyze --json` the report reads (the producer may add more; they are kept
 * in the embedded JSON unchanged). Documented in packages/analysis/schemas/analyze-output.schema.json.
 */
export interface AnalyzeResult {
  n: number;
  direction: "maximize" | "minimize";
  confidence: number;
  bands?: string;
  /** The score's bounds given to the analysis (`--lower`/`--upper`); "-inf"/"inf" when none. */
  bounds?: { lower: JsonNumber; upper: JsonNumber };
  ecdf: { y: JsonNumber[]; cdf: JsonNumber[]; lower: JsonNumber[]; upper: JsonNumber[] };
  tuning_curve: TuningCurveRow[];
  fit: FitSummary | null;
  best_score_interval?: { lower: JsonNumber; upper: JsonNumber } | null;
  /** The effective dimensions c consistent with the band; `max_c`, when given, the largest c searched. */
  effective_dimension?: { accepted: number[]; max_c?: number } | null;
  extrapolation?: ExtrapolationRow[] | null;
  /** "more_trials more trials gain about gain": median improvement from from_k to from_k + more_trials. */
  gain?: GainRow[] | null;
  noise_interval?: { lower: JsonNumber; upper: JsonNumber } | null;
  regime?: {
    threshold: number;
    count: number;
    fraction: number;
    band_lower: number;
    band_upper: number;
  } | null;
  warnings?: string[];
  /** Added by the CLI: the file read and the rows skipped (metric missing or not finite). */
  input?: {
    file: string;
    format: string;
    rows: number;
    skipped_count: number;
    skipped: Array<{ row: number; value: string }>;
    /** "separate" when trials proposed by a list were held out of the sample (and how many). */
    list_trials?: string;
    list_rows_count?: number;
  };
  [extra: string]: unknown;
}

/** Per-trial learning curves (the coordinator's `curves-jsonl` export, or curves read from a results file). */
export interface LearningCurves {
  /** Axis title for the step axis, e.g. "training step" or "epoch". */
  x_label?: string;
  /** Axis title for the metric axis; defaults to the report's metric name. */
  y_label?: string;
  trials: Array<{ trial: string; points: Array<{ step: number; value: number }> }>;
}

/**
 * A fixed list of configurations evaluated in order, compared with random search on the same task
 * (`@nadir/core`'s list evaluation). `budget[i]` is the equivalent random budget of the first i+1
 * list points: the number of random-search trials whose median best equals the list's best so far.
 */
export interface ListVsRandom {
  name?: string;
  points: Array<{ index: number; score: number; label?: string }>;
  equivalent_random_budget?: Array<{ index: number; budget: JsonNumber }>;
}

/**
 * A list evaluated on several workloads against random search: the `nadir lists build --json`
 * document of `@nadir/core` (`buildResultToJson`). `equivalent_random_budget` is the smallest k
 * whose expected best-of-k random search is at least as good as the list, or ">n" when even all n
 * rows fall short.
 */
export interface ListWorkloads {
  list: string[];
  mode?: string;
  direction?: "maximize" | "minimize";
  per_workload: Array<{
    workload: string;
    equivalent_random_budget: number | string;
    random_best_of_k?: JsonNumber;
    best_metric?: JsonNumber;
    expected_capped_step_fraction?: JsonNumber;
    reached?: boolean | null;
    rows?: number;
  }>;
}

/** True for the per-workload form of the list section. */
export function isListWorkloads(v: ListVsRandom | ListWorkloads): v is ListWorkloads {
  return Array.isArray((v as ListWorkloads).per_workload);
}

/** An optional section: its data, or the reason it is missing. */
export type Section<T> = T | { unavailable: string };

/**
 * How the trials divide between the sample analysed as i.i.d. random-search draws of the final
 * score and the trials kept out of it (pruned = censored, proposed by a list or another suggester,
 * failed, …). Shown in the summary so that a reader knows what the statistics are about.
 */
export interface SampleCounts {
  /** Trials analysed as i.i.d. draws; defaults to `analysis.n`. */
  iid?: number;
  /** Trials kept out of the sample, by reason in the reader's words (e.g. "pruned (censored)"). */
  excluded?: Array<{ reason: string; count: number }>;
  /**
   * True when the input records per trial how it was proposed and whether it ran to the full
   * budget, so that the i.i.d. sample was selected on those; false or absent: assumed.
   */
  checked?: boolean;
}

/**
 * One evaluation of the study's asymptotic stopper, as the coordinator journals it (the protocol's
 * `StopperDecision`, in the report's snake_case). The stopper fits the noisy-quadratic tail (Lourie, He &
 * Cho 2025) to the i.i.d. search trials and bounds, at `confidence`, what `in_trials` more of them would
 * gain over `best_observed`: Ĝ = `gain_bound`.
 */
export interface StoppingDecisionView {
  /** i.i.d. search trials the fit used. */
  search_trials: number;
  /** Trials of the study (every source: list, search, replicates) that had finished when the decision point was reached. */
  study_trials: number;
  stop: boolean;
  /**
   * Closed set (see {@link STOP_REASONS}, {@link CONTINUE_REASONS}): gain-below-threshold, interval-narrow
   * (stop); gain-above-threshold, too-few-trials, no-fit, no-consistent-tail, too-few-tail-points,
   * set-touches-edge, analysis-failed (continue).
   */
  reason: string;
  /** One sentence for people, e.g. "stop after 64 trials: 64 more would gain at most 0.0012 at 80% (threshold 0.002)". */
  message: string;
  /** Ĝ, the bound on the gain of `in_trials` more search trials; null when there was no fit. */
  gain_bound: number | null;
  /** The rule's threshold G: stop when Ĝ is below it. */
  gain_threshold: number;
  in_trials: number;
  confidence: number;
  /** Best i.i.d. search score y* the bound is measured from. */
  best_observed: number;
  /** The best reachable score's interval at `confidence`; an end is null when not fitted (or unbounded). */
  best_lower: number | null;
  best_upper: number | null;
  /** Effective numbers of hyperparameters c consistent with the scores. */
  accepted_c: number[];
  /** The asymptotic-regime threshold θ of the fit. */
  regime_threshold: number;
  /** Scores at or beyond θ. */
  tail_points: number;
}

/**
 * The stopper's story of one study ("list then law"): the rule, every evaluation in the order taken,
 * how the study ended, and what the list and then the search reached.
 */
export interface StoppingStory {
  rule: {
    gain: number;
    in_trials: number;
    min_trials: number;
    every: number;
    confidence: number;
    max_interval_width: number | null;
  };
  /** In the order they were taken (may be empty: the stopper never evaluated). */
  decisions: StoppingDecisionView[];
  outcome: "stopped" | "budget-spent" | "running";
  /** The study's trial budget. */
  max_trials: number;
  /** Trials the study ended with (when stopped, trials running at the decision still finish). */
  final_trials: number;
  /** What the list reached (null when the study ran no list). */
  list: { name: string; trials: number; best: number | null } | null;
  /** The i.i.d. search trials at the end and their best. */
  search: { trials: number; best: number | null } | null;
}

/**
 * What {@link renderReport} renders: the `nadir analyze --json` result plus optional sections (each takes its
 * data or `{ unavailable: "<why>" }`) and presentation fields with documented fallbacks.
 */
export interface ReportInput {
  /** Shown as the page title; defaults to "<study>: tuning report" or "Nadir tuning report". */
  title?: string;
  /**
   * The study's name, shown in the title. Defaults to the study of a journal source
   * (`<dir>#<study>.jsonl`, as `nadir report <journal>` names it), else to the file's name.
   */
  study?: string;
  /** The i.i.d. sample and what was kept out of it; defaults from `analysis.n` and `analysis.input`. */
  sample?: SampleCounts;
  /**
   * Largest effective dimension c the analysis searched; defaults to
   * `analysis.effective_dimension.max_c`, else 10 (the analysis's fixed range 1..10).
   */
  max_c?: number;
  /** Where the scores came from (file or journal path), shown in the header. */
  source?: string;
  /** Name of the metric (axis titles). */
  metric?: string;
  /** Timestamp printed in the footer (ISO 8601); left out when absent so output can be reproducible. */
  generated_at?: string;
  /** The analyze result (required: the report is built around it). */
  analysis: AnalyzeResult;
  learning_curves?: Section<LearningCurves>;
  list_vs_random?: Section<ListVsRandom | ListWorkloads>;
  /** The study stopper's story: why the study stopped (or why it went on), shown after the summary. */
  stopping?: Section<StoppingStory>;
}

/** True when the section is the `{ unavailable }` marker. */
export function isUnavailable<T>(s: Section<T> | undefined): s is { unavailable: string } {
  return (
    typeof s === "object" && s !== null && typeof (s as { unavailable?: unknown }).unavailable === "string"
  );
}

function isJsonNumber(v: unknown): v is JsonNumber {
  return typeof v === "number" || v === "inf" || v === "-inf" || v === "nan";
}

function need(cond: boolean, path: string, msg: string): asserts cond {
  if (!cond) throw new ReportInputError(path, msg);
}

function checkNumArray(v: unknown, path: string): asserts v is JsonNumber[] {
  need(Array.isArray(v), path, "must be an array");
  for (const [i, x] of (v as unknown[]).entries())
    need(
      isJsonNumber(x),
      `${path}[${i}]`,
      `must be a number or "inf"/"-inf"/"nan", got ${JSON.stringify(x)}`,
    );
}

function checkFiniteNum(v: unknown, path: string): void {
  need(
    typeof v === "number" && Number.isFinite(v),
    path,
    `must be a finite number, got ${JSON.stringify(v)}`,
  );
}

/**
 * Validates the report input up front so that rendering never meets a malformed value.
 * @throws ReportInputError naming the first offending field
 */
export function validateReportInput(input: ReportInput): void {
  need(typeof input === "object" && input !== null, "input", "must be an object");
  const a = input.analysis as unknown as Record<string, unknown>;
  need(
    typeof a === "object" && a !== null,
    "analysis",
    "is required (the object `nadir analyze --json` prints)",
  );
  need(
    Number.isInteger(a.n) && (a.n as number) >= 1,
    "analysis.n",
    `must be a positive integer, got ${JSON.stringify(a.n)}`,
  );
  need(
    a.direction === "maximize" || a.direction === "minimize",
    "analysis.direction",
    `must be "maximize" or "minimize", got ${JSON.stringify(a.direction)}`,
  );
  need(
    typeof a.confidence === "number" && a.confidence > 0 && a.confidence < 1,
    "analysis.confidence",
    `must be in (0, 1), got ${JSON.stringify(a.confidence)}`,
  );
  const e = a.ecdf as Record<string, unknown> | undefined;
  need(typeof e === "object" && e !== null, "analysis.ecdf", "is required");
  for (const f of ["y", "cdf", "lower", "upper"]) checkNumArray(e[f], `analysis.ecdf.${f}`);
  const len = (e.y as unknown[]).length;
  need(len >= 1, "analysis.ecdf.y", "must not be empty");
  for (const f of ["cdf", "lower", "upper"])
    need(
      (e[f] as unknown[]).length === len,
      `analysis.ecdf.${f}`,
      `must have the length of ecdf.y (${len}), got ${(e[f] as unknown[]).length}`,
    );
  need(
    Array.isArray(a.tuning_curve) && a.tuning_curve.length >= 1,
    "analysis.tuning_curve",
    "must be a non-empty array",
  );
  (a.tuning_curve as unknown[]).forEach((r, i) => {
    const p = `analysis.tuning_curve[${i}]`;
    need(typeof r === "object" && r !== null, p, "must be an object");
    const row = r as Record<string, unknown>;
    need(
      typeof row.k === "number" && row.k > 0,
      `${p}.k`,
      `must be a positive number, got ${JSON.stringify(row.k)}`,
    );
    for (const f of ["median", "median_lower", "median_upper", "mean", "mean_lower", "mean_upper"]) {
      need(
        isJsonNumber(row[f]),
        `${p}.${f}`,
        `must be a number or "inf"/"-inf"/"nan", got ${JSON.stringify(row[f])}`,
      );
    }
  });
  if (a.fit !== null && a.fit !== undefined) {
    const f = a.fit as Record<string, unknown>;
    for (const k of ["a", "b", "o"]) checkFiniteNum(f[k], `analysis.fit.${k}`);
    need(
      Number.isInteger(f.c) && (f.c as number) >= 1,
      "analysis.fit.c",
      `must be a positive integer, got ${JSON.stringify(f.c)}`,
    );
    need(typeof f.convex === "boolean", "analysis.fit.convex", "must be a boolean");
    need(
      isJsonNumber(f.threshold),
      "analysis.fit.threshold",
      `must be a number or "inf"/"-inf", got ${JSON.stringify(f.threshold)}`,
    );
  }
  if (a.bounds !== undefined) {
    const b = a.bounds as Record<string, unknown>;
    need(typeof b === "object" && b !== null, "analysis.bounds", "must be an object {lower, upper}");
    need(isJsonNumber(b.lower) && b.lower !== "nan", "analysis.bounds.lower", 'must be a number or "-inf"');
    need(isJsonNumber(b.upper) && b.upper !== "nan", "analysis.bounds.upper", 'must be a number or "inf"');
  }
  if (input.study !== undefined)
    need(typeof input.study === "string" && input.study !== "", "study", "must be a non-empty string");
  if (input.max_c !== undefined)
    need(
      Number.isInteger(input.max_c) && input.max_c >= 1,
      "max_c",
      `must be a positive integer, got ${JSON.stringify(input.max_c)}`,
    );
  if (input.sample !== undefined) {
    const sm = input.sample;
    need(typeof sm === "object" && sm !== null, "sample", "must be an object");
    if (sm.iid !== undefined)
      need(
        Number.isInteger(sm.iid) && sm.iid >= 0,
        "sample.iid",
        `must be a non-negative integer, got ${JSON.stringify(sm.iid)}`,
      );
    if (sm.excluded !== undefined) {
      need(Array.isArray(sm.excluded), "sample.excluded", "must be an array of {reason, count}");
      sm.excluded.forEach((e, i) => {
        need(
          typeof e?.reason === "string" && e.reason !== "",
          `sample.excluded[${i}].reason`,
          "must be a non-empty string",
        );
        need(
          Number.isInteger(e.count) && e.count >= 0,
          `sample.excluded[${i}].count`,
          `must be a non-negative integer, got ${JSON.stringify(e.count)}`,
        );
      });
    }
  }
  if (a.best_score_interval !== null && a.best_score_interval !== undefined) {
    const b = a.best_score_interval as Record<string, unknown>;
    need(isJsonNumber(b.lower), "analysis.best_score_interval.lower", "must be a number");
    need(isJsonNumber(b.upper), "analysis.best_score_interval.upper", "must be a number");
  }
  if (a.effective_dimension !== null && a.effective_dimension !== undefined) {
    const d = a.effective_dimension as Record<string, unknown>;
    need(Array.isArray(d.accepted), "analysis.effective_dimension.accepted", "must be an array of integers");
    for (const [i, c] of (d.accepted as unknown[]).entries())
      need(
        Number.isInteger(c),
        `analysis.effective_dimension.accepted[${i}]`,
        `must be an integer, got ${JSON.stringify(c)}`,
      );
  }
  if (a.extrapolation !== null && a.extrapolation !== undefined) {
    need(Array.isArray(a.extrapolation), "analysis.extrapolation", "must be an array");
    (a.extrapolation as unknown[]).forEach((r, i) => {
      const p = `analysis.extrapolation[${i}]`;
      const row = r as Record<string, unknown>;
      need(
        typeof row === "object" && row !== null && typeof row.k === "number" && row.k > 0,
        `${p}.k`,
        "must be a positive number",
      );
      for (const f of ["median", "lower", "upper"])
        need(isJsonNumber(row[f]), `${p}.${f}`, 'must be a number or "inf"/"-inf"/"nan"');
    });
  }
  if (a.gain !== null && a.gain !== undefined) {
    need(Array.isArray(a.gain), "analysis.gain", "must be an array");
    (a.gain as unknown[]).forEach((r, i) => {
      const p = `analysis.gain[${i}]`;
      const row = r as Record<string, unknown>;
      need(
        typeof row === "object" &&
          row !== null &&
          typeof row.more_trials === "number" &&
          typeof row.from_k === "number",
        p,
        "needs numbers from_k and more_trials",
      );
      for (const f of ["gain", "lower", "upper"])
        need(isJsonNumber(row[f]), `${p}.${f}`, 'must be a number or "inf"/"-inf"/"nan"');
    });
  }
  if (a.warnings !== undefined) {
    need(
      Array.isArray(a.warnings) && (a.warnings as unknown[]).every((w) => typeof w === "string"),
      "analysis.warnings",
      "must be an array of strings",
    );
  }
  const lc = input.learning_curves;
  if (lc !== undefined && !isUnavailable(lc)) {
    need(Array.isArray(lc.trials), "learning_curves.trials", "must be an array");
    lc.trials.forEach((t, i) => {
      need(typeof t.trial === "string", `learning_curves.trials[${i}].trial`, "must be a string");
      need(Array.isArray(t.points), `learning_curves.trials[${i}].points`, "must be an array");
      t.points.forEach((p, j) => {
        checkFiniteNum(p.step, `learning_curves.trials[${i}].points[${j}].step`);
        need(
          typeof p.value === "number" && !Number.isNaN(p.value),
          `learning_curves.trials[${i}].points[${j}].value`,
          "must be a number",
        );
      });
    });
  }
  const lv = input.list_vs_random;
  if (lv !== undefined && !isUnavailable(lv) && isListWorkloads(lv)) {
    need(
      Array.isArray(lv.list) && lv.list.length >= 1,
      "list_vs_random.list",
      "must be a non-empty array of point ids",
    );
    need(lv.per_workload.length >= 1, "list_vs_random.per_workload", "must not be empty");
    lv.per_workload.forEach((w, i) => {
      const p = `list_vs_random.per_workload[${i}]`;
      need(typeof w.workload === "string", `${p}.workload`, "must be a string");
      const b = w.equivalent_random_budget;
      need(
        (typeof b === "number" && b >= 1) || (typeof b === "string" && /^>\d+$/.test(b)),
        `${p}.equivalent_random_budget`,
        `must be a number >= 1 or ">n", got ${JSON.stringify(b)}`,
      );
    });
  } else if (lv !== undefined && !isUnavailable(lv)) {
    need(
      Array.isArray(lv.points) && lv.points.length >= 1,
      "list_vs_random.points",
      "must be a non-empty array",
    );
    lv.points.forEach((p, i) => {
      need(
        Number.isInteger(p.index) && p.index >= 1,
        `list_vs_random.points[${i}].index`,
        "must be a positive integer (1-based evaluation order)",
      );
      checkFiniteNum(p.score, `list_vs_random.points[${i}].score`);
    });
    if (lv.equivalent_random_budget !== undefined) {
      lv.equivalent_random_budget.forEach((b, i) => {
        need(
          Number.isInteger(b.index) && b.index >= 1,
          `list_vs_random.equivalent_random_budget[${i}].index`,
          "must be a positive integer",
        );
        need(
          isJsonNumber(b.budget),
          `list_vs_random.equivalent_random_budget[${i}].budget`,
          "must be a number",
        );
      });
    }
  }
  if (input.stopping !== undefined && !isUnavailable(input.stopping)) validateStopping(input.stopping);
}

/**
 * The one results pipeline of `nadir run`, `nadir analyze` and `nadir report`:
 *
 *   journal (spec + trials) | trials file rows  ->  trial table (@nadir/results, built once)
 *     -> i.i.d. selection (selectIid)  ->  analyzeScores (@nadir/analysis)  ->  renderReport (@nadir/report)
 *
 * The tuning curve of random search is the distribution of the best of k i.i.d. draws of the final score
 * (Lourie, Cho, He 2024), so only the selection's sample is analysed; every other trial is counted apart
 * with its reason (`selection` of the JSON), and the selection's warnings (a stopper chose the survivors,
 * an imported adaptive sampler, diverged trials left out) lead the analysis's own `warnings`, so every
 * reader of the JSON, the text and the report sees them next to the numbers.
 */
import { type AnalyzeResult, analyzeScores, toJsonSafe } from "@nadir/analysis";
import { classifyNumber } from "@nadir/core";
import type { nadir } from "@nadir/protocol";
import type { SampleCounts, StoppingDecisionView, StoppingStory } from "@nadir/report";
import {
  isReplayStudy,
  type Selection,
  type SelectionGroupName,
  type SelectionSummary,
  searchedDimensions,
  selectIid,
  studyStopperRule,
  type TrialRow,
  type TrialTable,
} from "@nadir/results";
import type { ListTrialsMode, SkippedRow, TrialsFormat } from "./read-trials.js";

/** A trial table with what the JSON's `input` says about where it came from. */
export interface TableInput {
  /** The file read, or `<journal>#<study>.jsonl` for a journal's study (the report's source name). */
  file: string;
  format: TrialsFormat;
  table: TrialTable;
  /**
   * The raw metric cell of the file's rows whose metric is not a finite number (row → text), so a
   * skipped row is reported as the user wrote it. Journals hold numbers: absent there.
   */
  rawMetric?: ReadonlyMap<number, string>;
}

/**
 * The searched space that bounds the effective dimension: the study's, less a replay's `iteration`
 * parameter (it only says which recorded run to serve; it is not a hyperparameter).
 */
export function studySpace(spec: nadir.v1.StudySpec): NonNullable<PipelineOptions["spec"]> {
  if (!isReplayStudy(spec)) return spec;
  return { parameters: (spec.searchSpace?.parameters ?? []).filter((p) => p.name !== "iteration") };
}

/** Options of {@link analyzeSelection}: the selection's, the analysis's, and where maxC came from. */
export interface PipelineOptions {
  metric: string;
  direction: "minimize" | "maximize";
  lower?: number;
  upper?: number;
  lists: ListTrialsMode;
  confidence: number;
  bands?: "dkw" | "ks" | "ld_equal_tailed" | "ld_highest_density";
  maxK?: number;
  threshold?: number;
  /** `--max-c`, when given. */
  maxC?: number;
  /** `--in-trials` of `--should-continue`: the analysis also bounds what that many more trials gain. */
  continuationTrials?: number;
  /** The study's spec when known (a journal): bounds c by its searched hyperparameters. */
  spec?: Parameters<typeof searchedDimensions>[0];
}

/** Which bound on the effective dimension applied: the flag, the study's searched dimensions, or the analysis's default 10. */
export type MaxCFrom = "flag" | "study" | "default";

/** The effective-dimension bound: `--max-c`, else the study's number of searched hyperparameters (1..10), else the default. */
export function maxCBound(
  flag: number | undefined,
  spec: PipelineOptions["spec"],
): { maxC?: number; from: MaxCFrom } {
  if (flag !== undefined) return { maxC: flag, from: "flag" };
  if (spec) {
    // The analysis searches c in 1..10; a study with more searched hyperparameters keeps that range.
    const d = searchedDimensions(spec);
    if (d >= 1) return { maxC: Math.min(d, 10), from: "study" };
  }
  return { from: "default" };
}

/** The i.i.d. selection of a table for the options' metric, direction, bounds and list mode. */
export function selectSample(input: TableInput, o: PipelineOptions): Selection {
  return selectIid(input.table, {
    metric: o.metric,
    direction: o.direction,
    lists: o.lists,
    ...(o.lower !== undefined ? { lower: o.lower } : {}),
    ...(o.upper !== undefined ? { upper: o.upper } : {}),
  });
}

function groupTrials(table: TrialTable, sel: Selection, group: SelectionGroupName): TrialRow[] {
  const g = sel.summary.groups.find((x) => x.group === group);
  if (!g || g.count === 0) return [];
  // Trial ids of a group, matched to rows in table order (a file may repeat an id across studies).
  const want = new Map<number, number>();
  for (const id of g.trials) want.set(id, (want.get(id) ?? 0) + 1);
  const out: TrialRow[] = [];
  for (const t of table.trials) {
    const n = want.get(t.trial);
    if (!n) continue;
    out.push(t);
    if (n === 1) want.delete(t.trial);
    else want.set(t.trial, n - 1);
  }
  return out;
}

function metricText(input: TableInput, t: TrialRow, i: number, metric: string): string {
  const raw = input.rawMetric?.get(t.row ?? i + 1);
  if (raw !== undefined) return raw;
  const v = t.metrics[metric];
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  return Number.isNaN(v)
    ? "NaN"
    : v === Number.POSITIVE_INFINITY
      ? "Infinity"
      : v === Number.NEGATIVE_INFINITY
        ? "-Infinity"
        : String(v);
}

/**
 * The JSON's `input`: the file, its rows, the rows without a usable metric (the selection's
 * `missing_score` group, with the cell and the reason) and the held-out list rows.
 */
export function inputFromSelection(input: TableInput, sel: Selection, o: PipelineOptions) {
  const { table } = input;
  const rowOf = new Map<TrialRow, number>();
  table.trials.forEach((t, i) => {
    rowOf.set(t, t.row ?? i + 1);
  });
  const skipped = groupTrials(table, sel, "missing_score").map((t) => {
    const row = rowOf.get(t) as number;
    const value = metricText(input, t, row - 1, o.metric);
    const c = classifyNumber(value);
    const reason: SkippedRow["reason"] = typeof c === "number" ? "non-numeric" : c;
    return { row, value, reason };
  });
  const listRows = groupTrials(table, sel, "list").map((t) => {
    const row = rowOf.get(t) as number;
    return { row, list_index: t.listIndex ?? 0, value: metricText(input, t, row - 1, o.metric) };
  });
  return {
    file: input.file,
    format: input.format,
    rows: table.trials.length,
    skipped_count: skipped.length,
    skipped,
    list_trials: o.lists,
    list_rows_count: listRows.length,
    list_rows: listRows,
  };
}

/** What {@link analyzeSelection} produced. */
export interface PipelineResult {
  selection: Selection;
  /** The analysis JSON (toJsonSafe'd): the analysis, `input`, `selection` and `max_c_from`. */
  json: AnalyzeResult & Record<string, unknown>;
  /** The analysis result as numbers (before toJsonSafe). */
  analysis: ReturnType<typeof analyzeScores>;
}

/**
 * Analyses the selection's sample (at least one score; callers check first) and builds the JSON:
 * the analysis with the selection's warnings first in `warnings`, `input`, `selection` and `max_c_from`.
 */
export function analyzeSelection(input: TableInput, sel: Selection, o: PipelineOptions): PipelineResult {
  const bound = maxCBound(o.maxC, o.spec);
  const analysis = analyzeScores(sel.scores, {
    metric: o.metric,
    direction: o.direction,
    confidence: o.confidence,
    ...(o.bands !== undefined ? { bands: o.bands } : {}),
    lower: o.lower,
    upper: o.upper,
    maxK: o.maxK,
    threshold: o.threshold,
    maxC: bound.maxC,
    ...(o.continuationTrials !== undefined ? { continuationTrials: o.continuationTrials } : {}),
  });
  analysis.warnings = [...sel.summary.warnings.map((w) => w.message), ...analysis.warnings];
  const json = toJsonSafe({
    ...analysis,
    input: inputFromSelection(input, sel, o),
    selection: sel.summary,
    max_c_from: bound.from,
  }) as AnalyzeResult & Record<string, unknown>;
  return { selection: sel, json, analysis };
}

/** Short words for the report's "kept out of it" line, one per selection group. */
const KEPT_OUT: Record<SelectionGroupName, string> = {
  list: "proposed by a list (compared with random search below)",
  adaptive: "proposed by an adaptive suggester (not i.i.d. draws)",
  grid: "grid points (not random draws)",
  replicate: "further seeds of a point already in the sample",
  unfinished: "not finished",
  pruned: "pruned by an early-stopping rule (censored: their full-budget score is unknown)",
  infeasible: "infeasible (the point could not be evaluated)",
  diverged: "diverged, left out (no worst bound declared)",
  failed: "failed, left out (no worst bound declared)",
  environment: "failed for a reason of the environment",
  short: "completed before the step budget",
  missing_score: "without a usable value of the metric",
};

/** The report's `sample`: the i.i.d. count and each group kept out of it, from the selection summary. */
export function reportSample(summary: SelectionSummary, table: TrialTable): SampleCounts {
  return {
    iid: summary.sample_count,
    excluded: summary.groups
      .filter((g) => !g.in_sample && g.count > 0)
      .map((g) => ({ reason: KEPT_OUT[g.group], count: g.count })),
    checked: table.columns.state && table.columns.source,
  };
}

/**
 * The selection in words for the text output: the i.i.d. count, each group apart with its count and
 * reason, then the selection's notes (its warnings are already among the analysis's warnings).
 */
export function selectionText(summary: SelectionSummary): string[] {
  const out = [`i.i.d. sample: ${summary.sample_count} of ${summary.trials} trial(s) (${summary.rule})`];
  for (const g of summary.groups) {
    if (g.count === 0) continue;
    const how = g.in_sample
      ? g.counted_at !== undefined
        ? `in the sample, counted at ${g.counted_at}`
        : "in the sample"
      : "shown apart";
    out.push(`  ${g.count} ${g.group.replace("_", " ")} (${how}): ${g.reason}`);
  }
  for (const n of summary.notes) out.push(`note: ${n.message}`);
  return out;
}

/** A journaled StopperDecision in the report's words (snake_case, unset optional numbers as null). */
export function decisionView(d: nadir.v1.StopperDecision.$Properties): StoppingDecisionView {
  const opt = (x: number | null | undefined): number | null =>
    typeof x === "number" && Number.isFinite(x) ? x : null;
  return {
    search_trials: d.searchTrials ?? 0,
    study_trials: d.studyTrials ?? 0,
    stop: !!d.stop,
    reason: d.reason ?? "",
    message: d.message ?? "",
    gain_bound: opt(d.gainBound),
    gain_threshold: Number(d.gainThreshold ?? 0),
    in_trials: d.inTrials ?? 0,
    confidence: Number(d.confidence ?? 0),
    best_observed: Number(d.bestObserved ?? 0),
    best_lower: opt(d.bestLower),
    best_upper: opt(d.bestUpper),
    accepted_c: [...(d.acceptedC ?? [])],
    regime_threshold: Number(d.regimeThreshold ?? 0),
    tail_points: d.tailPoints ?? 0,
  };
}

/**
 * The study stopper's story for the report ("list then law"): the rule, every decision in the order
 * journaled, how the study ended, what the list's trials reached and what the i.i.d. search reached.
 * Undefined when the study has no stopper.
 */
export function stoppingStory(
  spec: nadir.v1.StudySpec,
  decisions: readonly nadir.v1.StopperDecision.$Properties[],
  sel: Selection,
  end: { done: boolean; created: number },
  direction: "minimize" | "maximize",
): StoppingStory | undefined {
  const rule = studyStopperRule(spec);
  if (!rule) return undefined;
  const best = (xs: readonly number[]): number | null =>
    xs.length === 0 ? null : direction === "minimize" ? Math.min(...xs) : Math.max(...xs);
  const stopped = decisions.some((d) => d.stop);
  const list = spec.suggester?.list;
  return {
    rule: {
      gain: rule.gain,
      in_trials: rule.inTrials,
      min_trials: rule.minTrials,
      every: rule.every,
      confidence: rule.confidence,
      max_interval_width: rule.maxIntervalWidth ?? null,
    },
    decisions: decisions.map(decisionView),
    outcome: stopped ? "stopped" : end.done ? "budget-spent" : "running",
    max_trials: spec.budget?.maxTrials ?? 0,
    final_trials: end.created,
    list:
      list && sel.listPoints.length > 0
        ? {
            name: list.listName || "the study's list",
            trials: sel.listPoints.length,
            best: best(sel.listPoints.map((p) => p.score)),
          }
        : null,
    search: { trials: sel.scores.length, best: best(sel.scores) },
  };
}

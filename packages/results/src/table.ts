/**
 * The trial table: one typed row per trial, whatever the trials came from (a journal's state book, a
 * CSV/JSON Lines export, an Optuna import). Every later step (sample selection, analysis, report) reads
 * this table and nothing else, so the state and the proposing sampler of a trial cannot be lost on the way.
 */
import type { SourceInfo } from "./source.js";

/** Nadir trial states (protocol TrialState without its prefix). */
export const TRIAL_STATES = [
  "QUEUED",
  "RUNNING",
  "PAUSED",
  "STOPPING",
  "COMPLETED",
  "PRUNED",
  "FAILED",
  "PREEMPTED",
  "INFEASIBLE",
  "DIVERGED",
  "ABANDONED",
] as const;
/** A Nadir trial state. */
export type TrialStateName = (typeof TRIAL_STATES)[number];

/** One intermediate measurement of a trial's curve. */
export interface CurvePoint {
  step: number;
  metrics: Record<string, number>;
}

/**
 * A final metric as read: a number (NaN and ±Infinity kept as such), or the raw text when a file held
 * something that is not a number (kept so that the selection can say which row and what it held).
 */
export type MetricValue = number | string;

/** One trial (its last attempt). */
export interface TrialRow {
  study: string;
  trial: number;
  attempt: number;
  /** 0 for the first seed of a point; k for its (k+1)-th replicate. */
  replicate: number;
  /** null when the input did not record states (an old export). */
  state: TrialStateName | null;
  /** The source string as recorded (`random`, `list:medapati-nadamw-5>halton`, ...); "unknown" if none. */
  source: string;
  /** {@link source} parsed. */
  origin: SourceInfo;
  /** The trial's position in a hyperparameter list, null when it is not a list point. */
  listIndex: number | null;
  /** Step of the final measurement; null when not recorded. */
  steps: number | null;
  /** steps >= the study's step budget; null when either is unknown. */
  fullBudget: boolean | null;
  /** Final metrics by name (absent: not reported). */
  metrics: Record<string, MetricValue>;
  /** Intermediate measurements in step order, when the input has them and they were asked for. */
  curve?: CurvePoint[];
  /** Protocol FailureKind name without its prefix (`ERROR`, `ENVIRONMENT`, ...), when recorded. */
  failureKind?: string;
  /** 1-based data row of the input file (header excluded), for messages; absent for journal input. */
  row?: number;
}

/** What the input recorded, so the selection knows which rules it can apply and which it must assume. */
export interface TableColumns {
  state: boolean;
  source: boolean;
  listIndex: boolean;
  steps: boolean;
}

/** The trials of one study. */
export interface TrialTable {
  /** Where the rows came from. */
  from: "journal" | "rows" | "optuna";
  /** The study id when known (a journal, or a file with a `study` column holding one value). */
  study: string | null;
  /** The study's per-trial step budget; null when unknown. */
  stepBudget: number | null;
  /**
   * Where the step budget comes from: the study ("study"), the largest final step of the completed
   * trials of a file that records steps but not the budget ("inferred"), or a file's `full_budget` column,
   * which says it per trial ("column"; `stepBudget` stays null); null when unknown.
   */
  stepBudgetFrom: "study" | "inferred" | "column" | null;
  columns: TableColumns;
  trials: TrialRow[];
}

/**
 * Reads a state name as exports, journals and imports write it: `COMPLETED`, `TRIAL_STATE_COMPLETED`,
 * any case; Optuna's own names (`COMPLETE`, `FAIL`, `WAITING`) map as the Optuna adapter maps them.
 * Returns undefined for anything else.
 */
export function parseState(raw: string): TrialStateName | undefined {
  const s = raw
    .trim()
    .toUpperCase()
    .replace(/^TRIAL_STATE_/, "");
  const alias: Record<string, TrialStateName> = { COMPLETE: "COMPLETED", FAIL: "FAILED", WAITING: "QUEUED" };
  const v = alias[s] ?? s;
  return (TRIAL_STATES as readonly string[]).includes(v) ? (v as TrialStateName) : undefined;
}

/**
 * The trial table from parsed rows of a trials file: a CSV or JSON Lines export of `nadir export`, an
 * Optuna import (`nadir import optuna`), or any table with a metric column. The caller parses the file
 * (CSV or JSON Lines) into one object per data row, column name → cell; cells may be text (CSV) or JSON
 * values. Columns read: `study`, `trial`, `attempt`, `replicate`, `state`, `source` (else `suggester`),
 * `list_index`, `steps`, `full_budget`, `failure_kind`, the metric columns asked for, and `intermediate`
 * (Optuna's `[[step, value], ...]`) when curves are asked for. Every other column is ignored.
 *
 * Whether a trial ran its full step budget: its `full_budget` cell when the file has one (`nadir export`
 * writes it, so a replay's runs of their own lengths stay full-budget draws); else its `steps` against
 * the given step budget; else against the largest final step (inferred).
 */
import { ResultsError } from "./errors.js";
import { normalizeSampler, parseSource, type SourceInfo } from "./source.js";
import type { MetricValue, TrialRow, TrialStateName, TrialTable } from "./table.js";
import { parseState } from "./table.js";

/** One parsed data row: column name → cell (text from CSV, any JSON value from JSON Lines). */
export type TrialsFileRow = Readonly<Record<string, unknown>>;

/** Options of {@link tableFromRows}. */
export interface TableFromRowsOptions {
  /** The metric columns to keep as final metrics (at least one; e.g. the analysed metric). */
  metrics: readonly string[];
  /**
   * The study's per-trial step budget, when known (e.g. from the study file): decides `fullBudget`.
   * Without it, a file with a `steps` column gets the largest final step of its completed (or
   * state-less) rows as the budget, recorded as `stepBudgetFrom: "inferred"`: a trial that ran to the
   * budget exists whenever any did, and when none did every trial counts as full, as without the rule.
   */
  stepBudget?: number;
  /** Keep `intermediate` ([[step, value], ...]) as each trial's curve of `metrics[0]` (default false). */
  curves?: boolean;
  /** Row number of the first data row in messages (default 1: CSV data rows after the header). */
  firstRow?: number;
  /** What the rows are (default "rows"). */
  from?: "rows" | "optuna";
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A metric cell: number (NaN/±Infinity as such), raw text when not a number, undefined when empty. */
export function parseMetricCell(v: unknown): MetricValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return String(v);
  if (typeof v !== "string") return JSON.stringify(v);
  const s = v.trim();
  if (s === "") return undefined;
  if (/^[+-]?nan$/i.test(s)) return Number.NaN;
  if (/^\+?(inf|infinity)$/i.test(s)) return Number.POSITIVE_INFINITY;
  if (/^-(inf|infinity)$/i.test(s)) return Number.NEGATIVE_INFINITY;
  if (NUMBER_RE.test(s)) return Number(s);
  return v;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v.trim() : String(v);
}

/** A non-negative integer cell, undefined when empty; throws with the row's number otherwise. */
function intCell(v: unknown, column: string, where: string): number | undefined {
  const s = cellText(v);
  if (s === "") return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0)
    throw new ResultsError(
      "invalid_table",
      where,
      `${column} must be a non-negative integer, got ${JSON.stringify(s.slice(0, 40))}`,
    );
  return n;
}

/** A true/false cell (JSON boolean or text), undefined when empty; throws with the row's number otherwise. */
function boolCell(v: unknown, column: string, where: string): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = cellText(v).toLowerCase();
  if (s === "") return undefined;
  if (s === "true") return true;
  if (s === "false") return false;
  throw new ResultsError(
    "invalid_table",
    where,
    `${column} must be true or false, got ${JSON.stringify(cellText(v).slice(0, 40))}`,
  );
}

/**
 * One row per trial from parsed file rows (see the module comment for the columns read).
 *
 * Missing columns are recorded in `columns` (the selection then says what it assumes). Throws
 * ResultsError("invalid_table") naming the row when a `state` is not a trial state, `trial`,
 * `attempt`, `replicate`, `list_index` or `steps` is not a non-negative integer, or `full_budget` is
 * not true/false, and
 * ResultsError("invalid_argument") when no metric is asked for.
 */
export function tableFromRows(rows: readonly TrialsFileRow[], options: TableFromRowsOptions): TrialTable {
  if (!options.metrics.length || options.metrics.some((m) => !m))
    throw new ResultsError("invalid_argument", "metrics", "name at least one metric column (non-empty)");
  const given = options.stepBudget && options.stepBudget > 0 ? options.stepBudget : null;
  const first = options.firstRow ?? 1;
  const has = (k: string) => rows.some((r) => k in r);
  const columns = {
    state: has("state"),
    source: has("source") || has("suggester"),
    listIndex: has("list_index"),
    steps: has("steps"),
  };
  const hasFull = has("full_budget");
  const studies = new Set<string>();
  // A million rows hold a handful of distinct states and sources: parse each once.
  const stateCache = new Map<string, TrialStateName | undefined>();
  const sourceCache = new Map<string, SourceInfo>();
  const trials = rows.map((r, i): TrialRow => {
    const rowNo = first + i;
    const where = `row ${rowNo}`;
    const study = cellText(r.study);
    studies.add(study);
    let state: TrialStateName | null = null;
    const rawState = cellText(r.state);
    if (rawState !== "") {
      let st = stateCache.get(rawState);
      if (st === undefined && !stateCache.has(rawState)) {
        st = parseState(rawState);
        stateCache.set(rawState, st);
      }
      if (!st)
        throw new ResultsError(
          "invalid_table",
          where,
          `state ${JSON.stringify(rawState.slice(0, 40))} is not a trial state (COMPLETED, PRUNED, FAILED, DIVERGED, INFEASIBLE, ...)`,
        );
      state = st;
    }
    const source = cellText("source" in r ? r.source : r.suggester) || "unknown";
    let origin = sourceCache.get(source);
    if (!origin) {
      origin = parseSource(source);
      sourceCache.set(source, origin);
    }
    const metrics: Record<string, MetricValue> = {};
    for (const m of options.metrics) {
      const v = parseMetricCell(r[m]);
      if (v !== undefined) metrics[m] = v;
    }
    const steps = intCell(r.steps, "steps", where) ?? null;
    const row: TrialRow = {
      study,
      trial: intCell(r.trial, "trial", where) ?? rowNo,
      attempt: intCell(r.attempt, "attempt", where) ?? 0,
      replicate: intCell(r.replicate, "replicate", where) ?? 0,
      state,
      source,
      origin,
      listIndex: intCell(r.list_index, "list_index", where) ?? null,
      steps,
      fullBudget: boolCell(r.full_budget, "full_budget", where) ?? null,
      metrics,
      row: rowNo,
    };
    const fk = cellText(r.failure_kind);
    if (fk) row.failureKind = fk.toUpperCase().replace(/^FAILURE_KIND_/, "");
    if (options.curves && Array.isArray(r.intermediate)) {
      const name = options.metrics[0] as string;
      row.curve = (r.intermediate as unknown[])
        .filter((p): p is [unknown, unknown] => Array.isArray(p) && p.length === 2)
        .map(([s, v]) => {
          const x = parseMetricCell(v);
          return { step: Number(s), metrics: { [name]: typeof x === "number" ? x : Number.NaN } };
        });
    }
    return row;
  });
  let stepBudget = given;
  // A full_budget column says it per trial: nothing to infer.
  if (stepBudget === null && options.from !== "optuna" && !hasFull) {
    let max = 0;
    for (const t of trials)
      if (t.steps !== null && (t.state === null || t.state === "COMPLETED") && t.steps > max) max = t.steps;
    if (max > 0) stepBudget = max;
  }
  if (stepBudget !== null)
    for (const t of trials)
      if (t.steps !== null && t.fullBudget === null) t.fullBudget = t.steps >= stepBudget;
  return {
    from: options.from ?? "rows",
    study: studies.size === 1 ? ([...studies][0] as string) || null : null,
    stepBudget,
    stepBudgetFrom: given !== null ? "study" : hasFull ? "column" : stepBudget === null ? null : "inferred",
    columns,
    trials,
  };
}

/** Options of {@link tableFromOptuna}. */
export interface TableFromOptunaOptions {
  /**
   * The sampler the Optuna study used, when the caller knows it (`tpe`, `random`, `TPESampler`, ...).
   * Optuna's storages do not record it; without it (and without a `source: imported:<sampler>` the
   * import already set) the trials' sampler is unknown.
   */
  sampler?: string;
  /** Keep each trial's intermediate values as its curve (default false). */
  curves?: boolean;
}

/**
 * The trial table of an Optuna import: the records of @nadir/adapter-optuna (`readOptunaJournal`,
 * `readOptunaStorage`) or their JSON Lines rows. The score column is `value` (the first objective).
 * Optuna COMPLETE/PRUNED/FAIL/WAITING map to COMPLETED/PRUNED/FAILED/QUEUED. `sampler` overrides a
 * record's source `optuna` with `imported:<sampler>`.
 */
export function tableFromOptuna(
  records: readonly object[],
  options: TableFromOptunaOptions = {},
): TrialTable {
  const sampler = options.sampler ? normalizeSampler(options.sampler) : undefined;
  const rows = (records as readonly TrialsFileRow[]).map((r) =>
    sampler && (cellText(r.source) === "optuna" || cellText(r.source) === "")
      ? { ...r, source: `imported:${sampler}` }
      : r,
  );
  return tableFromRows(rows, { metrics: ["value"], from: "optuna", curves: options.curves ?? false });
}

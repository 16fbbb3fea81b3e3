/**
 * Nadir's trial records for Optuna trials, and their two serialisations (JSON Lines and CSV), the rows
 * `nadir analyze` reads. The shape and key order are those of the Python adapter
 * (`TrialRecord.to_json_dict()` in nadir_worker.adapters._common), so a study imported from TypeScript and
 * one exported from Python parse to the same rows (Python's json module only spaces the separators).
 */

/** Nadir trial states (protocol TrialState without the prefix) that Optuna states map onto. */
export type NadirState = "QUEUED" | "RUNNING" | "COMPLETED" | "PRUNED" | "FAILED";
/** A hyperparameter value in its external representation (what the objective saw). */
export type ParamValue = number | string | boolean | null;

/** Optuna TrialState names in the order of their numbers (optuna/trial/_state.py). */
export const OPTUNA_STATES = ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"] as const;
/** An Optuna TrialState name. */
export type OptunaStateName = (typeof OPTUNA_STATES)[number];

/** Optuna state -> Nadir state; the same table as the Python adapter. */
export const STATE_MAP: Readonly<Record<OptunaStateName, NadirState>> = {
  WAITING: "QUEUED",
  RUNNING: "RUNNING",
  COMPLETE: "COMPLETED",
  PRUNED: "PRUNED",
  FAIL: "FAILED",
};

/**
 * One trial in Nadir's row format; identical in shape to the Python `TrialRecord.to_json_dict()` of
 * nadir_worker.adapters._common. Non-finite numbers are the strings "NaN", "Infinity", "-Infinity".
 */
export interface TrialRecord {
  /**
   * Who proposed the trial: `imported:<sampler>` when the importer was told the study's sampler
   * (normalised: `tpe`, `random`, `cmaes`, `qmc`, ...), else `optuna` (Optuna's storages do not record it).
   */
  source: "optuna" | `imported:${string}`;
  study: string;
  trial: number;
  state: NadirState;
  source_state: OptunaStateName;
  /** The first objective value; null for a trial without values (running, waiting, pruned, failed). */
  value: number | string | null;
  /** The position of the trial's point in an injected Nadir list (`nadir_list_index`), else null. */
  list_index: number | null;
  /** UTC, microseconds, "+00:00" suffix (Python's isoformat). */
  started: string | null;
  completed: string | null;
  /** Every objective value, present only for a multi-objective study. */
  values?: (number | string)[];
  /** `param.<name>` columns are added when serialising; `params` keeps them nested. */
  params: Record<string, ParamValue>;
  /** (step, value) in step order. */
  intermediate: [number, number | string][];
}

/**
 * A sampler's name as users and libraries spell it, normalised: lower case, the `optuna.samplers.` prefix
 * and a `Sampler` suffix dropped (`TPESampler` → `tpe`, `optuna.samplers.CmaEsSampler` → `cmaes`).
 */
export function normalizeSamplerName(name: string): string {
  return name
    .trim()
    .replace(/^optuna\.(samplers\.)?/i, "")
    .replace(/Sampler$/i, "")
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/**
 * The records with `source: imported:<sampler>`: what the analysis needs to tell a random search from an
 * adaptive one (TPE, CMA-ES, ...). Optuna does not store the sampler, so only the caller can say it;
 * `undefined` or an empty name leaves the records as they are.
 */
export function withSampler(records: readonly TrialRecord[], sampler: string | undefined): TrialRecord[] {
  const name = sampler === undefined ? "" : normalizeSamplerName(sampler);
  if (name === "") return [...records];
  return records.map((r) => ({ ...r, source: `imported:${name}` }));
}

/** A finite number as itself; NaN/±Infinity as the strings Python's adapter writes. */
export function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

/** The record as one flat row: fixed keys, then `param.<name>` (sorted), then the nested forms. */
function flat(r: TrialRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    source: r.source,
    study: r.study,
    trial: r.trial,
    state: r.state,
    source_state: r.source_state,
    value: r.value,
    list_index: r.list_index,
    started: r.started,
    completed: r.completed,
  };
  if (r.values !== undefined) out.values = r.values;
  for (const k of Object.keys(r.params).sort()) out[`param.${k}`] = r.params[k];
  out.params = r.params;
  out.intermediate = r.intermediate;
  return out;
}

/** JSON Lines, one record per line, keys in the same order as the Python adapter writes them. */
export function toJsonl(records: readonly TrialRecord[]): string {
  return records.map((r) => `${JSON.stringify(flat(r))}\n`).join("");
}

/** RFC 4180 quoting: only cells holding a quote, comma or line break are quoted. */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_FIXED = [
  "source",
  "study",
  "trial",
  "state",
  "source_state",
  "value",
  "list_index",
  "started",
  "completed",
] as const;

/**
 * CSV with the fixed columns then one `param.<name>` column per parameter seen in any record (sorted); a
 * record without that parameter has an empty cell. Intermediate values and the extra objectives of a
 * multi-objective study have no column (a table cannot hold a list per cell); use JSON Lines for them.
 */
export function toCsv(records: readonly TrialRecord[]): string {
  const names = [...new Set(records.flatMap((r) => Object.keys(r.params)))].sort();
  const head = [...CSV_FIXED, ...names.map((n) => `param.${n}`)].join(",");
  const rows = records.map((r) =>
    [...CSV_FIXED.map((k) => csvCell(r[k])), ...names.map((n) => csvCell(r.params[n]))].join(","),
  );
  return `${[head, ...rows].join("\n")}\n`;
}

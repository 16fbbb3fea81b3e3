/**
 * Export of a study from a journal, in the formats `nadir analyze` reads:
 *
 * - `csv` / `jsonl`: one row per trial (its last attempt). Columns, in order: study, trial, attempt,
 *   replicate, state (COMPLETED, PRUNED, ...), suggester, source (who proposed the trial: `random`,
 *   `halton`, `grid`, `list:<name>`, `list:<name>>halton` for a list's fallback, `external:<algorithm>`;
 *   `unknown` when the journal does not say; the same value as `suggester`, under the name the results
 *   pipeline reads), list_index, seed, then `param.<name>` for every
 *   search-space parameter (search-space values, before materialisation), then every final metric by its
 *   own name (so `--metric accuracy` works), then steps (step of the final measurement), full_budget
 *   (whether the trial ran its full step budget, as @nadir/results' `tableFromStudy` decides it: final
 *   step ≥ the study's step budget, every completed run of a replay study; empty when unknown), so an
 *   analysis of the export selects exactly the trials an analysis of the journal does; elapsed_seconds,
 *   and steps_to_target when the study has a target (empty when not reached).
 * - `curves-jsonl`: one line per intermediate report: study, trial, attempt, step, elapsed_seconds, then
 *   the report's metrics by name.
 *
 * CSV follows RFC 4180 (fields with a comma, quote or newline are quoted, quotes doubled); missing values
 * are empty. Numbers are written with JavaScript's shortest round-trip formatting; NaN/Infinity as NaN,
 * Infinity, -Infinity.
 */
import { nadir } from "@nadir/protocol";
import { tableFromStudy } from "@nadir/results";
import type { TrialResult } from "@nadir/sdk";
import { parameterValue } from "@nadir/sdk";
import { CoordinatorError } from "./errors.js";
import { readJournal } from "./journal.js";
import { StateBook, type StudyCounts } from "./state/book.js";

/** Export formats. */
export type ExportFormat = "csv" | "jsonl" | "curves-jsonl";

/** Raised for an export request that cannot be satisfied (unknown study or format). */
export class ExportError extends CoordinatorError {
  constructor(message: string) {
    super("export_invalid", message);
  }
}

/**
 * One row of the trial table ({@link trialRows}): column name -> value, columns as in the module comment.
 * Values are strings (state, suggester, categorical parameters), numbers (ids, seed, numeric parameters,
 * metrics, steps, elapsed_seconds in seconds), booleans (boolean parameters) or null for a missing value
 * (an empty CSV field).
 */
export type ExportRow = Record<string, string | number | boolean | null>;

function stateName(s: number | null | undefined): string {
  return (nadir.v1.TrialState[s ?? 0] ?? "TRIAL_STATE_UNSPECIFIED").replace(/^TRIAL_STATE_/, "");
}

/** Loads every study of a journal directory (read-only). */
export function loadJournalStudies(dir: string): {
  studies: Map<string, { spec: nadir.v1.StudySpec; trials: (TrialResult & { replicate: number })[] }>;
  problem: string;
} {
  const { book, problem } = replayJournal(dir);
  return { studies: book.results(), problem };
}

/** Replays a journal directory into a state book (read-only; no sockets, no suggesters). */
export function replayJournal(dir: string): { book: StateBook; problem: string } {
  const { records, problem } = readJournal(dir);
  // Offline: leases never run out while replaying, so any positive length will do.
  const book = new StateBook({ leaseMs: 1 });
  for (const r of records) book.applyRecord(r);
  return { book, problem };
}

/**
 * Progress of every study of a journal directory (read-only), counted exactly as a live coordinator's
 * `progress()` counts: both read the same state book (`nadir status --journal` and `--connect` agree by
 * construction).
 */
export function journalProgress(dir: string): { counts: StudyCounts[]; problem: string } {
  const { book, problem } = replayJournal(dir);
  return { counts: book.progress(), problem };
}

/** The rows of one study (trial table). */
export function trialRows(
  spec: nadir.v1.StudySpec,
  trials: readonly (TrialResult & { replicate: number })[],
): { columns: string[]; rows: ExportRow[] } {
  const paramNames = (spec.searchSpace?.parameters ?? []).map((p) => p.name ?? "");
  const extraParams = new Set<string>();
  const metricNames = new Set<string>();
  for (const t of trials) {
    for (const k of Object.keys(t.parameters ?? {})) if (!paramNames.includes(k)) extraParams.add(k);
    for (const k of Object.keys(t.final?.metrics ?? {})) metricNames.add(k);
  }
  const params = [...paramNames, ...[...extraParams].sort()];
  const metrics = [...metricNames].sort();
  const hasTarget = !!spec.target;
  const columns = [
    "study",
    "trial",
    "attempt",
    "replicate",
    "state",
    "suggester",
    "source",
    "list_index",
    "seed",
    ...params.map((p) => `param.${p}`),
    ...metrics,
    "steps",
    "full_budget",
    "elapsed_seconds",
    ...(hasTarget ? ["steps_to_target"] : []),
  ];
  const full = tableFromStudy(spec, trials).trials.map((r) => r.fullBudget);
  const rows = trials.map((t, i) => {
    const row: ExportRow = {
      study: spec.studyId,
      trial: t.trial?.trialId ?? 0,
      attempt: t.trial?.attempt ?? 0,
      replicate: t.replicate,
      state: stateName(t.state),
      suggester: t.suggester ?? "",
      source: t.suggester || "unknown",
      list_index: t.listIndex ?? null,
      seed: Number(t.seed ?? 0),
    };
    for (const p of params) {
      const v = parameterValue(t.parameters?.[p]);
      row[`param.${p}`] = v === undefined ? null : v;
    }
    for (const m of metrics) {
      const v = t.final?.metrics?.[m];
      row[m] = v === undefined || v === null ? null : v;
    }
    row.steps = t.final ? Number(t.final.step ?? 0) : null;
    row.full_budget = full[i] ?? null;
    row.elapsed_seconds = t.final ? (t.final.elapsedSeconds ?? 0) : null;
    if (hasTarget) row.steps_to_target = t.target?.reached ? Number(t.target.step ?? 0) : null;
    return row;
  });
  return { columns, rows };
}

function csvField(v: string | number | boolean | null): string {
  if (v === null) return "";
  const s = typeof v === "number" ? (Number.isNaN(v) ? "NaN" : String(v)) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function jsonValue(v: string | number | boolean | null): unknown {
  if (typeof v === "number" && !Number.isFinite(v))
    return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return v;
}

/** Renders one study of a journal directory in the given format. @throws ExportError */
export function exportStudy(dir: string, studyId: string, format: ExportFormat): string {
  const { studies } = loadJournalStudies(dir);
  const st = studies.get(studyId);
  if (!st)
    throw new ExportError(
      `no study ${JSON.stringify(studyId)} in ${dir} (studies: ${[...studies.keys()].join(", ") || "none"})`,
    );
  return formatStudyExport(studyId, st, format);
}

/**
 * Renders one study already loaded by {@link loadJournalStudies} (its spec and trials) in the given
 * format, exactly as {@link exportStudy} does, so a caller that needs several formats replays the
 * journal once. @throws ExportError for an unknown format
 */
export function formatStudyExport(
  studyId: string,
  st: { spec: nadir.v1.StudySpec; trials: readonly (TrialResult & { replicate: number })[] },
  format: ExportFormat,
): string {
  if (format === "csv" || format === "jsonl") {
    const { columns, rows } = trialRows(st.spec, st.trials);
    if (format === "csv")
      return `${[columns.join(","), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? null)).join(","))].join("\n")}\n`;
    return (
      rows
        .map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, jsonValue(r[c] ?? null)]))))
        .join("\n") + (rows.length ? "\n" : "")
    );
  }
  if (format === "curves-jsonl") {
    const lines: string[] = [];
    for (const t of st.trials) {
      for (const m of t.measurements ?? []) {
        const o: Record<string, unknown> = {
          study: studyId,
          trial: t.trial?.trialId ?? 0,
          attempt: t.trial?.attempt ?? 0,
          step: Number(m.step ?? 0),
          elapsed_seconds: m.elapsedSeconds ?? 0,
        };
        for (const [k, v] of Object.entries(m.metrics ?? {})) o[k] = jsonValue(v);
        lines.push(JSON.stringify(o));
      }
    }
    return lines.join("\n") + (lines.length ? "\n" : "");
  }
  throw new ExportError(`unknown format ${JSON.stringify(format)} (csv, jsonl, curves-jsonl)`);
}

/**
 * The trial table of a study from the coordinator's records: the `TrialResult`s (with their replicate)
 * that `loadJournalStudies` of @nadir/coordinator returns next to the study's spec, or a live
 * coordinator's results. The source of a trial is its journaled `suggester` (the list suggester journals
 * its fallback's points as `list:<name>><sampler>`).
 */
import { nadir } from "@nadir/protocol";
import { ResultsError } from "./errors.js";
import { isReplayStudy } from "./replay.js";
import { parseSource } from "./source.js";
import type { CurvePoint, TrialRow, TrialStateName, TrialTable } from "./table.js";
import { parseState } from "./table.js";

/** A coordinator record of one trial (protocol TrialResult) with its replicate number. */
export type StudyTrialRecord = nadir.v1.TrialResult.$Properties & { replicate?: number | null };

/** Options of {@link tableFromStudy}. */
export interface TableFromStudyOptions {
  /** Keep every trial's intermediate measurements as its curve (default false: final metrics only). */
  curves?: boolean;
}

function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v && typeof v === "object" && "toNumber" in v) return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

function stateOf(s: number | null | undefined, where: string): TrialStateName {
  const name = nadir.v1.TrialState[s ?? 0] ?? "";
  const st = parseState(name);
  if (!st)
    throw new ResultsError("invalid_table", where, `trial state ${String(s)} is not a known TrialState`);
  return st;
}

/**
 * One row per trial of a study, from the coordinator's records and the study's spec.
 *
 * `fullBudget` compares the final measurement's step with `spec.stepBudget` (unknown when the study has
 * no step budget or the trial no final measurement); in a replay study every completed run is full
 * budget (see replay.ts). Throws ResultsError("invalid_table") for a record
 * whose state is not a TrialState.
 */
export function tableFromStudy(
  spec: nadir.v1.StudySpec.$Properties,
  trials: readonly StudyTrialRecord[],
  options: TableFromStudyOptions = {},
): TrialTable {
  const stepBudget = num(spec.stepBudget) > 0 ? num(spec.stepBudget) : null;
  const replay = isReplayStudy(spec);
  const study = spec.studyId ?? "";
  const rows = trials.map((t): TrialRow => {
    const id = t.trial?.trialId ?? 0;
    const state = stateOf(t.state, `study ${study} trial ${id}`);
    const steps = t.final ? num(t.final.step) : null;
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(t.final?.metrics ?? {})) metrics[k] = Number(v);
    const source = t.suggester || "unknown";
    const row: TrialRow = {
      study,
      trial: id,
      attempt: t.trial?.attempt ?? 0,
      replicate: t.replicate ?? 0,
      state,
      source,
      origin: parseSource(source),
      listIndex: t.listIndex ?? null,
      steps,
      fullBudget:
        steps === null
          ? null
          : replay && state === "COMPLETED"
            ? true
            : stepBudget === null
              ? null
              : steps >= stepBudget,
      metrics,
    };
    if (t.failureKind)
      row.failureKind = (nadir.v1.FailureKind[t.failureKind] ?? String(t.failureKind)).replace(
        /^FAILURE_KIND_/,
        "",
      );
    if (options.curves)
      row.curve = (t.measurements ?? []).map(
        (m): CurvePoint => ({
          step: num(m.step),
          metrics: Object.fromEntries(Object.entries(m.metrics ?? {}).map(([k, v]) => [k, Number(v)])),
        }),
      );
    return row;
  });
  return {
    from: "journal",
    study,
    stepBudget,
    stepBudgetFrom: stepBudget === null ? null : "study",
    columns: { state: true, source: true, listIndex: true, steps: true },
    trials: rows,
  };
}

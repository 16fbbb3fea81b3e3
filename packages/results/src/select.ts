/**
 * Which trials are i.i.d. draws of the final metric, the only trials the tuning-curve and noisy-quadratic
 * analysis may use (Lourie et al. 2024, 2025: the tuning curve of random search is the distribution of the
 * maximum of k i.i.d. draws, so every trial of the sample must be an independent draw of the same random
 * variable: a point drawn by random or quasi-random search, trained to the full step budget, its outcome
 * whatever it was). Every other trial is counted and returned apart with the reason. The rules and their
 * reasons are in this package's README.
 */
import { ResultsError } from "./errors.js";
import { RANDOM_SAMPLERS } from "./source.js";
import type { TrialRow, TrialTable } from "./table.js";

/** Options of {@link selectIid}. */
export interface SelectIidOptions {
  /** The analysed metric (a final-metric name of the table). */
  metric: string;
  direction: "minimize" | "maximize";
  /** Lowest possible score (an error rate: 0); used as the worst score of a diverged/failed maximize trial. */
  lower?: number;
  /** Highest possible score (an error rate: 1); used as the worst score of a diverged/failed minimize trial. */
  upper?: number;
  /** List points: held apart and compared with the curve ("separate", default) or taken as draws ("include"). */
  lists?: "separate" | "include";
}

/** Groups of trials kept out of (or added to) the sample, each with its reason. */
export type SelectionGroupName =
  | "list"
  | "adaptive"
  | "grid"
  | "replicate"
  | "unfinished"
  | "pruned"
  | "infeasible"
  | "diverged"
  | "failed"
  | "environment"
  | "short"
  | "missing_score";

/** A list point's outcome, for the list-vs-random comparison. */
export interface ListPoint {
  /** 1-based position in the list (list_index + 1), the k at which the list's best is compared. */
  index: number;
  trial: number;
  state: string | null;
  /** The metric when the point completed at the full budget with a finite score; else null. */
  score: number | null;
}

/** One group of the selection (JSON-ready: goes into the analysis JSON's `selection.groups`). */
export interface SelectionGroup {
  group: SelectionGroupName;
  count: number;
  /** True when the group's trials are in the sample (diverged/failed trials counted at the worst bound). */
  in_sample: boolean;
  /** The score they were counted at, for in-sample diverged/failed groups. */
  counted_at?: number;
  reason: string;
  /** Trial ids, in table order. */
  trials: number[];
  /** For `list`: each point's outcome in list order. */
  points?: ListPoint[];
}

/** A warning or note: a stable code and a sentence for the report. */
export interface SelectionMessage {
  code: string;
  message: string;
  count?: number;
}

/** The `selection` field of the analysis JSON. */
export interface SelectionSummary {
  metric: string;
  direction: "minimize" | "maximize";
  /** The rule in one line. */
  rule: string;
  /** Trials in the table. */
  trials: number;
  /** Scores in the sample (draws, including diverged/failed ones counted at the worst bound). */
  sample_count: number;
  groups: SelectionGroup[];
  /** Things that change what the numbers mean; shown next to them. */
  warnings: SelectionMessage[];
  /** Assumptions the selection had to make. */
  notes: SelectionMessage[];
}

/** What {@link selectIid} returns. */
export interface Selection {
  /** The i.i.d. sample of the metric, in table order. */
  scores: number[];
  /** The trial of each score (parallel to `scores`). */
  sampleTrials: TrialRow[];
  /** List points with a usable score, by list position: the report's list-vs-random points. */
  listPoints: { index: number; score: number }[];
  /** JSON-ready summary: put it in the analysis JSON as `selection`. */
  summary: SelectionSummary;
}

const UNFINISHED = new Set(["QUEUED", "RUNNING", "PAUSED", "STOPPING", "PREEMPTED", "ABANDONED"]);

const REASONS: Record<SelectionGroupName, string> = {
  list: "points of a hyperparameter list: chosen, not drawn; compared with the random-search curve instead",
  adaptive:
    "proposed by an adaptive suggester (each point depends on earlier results): not i.i.d. draws; shown as best so far, without random-search claims",
  grid: "grid points: a fixed lattice enumerated in order, not independent draws from the search space",
  replicate:
    "further seeds of a point already in the sample: they share its configuration, so they are not independent draws of the search; the first seed of each point is used",
  unfinished: "not finished (queued, running, paused, preempted or abandoned): no outcome yet",
  pruned:
    "stopped early by an early-stopping rule: right-censored (their score at the full budget is unknown), not draws of the final metric",
  infeasible:
    "the configuration could not be evaluated (a constraint or a materialisation failure): a property of the point, not a score; the curve describes random search over the feasible part of the space",
  diverged: "diverged (NaN/Inf): an outcome of random search, the worst possible score",
  failed:
    "failed after every attempt (an error, out of memory, a timeout): an outcome of the drawn point as far as the record tells",
  environment:
    "failed for a reason of the environment (a missing dependency, a broken installation): says nothing about the point; left out",
  short:
    "completed before the step budget (stopped at the target, or the worker reported fewer steps): not the final metric at the full budget",
  missing_score: "no usable value of the metric (empty, NaN, infinite or not a number)",
};

function describeDir(d: "minimize" | "maximize"): string {
  return d === "minimize"
    ? "the upper bound (the worst score when minimizing)"
    : "the lower bound (the worst score when maximizing)";
}

/**
 * Splits a trial table into the i.i.d. sample of `metric` and the groups shown apart.
 *
 * A trial is in the sample when (in this order of checks): it finished; it was proposed by random or
 * Halton search (also a list's random/Halton fallback, an import from a random or QMC sampler, an import
 * whose sampler is unknown (with a warning), or any row of a file without a source column); it is the
 * first replicate of its point; and it either COMPLETED at the full step budget with a finite score, or
 * DIVERGED/FAILED (not for an environment reason) and the study declares the score's worst bound
 * (`upper` when minimizing, `lower` when maximizing), at which it is counted. Warnings: pruned search
 * trials (the survivors are a selected subset), diverged/failed trials left out (the curve is
 * optimistic), imported non-random or unknown samplers. Notes: what had to be assumed for lack of columns.
 *
 * Throws ResultsError("invalid_argument") for an empty metric, an unknown direction or bounds that are not
 * finite or out of order.
 */
export function selectIid(table: TrialTable, options: SelectIidOptions): Selection {
  const { metric, direction } = options;
  if (!metric) throw new ResultsError("invalid_argument", "metric", "name the metric to analyse");
  if (direction !== "minimize" && direction !== "maximize")
    throw new ResultsError(
      "invalid_argument",
      "direction",
      `must be "minimize" or "maximize", got ${JSON.stringify(direction)}`,
    );
  for (const k of ["lower", "upper"] as const) {
    const v = options[k];
    if (v !== undefined && !Number.isFinite(v))
      throw new ResultsError(
        "invalid_argument",
        k,
        `the score's ${k} bound must be a finite number, got ${v}`,
      );
  }
  if (options.lower !== undefined && options.upper !== undefined && options.lower >= options.upper)
    throw new ResultsError(
      "invalid_argument",
      "lower",
      `the lower bound (${options.lower}) must be below the upper bound (${options.upper})`,
    );
  const worst = direction === "minimize" ? options.upper : options.lower;
  const lists = options.lists ?? "separate";

  const groups = new Map<SelectionGroupName, TrialRow[]>();
  const put = (g: SelectionGroupName, t: TrialRow) => {
    const a = groups.get(g);
    if (a) a.push(t);
    else groups.set(g, [t]);
  };
  const scores: number[] = [];
  const sampleTrials: TrialRow[] = [];
  const importedUnknown: TrialRow[] = [];
  const importedAdaptive = new Map<string, number>();
  let searchTrials = 0;
  let prunedSearch = 0;
  let listsIncluded = 0;
  let unknownSource = 0;

  const scoreOf = (t: TrialRow): number | undefined => {
    const v = t.metrics[metric];
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  };

  for (const t of table.trials) {
    if (t.state !== null && UNFINISHED.has(t.state)) {
      put("unfinished", t);
      continue;
    }
    const o = t.origin;
    const isList = t.listIndex !== null || o.kind === "list";
    if (isList && lists === "separate") {
      put("list", t);
      continue;
    }
    if (isList) listsIncluded += 1;
    else {
      if (o.kind === "unknown") unknownSource += 1;
      if (o.kind === "external" || o.kind === "other") {
        put("adaptive", t);
        continue;
      }
      if (o.kind === "grid") {
        put("grid", t);
        continue;
      }
      if (o.kind === "imported") {
        if (o.sampler === null) importedUnknown.push(t);
        else if (o.sampler === "grid") {
          put("grid", t);
          continue;
        } else if (!RANDOM_SAMPLERS.has(o.sampler))
          importedAdaptive.set(o.sampler, (importedAdaptive.get(o.sampler) ?? 0) + 1);
      }
    }
    if (t.replicate > 0) {
      put("replicate", t);
      continue;
    }
    searchTrials += 1;
    switch (t.state) {
      case "PRUNED":
        prunedSearch += 1;
        put("pruned", t);
        continue;
      case "INFEASIBLE":
        put("infeasible", t);
        continue;
      case "FAILED":
      case "DIVERGED": {
        // An environment failure (missing dependency, broken installation) is not the point's outcome.
        const g =
          t.state === "DIVERGED" ? "diverged" : t.failureKind === "ENVIRONMENT" ? "environment" : "failed";
        put(g, t);
        if (g !== "environment" && worst !== undefined) {
          scores.push(worst);
          sampleTrials.push(t);
        }
        continue;
      }
      default:
        break;
    }
    // COMPLETED, or no state recorded.
    if (t.fullBudget === false) {
      put("short", t);
      continue;
    }
    const s = scoreOf(t);
    if (s === undefined) {
      put("missing_score", t);
      continue;
    }
    scores.push(s);
    sampleTrials.push(t);
  }

  const out: SelectionGroup[] = [];
  const order: SelectionGroupName[] = [
    "list",
    "adaptive",
    "grid",
    "pruned",
    "diverged",
    "failed",
    "environment",
    "infeasible",
    "short",
    "missing_score",
    "replicate",
    "unfinished",
  ];
  const listPointsAll: ListPoint[] = [];
  for (const g of order) {
    const ts = groups.get(g);
    if (!ts?.length) continue;
    const inSample = (g === "diverged" || g === "failed") && worst !== undefined;
    const grp: SelectionGroup = {
      group: g,
      count: ts.length,
      in_sample: inSample,
      reason:
        g === "diverged" || g === "failed"
          ? `${REASONS[g]}; ${inSample ? `counted at ${describeDir(direction)}, ${worst}` : "left out: the study declares no worst bound of the score"}`
          : REASONS[g],
      trials: ts.map((t) => t.trial),
    };
    if (inSample) grp.counted_at = worst as number;
    if (g === "list") {
      grp.points = ts
        .filter((t) => t.listIndex !== null)
        .map(
          (t): ListPoint => ({
            index: (t.listIndex as number) + 1,
            trial: t.trial,
            state: t.state,
            score:
              (t.state === null || t.state === "COMPLETED") && t.fullBudget !== false
                ? (scoreOf(t) ?? null)
                : null,
          }),
        )
        .sort((a, b) => a.index - b.index || a.trial - b.trial);
      listPointsAll.push(...grp.points);
    }
    out.push(grp);
  }

  const warnings: SelectionMessage[] = [];
  const notes: SelectionMessage[] = [];
  if (prunedSearch > 0) {
    const survivors = searchTrials - prunedSearch;
    warnings.push({
      code: "stopper_selected",
      count: prunedSearch,
      message: `an early-stopping rule pruned ${prunedSearch} of ${searchTrials} search trials: the ${survivors} that ran to the full budget are the ones that looked good early, a selected subset rather than i.i.d. draws, so the tuning curve and the fit are optimistic for random search without the stopper (the pruned trials are censored and shown apart)`,
    });
  }
  for (const g of ["diverged", "failed"] as const) {
    const n = groups.get(g)?.length ?? 0;
    if (n > 0 && worst === undefined)
      warnings.push({
        code: `${g}_left_out`,
        count: n,
        message: `${n} ${g} search trial(s) left out: they are outcomes of random search, so the curve is optimistic by that much; declare the score's bounds (--lower/--upper or the study labels nadir.metric_lower/nadir.metric_upper) to count them at the worst score`,
      });
  }
  if (importedAdaptive.size > 0) {
    const names = [...importedAdaptive.entries()].map(([k, n]) => `${k} (${n})`).join(", ");
    const n = [...importedAdaptive.values()].reduce((a, b) => a + b, 0);
    warnings.push({
      code: "imported_not_random",
      count: n,
      message: `${n} imported trial(s) were proposed by a non-random sampler: ${names}. Each point depended on earlier results, so they are not i.i.d. draws: the tuning curve is not the curve of random search and "best after k trials" describes neither sampler exactly; read the numbers as descriptive`,
    });
  }
  if (importedUnknown.length > 0) {
    const systems = [...new Set(importedUnknown.map((t) => t.origin.system ?? "an unnamed system"))].join(
      ", ",
    );
    warnings.push({
      code: "imported_sampler_unknown",
      count: importedUnknown.length,
      message: `${importedUnknown.length} imported trial(s) from ${systems} do not record their sampler; they are analysed as random-search draws, which holds only if the study used a random or quasi-random sampler (Optuna's default sampler is TPE, which is not random); state the sampler when importing to be sure`,
    });
  }
  if (!table.columns.state && !table.columns.source)
    notes.push({
      code: "assumed_iid",
      message:
        "the trials have no state or source columns: the analysis assumes every row with a score is an i.i.d. random-search draw run to the full step budget",
    });
  else if (!table.columns.state)
    notes.push({
      code: "assumed_completed",
      message:
        "the trials have no state column: every row with a score is assumed to have completed normally",
    });
  else if (!table.columns.source)
    notes.push({
      code: "assumed_random",
      message:
        "the trials have no source column: every row that is not a list point is assumed to be a random-search draw",
    });
  if (table.stepBudgetFrom === "inferred")
    notes.push({
      code: "budget_inferred",
      count: table.stepBudget as number,
      message: `the step budget is not recorded: taken as ${table.stepBudget}, the largest final step of the completed trials; trials that completed with fewer steps are shown apart`,
    });
  else if (
    table.columns.state &&
    table.stepBudget === null &&
    table.stepBudgetFrom !== "column" &&
    table.from !== "optuna"
  )
    notes.push({
      code: "budget_unknown",
      message:
        "the study's step budget is unknown: every completed trial is assumed to have run to the full budget",
    });
  if (listsIncluded > 0)
    notes.push({
      code: "lists_included",
      count: listsIncluded,
      message: `${listsIncluded} list point(s) are taken as random-search draws (list trials: include)`,
    });
  if (unknownSource > 0 && table.columns.source)
    notes.push({
      code: "source_unknown",
      count: unknownSource,
      message: `${unknownSource} trial(s) do not record who proposed them: they are assumed to be random-search draws`,
    });

  const summary: SelectionSummary = {
    metric,
    direction,
    rule: "random or Halton search, first seed of each point, run to the full step budget; diverged and failed trials counted at the worst bound when it is declared",
    trials: table.trials.length,
    sample_count: scores.length,
    groups: out,
    warnings,
    notes,
  };
  return {
    scores,
    sampleTrials,
    listPoints: listPointsAll
      .filter((p): p is ListPoint & { score: number } => p.score !== null)
      .map((p) => ({ index: p.index, score: p.score })),
    summary,
  };
}

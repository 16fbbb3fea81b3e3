/**
 * What a study's spec says about its analysis: how many hyperparameters it searches (the bound on the
 * effective dimension c of the noisy quadratic law) and the score's declared bounds.
 */
import { nadir } from "@nadir/protocol";
import { isReplayStudy } from "./replay.js";

type ParameterSpec = nadir.v1.ParameterSpec.$Properties;

/** A parameter is searched when its domain holds more than one value. */
function isSearched(p: ParameterSpec): boolean {
  if (p.fixedDomain) return false;
  if (p.floatDomain) return Number(p.floatDomain.max ?? 0) > Number(p.floatDomain.min ?? 0);
  if (p.intDomain) return Number(p.intDomain.max ?? 0) > Number(p.intDomain.min ?? 0);
  if (p.categoricalDomain) return (p.categoricalDomain.values?.length ?? 0) > 1;
  if (p.discreteDomain) return new Set(p.discreteDomain.values ?? []).size > 1;
  return false;
}

/**
 * The number of searched hyperparameters of a study (or of its search space): every parameter whose
 * domain holds more than one value; fixed parameters and one-value domains are not dimensions. Conditional
 * parameters count (they are searched where active).
 *
 * The noisy quadratic law (Lourie, He, Cho 2025) models the score near the optimum as a quadratic form in
 * the searched hyperparameters, so its effective dimension c cannot exceed their number; opda's own
 * analyses bound c by it. Pass it as the analysis's `maxC` when the search space is known.
 */
export function searchedDimensions(
  study: nadir.v1.StudySpec.$Properties | nadir.v1.SearchSpace.$Properties,
): number {
  const space = "parameters" in study ? study : (study as nadir.v1.StudySpec.$Properties).searchSpace;
  return (space?.parameters ?? []).filter(isSearched).length;
}

/** Names of the searched hyperparameters, in search-space order (for messages: "c ≤ 4: lr, wd, ..."). */
export function searchedParameterNames(
  study: nadir.v1.StudySpec.$Properties | nadir.v1.SearchSpace.$Properties,
): string[] {
  const space = "parameters" in study ? study : (study as nadir.v1.StudySpec.$Properties).searchSpace;
  return (space?.parameters ?? []).filter(isSearched).map((p) => p.name ?? "");
}

/**
 * The score's bounds a study declares through its labels `nadir.metric_lower` / `nadir.metric_upper`
 * (an error rate: 0 and 1); a bound that is absent or not a finite number is left undefined.
 */
export function studyScoreBounds(study: nadir.v1.StudySpec.$Properties): { lower?: number; upper?: number } {
  const out: { lower?: number; upper?: number } = {};
  for (const [k, label] of [
    ["lower", "nadir.metric_lower"],
    ["upper", "nadir.metric_upper"],
  ] as const) {
    const raw = study.labels?.[label];
    if (raw === undefined || raw.trim() === "") continue;
    const x = Number(raw);
    if (Number.isFinite(x)) out[k] = x;
  }
  return out;
}

/**
 * The selection options a study implies: its objective metric and direction, its declared score bounds
 * (labels `nadir.metric_lower`/`nadir.metric_upper`), and where its list points go (a replay study's are
 * recorded random-search draws: "include"; otherwise "separate"). Command-line flags override them.
 */
export function studySelectOptions(study: nadir.v1.StudySpec.$Properties): {
  metric: string;
  direction: "minimize" | "maximize";
  lower?: number;
  upper?: number;
  lists: "include" | "separate";
} {
  const maximize = study.objective?.direction === nadir.v1.Direction.DIRECTION_MAXIMIZE;
  const direction = maximize ? "maximize" : "minimize";
  return {
    metric: study.objective?.metric ?? "",
    direction,
    ...studyScoreBounds(study),
    lists: isReplayStudy(study) ? "include" : "separate",
  };
}

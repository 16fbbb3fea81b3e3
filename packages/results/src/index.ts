/**
 * @nadir/results: one results pipeline for every command.
 *
 * - The trial table ({@link TrialTable}): one typed row per trial with its state, the sampler that proposed
 *   it, replicate, full budget or not, final metrics and optional curve; built from a journal's records
 *   ({@link tableFromStudy}), from parsed rows of a CSV/JSON Lines export ({@link tableFromRows}) or from
 *   an Optuna import ({@link tableFromOptuna}).
 * - The i.i.d. sample ({@link selectIid}): the trials the tuning-curve analysis may use, and every other
 *   trial counted apart with its reason, warnings and notes (the analysis JSON's `selection`).
 * - The study stopper ({@link evaluateStudyStopper}): one evaluation of StudySpec.study_stopper on the
 *   i.i.d. search sample, as the StopperDecision the coordinator journals.
 * - The study's bounds: {@link searchedDimensions} (the effective-dimension bound), {@link studyScoreBounds}.
 *
 * Every error is a {@link ResultsError}.
 */
export { ResultsError, type ResultsErrorCode } from "./errors.js";
export { type StudyTrialRecord, type TableFromStudyOptions, tableFromStudy } from "./from-journal.js";
export {
  parseMetricCell,
  type TableFromOptunaOptions,
  type TableFromRowsOptions,
  type TrialsFileRow,
  tableFromOptuna,
  tableFromRows,
} from "./from-rows.js";
export { isReplayStudy, REPLAY_LABEL } from "./replay.js";
export {
  type ListPoint,
  type SelectIidOptions,
  type Selection,
  type SelectionGroup,
  type SelectionGroupName,
  type SelectionMessage,
  type SelectionSummary,
  selectIid,
} from "./select.js";
export {
  normalizeSampler,
  parseSource,
  RANDOM_SAMPLERS,
  type SourceInfo,
  type SourceKind,
} from "./source.js";
export { searchedDimensions, searchedParameterNames, studyScoreBounds, studySelectOptions } from "./space.js";
export {
  type EvaluateStudyStopperOptions,
  evaluateStudyStopper,
  lowerMedian,
  STUDY_STOPPER_DEFAULTS,
  type StudyStopperEvaluation,
  type StudyStopperRule,
  stopperSample,
  studyStopperRule,
} from "./study-stopper.js";
export {
  type CurvePoint,
  type MetricValue,
  parseState,
  type TableColumns,
  TRIAL_STATES,
  type TrialRow,
  type TrialStateName,
  type TrialTable,
} from "./table.js";

/**
 * @nadir/core: search spaces, reproducible samplers and pre-computed NAdamW hyperparameter lists (Medapati
 * et al. 2025, arXiv:2503.03986): use a built-in list, materialise a list point into an exact optimizer
 * configuration for a step budget, sample a space, read a trials table and build or validate a new list,
 * and the Step Law learning-rate and batch-size law (Li et al. 2025, arXiv:2503.04715). Every argument
 * check throws a {@link CoreError} with a closed `code` and the `path` of the offending field.
 *
 * Sub-entry points hold what most users never call: `@nadir/core/tabular` (CSV / JSON Lines / gzip
 * readers), `@nadir/core/lists` (the pieces of list building: cost matrix, greedy and exhaustive search,
 * expected-best-of-k formulas), `@nadir/core/numerics` (correctly rounded exp/log, Halton bases and
 * scrambles, Python float formatting), `@nadir/core/nadamw` (reference NAdamW update rules) and
 * `@nadir/core/hpobench` (the HPOBench tabular benchmark loader).
 *
 * @module @nadir/core
 */

import * as tabular from "./tabular.js";

export {
  getList,
  getSpace,
  LIST_ALIASES,
  listNames,
  type NadamwList,
  type NadamwListPoint,
  type NamedSpace,
  spaceNames,
} from "./builtins.js";
export {
  CORE_ERROR_CODES,
  CoreError,
  type CoreErrorCode,
  InvalidArgumentError,
  InvalidSpaceError,
  InvalidTrialsError,
  NotFoundError,
  TooLargeError,
} from "./errors.js";
export type { EquivalentBudget } from "./expectation.js";
export {
  type BuildOptions,
  type BuildResult,
  buildList,
  buildResultToJson,
  looTable,
  type TieBreak,
  type WorkloadEvaluation,
} from "./lists.js";
export {
  lrCheckpoints,
  type MaterializedConfig,
  type MaterializeOptions,
  materialize,
  NADAMW_POINT_FIELDS,
  type NadamwVariant,
} from "./materialize.js";
export { RandomState } from "./rng.js";
export {
  gridLevelsFor,
  gridPoints,
  type HaltonOptions,
  haltonSequence,
  type SampleOptions,
  type SamplerKind,
  sample,
} from "./samplers.js";
export {
  learningRateAt,
  type WarmupCosineSchedule,
  type WarmupRounding,
  warmupCosineSchedule,
} from "./schedule.js";
export {
  type Condition,
  type Domain,
  loadSpaceDocument,
  mapUnit,
  materializePoint,
  type ParameterSpec,
  type ParamValue,
  type Point,
  parseSpaceDocument,
  pointFromUnit,
  type Scale,
  type SearchSpace,
  type SpaceDocument,
  type Transform,
  validateSpace,
  validateSpaceDocumentSchema,
} from "./space.js";
export {
  STEP_LAW_COEFFICIENTS,
  STEP_LAW_MOE_RANGE,
  STEP_LAW_PAPER_COEFFICIENTS,
  STEP_LAW_RANGE,
  type StepLawCoefficients,
  type StepLawRecommendation,
  stepLaw,
} from "./steplaw.js";
export {
  type Direction,
  type DuplicatePolicy,
  type MergedDuplicates,
  parseTrialsCsv,
  type ReadTrialsOptions,
  readTrialsTable,
  type TrialRow,
  type TrialsMode,
  type TrialsRead,
  type TrialsTable,
  trialsFromRows,
} from "./trials.js";

// Deprecated re-exports: the tabular readers moved to `@nadir/core/tabular`. Kept so that existing imports
// from the package root keep working; they will be removed in the next minor version.

/** A tabular file format. @deprecated Import from `@nadir/core/tabular`. */
export type TabularFormat = tabular.TabularFormat;
/** @deprecated Import from `@nadir/core/tabular`. */
export const classifyNumber = tabular.classifyNumber;
/** @deprecated Import from `@nadir/core/tabular`. */
export const csvRecords = tabular.csvRecords;
/** @deprecated Import from `@nadir/core/tabular`. */
export const decodeTabularBytes = tabular.decodeTabularBytes;
/** @deprecated Import from `@nadir/core/tabular`. */
export const detectTabularFormat = tabular.detectTabularFormat;
/** @deprecated Import from `@nadir/core/tabular`. */
export const jsonLinesRecords = tabular.jsonLinesRecords;
/** @deprecated Import from `@nadir/core/tabular`. */
export const parseCsvText = tabular.parseCsvText;
/** @deprecated Import from `@nadir/core/tabular`. */
export const parseStrictNumber = tabular.parseStrictNumber;

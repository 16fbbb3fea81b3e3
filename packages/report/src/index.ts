/**
 * @nadir/report: analysis results → vega-lite specs → SVG → one self-contained HTML file. The root holds
 * {@link renderReport}, the input types it validates, the learning-curve readers and the one error root
 * {@link ReportError}. The plot builders are the sub-entry point `@nadir/report/plots`; number and HTML
 * formatting is `@nadir/report/format`.
 *
 * @module @nadir/report
 */

import * as format from "./numbers.js";
import * as plots from "./plots.js";

export { curvesFromExport, curvesFromResults, type ResultsCurveOptions } from "./curves.js";
export {
  REPORT_ERROR_CODES,
  ReportError,
  type ReportErrorCode,
  ReportInputError,
  ReportRenderError,
} from "./errors.js";
export {
  HIGHLIGHTED_CURVES,
  MAX_BACKGROUND_CURVES,
  renderReport,
  SECTION_IDS,
  sampleHtml,
  studyName,
} from "./report.js";
export {
  STOPPING_SECTION_ID,
  STOPPING_TABLE_MAX,
  stoppingHeadline,
  stoppingRowsShown,
  stoppingStoryText,
  stoppingTitle,
} from "./stopping.js";
export {
  type AnalyzeResult,
  CONTINUE_REASONS,
  type ExtrapolationRow,
  type FitSummary,
  type GainRow,
  isListWorkloads,
  isUnavailable,
  type JsonNumber,
  type LearningCurves,
  type ListVsRandom,
  type ListWorkloads,
  type ReportInput,
  type SampleCounts,
  type Section,
  STOP_REASONS,
  type StoppingDecisionView,
  type StoppingStory,
  type TuningCurveRow,
  validateReportInput,
} from "./types.js";

// Deprecated re-exports: plot builders moved to `@nadir/report/plots`, number formatting to
// `@nadir/report/format`. Kept so that existing imports from the package root keep working; they will be
// removed in the next minor version.

/** @deprecated Import from `@nadir/report/plots`. */
export const tuningCurveSpec = plots.tuningCurveSpec;
/** @deprecated Import from `@nadir/report/plots`. */
export const cdfSpec = plots.cdfSpec;
/** @deprecated Import from `@nadir/report/plots`. */
export const listVsRandomSpec = plots.listVsRandomSpec;
/** @deprecated Import from `@nadir/report/plots`. */
export const listWorkloadsSpec = plots.listWorkloadsSpec;
/** @deprecated Import from `@nadir/report/plots`. */
export const learningCurvesSpec = plots.learningCurvesSpec;
/** @deprecated Import from `@nadir/report/plots`. */
export const renderSvg = plots.renderSvg;
/** @deprecated Import from `@nadir/report/plots`. */
export const clipToBounds = plots.clipToBounds;
/** @deprecated Import from `@nadir/report/format`. */
export const formatNumber = format.formatNumber;
/** @deprecated Import from `@nadir/report/format`. */
export const intervalHtml = format.intervalHtml;

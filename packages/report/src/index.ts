/**
 * @nadir/report — analysis results → vega-lite specs → SVG → one self-contained HTML file.
 */

export { curvesFromExport, curvesFromResults, type ResultsCurveOptions } from "./curves.js";
export { ReportInputError, ReportRenderError } from "./errors.js";
export {
  fittedCdf,
  fittedDistribution,
  fittedTuningCurve,
  logGrid,
  type TailDistribution,
} from "./fitted.js";
export { escapeHtml, formatNumber, intervalHtml, toNumber } from "./numbers.js";
export { prefixIds, renderSvg, roundPathData } from "./render.js";
export {
  HIGHLIGHTED_CURVES,
  MAX_BACKGROUND_CURVES,
  renderReport,
  SECTION_IDS,
  sampleHtml,
  studyName,
} from "./report.js";
export {
  type Bounds,
  cdfSpec,
  clipDomain,
  clipToBounds,
  curvesDomain,
  finiteDomain,
  learningCurvesSpec,
  listVsRandomSpec,
  listWorkloadsSpec,
  robustDomain,
  tuningCurveSpec,
} from "./specs.js";
export { dejaVuWidth } from "./text-metrics.js";
export {
  type AnalyzeResult,
  type ExtrapolationRow,
  type FitSummary,
  isListWorkloads,
  isUnavailable,
  type JsonNumber,
  type LearningCurves,
  type ListVsRandom,
  type ListWorkloads,
  type ReportInput,
  type SampleCounts,
  type Section,
  type TuningCurveRow,
  validateReportInput,
} from "./types.js";

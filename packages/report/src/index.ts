/**
 * @nadir/report — analysis results → vega-lite specs → SVG → one self-contained HTML file.
 */
export { renderReport, SECTION_IDS, MAX_BACKGROUND_CURVES, HIGHLIGHTED_CURVES } from "./report.js";
export { ReportInputError, ReportRenderError } from "./errors.js";
export { renderSvg, prefixIds } from "./render.js";
export { cdfSpec, tuningCurveSpec, listVsRandomSpec, learningCurvesSpec, finiteDomain } from "./specs.js";
export { fittedDistribution, fittedTuningCurve, fittedCdf, logGrid, type TailDistribution } from "./fitted.js";
export { toNumber, formatNumber, escapeHtml } from "./numbers.js";
export {
  validateReportInput,
  isUnavailable,
  type AnalyzeResult,
  type ReportInput,
  type Section,
  type LearningCurves,
  type ListVsRandom,
  type JsonNumber,
  type TuningCurveRow,
  type FitSummary,
  type ExtrapolationRow,
} from "./types.js";

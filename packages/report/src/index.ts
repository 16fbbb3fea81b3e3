/**
 * @nadir/report — analysis results → vega-lite specs → SVG → one self-contained HTML file.
 */
export { renderReport, SECTION_IDS, MAX_BACKGROUND_CURVES, HIGHLIGHTED_CURVES } from "./report.js";
export { ReportInputError, ReportRenderError } from "./errors.js";
export { renderSvg, prefixIds } from "./render.js";
export { cdfSpec, tuningCurveSpec, listVsRandomSpec, listWorkloadsSpec, learningCurvesSpec, finiteDomain, robustDomain, curvesDomain } from "./specs.js";
export { fittedDistribution, fittedTuningCurve, fittedCdf, logGrid, type TailDistribution } from "./fitted.js";
export { curvesFromExport, curvesFromResults, type ResultsCurveOptions } from "./curves.js";
export { toNumber, formatNumber, escapeHtml } from "./numbers.js";
export {
  validateReportInput,
  isUnavailable,
  isListWorkloads,
  type ListWorkloads,
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

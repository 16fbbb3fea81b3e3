/**
 * `@nadir/report/plots`: the building blocks of the report's figures, for callers that embed them in their
 * own pages. vega-lite spec builders (each takes plain numbers and a `layout: "wide" | "narrow"`), the
 * fitted noisy-quadratic tail curves drawn next to the empirical ones, and the SVG renderer with id
 * prefixing (so several plots can share one page) and path rounding.
 *
 * @module @nadir/report/plots
 */

export {
  fittedCdf,
  fittedDistribution,
  fittedTuningCurve,
  logGrid,
  type TailDistribution,
} from "./fitted.js";
export { prefixIds, renderSvg, roundPathData } from "./render.js";
export {
  anyClamped,
  type Bounds,
  type CdfPlotInput,
  type CurvesPlotInput,
  cdfSpec,
  clipDomain,
  clipToBounds,
  curvesDomain,
  finiteDomain,
  type ListPlotInput,
  type ListWorkloadsPlotInput,
  learningCurvesSpec,
  listVsRandomSpec,
  listWorkloadsSpec,
  robustDomain,
  type TuningPlotInput,
  tailProbabilityDomain,
  tuningCurveSpec,
  tuningDomain,
} from "./specs.js";
export {
  type StoppingPlotInput,
  stoppingDomain,
  stoppingGainSpec,
  stoppingLogScale,
} from "./stopping-plot.js";
export { dejaVuWidth } from "./text-metrics.js";
export { type Layout, MIN_PLOT_FONT, NARROW_BREAKPOINT, PLOT_SIZE } from "./theme.js";

/**
 * @nadir/analysis — tuning-curve statistics (a TypeScript port of opda's methods).
 * Pure math: arrays of numbers in, numbers out; no I/O.
 */

// ---- Nonparametric (owned by the nonparametric half) ------------------------------------------
export { InvalidArgumentError, NumericalError } from "./special/errors.js";
export {
  EmpiricalDistribution,
  type EmpiricalOptions,
  type QuantileCurveOptions,
  type DirectionOptions,
  type SupportPoint,
} from "./nonparametric/empirical.js";
export {
  confidenceBands,
  bandCumulativeWeights,
  dkwEpsilon,
  ksEpsilon,
  ldCriticalValue,
  ldCoverage,
  ldIntervals,
  type BandMethod,
  type LdKind,
  type ConfidenceBands,
  type ConfidenceBandsOptions,
  type BandCumulative,
} from "./nonparametric/bands.js";
export {
  tuningCurveBands,
  type TuningCurveKind,
  type TuningCurveBand,
  type TuningCurveBandOptions,
} from "./nonparametric/tuning-curve-bands.js";
export { logGamma, logBeta, logBinomialCoefficient } from "./special/gamma.js";
export {
  betaCdf,
  betaSf,
  betaPpf,
  betaIsf,
  betaEqualTailedInterval,
  betaHighestDensityInterval,
  type Interval,
} from "./special/beta.js";
export { binomialPmf } from "./special/binomial.js";
export { brentRoot, type BrentOptions } from "./special/roots.js";
export { kolmogorovSmirnovCdf, kolmogorovSmirnovPpf } from "./special/kolmogorov.js";
export { orderStatisticsBoxProbability } from "./special/order-statistics.js";
// ---- end nonparametric ------------------------------------------------------------------------

// ---- Parametric (the parametric helper appends its export lines below) ------------------------
export { QuadraticDistribution } from "./parametric/quadratic.js";
export { NoisyQuadraticDistribution, type NoisyRegime } from "./parametric/noisy.js";
export { C_MIN, C_MAX } from "./parametric/common.js";
export { partialMoment } from "./parametric/moments.js";
export { createRng, type Rng, type RngLike } from "./parametric/random.js";
export {
  fitNoisyQuadratic,
  fitQuadratic,
  spacingData,
  spacingObjective,
  OptimizationError,
  type Bound,
  type FitCandidate,
  type FitConstraints,
  type FitOptions,
  type FitResult,
  type SpacingData,
} from "./parametric/fit.js";
export {
  consonanceSet,
  extrapolateMedian,
  medianGain,
  standardQuantiles,
  type CdfBand,
  type ConsonanceC,
  type ConsonanceOptions,
  type ConsonanceResult,
  type ExtrapolationPoint,
} from "./parametric/consonance.js";
export { erf, erfc, erfcx, normalCdf, normalPdf, normalPpf, normalSf } from "./special/normal.js";
export { gaussLegendre, integrateAdaptive, integrateGL, integrateTanhSinh, IntegrationError } from "./special/quadrature.js";
export { goldenSection, nelderMead, type MinimizeResult, type NelderMeadOptions } from "./special/optimize.js";
export { analyzeScores, toJsonSafe, type AnalyzeOptions, type AnalyzeResult, type TuningCurvePoint } from "./summary.js";
// ---- end parametric ---------------------------------------------------------------------------
export { histogramQuantile, poolHistograms, suggestEpsilonRange, type EpsilonRange, type EpsilonRangeOptions, type Log10Histogram } from "./epsilon.js";

/**
 * @nadir/analysis — tuning-curve statistics (a TypeScript port of opda's methods).
 * Pure math: arrays of numbers in, numbers out; no I/O.
 */

export {
  type BandCumulative,
  type BandMethod,
  bandCumulativeWeights,
  type ConfidenceBands,
  type ConfidenceBandsOptions,
  type CriticalValueSource,
  confidenceBands,
  dkwEpsilon,
  KS_EXACT_MAX_N,
  ksEpsilon,
  LD_EXACT_INTERVALS_MAX_N,
  LD_EXACT_MAX_N,
  type LdKind,
  ldCoverage,
  ldCriticalValue,
  ldCriticalValueExtrapolated,
  ldIntervals,
  ldIntervalsInterpolated,
  type OrderStatisticIntervals,
} from "./nonparametric/bands.js";
export {
  type DirectionOptions,
  EmpiricalDistribution,
  type EmpiricalOptions,
  type QuantileCurveOptions,
  type SupportPoint,
} from "./nonparametric/empirical.js";
export {
  type TuningCurveBand,
  type TuningCurveBandOptions,
  type TuningCurveKind,
  tuningCurveBands,
} from "./nonparametric/tuning-curve-bands.js";
export {
  betaCdf,
  betaEqualTailedInterval,
  betaHighestDensityInterval,
  betaIsf,
  betaPpf,
  betaSf,
  type Interval,
} from "./special/beta.js";
export { binomialPmf, poissonPmf } from "./special/binomial.js";
// ---- Nonparametric (owned by the nonparametric half) ------------------------------------------
export {
  ANALYSIS_ERROR_CODES,
  AnalysisError,
  type AnalysisErrorCode,
  type AnalysisErrorOptions,
  InvalidArgumentError,
  NumericalError,
} from "./special/errors.js";
export { logBeta, logBinomialCoefficient, logGamma } from "./special/gamma.js";
export {
  kolmogorovSmirnovCdf,
  kolmogorovSmirnovCdfPelzGood,
  kolmogorovSmirnovPpf,
  kolmogorovSmirnovPpfPelzGood,
} from "./special/kolmogorov.js";
export { orderStatisticsBoxProbability } from "./special/order-statistics.js";
export { type BrentOptions, brentRoot } from "./special/roots.js";

// ---- end nonparametric ------------------------------------------------------------------------

// ---- end parametric ---------------------------------------------------------------------------
export {
  type EpsilonRange,
  type EpsilonRangeOptions,
  histogramQuantile,
  type Log10Histogram,
  poolHistograms,
  suggestEpsilonRange,
} from "./epsilon.js";
export { C_MAX, C_MIN } from "./parametric/common.js";
export {
  type CdfBand,
  type ConsonanceC,
  type ConsonanceOptions,
  type ConsonanceResult,
  consonanceSet,
  type ExtrapolationPoint,
  extrapolateMedian,
  medianGain,
  standardQuantiles,
} from "./parametric/consonance.js";
export {
  type Bound,
  type FitCandidate,
  type FitConstraints,
  type FitOptions,
  type FitResult,
  fitNoisyQuadratic,
  fitQuadratic,
  OptimizationError,
  type SpacingData,
  spacingData,
  spacingObjective,
} from "./parametric/fit.js";
export { partialMoment } from "./parametric/moments.js";
export { NoisyQuadraticDistribution, type NoisyRegime } from "./parametric/noisy.js";
// ---- Parametric (the parametric helper appends its export lines below) ------------------------
export { QuadraticDistribution } from "./parametric/quadratic.js";
export { createRng, type Rng, type RngLike } from "./parametric/random.js";
export {
  type ContinuationBound,
  continuationGainBound,
  decideStopping,
  type StoppingDecision,
  type StoppingEvidence,
  type StoppingReason,
  type StoppingRule,
  stoppingEvidence,
  validateStoppingRule,
} from "./parametric/stopping.js";
export { erf, erfc, erfcx, normalCdf, normalPdf, normalPpf, normalSf } from "./special/normal.js";
export {
  goldenSection,
  type MinimizeResult,
  type NelderMeadOptions,
  nelderMead,
} from "./special/optimize.js";
export {
  type AdaptiveOptions,
  gaussLegendre,
  IntegrationError,
  integrateAdaptive,
  integrateGL,
  integrateTanhSinh,
  type QuadratureRule,
} from "./special/quadrature.js";
export {
  type AnalyzeOptions,
  type AnalyzeResult,
  analyzeScores,
  EXACT_K,
  MAX_K,
  type TuningCurvePoint,
  toJsonSafe,
  tuningCurveKs,
} from "./summary.js";

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
  type BandMethod,
  type LdKind,
  type ConfidenceBands,
  type ConfidenceBandsOptions,
  type BandCumulative,
} from "./nonparametric/bands.js";
// ---- end nonparametric ------------------------------------------------------------------------

// ---- Parametric (the parametric helper appends its export lines below) ------------------------
// ---- end parametric ---------------------------------------------------------------------------

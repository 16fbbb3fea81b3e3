/**
 * Error types shared by the nonparametric statistics and the special functions.
 *
 * `InvalidArgumentError` is a `RangeError` so callers that only know the standard hierarchy still
 * recognise bad input; `NumericalError` marks an algorithm that failed to converge (a bug or an
 * input far outside the tested range — never silently returned as NaN).
 */
/** Bad input (out of range, wrong type or shape); thrown before any computation. */
export class InvalidArgumentError extends RangeError {
  override readonly name = "InvalidArgumentError";
}

/** An algorithm failed to converge or to bracket its target (never returned silently as NaN). */
export class NumericalError extends Error {
  override readonly name = "NumericalError";
}

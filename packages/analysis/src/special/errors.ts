/**
 * Error types shared by the nonparametric statistics and the special functions.
 *
 * `InvalidArgumentError` is a `RangeError` so callers that only know the standard hierarchy still
 * recognise bad input; `NumericalError` marks an algorithm that failed to converge (a bug or an
 * input far outside the tested range — never silently returned as NaN).
 */
export class InvalidArgumentError extends RangeError {
  override readonly name = "InvalidArgumentError";
}

export class NumericalError extends Error {
  override readonly name = "NumericalError";
}

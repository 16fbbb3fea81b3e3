/**
 * Typed errors of @nadir/analysis: one root, {@link AnalysisError}, with a closed set of codes.
 *
 * `InvalidArgumentError` (code `invalid_argument`) marks bad input, thrown before any computation;
 * `NumericalError` (code `numerical`) marks an algorithm that failed to converge or to bracket its
 * target (a bug or an input far outside the tested range — never silently returned as NaN). Its
 * subclasses `IntegrationError` (`integration`) and `OptimizationError` (`optimization`) live next to
 * the quadrature and the fits.
 */

/** Machine-readable reason, a closed set, stable for callers that branch on it. */
export type AnalysisErrorCode = "invalid_argument" | "numerical" | "integration" | "optimization";

/** Every value of {@link AnalysisErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const ANALYSIS_ERROR_CODES: readonly AnalysisErrorCode[] = [
  "invalid_argument",
  "numerical",
  "integration",
  "optimization",
];

/** Optional details of an {@link AnalysisError}. */
export interface AnalysisErrorOptions {
  /** The argument the error is about, e.g. `confidence` or `ys[3]`; "" (the default) when none applies. */
  readonly path?: string;
  /** The underlying exception, if any. */
  readonly cause?: unknown;
}

/** Base class of every @nadir/analysis error: the one root this package throws. */
export class AnalysisError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: AnalysisErrorCode;
  /** The argument the problem is about; "" when unknown or global. The message already names it. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param message what exactly, naming the argument and the value
   * @param options the argument's name (`path`) and the underlying exception, if any
   */
  constructor(code: AnalysisErrorCode, message: string, options: AnalysisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? "";
    this.name = new.target.name;
  }
}

/** Bad input (out of range, wrong type or shape); thrown before any computation. */
export class InvalidArgumentError extends AnalysisError {
  /**
   * @param message what is wrong, naming the argument and the value
   * @param options the argument's name (`path`), if known
   */
  constructor(message: string, options?: AnalysisErrorOptions) {
    super("invalid_argument", message, options);
  }
}

/** An algorithm failed to converge or to bracket its target (never returned silently as NaN). */
export class NumericalError extends AnalysisError {
  /**
   * @param message what failed and with which inputs
   * @param options the argument's name (`path`) and the underlying exception, if any
   * @param code `numerical`, or the subclass's own code (`integration`, `optimization`)
   */
  constructor(
    message: string,
    options?: AnalysisErrorOptions,
    code: "numerical" | "integration" | "optimization" = "numerical",
  ) {
    super(code, message, options);
  }
}

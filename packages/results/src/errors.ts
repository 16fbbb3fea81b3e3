/**
 * The one error root of @nadir/results. Every check throws a {@link ResultsError} whose message names the
 * offending row or option in the user's words; `code` is a closed set the CLI maps to exit codes.
 */

/** Machine-readable reason, stable for callers that branch on it. */
export type ResultsErrorCode =
  /** An option or argument is out of its documented domain (a metric name that is empty, bad bounds). */
  | "invalid_argument"
  /** A row of a trials table cannot be read as a trial (unknown state, bad list index, bad trial id). */
  | "invalid_table";

/** Base (and only) error class of @nadir/results. */
export class ResultsError extends Error {
  readonly code: ResultsErrorCode;
  /** Where the problem is (`row 14`, `options.upper`); "" when global. */
  readonly path: string;
  constructor(code: ResultsErrorCode, path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.code = code;
    this.path = path;
    this.name = "ResultsError";
  }
}

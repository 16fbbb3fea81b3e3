/**
 * The one error root of @nadir/report. Everything this package throws is a {@link ReportError} whose `code`
 * is one of {@link ReportErrorCode}: `invalid_input` (a {@link ReportInputError}: the analysis JSON is
 * malformed; `path` names the field), `render_failed` (a {@link ReportRenderError}: vega could not render a
 * plot, a bug in a spec builder, never bad user input) and `invalid_argument` (a helper was called outside its
 * domain; `path` names the argument).
 */

/** Machine-readable reason, a closed set. */
export type ReportErrorCode = "invalid_input" | "render_failed" | "invalid_argument";

/** Every value of {@link ReportErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const REPORT_ERROR_CODES: readonly ReportErrorCode[] = [
  "invalid_input",
  "render_failed",
  "invalid_argument",
];

/** Base class of every @nadir/report error. */
export class ReportError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: ReportErrorCode;
  /** Where: a field of the input (`analysis.ecdf.y[3]`), a plot name or an argument; "" when global. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param path where ("" when global)
   * @param message what exactly, in the user's words
   * @param options the underlying exception, if any
   */
  constructor(code: ReportErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
    this.name = new.target.name;
  }
}

/** The report's input was malformed; `path` names the offending field (e.g. `analysis.ecdf.y[3]`). */
export class ReportInputError extends ReportError {
  /**
   * @param path the offending field, prefixed to the message
   * @param message what is wrong with it
   */
  constructor(path: string, message: string) {
    super("invalid_input", path, `${path}: ${message}`);
  }
}

/** Vega failed to render a plot (a bug in a spec builder, never bad user input); `path` is the plot's name. */
export class ReportRenderError extends ReportError {
  /** The plot that failed, e.g. "tuning-curve". */
  readonly plot: string;
  /**
   * @param plot the plot's name
   * @param cause what vega threw
   */
  constructor(plot: string, cause: unknown) {
    super(
      "render_failed",
      plot,
      `rendering plot "${plot}" failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.plot = plot;
  }
}

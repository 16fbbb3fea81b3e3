/** The report's input was malformed; `path` names the offending field (e.g. `analysis.ecdf.y[3]`). */
export class ReportInputError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "ReportInputError";
    this.path = path;
  }
}

/** Vega failed to render a plot (a bug in a spec builder, never bad user input). */
export class ReportRenderError extends Error {
  readonly plot: string;
  constructor(plot: string, cause: unknown) {
    super(`rendering plot "${plot}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ReportRenderError";
    this.plot = plot;
    this.cause = cause;
  }
}

/**
 * Why an Optuna import failed. `kind` separates a problem with what was read ("input": the journal is
 * malformed, the study does not exist, the storage rejects the URL) from one with the machine
 * ("environment": the Python interpreter for RDB storages cannot run or crashed), so that a caller such as
 * `nadir import optuna` can tell its user whether to fix the data or the setup.
 */
export type OptunaImportErrorKind = "input" | "environment";

/** The one error type this package throws for anything it detects; the message says what and where. */
export class OptunaImportError extends Error {
  constructor(
    message: string,
    readonly kind: OptunaImportErrorKind = "input",
  ) {
    super(message);
    this.name = "OptunaImportError";
  }
}

/**
 * The one error root of @nadir/adapter-optuna: {@link OptunaImportError}, with `code` from the closed set
 * {@link OptunaImportErrorCode}, `path` saying where (a journal line, a file) and `kind` separating a problem
 * with what was read ("input": the journal is malformed, the study does not exist, the storage rejects the
 * URL) from one with the machine ("environment": the Python interpreter for RDB storages cannot run or
 * crashed), so that a caller such as `nadir import optuna` can tell its user whether to fix the data or the
 * setup.
 */

/** Whether the data ("input") or the machine ("environment") is at fault. */
export type OptunaImportErrorKind = "input" | "environment";

/**
 * Machine-readable reason, a closed set:
 * - `file_not_found`, `file_unreadable`: the journal file does not exist or cannot be read;
 * - `malformed_journal`: a line is not JSON, has no or an unknown op code, or holds a value Optuna would
 *   not write (distribution, category index, timestamp, state);
 * - `study_not_found`: the journal has no study of that name (the message lists those it has);
 * - `storage_rejected`: the Python exporter rejected the storage or study (its message is passed on);
 * - `python_unavailable`, `python_failed`: the interpreter cannot be started, or failed otherwise
 *   (kind "environment").
 */
export type OptunaImportErrorCode =
  | "file_not_found"
  | "file_unreadable"
  | "malformed_journal"
  | "study_not_found"
  | "storage_rejected"
  | "python_unavailable"
  | "python_failed";

/** Every value of {@link OptunaImportErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const OPTUNA_IMPORT_ERROR_CODES: readonly OptunaImportErrorCode[] = [
  "file_not_found",
  "file_unreadable",
  "malformed_journal",
  "study_not_found",
  "storage_rejected",
  "python_unavailable",
  "python_failed",
];

/** The one error type this package throws for anything it detects; the message says what and where. */
export class OptunaImportError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: OptunaImportErrorCode;
  /** Where: `journal line 4`, a file path or `study`; "" when global. */
  readonly path: string;
  /** "environment" for `python_unavailable` and `python_failed`, "input" otherwise. */
  readonly kind: OptunaImportErrorKind;
  /**
   * @param code what went wrong
   * @param message what exactly, in the user's words
   * @param path where ("" when global)
   */
  constructor(code: OptunaImportErrorCode, message: string, path = "") {
    super(message);
    this.code = code;
    this.path = path;
    this.kind = code === "python_unavailable" || code === "python_failed" ? "environment" : "input";
    this.name = "OptunaImportError";
  }
}

/**
 * The coordinator's one error root. Every error this package throws on purpose is a
 * {@link CoordinatorError} with a closed {@link CoordinatorErrorCode}, so callers (the CLI's exit codes, a
 * supervisor deciding whether a restart can help) branch on `code`, never on the message or the class
 * name; `path` names the field, flag or file the error is about when there is one. The subclasses keep
 * their names (`StudyValidationError`, `JournalCorruptError`, ...) for `instanceof` checks.
 */

/**
 * Why a coordinator operation failed. The journal's codes keep the upper-case names they were published
 * with (`JOURNAL_*`).
 */
export type CoordinatorErrorCode =
  /** A study file or spec that the coordinator cannot run (StudyValidationError). */
  | "study_invalid"
  /** Coordinator options that cannot work together (CoordinatorConfigError). */
  | "config_invalid"
  /** A suggester that cannot be built for the study (SuggesterConfigError). */
  | "suggester_invalid"
  /** A point that cannot be materialised into an optimizer config (MaterializeError). */
  | "materialize_failed"
  /** A CURVE key or allow-list file that cannot be used (KeyFileError). */
  | "key_file_invalid"
  /** A status query that got no usable answer (StatusQueryError). */
  | "status_query_failed"
  /** An export that cannot be made: unknown study or format (ExportError). */
  | "export_invalid"
  /** Journal damage that is not a torn tail (JournalCorruptError). */
  | "JOURNAL_CORRUPT"
  /** No journal at the path (JournalCorruptError). */
  | "JOURNAL_NOT_FOUND"
  /** A misuse of the journal API (JournalStateError). */
  | "JOURNAL_STATE";

/** Every {@link CoordinatorErrorCode}, for exhaustive checks. */
export const COORDINATOR_ERROR_CODES: readonly CoordinatorErrorCode[] = Object.freeze([
  "study_invalid",
  "config_invalid",
  "suggester_invalid",
  "materialize_failed",
  "key_file_invalid",
  "status_query_failed",
  "export_invalid",
  "JOURNAL_CORRUPT",
  "JOURNAL_NOT_FOUND",
  "JOURNAL_STATE",
]);

/** Base class of every error the coordinator package throws on purpose. */
export class CoordinatorError extends Error {
  /** Why it failed (closed set). */
  readonly code: CoordinatorErrorCode;
  /** The field, flag or file the error is about, when there is one. */
  readonly path: string | undefined;
  constructor(code: CoordinatorErrorCode, message: string, path?: string) {
    super(message);
    this.code = code;
    this.path = path;
    this.name = new.target.name;
  }
}

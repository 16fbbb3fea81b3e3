/**
 * Typed errors of the journal. Every error carries a closed `code` so that callers (the CLI's exit codes,
 * a supervisor deciding whether a restart can help) branch on the code, never on the message.
 */
import { CoordinatorError } from "../errors.js";

/** Why a journal operation failed. */
export type JournalErrorCode =
  /** Damage that is not a torn tail: a bad CRC, length or magic with intact records after it. */
  | "JOURNAL_CORRUPT"
  /** The directory does not exist, is not a directory, or holds no `journal-*.log` segment. */
  | "JOURNAL_NOT_FOUND"
  /** A misuse of the API: append after close, a record too large, a bad option, an --out that exists. */
  | "JOURNAL_STATE";

/** Base class of every journal error (a {@link CoordinatorError}; `path` is the file). */
export class JournalError extends CoordinatorError {
  declare readonly code: JournalErrorCode;
  /** The file the problem is in ("" when it concerns the directory or the API). */
  readonly file: string;
  /** Byte offset of the problem in `file`, when there is one. */
  readonly offset: number | undefined;
  constructor(code: JournalErrorCode, message: string, where: { file?: string; offset?: number } = {}) {
    super(code, message, where.file);
    this.file = where.file ?? "";
    this.offset = where.offset;
  }
}

/**
 * The journal cannot be read as it is: corruption (`JOURNAL_CORRUPT`, with the file and byte offset of the
 * first damaged byte; the files were left exactly as they were) or no journal at the path
 * (`JOURNAL_NOT_FOUND`).
 */
export class JournalCorruptError extends JournalError {
  constructor(
    message: string,
    where: { file?: string; offset?: number; code?: "JOURNAL_CORRUPT" | "JOURNAL_NOT_FOUND" } = {},
  ) {
    super(where.code ?? "JOURNAL_CORRUPT", message, where);
  }
}

/** Thrown by append/compact after close, for a record that cannot be stored, or for bad options. */
export class JournalStateError extends JournalError {
  constructor(message: string) {
    super("JOURNAL_STATE", message);
  }
}

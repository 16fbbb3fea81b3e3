/**
 * @nadir/adapter-optuna: read an existing Optuna study into Nadir's trial records, the rows
 * `nadir analyze` reads.
 *
 * - {@link readOptunaJournal}: a JournalFileBackend log, replayed in TypeScript (no Python needed).
 * - {@link readOptunaStorage}: an RDB storage (SQLite or any SQLAlchemy URL), read by Optuna itself through
 *   the Python SDK, because Node has no SQLite and the schema belongs to Optuna.
 * - {@link toJsonl} / {@link toCsv}: the records as the files `nadir analyze` reads.
 *
 * Every failure this package detects is an {@link OptunaImportError} with a closed `code`.
 *
 * The journal replay itself (`replayOptunaJournal`, `journalRecords`, distribution and timestamp parsing,
 * the Optuna → Nadir state map) is the sub-entry point `@nadir/adapter-optuna/journal`.
 *
 * @module @nadir/adapter-optuna
 */
import { readFileSync } from "node:fs";
import { OptunaImportError } from "./errors.js";
import { journalRecords, replayOptunaJournal } from "./journal.js";
import { type TrialRecord, withSampler } from "./records.js";

export {
  OPTUNA_IMPORT_ERROR_CODES,
  OptunaImportError,
  type OptunaImportErrorCode,
  type OptunaImportErrorKind,
} from "./errors.js";
export {
  type NadirState,
  normalizeSamplerName,
  OPTUNA_STATES,
  type OptunaStateName,
  type ParamValue,
  type TrialRecord,
  toCsv,
  toJsonl,
  withSampler,
} from "./records.js";
export { nadirPython, type ReadOptunaStorageOptions, readOptunaStorage } from "./storage.js";

/** Where a journal comes from: a file path, or its text already in memory. */
export type OptunaJournalSource = { file: string } | { text: string };

/** Options of {@link readOptunaJournal}. */
export interface ReadOptunaJournalOptions {
  /** The study to read. */
  study: string;
  /**
   * The sampler the study used (`tpe`, `TPESampler`, `random`, ...), when known: records then carry
   * `source: imported:<sampler>`. Optuna does not store it; without it the source is `optuna`.
   */
  sampler?: string;
}

/**
 * Every trial of one study in an Optuna JournalFileBackend log, as Nadir records in trial-number order.
 * The log may be in use: an incomplete last line (a writer mid-append) is skipped, as Optuna does.
 *
 * Throws OptunaImportError (kind "input"): `file_not_found` / `file_unreadable` when the file does not exist
 * or cannot be read, `malformed_journal` when a line other than the last is not JSON or has an unknown op
 * code (`path` gives the line), and `study_not_found` when there is no such study (the message lists the
 * studies there are).
 */
export function readOptunaJournal(
  source: OptunaJournalSource,
  options: ReadOptunaJournalOptions,
): TrialRecord[] {
  let text: string;
  if ("text" in source) {
    text = source.text;
  } else {
    try {
      text = readFileSync(source.file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT")
        throw new OptunaImportError(
          "file_not_found",
          `journal file ${source.file} does not exist`,
          source.file,
        );
      throw new OptunaImportError(
        "file_unreadable",
        `cannot read journal file ${source.file}: ${(err as Error).message}`,
        source.file,
      );
    }
  }
  return withSampler(journalRecords(replayOptunaJournal(text), options.study), options.sampler);
}

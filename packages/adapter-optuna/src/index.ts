/**
 * @nadir/adapter-optuna: read an existing Optuna study into Nadir's trial records, the rows
 * `nadir analyze` reads.
 *
 * - {@link readOptunaJournal}: a JournalFileBackend log, replayed in TypeScript (no Python needed).
 * - {@link readOptunaStorage}: an RDB storage (SQLite or any SQLAlchemy URL), read by Optuna itself through
 *   the Python SDK, because Node has no SQLite and the schema belongs to Optuna.
 * - {@link toJsonl} / {@link toCsv}: the records as the files `nadir analyze` reads.
 *
 * Every failure this package detects is an {@link OptunaImportError}.
 */
import { readFileSync } from "node:fs";
import { OptunaImportError } from "./errors.js";
import { journalRecords, replayOptunaJournal } from "./journal.js";
import { type TrialRecord, withSampler } from "./records.js";

export { OptunaImportError, type OptunaImportErrorKind } from "./errors.js";
export {
  isoUtcMicros,
  type JournalStudy,
  type JournalTrial,
  journalRecords,
  journalStudyNames,
  LOCK_STUDY_MARKER,
  type OptunaDistribution,
  type OptunaJournal,
  parseDistribution,
  parsePythonJson,
  replayOptunaJournal,
} from "./journal.js";
export {
  jsonNumber,
  type NadirState,
  normalizeSamplerName,
  OPTUNA_STATES,
  type OptunaStateName,
  type ParamValue,
  STATE_MAP,
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
 * Throws OptunaImportError (kind "input") when the file does not exist or cannot be read, when a line
 * other than the last is not JSON or has an unknown op code (the message gives the line number), and when
 * there is no such study (the message lists the studies there are).
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
      if (code === "ENOENT") throw new OptunaImportError(`journal file ${source.file} does not exist`);
      throw new OptunaImportError(`cannot read journal file ${source.file}: ${(err as Error).message}`);
    }
  }
  return withSampler(journalRecords(replayOptunaJournal(text), options.study), options.sampler);
}

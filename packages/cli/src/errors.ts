/**
 * The CLI's one error class and its one map from error codes to process exit codes. Commands throw
 * `CliError` (or let a package's typed error through); `exitCodeFor` decides the exit code, so the codes
 * mean the same for every command:
 *
 * | code | exit | meaning |
 * |---|---|---|
 * | `usage` | 2 | a flag or argument is malformed, missing, or conflicts with another |
 * | `conflict` | 2 | a flag conflicts with what an existing run directory holds |
 * | `invalid-input` | 1 | a file was read and found wrong (a study, a journal, a results table) |
 * | `environment` | 1 | something outside the input is missing: a Python, an extra, a worker that cannot start |
 * | `interrupted` | 130 | stopped by Ctrl-C / SIGTERM; resumable |
 */
import { CoreError } from "@nadir/core";
import { CommanderError } from "commander";
import { ReadTrialsError } from "./read-trials.js";

/** The closed set of CLI error codes. */
export type CliErrorCode = "usage" | "conflict" | "invalid-input" | "environment" | "interrupted";

/** Exit code of each {@link CliErrorCode}. */
export const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = Object.freeze({
  usage: 2,
  conflict: 2,
  "invalid-input": 1,
  environment: 1,
  interrupted: 130,
});

/** An error the CLI reports in the user's words; `path` is the flag or JSON pointer it is about, if any. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly path: string | undefined;
  constructor(code: CliErrorCode, message: string, path?: string) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.path = path;
  }
}

/** Shorthand for a `usage` error about a flag. */
export function usage(message: string, flag?: string): CliError {
  return new CliError("usage", message, flag);
}

/** Names of the packages' typed errors that mean "the input was read and is wrong or unusable". */
const INPUT_ERRORS = new Set([
  "LocalRunError",
  "ReplayDataError",
  "StudyValidationError",
  "SuggesterConfigError",
  "ExportError",
  "JournalCorruptError",
  "OptunaImportError",
  "CoreError",
  "StatusQueryError",
  "KeyFileError",
  "ReportInputError",
  "SchemaValidationError",
  "CoordinatorConfigError",
]);

/**
 * The exit code for an error a command did not handle itself: a {@link CliError} by its code, a
 * package's typed input error 1, commander's help/version 0 and its parse errors 2, anything else 2
 * (an internal error).
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return EXIT_CODES[err.code];
  // `nadir help`, `--help`, `--version` exit 0; `nadir` without a command shows the help as a usage error.
  if (err instanceof CommanderError)
    return (err.code === "commander.helpDisplayed" ||
      err.code === "commander.help" ||
      err.code === "commander.version") &&
      err.exitCode === 0
      ? 0
      : 2;
  if (err instanceof CoreError || err instanceof ReadTrialsError) return 1;
  // A file the user named that cannot be read (missing, a directory, no permission).
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno === "ENOENT" || errno === "EISDIR" || errno === "EACCES" || errno === "ENOTDIR") return 1;
  if (err instanceof Error && INPUT_ERRORS.has(err.name)) return 1;
  return 2;
}

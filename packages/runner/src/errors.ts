/**
 * Typed errors of @nadir/runner: one root, {@link RunnerError}, with a closed set of codes. Each
 * subclass keeps its own `name` (`LocalRunError`, `ReplayDataError`, `PythonWorkerError`), which the
 * CLI matches to choose the exit code.
 */

/** Machine-readable reason, a closed set, stable for callers that branch on it. */
export type RunnerErrorCode = "local_run" | "replay_data" | "python_worker";

/** Every value of {@link RunnerErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const RUNNER_ERROR_CODES: readonly RunnerErrorCode[] = ["local_run", "replay_data", "python_worker"];

/** Optional details of a {@link RunnerError}. */
export interface RunnerErrorOptions {
  /** The file or argument the error is about (e.g. a dataset file); "" (the default) when none applies. */
  readonly path?: string;
  /** The underlying exception, if any. */
  readonly cause?: unknown;
}

/** Base class of every @nadir/runner error: the one root this package throws. */
export class RunnerError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: RunnerErrorCode;
  /** The file or argument the problem is about; "" when global. The message already names it. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param message what exactly, in the user's words
   * @param options the file or argument (`path`) and the underlying exception, if any
   */
  constructor(code: RunnerErrorCode, message: string, options: RunnerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? "";
    this.name = new.target.name;
  }
}

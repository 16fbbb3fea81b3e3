/**
 * The one error root of @nadir/worker: {@link WorkerError}, with `code` from {@link WorkerErrorCode}.
 * `invalid_argument`: a {@link NadirWorker} option is out of its domain (`path` names it); `refused`: the
 * coordinator refused this worker ({@link WorkerRefusedError}); `trial_failed`: thrown by a training
 * function to end an attempt with a specific failure kind ({@link TrialFailure}).
 */
import type { nadir } from "@nadir/protocol";

/** Machine-readable reason, a closed set. */
export type WorkerErrorCode = "invalid_argument" | "refused" | "trial_failed";

/** Every value of {@link WorkerErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const WORKER_ERROR_CODES: readonly WorkerErrorCode[] = ["invalid_argument", "refused", "trial_failed"];

/** Base class of every @nadir/worker error. */
export class WorkerError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: WorkerErrorCode;
  /** The offending option, e.g. `capacity`; "" when global. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param path the offending option ("" when global)
   * @param message what exactly, in the user's words
   */
  constructor(code: WorkerErrorCode, path: string, message: string) {
    super(message);
    this.code = code;
    this.path = path;
    this.name = new.target.name;
  }
}

/** Throw this from a training function to end the attempt with a specific failure kind. */
export class TrialFailure extends WorkerError {
  /**
   * @param kind the failure kind reported to the coordinator
   * @param message why the attempt failed
   */
  constructor(
    readonly kind: nadir.v1.FailureKind,
    message: string,
  ) {
    super("trial_failed", "", message);
  }
}

/** Raised when the coordinator refuses this worker (Refused). */
export class WorkerRefusedError extends WorkerError {
  /**
   * @param reason the coordinator's nadir.v1.Refused reason
   * @param message what the coordinator said
   */
  constructor(
    readonly reason: number,
    message: string,
  ) {
    super("refused", "", message);
  }
}

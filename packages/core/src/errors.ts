/**
 * Typed errors of @nadir/core. Every argument check throws one of these with a message that names the
 * offending field (`path`) and says what was expected, so the CLI can map them to exit code 1.
 */

/** Machine-readable reason, a closed set, stable for callers that branch on it. */
export type CoreErrorCode =
  | "invalid_argument"
  | "invalid_space"
  | "invalid_trials"
  | "not_found"
  | "too_large";

/** Every value of {@link CoreErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const CORE_ERROR_CODES: readonly CoreErrorCode[] = [
  "invalid_argument",
  "invalid_space",
  "invalid_trials",
  "not_found",
  "too_large",
];

/** Base class of every @nadir/core error: the one root this package throws. */
export class CoreError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: CoreErrorCode;
  /** Where in the input the problem is, e.g. `parameters[2].min` or `trials.csv:14`; "" when global. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param path where in the input ("" when global); prefixed to the message
   * @param message what exactly, in the user's words
   * @param options the underlying exception, if any
   */
  constructor(code: CoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(path ? `${path}: ${message}` : message, options);
    this.code = code;
    this.path = path;
    this.name = new.target.name;
  }
}

/** A function argument is out of its documented domain (wrong type, range or size). */
export class InvalidArgumentError extends CoreError {
  constructor(path: string, message: string) {
    super("invalid_argument", path, message);
  }
}

/** A search-space document does not describe a valid space. */
export class InvalidSpaceError extends CoreError {
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super("invalid_space", path, message, options);
  }
}

/** A trials table (CSV or in-memory rows) is malformed or inconsistent. */
export class InvalidTrialsError extends CoreError {
  constructor(path: string, message: string) {
    super("invalid_trials", path, message);
  }
}

/** A named built-in (list, space) does not exist. */
export class NotFoundError extends CoreError {
  constructor(path: string, message: string) {
    super("not_found", path, message);
  }
}

/** A request would enumerate more items than the stated limit (exhaustive search, grid). */
export class TooLargeError extends CoreError {
  constructor(path: string, message: string) {
    super("too_large", path, message);
  }
}

/** Throws InvalidArgumentError unless `x` is a finite number. */
export function requireFinite(path: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new InvalidArgumentError(path, `expected a finite number, got ${describe(x)}`);
  }
  return x;
}

/** Throws InvalidArgumentError unless `x` is an integer in [min, max]. */
export function requireInt(path: string, x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) {
    throw new InvalidArgumentError(path, `expected an integer in [${min}, ${max}], got ${describe(x)}`);
  }
  return x;
}

/** Short human description of a value for error messages. */
export function describe(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === "number" || typeof x === "boolean" || x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return typeof x;
}

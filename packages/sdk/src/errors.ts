/**
 * The one error root of @nadir/sdk. Its helpers validate their arguments up front and throw an
 * {@link SdkError} whose `code` is one of {@link SdkErrorCode} and whose `path` names the argument.
 */

/** Machine-readable reason, a closed set. */
export type SdkErrorCode = "invalid_argument";

/** Every value of {@link SdkErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const SDK_ERROR_CODES: readonly SdkErrorCode[] = ["invalid_argument"];

/** Base class of every @nadir/sdk error. */
export class SdkError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: SdkErrorCode;
  /** The offending argument or field, e.g. `direction`; "" when global. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param path the offending argument ("" when global)
   * @param message what exactly, in the user's words
   */
  constructor(code: SdkErrorCode, path: string, message: string) {
    super(message);
    this.code = code;
    this.path = path;
    this.name = new.target.name;
  }
}

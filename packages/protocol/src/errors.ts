/**
 * The one error root of @nadir/protocol. Everything this package throws is a {@link ProtocolError} whose
 * `code` is one of {@link ProtocolErrorCode}. Decoding never throws anything else: arbitrary exceptions from
 * the protobuf runtime are caught and mapped onto these classes, so a coordinator can answer a bad frame with
 * a typed `ErrorReply` and carry on.
 */

/**
 * Machine-readable reason, a closed set. The wire codes (`truncated` … `invalid_argument`) are stable across
 * languages (the Python layer uses the same strings); `schema_invalid` is raised by the `assert*` JSON
 * Schema helpers and `internal` only by a bug in this package (a schema that does not compile).
 */
export type ProtocolErrorCode =
  | "truncated"
  | "malformed"
  | "version_mismatch"
  | "oversize"
  | "unknown_body"
  | "frame_count"
  | "invalid_argument"
  | "schema_invalid"
  | "internal";

/** Every value of {@link ProtocolErrorCode}, for exhaustive mapping (e.g. to exit codes). */
export const PROTOCOL_ERROR_CODES: readonly ProtocolErrorCode[] = [
  "truncated",
  "malformed",
  "version_mismatch",
  "oversize",
  "unknown_body",
  "frame_count",
  "invalid_argument",
  "schema_invalid",
  "internal",
];

/** Options of the {@link ProtocolError} constructor. */
export interface ProtocolErrorOptions {
  /** The underlying exception, if any. */
  cause?: unknown;
  /** Where the problem is: a JSON pointer into a document (`/parameters/2/min`) or an argument name. */
  path?: string;
}

/** Base class of every protocol error. `code` says what went wrong; `message` says it precisely. */
export class ProtocolError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: ProtocolErrorCode;
  /** Where: a JSON pointer into a document or an argument name; "" when the error is about the whole input. */
  readonly path: string;
  /**
   * @param code what went wrong
   * @param message what exactly, in the user's words
   * @param options the cause and the path of the offending field
   */
  constructor(code: ProtocolErrorCode, message: string, options?: ProtocolErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options?.path ?? "";
    this.name = new.target.name;
  }
}

/** The bytes end in the middle of a field (a length prefix or varint points past the end). */
export class TruncatedError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("truncated", message, options);
  }
}

/** The bytes are not a valid encoding (bad wire type, bad varint, nesting too deep, wrong field type). */
export class MalformedError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("malformed", message, options);
  }
}

/** The protocol tag frame or the envelope's version is not one this side speaks. */
export class VersionMismatchError extends ProtocolError {
  /** What the peer sent, as text: the tag frame (e.g. "nadir.v2") or "major.minor". */
  readonly received: string;
  /** What this side speaks, e.g. "nadir.v1" or "1.0". */
  readonly supported: string;
  constructor(received: string, supported: string, message?: string) {
    super(
      "version_mismatch",
      message ?? `protocol version mismatch: received ${received}, this side speaks ${supported}`,
    );
    this.received = received;
    this.supported = supported;
  }
}

/** A frame is larger than the configured limit (checked before any decoding). */
export class OversizeError extends ProtocolError {
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number, what = "frame") {
    super("oversize", `${what} of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.size = size;
    this.limit = limit;
  }
}

/** The envelope carries no body, or a body member this side does not know (a newer minor version). */
export class UnknownBodyError extends ProtocolError {
  constructor(message: string) {
    super("unknown_body", message);
  }
}

/** The multipart message has the wrong number of frames for its socket pattern. */
export class FrameCountError extends ProtocolError {
  readonly count: number;
  constructor(count: number, expected: string) {
    super("frame_count", `expected ${expected} frames, got ${count}`);
    this.count = count;
  }
}

/** A caller passed an argument that can never be encoded (e.g. an envelope without body). */
export class InvalidArgumentError extends ProtocolError {
  /**
   * @param message what is wrong with the argument
   * @param path the argument's name, when the message is about one
   */
  constructor(message: string, path = "") {
    super("invalid_argument", message, { path });
  }
}

/** True when `err` is a ProtocolError. */
export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}

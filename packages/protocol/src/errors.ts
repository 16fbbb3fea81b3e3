/**
 * Typed errors for everything that can be wrong with bytes received from a peer. Decoding never throws
 * anything else: arbitrary exceptions from the protobuf runtime are caught and mapped onto these classes,
 * so a coordinator can answer a bad frame with a typed `ErrorReply` and carry on.
 */

/** Machine-readable reason; stable across languages (the Python layer uses the same strings). */
export type ProtocolErrorCode =
  | "truncated"
  | "malformed"
  | "version_mismatch"
  | "oversize"
  | "unknown_body"
  | "frame_count"
  | "invalid_argument";

/** Base class of every protocol error. `code` says what went wrong; `message` says it precisely. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
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
  constructor(message: string) {
    super("invalid_argument", message);
  }
}

/** True when `err` is a ProtocolError. */
export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}

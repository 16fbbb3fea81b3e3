/**
 * Envelope encoding/decoding and ZeroMQ multipart framing (protocols/README.md, "Framing").
 *
 * Frames of one message, by socket pattern:
 *   DEALER -> ROUTER: [tag, envelope]             (ROUTER receives [identity, tag, envelope])
 *   ROUTER -> DEALER: [identity, tag, envelope]   (DEALER receives [tag, envelope])
 *   PUB -> SUB:       [tag "/" study_id, envelope] (SUB filters on the prefix)
 * `tag` is the ASCII string "nadir.v1". There is no empty delimiter frame (that is REQ/REP's convention).
 *
 * @module @nadir/protocol/framing
 */

import {
  FrameCountError,
  InvalidArgumentError,
  MalformedError,
  OversizeError,
  ProtocolError,
  TruncatedError,
  UnknownBodyError,
  VersionMismatchError,
} from "./errors.js";
import { nadir } from "./messages.js";
import { PROTOCOL_MAJOR, PROTOCOL_MINOR, PROTOCOL_TAG, parseProtocolTag } from "./version.js";

/** A decoded envelope (class instance; unset scalar fields read as their proto3 defaults). */
export type Envelope = nadir.v1.Envelope;
/** A plain object that can be encoded as an envelope. */
export type EnvelopeInit = nadir.v1.Envelope.$Properties;
/** Name of an envelope body member, e.g. "hello", "trialReport". */
export type BodyKind = NonNullable<nadir.v1.Envelope["body"]>;
/** The body of an envelope as a discriminated union: switch on `kind`, then `value` is typed. */
export type Body = { [K in BodyKind]: { kind: K; value: NonNullable<nadir.v1.Envelope[K]> } }[BodyKind];
/** An envelope init restricted to exactly one body member. */
export type BodyInit = {
  [K in BodyKind]: { [P in K]: NonNullable<nadir.v1.Envelope.$Properties[K]> };
}[BodyKind];

const BODY_KIND_SET: Record<BodyKind, true> = {
  hello: true,
  welcome: true,
  refused: true,
  goodbye: true,
  heartbeat: true,
  workRequest: true,
  trialAssignment: true,
  trialRejected: true,
  trialReport: true,
  trialCompleted: true,
  trialFailed: true,
  trialStopped: true,
  gradientHistogram: true,
  stopTrial: true,
  drain: true,
  shutdown: true,
  suggestRequest: true,
  suggestResponse: true,
  observeTrials: true,
  earlyStopRequest: true,
  earlyStopResponse: true,
  trialEvent: true,
  studyProgress: true,
  statusRequest: true,
  statusResponse: true,
  ack: true,
  error: true,
};
/** Every body member, in .proto field order. (The Record above fails to compile if one is missing.) */
export const BODY_KINDS: readonly BodyKind[] = Object.freeze(Object.keys(BODY_KIND_SET) as BodyKind[]);

/** Default upper bound on any frame, before decoding: 4 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Longest accepted tag frame ("nadir.v1/" + a study id). */
export const MAX_TAG_BYTES = 256;
/** The tag frame as bytes. */
export const PROTOCOL_TAG_BYTES: Uint8Array = new TextEncoder().encode(PROTOCOL_TAG);

/** Options shared by the encode/decode functions. */
export interface FrameOptions {
  /** Frames larger than this are refused with OversizeError (default DEFAULT_MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
}

function maxBytes(opts: FrameOptions | undefined): number {
  const m = opts?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isSafeInteger(m) || m <= 0) {
    throw new InvalidArgumentError(
      `maxFrameBytes must be a positive safe integer, got ${String(m)}`,
      "maxFrameBytes",
    );
  }
  return m;
}

/** Names of the body members set (non-null) on an envelope init. */
function bodiesSet(init: EnvelopeInit): BodyKind[] {
  const rec = init as Record<string, unknown>;
  return BODY_KINDS.filter((k) => rec[k] !== undefined && rec[k] !== null);
}

/**
 * Builds an envelope init around one body, filling version, message id and send time.
 * @param body e.g. `{ heartbeat: { freeSlots: 1 } }`
 * @param opts messageId (default a random UUID), correlationId, senderId, sentUnixMs (default Date.now())
 */
export function makeEnvelope(
  body: BodyInit,
  opts: { messageId?: string; correlationId?: string; senderId?: string; sentUnixMs?: number } = {},
): EnvelopeInit {
  const kinds = bodiesSet(body as EnvelopeInit);
  if (kinds.length !== 1) {
    throw new InvalidArgumentError(
      `makeEnvelope: body must set exactly one member, got ${kinds.length} (${kinds.join(", ")})`,
      "body",
    );
  }
  return {
    versionMajor: PROTOCOL_MAJOR,
    versionMinor: PROTOCOL_MINOR,
    messageId: opts.messageId ?? globalThis.crypto.randomUUID(),
    ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
    sentUnixMs: opts.sentUnixMs ?? Date.now(),
    ...(opts.senderId ? { senderId: opts.senderId } : {}),
    ...body,
  };
}

/**
 * Encodes an envelope to bytes, after checking that exactly one body member is set, that every field has
 * the right type (generated `verify`), and that the result fits in maxFrameBytes. A missing
 * version_major/minor is filled with this side's version.
 * @throws InvalidArgumentError, OversizeError
 */
export function encodeEnvelope(init: EnvelopeInit, opts?: FrameOptions & { verify?: boolean }): Uint8Array {
  const limit = maxBytes(opts);
  if (typeof init !== "object" || init === null)
    throw new InvalidArgumentError("encodeEnvelope: envelope must be an object");
  const kinds = bodiesSet(init);
  if (kinds.length !== 1) {
    throw new InvalidArgumentError(
      `encodeEnvelope: exactly one body member must be set, got ${kinds.length} (${kinds.join(", ") || "none"})`,
    );
  }
  const full: EnvelopeInit = {
    ...init,
    versionMajor: init.versionMajor || PROTOCOL_MAJOR,
    versionMinor: init.versionMajor ? (init.versionMinor ?? 0) : PROTOCOL_MINOR,
  };
  if (opts?.verify !== false) {
    const problem = nadir.v1.Envelope.verify(full);
    if (problem) throw new InvalidArgumentError(`encodeEnvelope: ${problem}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = nadir.v1.Envelope.encode(full).finish();
  } catch (err) {
    throw new InvalidArgumentError(`encodeEnvelope: ${(err as Error).message}`);
  }
  if (bytes.length > limit) throw new OversizeError(bytes.length, limit, "encoded envelope");
  return bytes;
}

/** Reads a base-128 varint at `pos`; returns [value, next pos]. Values past 2^53 lose precision, harmlessly. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length)
      throw new TruncatedError(`envelope is truncated: varint runs past the end at byte ${pos}`);
    const b = bytes[pos++] as number;
    result += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [result, pos];
    scale *= 128;
  }
  throw new MalformedError(`envelope is malformed: varint longer than 10 bytes at byte ${pos}`);
}

/**
 * Maps an exception thrown by the protobuf runtime while decoding onto a typed error. The runtimes word
 * their errors differently (protobufjs: RangeError "index out of range", "invalid length encoding"; Python:
 * one DecodeError for everything), so the classification is done the same way in both languages: walk the
 * top-level fields; if the last one runs past the end the input is truncated (truncation always cuts the
 * last top-level field), otherwise it is malformed.
 */
function classifyDecodeFailure(bytes: Uint8Array, err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  let pos = 0;
  try {
    while (pos < bytes.length) {
      let key: number;
      [key, pos] = readVarint(bytes, pos);
      const wire = key % 8;
      if (Math.floor(key / 8) === 0)
        return new MalformedError(`envelope is malformed: field number 0 at byte ${pos} (${detail})`, {
          cause: err,
        });
      if (wire === 0) [, pos] = readVarint(bytes, pos);
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        let len: number;
        [len, pos] = readVarint(bytes, pos);
        pos += len;
      } else
        return new MalformedError(`envelope is malformed: wire type ${wire} at byte ${pos} (${detail})`, {
          cause: err,
        });
      if (pos > bytes.length) {
        return new TruncatedError(
          `envelope is truncated: a field runs ${pos - bytes.length} bytes past the end (${detail})`,
          { cause: err },
        );
      }
    }
  } catch (scanErr) {
    if (scanErr instanceof ProtocolError) return scanErr;
  }
  return new MalformedError(`envelope is malformed: ${detail}`, { cause: err });
}

/**
 * Decodes and checks one envelope: size limit first (nothing is parsed past it), then protobuf decoding
 * (exceptions mapped to TruncatedError/MalformedError), then version (major must be PROTOCOL_MAJOR; any
 * minor is accepted, newer minors being additive), then body (exactly one known member).
 * @throws OversizeError, TruncatedError, MalformedError, VersionMismatchError, UnknownBodyError
 */
export function decodeEnvelope(bytes: Uint8Array, opts?: FrameOptions): Envelope {
  const limit = maxBytes(opts);
  if (!(bytes instanceof Uint8Array))
    throw new InvalidArgumentError("decodeEnvelope: bytes must be a Uint8Array");
  if (bytes.length > limit) throw new OversizeError(bytes.length, limit, "envelope frame");
  if (bytes.length === 0) throw new TruncatedError("envelope frame is empty");
  let env: Envelope;
  try {
    env = nadir.v1.Envelope.decode(bytes);
  } catch (err) {
    throw classifyDecodeFailure(bytes, err);
  }
  if (env.versionMajor === 0) {
    throw new MalformedError("envelope has no version_major (field 1); not a Nadir envelope");
  }
  if (env.versionMajor !== PROTOCOL_MAJOR) {
    throw new VersionMismatchError(
      `${env.versionMajor}.${env.versionMinor}`,
      `${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`,
    );
  }
  if (!env.body) {
    throw new UnknownBodyError(
      env.$unknowns?.length
        ? `envelope ${JSON.stringify(env.messageId)} has no body member this side knows (protocol ${env.versionMajor}.${env.versionMinor}; unknown fields present)`
        : `envelope ${JSON.stringify(env.messageId)} has no body`,
    );
  }
  return env;
}

/** Returns the body of a decoded envelope as `{ kind, value }`. @throws UnknownBodyError when there is none */
export function bodyOf(env: Envelope): Body {
  const kind = env.body;
  if (!kind) throw new UnknownBodyError("envelope has no body");
  return { kind, value: env[kind] } as Body;
}

/** A decoded multipart message. */
export interface DecodedMessage {
  /** ROUTER routing identity (only when decoding with `identity: true`). */
  identity?: Uint8Array;
  /** PUB topic suffix after "nadir.v1/" (only when the tag frame carried one). */
  topic?: string;
  envelope: Envelope;
}

function checkTag(frame: Uint8Array): string | undefined {
  if (frame.length > MAX_TAG_BYTES)
    throw new OversizeError(frame.length, MAX_TAG_BYTES, "protocol tag frame");
  // latin1: every byte maps to one char, so no decoding error is possible on hostile input.
  const text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("latin1");
  const slash = text.indexOf("/");
  const tag = slash === -1 ? text : text.slice(0, slash);
  const major = parseProtocolTag(tag);
  if (major === undefined) {
    throw new MalformedError(`first frame is not a Nadir protocol tag: ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (major !== PROTOCOL_MAJOR) throw new VersionMismatchError(tag, PROTOCOL_TAG);
  return slash === -1 ? undefined : text.slice(slash + 1);
}

/**
 * Encodes an envelope as the frames a DEALER (or PUB, with `topic`) sends: [tag, envelope]. A ROUTER
 * prepends the peer identity: `[identity, ...encodeFrames(env)]`.
 */
export function encodeFrames(
  init: EnvelopeInit,
  opts?: FrameOptions & { topic?: string; verify?: boolean },
): Uint8Array[] {
  const payload = encodeEnvelope(init, opts);
  if (opts?.topic === undefined) return [PROTOCOL_TAG_BYTES, payload];
  const tag = new TextEncoder().encode(`${PROTOCOL_TAG}/${opts.topic}`);
  if (tag.length > MAX_TAG_BYTES)
    throw new InvalidArgumentError(`topic makes the tag frame ${tag.length} bytes (max ${MAX_TAG_BYTES})`);
  return [tag, payload];
}

/**
 * Decodes a received multipart message. With `identity: true` (ROUTER side) the first frame is the
 * routing identity and 3 frames are expected, otherwise 2. Frame count and sizes are checked before any
 * decoding, so hostile input costs O(1) work beyond the bytes already received.
 * @throws FrameCountError, OversizeError, MalformedError, VersionMismatchError, TruncatedError, UnknownBodyError
 */
export function decodeFrames(
  frames: readonly Uint8Array[],
  opts?: FrameOptions & { identity?: boolean },
): DecodedMessage {
  const expected = opts?.identity ? 3 : 2;
  if (!Array.isArray(frames) || frames.length !== expected) {
    throw new FrameCountError(Array.isArray(frames) ? frames.length : 0, String(expected));
  }
  for (const f of frames)
    if (!(f instanceof Uint8Array))
      throw new InvalidArgumentError("decodeFrames: every frame must be a Uint8Array");
  const identity = opts?.identity ? frames[0] : undefined;
  const tagFrame = frames[expected - 2] as Uint8Array;
  const payload = frames[expected - 1] as Uint8Array;
  const topic = checkTag(tagFrame);
  const envelope = decodeEnvelope(payload, opts);
  const out: DecodedMessage = { envelope };
  if (identity) out.identity = identity;
  if (topic !== undefined) out.topic = topic;
  return out;
}

/** Wire error codes (nadir.v1.ErrorCode) for each ProtocolError code. */
export function wireErrorCode(err: ProtocolError): nadir.v1.ErrorCode {
  const C = nadir.v1.ErrorCode;
  switch (err.code) {
    case "oversize":
      return C.ERROR_CODE_OVERSIZE;
    case "version_mismatch":
      return C.ERROR_CODE_VERSION_MISMATCH;
    case "unknown_body":
      return C.ERROR_CODE_UNKNOWN_BODY;
    case "invalid_argument":
      return C.ERROR_CODE_INVALID_ARGUMENT;
    default:
      return C.ERROR_CODE_MALFORMED;
  }
}

/** The `ErrorReply` body a receiver sends back for a frame that failed to decode. */
export function errorReplyFor(err: ProtocolError): { error: nadir.v1.ErrorReply.$Properties } {
  return { error: { code: wireErrorCode(err), message: err.message } };
}

/** Options for canonical JSON (proto3 JSON mapping: lowerCamelCase names, int64 as strings, enum names). */
export const CANONICAL_JSON_OPTIONS = Object.freeze({
  longs: String,
  enums: String,
  bytes: String,
  json: true,
  defaults: false,
});

/** Converts a decoded envelope to its canonical proto3 JSON object (what Python's json_format produces). */
export function envelopeToJson(env: Envelope): Record<string, unknown> {
  return nadir.v1.Envelope.toObject(env, CANONICAL_JSON_OPTIONS) as Record<string, unknown>;
}

/**
 * Builds an envelope from canonical proto3 JSON.
 * @throws InvalidArgumentError when a field has the wrong type
 */
export function envelopeFromJson(json: unknown): Envelope {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InvalidArgumentError("envelopeFromJson: expected a JSON object");
  }
  try {
    return nadir.v1.Envelope.fromObject(json as Record<string, unknown>);
  } catch (err) {
    throw new InvalidArgumentError(`envelopeFromJson: ${(err as Error).message}`);
  }
}

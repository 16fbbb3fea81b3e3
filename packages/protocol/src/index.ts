/**
 * @nadir/protocol: the Nadir trial-exchange protocol v1 for TypeScript. The root holds what users of the
 * protocol call: the generated message classes (`nadir.v1.*`, `v1.*`), version negotiation, the JSON
 * Schemas of the user-facing study and search-space files with their validators and converters, and the one
 * error root {@link ProtocolError}. Envelope framing (bytes ↔ multipart messages, size limits) is the
 * sub-entry point `@nadir/protocol/framing`. Knows bytes and schemas, never sockets.
 *
 * @module @nadir/protocol
 */

import * as framing from "./framing.js";

export * from "./convert.js";
export * from "./errors.js";
export * from "./key-proof.js";
export { nadir, v1 } from "./messages.js";
export * from "./schema.js";
export * from "./version.js";

// Deprecated re-exports: framing moved to `@nadir/protocol/framing`. Kept so that existing imports from the
// package root keep working; they will be removed in the next minor version.

/** An envelope as decoded from bytes. @deprecated Import from `@nadir/protocol/framing`. */
export type Envelope = framing.Envelope;
/** The plain-object form of a body, one key set. @deprecated Import from `@nadir/protocol/framing`. */
export type BodyInit = framing.BodyInit;
/** The default per-frame size limit, 4 MiB. @deprecated Import from `@nadir/protocol/framing`. */
export const DEFAULT_MAX_FRAME_BYTES = framing.DEFAULT_MAX_FRAME_BYTES;
/** The protocol tag frame ("nadir.v1") as bytes. @deprecated Import from `@nadir/protocol/framing`. */
export const PROTOCOL_TAG_BYTES = framing.PROTOCOL_TAG_BYTES;
/** One envelope to bytes, with size and body checks. @deprecated Import from `@nadir/protocol/framing`. */
export const encodeEnvelope = framing.encodeEnvelope;
/** A multipart message to its envelope, with typed errors. @deprecated Import from `@nadir/protocol/framing`. */
export const decodeFrames = framing.decodeFrames;
/** The `ErrorReply` body to send back for a protocol error. @deprecated Import from `@nadir/protocol/framing`. */
export const errorReplyFor = framing.errorReplyFor;

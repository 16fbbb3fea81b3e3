/**
 * Protocol versioning. The major version is part of the package name (`nadir.v1`) and of the tag frame
 * ("nadir.v1"); a different major is never compatible. The minor version grows with additive changes
 * (new fields, messages, enum values, body members) and both sides speak min(own minor, peer minor).
 */

import { InvalidArgumentError } from "./errors.js";

/** Major version of this protocol (`package nadir.v1`). */
export const PROTOCOL_MAJOR = 1;
/** Minor version of the .proto files in this release. Bump on every additive change. */
export const PROTOCOL_MINOR = 0;
/** First frame of every multipart message (see protocols/README.md, "Framing"). */
export const PROTOCOL_TAG = `nadir.v${PROTOCOL_MAJOR}`;

/** A protocol version as carried by the envelope (version_major, version_minor). */
export interface ProtocolVersion {
  major: number;
  minor: number;
}

/** This side's version. */
export const CURRENT_VERSION: Readonly<ProtocolVersion> = Object.freeze({
  major: PROTOCOL_MAJOR,
  minor: PROTOCOL_MINOR,
});

/** Formats a version as "major.minor". */
export function formatVersion(v: ProtocolVersion): string {
  return `${v.major}.${v.minor}`;
}

/**
 * Parses a tag frame such as "nadir.v1". Returns the major version, or undefined when the text is not a
 * Nadir tag at all (which is "malformed" rather than "version mismatch").
 */
export function parseProtocolTag(tag: string): number | undefined {
  const m = /^nadir\.v([1-9][0-9]{0,8})$/.exec(tag);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Result of a version negotiation. */
export type Negotiation =
  | { ok: true; major: number; minor: number }
  | { ok: false; reason: "version_mismatch"; message: string; supported: ProtocolVersion[] };

/**
 * Negotiates the version two peers speak: compatible when the majors are equal and the peer's minor is at
 * least `minPeerMinor` (default 0); the agreed minor is min(own, peer). Used by the coordinator on Hello
 * (answering Refused{REFUSAL_REASON_VERSION_MISMATCH} when not ok) and by peers on Welcome.
 */
export function negotiateVersion(
  peer: ProtocolVersion,
  own: ProtocolVersion = CURRENT_VERSION,
  minPeerMinor = 0,
): Negotiation {
  for (const [name, v] of [
    ["peer", peer],
    ["own", own],
  ] as const) {
    if (!Number.isInteger(v.major) || v.major < 0 || !Number.isInteger(v.minor) || v.minor < 0) {
      throw new InvalidArgumentError(
        `negotiateVersion: ${name} version must have non-negative integer major and minor, got ${JSON.stringify(v)}`,
        name,
      );
    }
  }
  const supported = [{ major: own.major, minor: own.minor }];
  if (peer.major !== own.major) {
    return {
      ok: false,
      reason: "version_mismatch",
      message: `peer speaks protocol ${formatVersion(peer)}, this side speaks major ${own.major} (${formatVersion(own)})`,
      supported,
    };
  }
  if (peer.minor < minPeerMinor) {
    return {
      ok: false,
      reason: "version_mismatch",
      message: `peer speaks protocol ${formatVersion(peer)}, this side needs at least ${own.major}.${minPeerMinor}`,
      supported,
    };
  }
  return { ok: true, major: own.major, minor: Math.min(own.minor, peer.minor) };
}

// One error root: every public function of @nadir/protocol that rejects its input throws a ProtocolError
// whose code is in the closed set, with the path of the offending field where one applies.
import { describe, expect, it } from "vitest";
import {
  decodeEnvelope,
  decodeFrames,
  encodeEnvelope,
  envelopeFromJson,
  makeEnvelope,
  PROTOCOL_TAG_BYTES,
} from "../src/framing.js";
import {
  assertSearchSpace,
  assertStudy,
  InvalidArgumentError,
  negotiateVersion,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  type ProtocolErrorCode,
  SchemaValidationError,
  studyToSpec,
  toParameterValue,
} from "../src/index.js";

/** Runs `f` and returns the ProtocolError it throws (failing when it throws anything else or nothing). */
function thrown(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect(PROTOCOL_ERROR_CODES).toContain((err as ProtocolError).code);
    return err as ProtocolError;
  }
  throw new Error("expected a ProtocolError, nothing was thrown");
}

function expectCode(f: () => unknown, code: ProtocolErrorCode, path = ""): ProtocolError {
  const err = thrown(f);
  expect(err.code).toBe(code);
  expect(err.path).toBe(path);
  expect(err.name).toBe(err.constructor.name);
  return err;
}

describe("ProtocolError is the one root, with closed codes and paths", () => {
  it("negotiateVersion: invalid_argument naming the version", () => {
    expectCode(() => negotiateVersion({ major: 1.5, minor: 0 }), "invalid_argument", "peer");
    expectCode(
      () => negotiateVersion({ major: 1, minor: 0 }, { major: 1, minor: -1 }),
      "invalid_argument",
      "own",
    );
  });

  it("assertStudy / assertSearchSpace: schema_invalid with the first issue's JSON pointer", () => {
    const s = thrown(() => assertStudy({ id: "x" })) as SchemaValidationError;
    expect(s).toBeInstanceOf(SchemaValidationError);
    expect(s.code).toBe("schema_invalid");
    expect(s.issues.length).toBeGreaterThan(0);
    expect(s.path).toBe(s.issues[0]?.pointer);
    const p = thrown(() =>
      assertSearchSpace({ parameters: [{ name: "lr", type: "float", min: 1, max: 0.1, scale: "log" }] }),
    ) as SchemaValidationError;
    expect(p.code).toBe("schema_invalid");
    expect(p.path).toMatch(/^\/parameters\/0/);
    expect(p.path).toBe(p.issues[0]?.pointer);
  });

  it("toParameterValue / studyToSpec: invalid_argument", () => {
    expectCode(() => toParameterValue(Number.NaN), "invalid_argument");
    const e = expectCode(
      () => studyToSpec({ searchSpace: "space.json" } as unknown as Parameters<typeof studyToSpec>[0]),
      "invalid_argument",
      "/searchSpace",
    );
    expect(e).toBeInstanceOf(InvalidArgumentError);
  });

  it("framing: invalid_argument, truncated, oversize, frame_count, version_mismatch, malformed", () => {
    expectCode(() => makeEnvelope({} as never), "invalid_argument", "body");
    expectCode(
      () => encodeEnvelope(makeEnvelope({ heartbeat: { freeSlots: 1 } }), { maxFrameBytes: 0 }),
      "invalid_argument",
      "maxFrameBytes",
    );
    expectCode(() => encodeEnvelope(null as never), "invalid_argument");
    expectCode(() => envelopeFromJson([]), "invalid_argument");
    expectCode(() => decodeEnvelope(new Uint8Array()), "truncated");
    expectCode(() => decodeEnvelope(new Uint8Array(10), { maxFrameBytes: 4 }), "oversize");
    expectCode(() => decodeFrames([PROTOCOL_TAG_BYTES]), "frame_count");
    expectCode(
      () => decodeFrames([new TextEncoder().encode("nadir.v2"), new Uint8Array([8, 2])]),
      "version_mismatch",
    );
    expectCode(() => decodeFrames([new TextEncoder().encode("hello"), new Uint8Array([8, 1])]), "malformed");
  });
});

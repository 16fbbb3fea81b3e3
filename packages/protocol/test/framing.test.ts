import { describe, expect, it } from "vitest";
import {
  BODY_KINDS,
  bodyOf,
  DEFAULT_MAX_FRAME_BYTES,
  decodeEnvelope,
  decodeFrames,
  encodeEnvelope,
  encodeFrames,
  envelopeFromJson,
  envelopeToJson,
  errorReplyFor,
  makeEnvelope,
} from "../src/framing.js";
import {
  FrameCountError,
  InvalidArgumentError,
  MalformedError,
  nadir,
  negotiateVersion,
  OversizeError,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  PROTOCOL_TAG,
  parseProtocolTag,
  TruncatedError,
  UnknownBodyError,
  VersionMismatchError,
} from "../src/index.js";

const report = () =>
  makeEnvelope(
    {
      trialReport: {
        trial: { studyId: "s1", trialId: 3, attempt: 2 },
        measurement: { step: 120, elapsedSeconds: 2.5, metrics: { loss: 0.5 } },
        sequence: 4,
      },
    },
    { messageId: "m-1", senderId: "w-1", sentUnixMs: 1_700_000_000_000 },
  );

describe("envelope encode/decode", () => {
  it("round-trips a report with 64-bit fields as plain numbers", () => {
    const env = decodeEnvelope(encodeEnvelope(report()));
    expect(env.versionMajor).toBe(PROTOCOL_MAJOR);
    expect(env.versionMinor).toBe(PROTOCOL_MINOR);
    const body = bodyOf(env);
    expect(body.kind).toBe("trialReport");
    if (body.kind !== "trialReport") throw new Error("unreachable");
    expect(body.value.measurement?.step).toBe(120);
    expect(typeof env.sentUnixMs).toBe("number");
    expect(env.sentUnixMs).toBe(1_700_000_000_000);
    expect(body.value.trial).toEqual({ studyId: "s1", trialId: 3, attempt: 2 });
  });

  it("fills the version when the caller leaves it out", () => {
    const env = decodeEnvelope(encodeEnvelope({ messageId: "x", drain: { reason: "r" } }));
    expect([env.versionMajor, env.versionMinor]).toEqual([1, 0]);
  });

  it("refuses to encode an envelope with zero or two bodies", () => {
    expect(() => encodeEnvelope({ messageId: "x" })).toThrow(InvalidArgumentError);
    expect(() => encodeEnvelope({ messageId: "x", drain: {}, shutdown: {} })).toThrow(
      /exactly one body member.*got 2 \(drain, shutdown\)/,
    );
    expect(() => makeEnvelope({} as never)).toThrow(InvalidArgumentError);
  });

  it("refuses wrongly typed fields with the generated verifier's message", () => {
    expect(() =>
      encodeEnvelope({ messageId: "x", workRequest: { slots: "two" as unknown as number } }),
    ).toThrow(/slots: integer expected/);
  });

  it("enforces the size limit on both sides", () => {
    const big = makeEnvelope({ trialFailed: { details: "x".repeat(2000) } });
    expect(() => encodeEnvelope(big, { maxFrameBytes: 1000 })).toThrow(OversizeError);
    const bytes = encodeEnvelope(big);
    try {
      decodeEnvelope(bytes, { maxFrameBytes: 1000 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OversizeError);
      expect((err as OversizeError).size).toBe(bytes.length);
      expect((err as OversizeError).limit).toBe(1000);
    }
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(4 * 1024 * 1024);
    expect(() => decodeEnvelope(bytes, { maxFrameBytes: 0 })).toThrow(
      /maxFrameBytes must be a positive safe integer/,
    );
  });

  it("maps every truncation of a valid envelope to a typed error", () => {
    const bytes = encodeEnvelope(report());
    for (let n = 0; n < bytes.length; n++) {
      let caught: unknown;
      try {
        decodeEnvelope(bytes.subarray(0, n));
      } catch (err) {
        caught = err;
      }
      // A prefix may still parse (cut exactly between fields): then body or version is missing.
      expect(caught, `prefix of ${n} bytes`).toBeInstanceOf(Error);
      expect(["truncated", "malformed", "unknown_body"]).toContain((caught as { code: string }).code);
    }
    expect(() => decodeEnvelope(bytes.subarray(0, bytes.length - 1))).toThrow(TruncatedError);
  });

  it("rejects another major version and accepts a newer minor", () => {
    const v2 = nadir.v1.Envelope.encode({ versionMajor: 2, messageId: "a", drain: {} }).finish();
    expect(() => decodeEnvelope(v2)).toThrow(VersionMismatchError);
    const v1_9 = nadir.v1.Envelope.encode({
      versionMajor: 1,
      versionMinor: 9,
      messageId: "a",
      drain: {},
    }).finish();
    expect(decodeEnvelope(v1_9).versionMinor).toBe(9);
  });

  it("keeps unknown fields of a newer minor when re-encoding (forward compatibility)", () => {
    const base = nadir.v1.Envelope.encode({
      versionMajor: 1,
      versionMinor: 3,
      messageId: "a",
      drain: { reason: "r" },
    }).finish();
    // Append field 500 (varint 7) at the envelope level: unknown to v1.0.
    const withUnknown = new Uint8Array([...base, 0xa0, 0x1f, 0x07]);
    const env = decodeEnvelope(withUnknown);
    expect(env.drain?.reason).toBe("r");
    expect(Buffer.from(nadir.v1.Envelope.encode(env).finish()).equals(Buffer.from(withUnknown))).toBe(true);
  });

  it("reports a body member from a newer minor as unknown_body", () => {
    const base = nadir.v1.Envelope.encode({ versionMajor: 1, versionMinor: 4, messageId: "f" }).finish();
    expect(() => decodeEnvelope(new Uint8Array([...base, 0x9a, 0x06, 0x00]))).toThrow(
      /no body member this side knows/,
    );
    expect(() => decodeEnvelope(base)).toThrow(UnknownBodyError);
  });

  it("converts to and from canonical JSON", () => {
    const env = decodeEnvelope(encodeEnvelope(report()));
    const json = envelopeToJson(env);
    expect(json.sentUnixMs).toBe("1700000000000");
    expect((json.trialReport as { measurement: { step: string } }).measurement.step).toBe("120");
    const back = envelopeFromJson(JSON.parse(JSON.stringify(json)));
    expect(
      Buffer.from(nadir.v1.Envelope.encode(back).finish()).equals(Buffer.from(encodeEnvelope(report()))),
    ).toBe(true);
    expect(() => envelopeFromJson([])).toThrow(InvalidArgumentError);
  });
});

describe("frames", () => {
  it("DEALER side: [tag, envelope]", () => {
    const frames = encodeFrames(report());
    expect(frames).toHaveLength(2);
    expect(Buffer.from(frames[0] as Uint8Array).toString()).toBe(PROTOCOL_TAG);
    const msg = decodeFrames(frames);
    expect(msg.identity).toBeUndefined();
    expect(msg.envelope.messageId).toBe("m-1");
  });

  it("ROUTER side: [identity, tag, envelope]", () => {
    const id = new Uint8Array([0, 1, 2, 3, 4]);
    const msg = decodeFrames([id, ...encodeFrames(report())], { identity: true });
    expect(Array.from(msg.identity ?? [])).toEqual([0, 1, 2, 3, 4]);
    expect(() => decodeFrames(encodeFrames(report()), { identity: true })).toThrow(FrameCountError);
  });

  it("PUB side: topic after the tag", () => {
    const frames = encodeFrames(report(), { topic: "study-7" });
    expect(Buffer.from(frames[0] as Uint8Array).toString()).toBe("nadir.v1/study-7");
    expect(decodeFrames(frames).topic).toBe("study-7");
  });

  it("checks the tag before decoding anything", () => {
    const payload = encodeEnvelope(report());
    expect(() => decodeFrames([Buffer.from("nadir.v2"), payload])).toThrow(VersionMismatchError);
    expect(() => decodeFrames([Buffer.from("nadir.v01"), payload])).toThrow(MalformedError);
    expect(() => decodeFrames([Buffer.from(""), payload])).toThrow(MalformedError);
    expect(() => decodeFrames([new Uint8Array(300), payload])).toThrow(OversizeError);
    expect(() => decodeFrames([Buffer.from("nadir.v1"), payload, payload])).toThrow(FrameCountError);
  });

  it("turns a protocol error into the typed ErrorReply body", () => {
    const reply = errorReplyFor(new VersionMismatchError("nadir.v2", "nadir.v1"));
    expect(reply.error.code).toBe(nadir.v1.ErrorCode.ERROR_CODE_VERSION_MISMATCH);
    expect(errorReplyFor(new TruncatedError("t")).error.code).toBe(nadir.v1.ErrorCode.ERROR_CODE_MALFORMED);
    expect(errorReplyFor(new OversizeError(10, 5)).error.code).toBe(nadir.v1.ErrorCode.ERROR_CODE_OVERSIZE);
    expect(errorReplyFor(new UnknownBodyError("u")).error.code).toBe(
      nadir.v1.ErrorCode.ERROR_CODE_UNKNOWN_BODY,
    );
    expect(() => encodeEnvelope(makeEnvelope(reply))).not.toThrow();
  });

  it("lists all 27 body kinds", () => {
    expect(BODY_KINDS).toHaveLength(27);
    expect(new Set(BODY_KINDS).size).toBe(27);
  });
});

describe("version negotiation", () => {
  it("agrees on min(minor) within a major", () => {
    expect(negotiateVersion({ major: 1, minor: 5 }, { major: 1, minor: 2 })).toEqual({
      ok: true,
      major: 1,
      minor: 2,
    });
    expect(negotiateVersion({ major: 1, minor: 0 }, { major: 1, minor: 2 })).toEqual({
      ok: true,
      major: 1,
      minor: 0,
    });
  });
  it("refuses another major or a too-old minor", () => {
    const r = negotiateVersion({ major: 2, minor: 0 });
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error("unreachable");
    expect(r.message).toBe("peer speaks protocol 2.0, this side speaks major 1 (1.0)");
    expect(r.supported).toEqual([{ major: 1, minor: 0 }]);
    expect(negotiateVersion({ major: 1, minor: 0 }, { major: 1, minor: 3 }, 2).ok).toBe(false);
  });
  it("validates its arguments", () => {
    expect(() => negotiateVersion({ major: 1.5, minor: 0 })).toThrow(InvalidArgumentError);
  });
  it("parses tags", () => {
    expect(parseProtocolTag("nadir.v1")).toBe(1);
    expect(parseProtocolTag("nadir.v12")).toBe(12);
    expect(parseProtocolTag("nadir.v0")).toBeUndefined();
    expect(parseProtocolTag("nadir.v1x")).toBeUndefined();
    expect(parseProtocolTag("zmq")).toBeUndefined();
  });
});

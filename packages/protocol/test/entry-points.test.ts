// The public surface: the root exports messages, versioning, schemas and errors; framing is the documented
// sub-entry point `@nadir/protocol/framing`, resolved by package name as an installed user imports it.
import { describe, expect, it } from "vitest";
import * as framingSrc from "../src/framing.js";
import * as src from "../src/index.js";

describe("@nadir/protocol public surface", () => {
  it("root and /framing resolve by package name to the built modules", async () => {
    const framing = (await import("@nadir/protocol/framing")) as Record<string, unknown>;
    expect(Object.keys(framing).sort()).toEqual(Object.keys(framingSrc).sort());
    const root = (await import("@nadir/protocol")) as Record<string, unknown>;
    expect(Object.keys(root).sort()).toEqual(Object.keys(src).sort());
  });

  it("the root keeps only the deprecated framing aliases, bound to the same functions", () => {
    for (const name of ["makeEnvelope", "encodeFrames", "decodeEnvelope", "bodyOf", "envelopeToJson"])
      expect(src, name).not.toHaveProperty(name);
    expect(src.encodeEnvelope).toBe(framingSrc.encodeEnvelope);
    expect(src.decodeFrames).toBe(framingSrc.decodeFrames);
    expect(src.errorReplyFor).toBe(framingSrc.errorReplyFor);
  });
});

import { describe, expect, it } from "vitest";
import { crc32c, crc32cBitwise } from "../src/crc32c.js";

describe("crc32c", () => {
  it("matches the standard check value crc32c('123456789') = 0xE3069283", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32cBitwise(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });

  it("matches the RFC 3720 appendix B.4 vectors", () => {
    // The RFC prints the CRC bytes as transmitted (little-endian); these are the same values as integers.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    const iscsiRead = Uint8Array.from([
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]);
    expect(iscsiRead.length).toBe(48);
    expect(crc32c(iscsiRead)).toBe(0xd9963a56);
  });

  it("of the empty input is 0", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("slicing-by-8 agrees with the bitwise definition on every length 0..100 and random data", () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let n = 0; n <= 100; n++) {
      const b = Uint8Array.from({ length: n }, rnd);
      expect(crc32c(b)).toBe(crc32cBitwise(b));
    }
    const big = Uint8Array.from({ length: 10_007 }, rnd);
    expect(crc32c(big)).toBe(crc32cBitwise(big));
  });

  it("is incremental: crc(b, crc(a)) = crc(a ++ b) at every split", () => {
    const data = new TextEncoder().encode("The quick brown fox jumps over the lazy dog");
    for (let k = 0; k <= data.length; k++) {
      expect(crc32c(data.subarray(k), crc32c(data.subarray(0, k)))).toBe(crc32c(data));
    }
  });

  it("rejects bad arguments", () => {
    expect(() => crc32c("abc" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => crc32c(new Uint8Array(1), -1)).toThrow(RangeError);
  });
});

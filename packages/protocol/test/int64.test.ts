// 64-bit fields must decode as plain numbers, absent ones as 0 (not Long objects): the coordinator validates
// and compares them as numbers (an absent IntDomain.min of 0 once failed `Number.isSafeInteger`).
import { describe, expect, it } from "vitest";
import { nadir } from "../src/index.js";

describe("64-bit fields are numbers", () => {
  it("absent int64/uint64 fields decode as the number 0", () => {
    const d = nadir.v1.IntDomain.decode(nadir.v1.IntDomain.encode({ min: 0, max: 5 }).finish());
    expect(d.min).toBe(0);
    expect(typeof d.min).toBe("number");
    expect(d.max).toBe(5);
    const s = nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode({ studyId: "s" }).finish());
    expect(s.stepBudget).toBe(0);
    expect(s.seed).toBe(0);
  });

  it("large values below 2^53 round-trip exactly", () => {
    const v = 2 ** 53 - 1;
    const d = nadir.v1.IntDomain.decode(nadir.v1.IntDomain.encode({ min: -v, max: v }).finish());
    expect(d.min).toBe(-v);
    expect(d.max).toBe(v);
  });
});

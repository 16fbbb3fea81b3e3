// One error root: the helpers of @nadir/sdk reject bad arguments with an SdkError (closed code, path).
import { describe, expect, it } from "vitest";
import { orientedValue, parameterValue, SDK_ERROR_CODES, SdkError } from "../src/index.js";

describe("SdkError is the one root, with closed codes and paths", () => {
  it("orientedValue: invalid_argument naming the direction, for every direction but 1 and 2", () => {
    const m = { step: 1, metrics: { loss: 0.5 } };
    expect(orientedValue(m, "loss", 1)).toBe(0.5);
    expect(orientedValue(m, "loss", 2)).toBe(-0.5);
    expect(orientedValue(m, "acc", 1)).toBeNaN();
    for (const direction of [0, 3, -1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        orientedValue(m, "loss", direction);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SdkError);
      expect(SDK_ERROR_CODES).toContain((err as SdkError).code);
      expect((err as SdkError).code).toBe("invalid_argument");
      expect((err as SdkError).path).toBe("direction");
      expect((err as SdkError).name).toBe("SdkError");
    }
  });

  it("parameterValue never throws: an unset value is undefined", () => {
    expect(parameterValue(undefined)).toBeUndefined();
    expect(parameterValue({ intValue: 3 })).toBe(3);
  });
});

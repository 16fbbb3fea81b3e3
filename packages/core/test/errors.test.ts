// One error root: every public function of @nadir/core that rejects its input throws a CoreError whose code
// is in the closed set and whose path names the offending field (the message starts with it).
import { describe, expect, it } from "vitest";
import {
  buildList,
  CORE_ERROR_CODES,
  CoreError,
  type CoreErrorCode,
  getList,
  getSpace,
  gridPoints,
  haltonSequence,
  learningRateAt,
  loadSpaceDocument,
  lrCheckpoints,
  materialize,
  parseSpaceDocument,
  parseTrialsCsv,
  pointFromUnit,
  RandomState,
  readTrialsTable,
  type SearchSpace,
  sample,
  stepLaw,
  trialsFromRows,
  validateSpace,
  warmupCosineSchedule,
} from "../src/index.js";

const space: SearchSpace = {
  parameters: [
    { name: "lr", domain: { kind: "float", min: 1e-4, max: 1e-1, scale: "log" }, transform: "identity" },
    { name: "wd", domain: { kind: "float", min: 0, max: 1, scale: "linear" }, transform: "identity" },
  ],
} as SearchSpace;

const cases: [string, () => unknown, CoreErrorCode, string | RegExp][] = [
  ["getList", () => getList("no-such-list"), "not_found", "list"],
  ["getSpace", () => getSpace("no-such-space"), "not_found", "space"],
  [
    "materialize",
    () => materialize(getList("medapati2025-nadamw").points[0]!, 0),
    "invalid_argument",
    "totalSteps",
  ],
  ["warmupCosineSchedule", () => warmupCosineSchedule(1e-3, 1.5, 100), "invalid_argument", "warmupFraction"],
  ["learningRateAt", () => learningRateAt(warmupCosineSchedule(1e-3, 0.1, 100), -1), "invalid_argument", "c"],
  ["RandomState", () => new RandomState(-1), "invalid_argument", "seed"],
  ["haltonSequence", () => haltonSequence(-1, 2), "invalid_argument", "n"],
  ["sample", () => sample(space, "random", -1, { seed: 0 }), "invalid_argument", "n"],
  ["gridPoints", () => gridPoints(space, 1000, 10), "too_large", /./],
  ["pointFromUnit", () => pointFromUnit(space, [0.5]), "invalid_argument", "u"],
  ["validateSpace", () => validateSpace({ parameters: [] }), "invalid_space", "parameters"],
  ["parseSpaceDocument", () => parseSpaceDocument([]), "invalid_space", /.*/],
  ["loadSpaceDocument", () => loadSpaceDocument("{not json"), "invalid_space", /.*/],
  ["stepLaw", () => stepLaw(-1, 1e9), "invalid_argument", "N"],
  ["readTrialsTable", () => readTrialsTable("a,b\n1,2\n"), "invalid_trials", /.*/],
  ["parseTrialsCsv", () => parseTrialsCsv(""), "invalid_trials", /.*/],
  ["trialsFromRows", () => trialsFromRows([], "final-metric"), "invalid_trials", /.*/],
];

describe("CoreError is the one root, with closed codes and paths", () => {
  for (const [name, f, code, path] of cases) {
    it(`${name}: ${code}`, () => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CoreError);
      const e = err as CoreError;
      expect(CORE_ERROR_CODES).toContain(e.code);
      expect(e.code).toBe(code);
      if (typeof path === "string") expect(e.path).toBe(path);
      else expect(e.path).toMatch(path);
      if (e.path) expect(e.message.startsWith(`${e.path}: `)).toBe(true);
      expect(e.name).toBe(e.constructor.name);
    });
  }

  it("buildList and lrCheckpoints validate before work", () => {
    const table = trialsFromRows(
      [
        { point: "a", workload: "w", seed: "0", metric: 1 },
        { point: "b", workload: "w", seed: "0", metric: 2 },
      ],
      "final-metric",
    );
    let err: unknown;
    try {
      buildList(table, { size: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe("invalid_argument");
    expect((err as CoreError).path).toBe("size");
    expect(() => lrCheckpoints(materialize(getList("medapati2025-nadamw").points[0]!, 100))).not.toThrow();
  });
});

/** Row conversion and the small parsers, on values chosen to hit each rule. */
import { describe, expect, it } from "vitest";
import { normalizeSamplerName, type TrialRecord, toCsv, toJsonl, withSampler } from "../src/index.js";
import { isoUtcMicros, parsePythonJson } from "../src/journal.js";

const rec = (over: Partial<TrialRecord>): TrialRecord => ({
  source: "optuna",
  study: "s",
  trial: 0,
  state: "COMPLETED",
  source_state: "COMPLETE",
  value: 1,
  list_index: null,
  started: null,
  completed: null,
  params: {},
  intermediate: [],
  ...over,
});

describe("helpers", () => {
  it("parsePythonJson reads Python's non-finite tokens but not inside strings", () => {
    expect(parsePythonJson('{"a":NaN,"b":[Infinity,-Infinity],"c":"NaN Infinity"}')).toEqual({
      a: Number.NaN,
      b: [Infinity, -Infinity],
      c: "NaN Infinity",
    });
  });

  it("isoUtcMicros converts offsets to UTC and keeps microseconds", () => {
    expect(isoUtcMicros("2026-01-01T01:30:00.123456+02:00", "t")).toBe("2025-12-31T23:30:00.123456+00:00");
    expect(isoUtcMicros("2026-03-04T05:06:07Z", "t")).toBe("2026-03-04T05:06:07.000000+00:00");
    expect(() => isoUtcMicros("yesterday", "t")).toThrow(/cannot read timestamp "yesterday"/);
  });
});

describe("toCsv", () => {
  it("quotes cells that need it", () => {
    const r = rec({ study: "s,1", params: { q: 'say "hi"' } });
    expect(toCsv([r]).split("\n")[1]).toBe('optuna,"s,1",0,COMPLETED,COMPLETE,1,,,,"say ""hi"""');
  });

  it("has one sorted column per parameter of any record, empty where a record lacks it", () => {
    const csv = toCsv([rec({ params: { b: 2 } }), rec({ trial: 1, params: { a: "x" } })]);
    expect(csv).toBe(
      "source,study,trial,state,source_state,value,list_index,started,completed,param.a,param.b\n" +
        "optuna,s,0,COMPLETED,COMPLETE,1,,,,,2\n" +
        "optuna,s,1,COMPLETED,COMPLETE,1,,,,x,\n",
    );
  });
});

describe("toJsonl", () => {
  it("writes the Python adapter's key order: fixed keys, values, param.* sorted, params, intermediate", () => {
    const line = toJsonl([
      rec({ values: [1, "Infinity"], params: { z: 1, a: true }, intermediate: [[3, "NaN"]] }),
    ]);
    expect(line.endsWith("\n")).toBe(true);
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      "source",
      "study",
      "trial",
      "state",
      "source_state",
      "value",
      "list_index",
      "started",
      "completed",
      "values",
      "param.a",
      "param.z",
      "params",
      "intermediate",
    ]);
    expect(line).toContain('"intermediate":[[3,"NaN"]]');
  });
});

describe("withSampler", () => {
  it("marks the records imported:<sampler> under the sampler's normalised name, and leaves them without one", () => {
    expect(normalizeSamplerName("optuna.samplers.TPESampler")).toBe("tpe");
    expect(normalizeSamplerName(" CmaEsSampler ")).toBe("cmaes");
    expect(normalizeSamplerName("QMC")).toBe("qmc");
    const rs = [rec({ trial: 0 }), rec({ trial: 1 })];
    expect(withSampler(rs, "TPESampler").map((r) => r.source)).toEqual(["imported:tpe", "imported:tpe"]);
    expect(withSampler(rs, undefined).map((r) => r.source)).toEqual(["optuna", "optuna"]);
    expect(withSampler(rs, " ").map((r) => r.source)).toEqual(["optuna", "optuna"]);
    expect(rs[0]?.source).toBe("optuna"); // the input is not changed
    expect(toCsv(withSampler(rs, "random")).split("\n")[1]).toMatch(/^imported:random,s,0,COMPLETED,/);
  });
});

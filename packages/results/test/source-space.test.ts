/** The meaning of recorded source strings, and what a study spec says about the analysis. */
import { nadir } from "@nadir/protocol";
import { describe, expect, it } from "vitest";
import {
  normalizeSampler,
  parseSource,
  searchedDimensions,
  searchedParameterNames,
  studyScoreBounds,
  studySelectOptions,
} from "../src/index.js";

describe("parseSource", () => {
  it("reads every form the coordinator, the exports and the importers write", () => {
    const pick = (s: string) => {
      const o = parseSource(s);
      return [o.kind, o.sampler, o.list, o.fallback, o.system];
    };
    expect(pick("random")).toEqual(["random", "random", null, false, null]);
    expect(pick("halton")).toEqual(["halton", "halton", null, false, null]);
    expect(pick("grid")).toEqual(["grid", "grid", null, false, null]);
    expect(pick("list:medapati-nadamw-5")).toEqual(["list", null, "medapati-nadamw-5", false, null]);
    expect(pick("list:inline>halton")).toEqual(["halton", "halton", "inline", true, null]);
    expect(pick("list:a>b>random")).toEqual(["random", "random", "a>b", true, null]);
    expect(pick("external:optuna.TPESampler")).toEqual(["external", "optuna.TPESampler", null, false, null]);
    expect(pick("external:")).toEqual(["external", null, null, false, null]);
    expect(pick("imported:TPESampler")).toEqual(["imported", "tpe", null, false, null]);
    expect(pick("imported:unknown")).toEqual(["imported", null, null, false, null]);
    expect(pick("optuna")).toEqual(["imported", null, null, false, "optuna"]);
    expect(pick("vizier")).toEqual(["imported", null, null, false, "vizier"]);
    expect(pick("")).toEqual(["unknown", null, null, false, null]);
    expect(pick("unknown")).toEqual(["unknown", null, null, false, null]);
    expect(pick("my-plugin")).toEqual(["other", "my-plugin", null, false, null]);
  });

  it("normalises sampler names as users and libraries spell them", () => {
    expect(normalizeSampler("optuna.samplers.TPESampler")).toBe("tpe");
    expect(normalizeSampler("CmaEsSampler")).toBe("cmaes");
    expect(normalizeSampler("QMCSampler")).toBe("qmc");
    expect(normalizeSampler(" Random ")).toBe("random");
    expect(normalizeSampler("quasi-random search")).toBe("quasi_random_search");
  });
});

describe("searchedDimensions", () => {
  it("counts parameters whose domain holds more than one value", () => {
    const spec = nadir.v1.StudySpec.fromObject({
      studyId: "d",
      labels: { "nadir.metric_lower": "0", "nadir.metric_upper": "1" },
      searchSpace: {
        parameters: [
          { name: "learning_rate", floatDomain: { min: 1e-4, max: 1e-1, scale: "SCALE_LOG" } },
          { name: "one_minus_beta1", floatDomain: { min: 0.1, max: 0.1 } },
          { name: "batch", intDomain: { min: 16, max: 256 } },
          { name: "layers", intDomain: { min: 2, max: 2 } },
          { name: "act", categoricalDomain: { values: [{ stringValue: "relu" }, { stringValue: "gelu" }] } },
          { name: "opt", categoricalDomain: { values: [{ stringValue: "nadamw" }] } },
          { name: "warmup", discreteDomain: { values: [0.02, 0.05, 0.1] } },
          { name: "same", discreteDomain: { values: [0.5, 0.5] } },
          { name: "eps", fixedDomain: { value: { floatValue: 1e-8 } } },
          {
            name: "dropout",
            floatDomain: { min: 0, max: 0.5 },
            condition: { parent: "act", values: [{ stringValue: "gelu" }] },
          },
        ],
      },
    });
    expect(searchedDimensions(spec)).toBe(5);
    expect(searchedDimensions(spec.searchSpace as nadir.v1.SearchSpace)).toBe(5);
    expect(searchedParameterNames(spec)).toEqual(["learning_rate", "batch", "act", "warmup", "dropout"]);
    expect(searchedDimensions(nadir.v1.StudySpec.create({ studyId: "empty" }))).toBe(0);
    expect(studyScoreBounds(spec)).toEqual({ lower: 0, upper: 1 });
  });

  it("gives the selection options a study implies (objective, direction, bounds, list mode)", () => {
    const spec = nadir.v1.StudySpec.fromObject({
      studyId: "o",
      objective: { metric: "validation/accuracy", direction: "DIRECTION_MAXIMIZE" },
      labels: { "nadir.metric_lower": "0", "nadir.metric_upper": "1" },
    });
    expect(studySelectOptions(spec)).toEqual({
      metric: "validation/accuracy",
      direction: "maximize",
      lower: 0,
      upper: 1,
      lists: "separate",
    });
    const min = nadir.v1.StudySpec.fromObject({ studyId: "m", objective: { metric: "loss", direction: 1 } });
    expect(studySelectOptions(min)).toEqual({ metric: "loss", direction: "minimize", lists: "separate" });
    // A replay study's list points are recorded random-search draws: in the sample.
    const replay = nadir.v1.StudySpec.fromObject({
      studyId: "r",
      objective: { metric: "error_rate", direction: 1 },
      labels: { "nadir.replay": "deberta-v3-base" },
    });
    expect(studySelectOptions(replay).lists).toBe("include");
  });

  it("reads only finite declared bounds", () => {
    const spec = (labels: Record<string, string>) => nadir.v1.StudySpec.fromObject({ studyId: "b", labels });
    expect(studyScoreBounds(spec({}))).toEqual({});
    expect(studyScoreBounds(spec({ "nadir.metric_upper": "100" }))).toEqual({ upper: 100 });
    expect(studyScoreBounds(spec({ "nadir.metric_lower": "x", "nadir.metric_upper": " " }))).toEqual({});
  });
});
